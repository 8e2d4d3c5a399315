// CSV ingest by a column mapping: the mapping file, amount and time parsing, and the streaming
// all-or-nothing (or skip-and-report) loop.
#include <algorithm>
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

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
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

std::optional<Seconds> parse_time(std::string_view text, const ColumnMapping& m) {
  text = trim(text);
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
  const unsigned month = fields[0], day = fields[1];
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return std::nullopt;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  if (fields[2] > 23 || fields[3] > 59 || fields[4] > 60) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + Seconds{fields[2]} * 3600 +
         Seconds{fields[3]} * 60 + Seconds{fields[4]};
}

Ledger ingest_csv(std::istream& in, const ColumnMapping& mapping, const IngestOptions& options,
                  IngestReport* report, std::span<const AccountRecord> accounts) {
  detail::CsvReader reader(in, mapping.delimiter);
  std::vector<std::string> header, row;
  if (!reader.next(header)) fail_invalid("row 1", "row 1: no header row");
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
  Transaction t;
  while (reader.next(row)) {
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    ++rep.rows;
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
    t = Transaction{};
    t.id = column[0] ? std::string(cell(0)) : std::to_string(reader.line());
    if (auto v = parse_time(cell(1), mapping)) {
      t.time = *v;
    } else {
      reject(1, "not a time in format " + mapping.time_format);
    }
    t.from = std::string(cell(2));
    t.to = std::string(cell(3));
    if (t.from.empty() && t.to.empty()) reject(column[2] ? 2 : 3, "no sender or receiver");
    std::string reason;
    if (auto v = parse_amount(cell(4), mapping, &reason)) {
      t.amount = *v;
    } else {
      reject(4, reason);
    }
    t.currency = column[5] ? std::string(cell(5)) : mapping.default_currency;
    if (t.currency.empty()) t.currency = mapping.default_currency;
    if (column[6]) {
      std::string value = upper(cell(6));
      auto it = mapping.channels.find(value);
      if (it != mapping.channels.end()) {
        t.channel = it->second;
      } else if (auto direct = parse_channel(lower(cell(6)))) {
        t.channel = *direct;
      } else if (mapping.default_channel) {
        t.channel = *mapping.default_channel;
      } else {
        reject(6, "unknown channel " + std::string(cell(6)));
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
    t.location = std::string(cell(8));
    t.purpose = lower(cell(9));
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
    builder.add_transaction(t);
  }
  if (options.progress) options.progress(rep.rows, reader.bytes());
  return builder.build();
}

}  // namespace ctis::finance
