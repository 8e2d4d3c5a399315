// CSV ingest by a column mapping: the mapping file, amount and time parsing, and the streaming
// all-or-nothing (or skip-and-report) loop.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <istream>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "finance/csv.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace detail {

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

}  // namespace detail

namespace {

const std::vector<std::string> kFields = {"id",       "time",    "from", "to",       "amount",
                                          "currency", "channel", "mcc",  "location", "purpose"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The C locale's white space, inline: this runs for every cell.
bool space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

char single_char(const nlohmann::json& j, const std::string& key, char fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string() || j[key].get<std::string>().size() > 1) {
    fail_invalid("/" + key, "column mapping: " + key + " must be one character or empty");
  }
  auto s = j[key].get<std::string>();
  return s.empty() ? '\0' : s[0];
}

template <typename T>
bool parse_int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string RowError::message() const {
  return "row " + std::to_string(row) + ", column " + column + ": " + reason;
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's civil calendar arithmetic (public domain algorithm), restated.
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

ColumnMapping mapping_from_json(std::string_view json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    fail_invalid("", std::string("column mapping: not JSON: ") + e.what());
  }
  if (!j.is_object()) fail_invalid("", "column mapping: not a JSON object");
  if (j.value("version", 0) != 1) fail_invalid("/version", "column mapping: version must be 1");
  ColumnMapping m;
  m.delimiter = single_char(j, "delimiter", ',');
  if (m.delimiter == '\0') fail_invalid("/delimiter", "column mapping: empty delimiter");
  if (!j.contains("columns") || !j["columns"].is_object()) {
    fail_invalid("/columns", "column mapping: columns must be an object");
  }
  for (auto& [field, header] : j["columns"].items()) {
    if (std::find(kFields.begin(), kFields.end(), field) == kFields.end()) {
      fail_invalid("/columns/" + field, "column mapping: unknown field " + field);
    }
    if (!header.is_string()) fail_invalid("/columns/" + field, "column mapping: not a string");
    m.columns[field] = header.get<std::string>();
  }
  for (const char* required : {"time", "amount"}) {
    if (!m.columns.count(required)) {
      fail_invalid(std::string("/columns/") + required,
                   std::string("column mapping: column for ") + required + " is required");
    }
  }
  if (!m.columns.count("from") && !m.columns.count("to")) {
    fail_invalid("/columns/from", "column mapping: a from or to column is required");
  }
  m.time_format = j.value("time_format", m.time_format);
  if (j.contains("time_origin")) {
    ColumnMapping day;
    day.time_format = "%Y-%m-%d";
    auto origin = parse_time(j["time_origin"].get<std::string>(), day);
    if (!origin) fail_invalid("/time_origin", "column mapping: time_origin is not YYYY-MM-DD");
    m.time_origin = *origin;
  }
  if (j.contains("amount")) {
    const auto& a = j["amount"];
    m.decimal_separator = single_char(a, "decimal_separator", '.');
    m.thousands_separator = single_char(a, "thousands_separator", '\0');
    m.minor_digits = a.value("minor_digits", 2);
    if (m.minor_digits < 0 || m.minor_digits > 8) {
      fail_invalid("/amount/minor_digits", "column mapping: minor_digits must be 0..8");
    }
  }
  m.default_currency = j.value("default_currency", "");
  if (j.contains("channels")) {
    for (auto& [value, code] : j["channels"].items()) {
      auto c = code.is_string() ? parse_channel(code.get<std::string>()) : std::nullopt;
      if (!c) fail_invalid("/channels/" + value, "column mapping: unknown channel for " + value);
      m.channels[upper(value)] = *c;
    }
  }
  if (j.contains("default_channel")) {
    if (j["default_channel"].is_null()) {
      m.default_channel.reset();
    } else {
      auto c = parse_channel(j["default_channel"].get<std::string>());
      if (!c) fail_invalid("/default_channel", "column mapping: unknown default_channel");
      m.default_channel = c;
    }
  }
  return m;
}

}  // namespace

ColumnMapping ColumnMapping::from_json(std::string_view json_text) {
  try {
    return mapping_from_json(json_text);
  } catch (const nlohmann::json::exception& e) {
    // A member of the wrong type, e.g. a number where a string belongs.
    fail_invalid("", std::string("column mapping: ") + e.what());
  }
}

std::optional<Minor> parse_amount(std::string_view text, const ColumnMapping& m,
                                  std::string* reason) {
  auto why = [&](const char* r) -> std::optional<Minor> {
    if (reason) *reason = r;
    return std::nullopt;
  };
  text = trim(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return why("empty amount");
  Minor whole = 0, fraction = 0;
  int fraction_digits = 0;
  bool in_fraction = false, any_digit = false;
  constexpr Minor kLimit = std::numeric_limits<Minor>::max() / 100;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (!in_fraction) {
        if (whole > kLimit) return why("amount too large");
        whole = whole * 10 + (c - '0');
      } else if (fraction_digits < m.minor_digits) {
        fraction = fraction * 10 + (c - '0');
        ++fraction_digits;
      } else if (c != '0') {
        return why("more decimals than the currency's minor unit");
      }
    } else if (c == m.decimal_separator && !in_fraction) {
      in_fraction = true;
    } else if (c == m.thousands_separator && m.thousands_separator != '\0' && !in_fraction) {
      continue;
    } else {
      return why("not a number");
    }
  }
  if (!any_digit) return why("not a number");
  for (int i = fraction_digits; i < m.minor_digits; ++i) fraction *= 10;
  Minor scale = 1;
  for (int i = 0; i < m.minor_digits; ++i) scale *= 10;
  if (whole > (std::numeric_limits<Minor>::max() - fraction) / scale)
    return why("amount too large");
  Minor v = whole * scale + fraction;
  return negative ? -v : v;
}

