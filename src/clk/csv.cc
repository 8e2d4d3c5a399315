// Streaming CSV encoding: reads records in batches, encodes each batch on worker threads and
// writes the rows in input order, so memory stays bounded by one batch whatever the file size.
#include <algorithm>
#include <exception>
#include <istream>
#include <ostream>
#include <thread>

#include "clk/clk.h"
#include "core/core.h"

namespace ctis::clk {

namespace {

constexpr std::size_t kBatch = 2048;
constexpr std::size_t kMinPerThread = 64;  // below this a thread costs more than it saves

// RFC 4180 as Python's csv module reads it: quotes only open a field, "" inside quotes is a
// quote, CR, LF and CRLF end a record, and optionally spaces after a comma are dropped.
class CsvReader {
 public:
  CsvReader(std::istream& in, bool skip_initial_space)
      : buf_(*in.rdbuf()), skip_space_(skip_initial_space) {}

  // Next non-blank record; false at the end of input.
  bool next(std::vector<std::string>& row) {
    while (true) {
      row.clear();
      if (!read_record(row)) return false;
      // A UTF-8 byte order mark (spreadsheet exports) is not part of the first value.
      if (first_ && row[0].starts_with("\xEF\xBB\xBF")) row[0].erase(0, 3);
      first_ = false;
      if (!(row.size() == 1 && row[0].empty() && !quoted_)) return true;  // skip blank lines
    }
  }
  std::size_t line() const { return line_; }

 private:
  using traits = std::char_traits<char>;

  bool read_record(std::vector<std::string>& row) {
    int c = buf_.sgetc();
    if (c == traits::eof()) return false;
    ++line_;
    quoted_ = false;
    std::string field;
    bool at_start = true, in_quotes = false;
    while (true) {
      c = buf_.sbumpc();
      if (c == traits::eof()) {
        if (in_quotes) {
          fail_invalid("line " + std::to_string(line_),
                       "CSV: the input ends inside a quoted field");
        }
        row.push_back(std::move(field));
        return true;
      }
      const char ch = traits::to_char_type(c);
      if (in_quotes) {
        if (ch == '"') {
          if (buf_.sgetc() == '"') {
            buf_.sbumpc();
            field.push_back('"');
          } else {
            in_quotes = false;
          }
        } else {
          if (ch == '\n') ++line_;
          field.push_back(ch);
        }
        continue;
      }
      if (at_start && skip_space_ && ch == ' ') continue;
      if (at_start && ch == '"') {
        in_quotes = quoted_ = true;
        at_start = false;
        continue;
      }
      if (ch == ',') {
        row.push_back(std::move(field));
        field.clear();
        at_start = true;
        continue;
      }
      if (ch == '\r' || ch == '\n') {
        if (ch == '\r' && buf_.sgetc() == '\n') buf_.sbumpc();
        row.push_back(std::move(field));
        return true;
      }
      at_start = false;
      field.push_back(ch);
    }
  }

  std::streambuf& buf_;
  bool skip_space_;
  bool quoted_ = false;
  bool first_ = true;
  std::size_t line_ = 0;
};

// Python csv.writer's minimal quoting.
std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

void check_header(const std::vector<std::string>& header, const Schema& schema) {
  const auto& features = schema.features;
  if (header.size() != features.size()) {
    fail_invalid("header", "CSV header has " + std::to_string(header.size()) +
                               " columns but the schema has " + std::to_string(features.size()) +
                               " features");
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] != features[i].identifier) {
      fail_invalid("header", "CSV header column " + std::to_string(i + 1) + " is '" + header[i] +
                                 "' but the schema expects '" + features[i].identifier + "'");
    }
  }
}

struct RowFailure {
  std::size_t index = SIZE_MAX;  // position in the batch
  std::exception_ptr error;
};

// Encodes rows [0, n) of the batch with `threads` workers; each keeps its first failure.
void encode_batch(const Encoder& encoder, const std::vector<std::vector<std::string>>& rows,
                  std::size_t n, unsigned threads, std::vector<std::string>& lines,
                  RowFailure& failure) {
  std::vector<RowFailure> failures(threads);
  auto work = [&](unsigned t) {
    const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
    for (std::size_t i = begin; i < end; ++i) {
      try {
        lines[i] = csv_field(rows[i][0]) + "," + to_base64(encoder.encode(rows[i]));
      } catch (...) {
        failures[t] = {i, std::current_exception()};
        return;
      }
    }
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::jthread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work, t);
  }
  for (const auto& f : failures) {
    if (f.error && f.index < failure.index) failure = f;
  }
}

}  // namespace

std::uint64_t encode_csv(std::istream& in, std::ostream& out, const Encoder& encoder,
                         Progress* progress, const CsvOptions& options) {
  const Schema& schema = encoder.schema();
  CsvReader reader(in, options.skip_initial_space);
  std::vector<std::string> row;
  if (options.header) {
    if (!reader.next(row)) fail_invalid("header", "CSV: the input is empty (no header row)");
    if (options.check_header) check_header(row, schema);
  }
  const unsigned hardware = std::max(1U, std::thread::hardware_concurrency());
  const unsigned max_threads = options.threads == 0 ? hardware : options.threads;

  out << "rec_id,clk_base64\n";
  std::vector<std::vector<std::string>> rows(kBatch);
  std::vector<std::string> lines(kBatch);
  std::uint64_t done = 0;
  while (true) {
    if (progress != nullptr && progress->cancel.load()) {
      throw Error(ErrorKind::invalid, "cancelled", "CSV encoding was cancelled");
    }
    std::size_t n = 0;
    while (n < kBatch && reader.next(rows[n])) {
      if (rows[n].size() != schema.features.size()) {
        const std::string where = "row " + std::to_string(done + n + 1);
        fail_invalid(where, where + ": expected " + std::to_string(schema.features.size()) +
                                " columns, found " + std::to_string(rows[n].size()));
      }
      ++n;
    }
    if (n == 0) break;
    const auto threads =
        static_cast<unsigned>(std::clamp<std::size_t>(n / kMinPerThread, 1, max_threads));
    RowFailure failure;
    encode_batch(encoder, rows, n, threads, lines, failure);
    if (failure.error) {
      const std::string row_name = "row " + std::to_string(done + failure.index + 1);
      try {
        std::rethrow_exception(failure.error);
      } catch (const Error& e) {
        const std::string where = row_name + ", column " + e.field();
        throw Error(e.kind(), e.code(), where + ": " + e.what(), where);
      }
    }
    for (std::size_t i = 0; i < n; ++i) out << lines[i] << '\n';
    done += n;
    if (progress != nullptr) progress->records.store(done);
  }
  out.flush();
  if (!out) fail_unavailable("write_failed", "CSV: writing the encoded records failed");
  return done;
}

}  // namespace ctis::clk
