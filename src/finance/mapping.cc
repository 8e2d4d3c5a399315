// The column mapping of a bank's CSV export (its JSON file) and the cell parsers it drives:
// amounts in minor units and times by the mapping's format.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "finance/csv.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

using detail::lower;
using detail::parse_int;
using detail::trim;
using detail::upper;

char single_char(const nlohmann::json& j, const std::string& key, char fallback) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string() || j[key].get<std::string>().size() > 1) {
    fail_invalid("/" + key, "column mapping: " + key + " must be one character or empty");
  }
  auto s = j[key].get<std::string>();
  return s.empty() ? '\0' : s[0];
}

// ISO 4217 codes (current, funds and precious-metal codes), sorted for a binary search.
constexpr std::array<std::string_view, 183> kCurrencies = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
    "ZWL"};

}  // namespace

namespace detail {

std::string_view known_currency(std::string_view code) {
  if (code.size() != 3) return {};
  std::array<char, 3> up{};
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = code[i];
    up[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const std::string_view key(up.data(), up.size());
  const auto* it = std::lower_bound(kCurrencies.begin(), kCurrencies.end(), key);
  return it != kCurrencies.end() && *it == key ? *it : std::string_view{};
}

}  // namespace detail

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
    if (std::find(detail::kMappedFields.begin(), detail::kMappedFields.end(), field) ==
        detail::kMappedFields.end()) {
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
  if (!m.default_currency.empty()) {
    const std::string_view code = detail::known_currency(m.default_currency);
    if (code.empty()) {
      fail_invalid("/default_currency",
                   "column mapping: default_currency " + m.default_currency + " is not ISO 4217");
    }
    m.default_currency = std::string(code);
  }
  if (j.contains("channels")) {
    for (auto& [value, code] : j["channels"].items()) {
      auto c = code.is_string() ? parse_channel(code.get<std::string>()) : std::nullopt;
      if (!c) fail_invalid("/channels/" + value, "column mapping: unknown channel for " + value);
      m.channels[upper(value)] = *c;
    }
  }
  m.self_transfers = j.value("self_transfers", false);
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

}  // namespace ctis::finance
