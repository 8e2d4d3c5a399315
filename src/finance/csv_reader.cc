// The CSV record readers shared by the ingest paths: record by record (CsvReader) and in large
// blocks returning views (BlockCsvReader), RFC 4180 quoting, CRLF tolerant.
#include <algorithm>
#include <cstring>
#include <istream>

#include "core/core.h"
#include "finance/csv.h"

namespace ctis::finance::detail {
bool CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  if (!std::getline(in_, buffer_)) return false;
  record_line_ = next_line_++;
  bytes_ += buffer_.size() + 1;
  std::string field;
  bool quoted = false;
  std::size_t i = 0;
  while (true) {
    if (i >= buffer_.size()) {
      if (!quoted) break;
      // A quoted field spans lines: keep the newline and read on.
      if (!std::getline(in_, buffer_)) {
        fail_invalid("row " + std::to_string(record_line_),
                     "row " + std::to_string(record_line_) + ": unterminated quoted field");
      }
      ++next_line_;
      bytes_ += buffer_.size() + 1;
      field += '\n';
      i = 0;
      continue;
    }
    char c = buffer_[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < buffer_.size() && buffer_[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == delimiter_) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 == buffer_.size()) {
      // CRLF line ending
    } else {
      field += c;
    }
    ++i;
  }
  fields.push_back(std::move(field));
  return true;
}

namespace {
constexpr std::size_t kBlockBytes = std::size_t{4} << 20;
}  // namespace

bool BlockCsvReader::refill() {
  if (eof_) return false;
  block_.erase(0, pos_);
  pos_ = 0;
  const std::size_t keep = block_.size();
  const std::size_t want = std::max(kBlockBytes, keep);  // a record longer than a block grows it
  block_.resize(keep + want);
  in_.read(block_.data() + keep, static_cast<std::streamsize>(want));
  const auto got = static_cast<std::size_t>(in_.gcount());
  block_.resize(keep + got);
  if (got < want) eof_ = true;
  return got > 0;
}

bool BlockCsvReader::next(std::vector<std::string_view>& fields) {
  while (true) {
    fields.clear();
    if (pos_ >= block_.size()) {
      if (eof_) return false;
      if (before_invalidate) before_invalidate();
      refill();
      continue;
    }
    const char* line = block_.data() + pos_;
    const std::size_t avail = block_.size() - pos_;
    // A search in raw bytes, not a string copy: no terminator involved.
    const auto* newline = static_cast<const char*>(
        std::memchr(line, '\n', avail));  // NOLINT(bugprone-not-null-terminated-result)
    if (newline == nullptr && !eof_) {
      if (before_invalidate) before_invalidate();
      refill();
      continue;
    }
    const std::size_t length = newline ? static_cast<std::size_t>(newline - line) : avail;
    if (std::memchr(line, '"', length) == nullptr) {
      // The common case: no quotes, one line, every field a view into the block.
      record_line_ = next_line_++;
      std::size_t end = length;
      if (end > 0 && line[end - 1] == '\r') --end;  // CRLF line ending
      std::size_t start = 0;
      for (std::size_t i = 0; i < end; ++i) {
        if (line[i] == delimiter_) {
          fields.emplace_back(line + start, i - start);
          start = i + 1;
        }
      }
      fields.emplace_back(line + start, end - start);
      pos_ += newline ? length + 1 : length;
      consumed_ += length + 1;
      return true;
    }
    std::size_t lines = 0, end = 0;
    if (before_invalidate) before_invalidate();
    if (!parse_quoted(fields, lines, end)) {
      refill();
      continue;
    }
    record_line_ = next_line_;
    next_line_ += lines;
    consumed_ += end - pos_ + (end == block_.size() ? 1 : 0);
    pos_ = end;
    return true;
  }
}

bool BlockCsvReader::parse_quoted(std::vector<std::string_view>& fields, std::size_t& lines,
                                  std::size_t& end) {
  // The state machine of CsvReader::next, over the block instead of one line at a time.
  const std::size_t size = block_.size();
  std::size_t count = 0;
  auto start_field = [&]() -> std::string& {
    if (count == scratch_.size()) scratch_.emplace_back();
    scratch_[count].clear();
    return scratch_[count++];
  };
  std::string* field = &start_field();
  bool quoted = false;
  lines = 1;
  std::size_t i = pos_;
  while (true) {
    if (i >= size) {
      if (!eof_) return false;
      if (quoted) {
        fail_invalid("row " + std::to_string(next_line_),
                     "row " + std::to_string(next_line_) + ": unterminated quoted field");
      }
      break;
    }
    const char c = block_[i];
    if (c == '\n') {
      ++i;
      if (!quoted) break;
      ++lines;  // a quoted field spans lines: keep the newline and read on
      *field += '\n';
      continue;
    }
    const bool last = i + 1 == size;
    if (last && !eof_) return false;  // the next character decides; read more first
    if (quoted) {
      if (c == '"') {
        if (!last && block_[i + 1] == '"') {
          *field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        *field += c;
      }
    } else if (c == '"' && field->empty()) {
      quoted = true;
    } else if (c == delimiter_) {
      field = &start_field();
    } else if (c == '\r' && (last || block_[i + 1] == '\n')) {
      // CRLF line ending
    } else {
      *field += c;
    }
    ++i;
  }
  for (std::size_t k = 0; k < count; ++k) fields.emplace_back(scratch_[k]);
  end = i;
  return true;
}

std::size_t header_index(const std::vector<std::string>& header, const std::string& name,
                         const std::string& file) {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    const std::string where = "row 1, column " + name;
    fail_invalid(where, (file.empty() ? "" : file + ": ") + where + ": missing header");
  }
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace ctis::finance::detail