namespace {

// "YYYY-MM-DD HH:MM:SS" exactly, digits where digits belong; else nullopt and the general
// parser decides (it also takes shorter numbers such as "2017-2-5").
std::optional<std::array<unsigned, 6>> fixed_iso_fields(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd";
  if (s.size() != kShape.size()) return std::nullopt;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return std::nullopt;
  }
  auto two = [&](std::size_t at) {
    return static_cast<unsigned>((s[at] - '0') * 10 + (s[at + 1] - '0'));
  };
  return std::array<unsigned, 6>{two(0) * 100 + two(2), two(5), two(8), two(11), two(14), two(17)};
}

std::optional<Seconds> civil_seconds(std::int64_t year, unsigned month, unsigned day, unsigned hour,
                                     unsigned minute, unsigned second) {
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return std::nullopt;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + Seconds{hour} * 3600 + Seconds{minute} * 60 +
         Seconds{second};
}

}  // namespace

std::optional<Seconds> parse_time(std::string_view text, const ColumnMapping& m) {
  text = trim(text);
  if (m.time_format == "%Y-%m-%d %H:%M:%S") {
    if (auto f = fixed_iso_fields(text))
      return civil_seconds((*f)[0], (*f)[1], (*f)[2], (*f)[3], (*f)[4], (*f)[5]);
  }
  if (m.time_format == "unix_seconds" || m.time_format == "unix_millis" ||
      m.time_format == "days") {
    std::int64_t v = 0;
    if (!parse_int(text, v)) return std::nullopt;
    if (m.time_format == "unix_millis") return v / 1000;
    if (m.time_format == "days") return m.time_origin + v * 86400;
    return v;
  }
  // strftime-like subset: %Y %m %d %H %M %S, %% and literal characters.
  std::int64_t year = 1970;
  unsigned fields[5] = {1, 1, 0, 0, 0};  // month, day, hour, minute, second
  std::size_t pos = 0;
  const std::string& f = m.time_format;
  auto number = [&](std::size_t max_width, std::int64_t& out) {
    std::size_t start = pos;
    while (pos < text.size() && pos - start < max_width &&
           std::isdigit(static_cast<unsigned char>(text[pos])))
      ++pos;
    return pos > start && parse_int(text.substr(start, pos - start), out);
  };
  for (std::size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '%' && i + 1 < f.size()) {
      char spec = f[++i];
      std::int64_t v = 0;
      if (spec == '%') {
        if (pos >= text.size() || text[pos++] != '%') return std::nullopt;
        continue;
      }
      const char* specs = "YmdHMS";
      const char* hit = std::strchr(specs, spec);
      if (hit == nullptr || !number(spec == 'Y' ? 4 : 2, v)) return std::nullopt;
      if (spec == 'Y') {
        year = v;
      } else {
        fields[hit - specs - 1] = static_cast<unsigned>(v);
      }
    } else {
      if (pos >= text.size() || text[pos++] != f[i]) return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return civil_seconds(year, fields[0], fields[1], fields[2], fields[3], fields[4]);
}

namespace {

// Channel of a cell value, remembered per distinct value (a file has a handful of them).
class ChannelCache {
 public:
  explicit ChannelCache(const ColumnMapping& m) : m_(m) {}
  // nullopt: not in the map, not a channel code and no default.
  std::optional<Channel> get(std::string_view value) {
    for (const auto& [seen, channel] : seen_) {
      if (seen == value) return channel;
    }
    std::optional<Channel> channel;
    auto it = m_.channels.find(upper(value));
    if (it != m_.channels.end()) {
      channel = it->second;
    } else if (auto direct = parse_channel(lower(value))) {
      channel = *direct;
    } else {
      channel = m_.default_channel;
    }
    if (seen_.size() < 64) seen_.emplace_back(std::string(value), channel);
    return channel;
  }

 private:
  const ColumnMapping& m_;
  std::vector<std::pair<std::string, std::optional<Channel>>> seen_;
};

// A lower-case view of s, using `buffer` only when s has upper-case letters.
std::string_view lower_view(std::string_view s, std::string& buffer) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= 'A' && s[i] <= 'Z') {
      buffer = lower(s);
      return buffer;
    }
  }
  return s;
}

}  // namespace

Ledger ingest_csv(std::istream& in, const ColumnMapping& mapping, const IngestOptions& options,
                  IngestReport* report, std::span<const AccountRecord> accounts) {
  // The input's size when it can tell (a file): the columns are then sized once, early.
  std::size_t input_bytes = 0;
  if (const auto here = in.tellg(); here != std::istream::pos_type(-1)) {
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    in.seekg(here);
    if (end != std::istream::pos_type(-1) && end > here) {
      input_bytes = static_cast<std::size_t>(end - here);
    }
  }
  detail::BlockCsvReader reader(in, mapping.delimiter);
  std::vector<std::string_view> header_views, row;
  if (!reader.next(header_views)) fail_invalid("row 1", "row 1: no header row");
  std::vector<std::string> header(header_views.begin(), header_views.end());
  if (header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);  // UTF-8 byte order mark
  // Field index -> column index in the file.
  std::vector<std::optional<std::size_t>> column(kFields.size());
  for (std::size_t f = 0; f < kFields.size(); ++f) {
    auto it = mapping.columns.find(kFields[f]);
    if (it != mapping.columns.end()) column[f] = detail::header_index(header, it->second, "");
  }
  auto header_of = [&](std::size_t f) { return mapping.columns.at(kFields[f]); };

  LedgerBuilder builder;
  for (const AccountRecord& a : accounts) {
    builder.add_account(a.account, a.party, a.country, a.account_kind);
    if (!a.party.empty()) builder.set_party(a.party, a.details);
  }
  IngestReport local;
  IngestReport& rep = report ? *report : local;
  rep = IngestReport{};
  ChannelCache channels(mapping);
  std::string line_id, purpose_buffer;
  LedgerBuilder::TransactionView t;
  // Good rows wait in a short batch (their views stay valid until the reader moves on).
  std::vector<LedgerBuilder::TransactionView> batch;
  batch.reserve(64);
  auto flush = [&] {
    builder.add_transactions(batch);
    batch.clear();
  };
  reader.before_invalidate = flush;
  while (reader.next(row)) {
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    ++rep.rows;
    if (rep.rows == 4096 && input_bytes > 0) {
      builder.reserve(input_bytes / reader.bytes() * 4096 * 21 / 20);
    }
    if (options.progress && options.progress_every && rep.rows % options.progress_every == 0) {
      options.progress(rep.rows, reader.bytes());
    }
    std::optional<RowError> bad;
    auto reject = [&](std::size_t f, std::string reason) {
      if (!bad) bad = RowError{reader.line(), header_of(f), std::move(reason)};
    };
    auto cell = [&](std::size_t f) -> std::string_view {
      if (!column[f]) return {};
      if (*column[f] >= row.size()) {
        reject(f, "missing (row has " + std::to_string(row.size()) + " fields)");
        return {};
      }
      return trim(row[*column[f]]);
    };
    t = LedgerBuilder::TransactionView{};
    if (column[0]) {
      t.id = cell(0);
    } else {
      line_id = std::to_string(reader.line());
      t.id = line_id;
    }
    if (auto v = parse_time(cell(1), mapping)) {
      t.time = *v;
    } else {
      reject(1, "not a time in format " + mapping.time_format);
    }
    t.from = cell(2);
    t.to = cell(3);
    if (t.from.empty() && t.to.empty()) reject(column[2] ? 2 : 3, "no sender or receiver");
    std::string reason;
    if (auto v = parse_amount(cell(4), mapping, &reason)) {
      t.amount = *v;
    } else {
      reject(4, reason);
    }
    t.currency = column[5] ? cell(5) : std::string_view(mapping.default_currency);
    if (t.currency.empty()) t.currency = mapping.default_currency;
    if (column[6]) {
      const std::string_view value = cell(6);
      if (auto c = channels.get(value)) {
        t.channel = *c;
      } else {
        reject(6, "unknown channel " + std::string(value));
      }
    } else {
      t.channel = mapping.default_channel.value_or(Channel::other);
    }
    if (column[7] && !cell(7).empty()) {
      unsigned v = 0;
      if (!parse_int(cell(7), v) || v > 9999) {
        reject(7, "merchant category code must be 0..9999");
      } else {
        t.mcc = static_cast<std::uint16_t>(v);
      }
    }
    t.location = cell(8);
    t.purpose = lower_view(cell(9), purpose_buffer);
    if (bad) {
      if (!options.skip_bad_rows)
        fail_invalid("row " + std::to_string(bad->row) + ", column " + bad->column, bad->message());
      rep.bad_rows.push_back(*bad);
      if (rep.bad_rows.size() > options.max_bad_rows) {
        fail_invalid("row " + std::to_string(bad->row), "more than " +
                                                            std::to_string(options.max_bad_rows) +
                                                            " bad rows; last: " + bad->message());
      }
      continue;
    }
    if (!column[0] || t.purpose.data() == purpose_buffer.data()) {
      flush();  // the row's id or purpose lives in a buffer the next row reuses
      builder.add_transaction_view(t);
    } else {
      batch.push_back(t);
      if (batch.size() == batch.capacity()) flush();
    }
  }
  flush();
  reader.before_invalidate = nullptr;
  if (options.progress) options.progress(rep.rows, reader.bytes());
  return builder.build();
}

}  // namespace ctis::finance
