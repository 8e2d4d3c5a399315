// Validating and formatting one value, and cutting it into tokens, as clkhash's field_formats
// and comparators do. Python semantics matter here (int() parsing, strptime, code-point
// n-grams), because the formatted value and the tokens are what gets hashed.
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "clk/internal.h"
#include "core/core.h"

namespace ctis::clk {

namespace detail {

std::vector<char32_t> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    int extra = 0;
    char32_t cp = b;
    if (b >= 0xF0) {
      extra = 3;
      cp = b & 0x07U;
    } else if (b >= 0xE0) {
      extra = 2;
      cp = b & 0x0FU;
    } else if (b >= 0xC0) {
      extra = 1;
      cp = b & 0x1FU;
    }
    ++i;
    for (int k = 0; k < extra && i < text.size(); ++k, ++i) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i]) & 0x3FU);
    }
    out.push_back(cp);
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {
void put_le(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
}  // namespace

void encode_text(std::string_view text, TextEncoding encoding, std::string& out) {
  out.clear();
  if (encoding == TextEncoding::utf8 || encoding == TextEncoding::ascii) {
    out.assign(text);  // ascii was validated to be 7-bit
    return;
  }
  const auto cps = decode_utf8(text);
  if (encoding == TextEncoding::utf32) {
    put_le(out, 0xFEFF, 4);
    for (char32_t cp : cps) put_le(out, cp, 4);
    return;
  }
  put_le(out, 0xFEFF, 2);
  for (char32_t cp : cps) {
    if (cp >= 0x10000) {
      const std::uint32_t v = cp - 0x10000;
      put_le(out, 0xD800 + (v >> 10), 2);
      put_le(out, 0xDC00 + (v & 0x3FF), 2);
    } else {
      put_le(out, cp, 2);
    }
  }
}

}  // namespace detail

namespace {

[[noreturn]] void reject(const Feature& f, const std::string& reason) {
  fail_invalid(f.identifier, "feature '" + f.identifier + "': " + reason);
}

std::string quoted(std::string_view value) {
  constexpr std::size_t kShown = 40;  // enough to recognise, short enough for a log line
  std::string out = "'" + std::string(value.substr(0, kShown));
  if (value.size() > kShown) out += "...";
  return out + "'";
}

// Python's int(text, 10): surrounding whitespace, a sign, decimal digits of any script with
// single underscores between them. Returns the canonical decimal form, or nothing.
std::optional<std::string> python_int(std::string_view text) {
  auto cps = detail::decode_utf8(text);
  auto space = [](char32_t c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
           c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
  };
  std::size_t b = 0, e = cps.size();
  while (b < e && space(cps[b])) ++b;
  while (e > b && space(cps[e - 1])) --e;
  bool negative = false;
  if (b < e && (cps[b] == '+' || cps[b] == '-')) negative = cps[b++] == '-';
  // Zero code points of the decimal-digit blocks partners are likely to send.
  static constexpr std::array<char32_t, 8> kZeros = {0x30,  0x660, 0x6F0, 0x7C0,
                                                     0x966, 0x9E6, 0xE50, 0xFF10};
  std::string digits;
  bool last_underscore = true;  // no leading underscore
  for (std::size_t i = b; i < e; ++i) {
    if (cps[i] == '_') {
      if (last_underscore) return std::nullopt;
      last_underscore = true;
      continue;
    }
    auto zero = std::find_if(kZeros.begin(), kZeros.end(),
                             [&](char32_t z) { return cps[i] >= z && cps[i] <= z + 9; });
    if (zero == kZeros.end()) return std::nullopt;
    digits.push_back(static_cast<char>('0' + (cps[i] - *zero)));
    last_underscore = false;
  }
  if (digits.empty() || last_underscore) return std::nullopt;
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return "0";
  return (negative ? "-" : "") + digits.substr(first);
}

// Compares a canonical decimal string with an int64.
int compare_decimal(const std::string& value, std::int64_t bound) {
  const std::string b = std::to_string(bound);
  const bool vn = value[0] == '-', bn = b[0] == '-';
  if (vn != bn) return vn ? -1 : 1;
  int magnitude = 0;
  if (value.size() != b.size()) {
    magnitude = value.size() < b.size() ? -1 : 1;
  } else {
    magnitude = value < b ? -1 : (value > b ? 1 : 0);
  }
  return vn ? -magnitude : magnitude;
}

constexpr std::array<const char*, 12> kMonths = {"january",   "february", "march",    "april",
                                                 "may",       "june",     "july",     "august",
                                                 "september", "october",  "november", "december"};

struct DatePattern {
  std::regex regex;
  std::vector<char> fields;  // the directive of each capture group
};

std::optional<DatePattern> compile_date(const std::string& format) {
  std::string re;
  std::vector<char> fields;
  auto add = [&](char field, const char* pattern) {
    re += std::string("(") + pattern + ")";
    fields.push_back(field);
  };
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '%') {
      if (i + 1 == format.size()) return std::nullopt;  // a stray % at the end
      switch (format[++i]) {
        case 'd':
          add('d', "3[01]|[12]\\d|0[1-9]|[1-9]| [1-9]");
          break;
        case 'm':
          add('m', "1[0-2]|0[1-9]|[1-9]");
          break;
        case 'Y':
          add('Y', "\\d\\d\\d\\d");
          break;
        case 'y':
          add('y', "\\d\\d");
          break;
        case 'H':
          add('H', "2[0-3]|[0-1]\\d|\\d");
          break;
        case 'M':
          add('M', "[0-5]\\d|\\d");
          break;
        case 'S':
          add('S', "6[0-1]|[0-5]\\d|\\d");
          break;
        case 'B':
          add('B',
              "september|february|november|december|january|october|august|april|march|"
              "june|july|may");
          break;
        case 'b':
          add('b', "sep|feb|nov|dec|jan|oct|aug|apr|mar|jun|jul|may");
          break;
        case '%':
          re += "%";
          break;
        default:
          return std::nullopt;
      }
    } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
      while (i + 1 < format.size() &&
             (format[i + 1] == ' ' || (format[i + 1] >= '\t' && format[i + 1] <= '\r'))) {
        ++i;
      }
      re += "\\s+";
    } else if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) {
      re += '\\';
      re += c;
    } else {
      re += c;
    }
  }
  return DatePattern{std::regex(re, std::regex::ECMAScript | std::regex::icase), std::move(fields)};
}

// Python strptime: the format becomes an anchored, case-insensitive regular expression
// (compiled once per format and thread).
std::optional<std::string> python_date(std::string_view value, const std::string& format) {
  thread_local std::map<std::string, std::optional<DatePattern>> cache;
  auto it = cache.find(format);
  if (it == cache.end()) it = cache.emplace(format, compile_date(format)).first;
  if (!it->second) return std::nullopt;
  const std::regex& rx = it->second->regex;
  const std::vector<char>& fields = it->second->fields;
  std::smatch m;
  const std::string text(value);
  if (!std::regex_match(text, m, rx)) return std::nullopt;
  int year = 1900, month = 1, day = 1;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    std::string s = m[k + 1].str();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    const int n = std::isdigit(static_cast<unsigned char>(s.back())) ? std::atoi(s.c_str()) : 0;
    switch (fields[k]) {
      case 'd':
        day = n;
        break;
      case 'm':
        month = n;
        break;
      case 'Y':
        year = n;
        break;
      case 'y':
        year = n < 69 ? 2000 + n : 1900 + n;
        break;
      case 'B':
      case 'b':
        for (std::size_t mo = 0; mo < kMonths.size(); ++mo) {
          if (std::string_view(kMonths[mo]).starts_with(s)) month = static_cast<int>(mo) + 1;
        }
        break;
      default:
        break;  // time of day is checked by the pattern and not hashed
    }
  }
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
  if (year < 1 || day > days) return std::nullopt;
  auto two = [](int v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  return std::to_string(year) + two(month) + two(day);  // strftime('%Y%m%d')
}

bool has_ascii_letter(std::string_view s, char from, char to) {
  return std::any_of(s.begin(), s.end(), [&](char c) { return c >= from && c <= to; });
}

}  // namespace

bool detail::valid_date_format(const std::string& format) {
  return compile_date(format).has_value();
}

std::string format_value(const Feature& f, std::string_view raw) {
  if (f.ignored) return std::string(raw);
  if (f.missing_sentinel && raw == *f.missing_sentinel) {
    return f.missing_replace.value_or(*f.missing_sentinel);
  }
  if (!valid_utf8(raw)) reject(f, "the value is not valid UTF-8");
  switch (f.type) {
    case FormatType::string: {
      if (f.encoding == TextEncoding::ascii && std::any_of(raw.begin(), raw.end(), [](char c) {
            return static_cast<unsigned char>(c) >= 0x80;
          })) {
        reject(f, "expected a value that can be encoded in ascii, read " + quoted(raw));
      }
      if (f.pattern_regex) {
        if (!std::regex_match(raw.begin(), raw.end(), *f.pattern_regex)) {
          reject(f,
                 "expected a value matching the pattern '" + *f.pattern + "', read " + quoted(raw));
        }
        return std::string(raw);
      }
      const auto length = static_cast<std::int64_t>(detail::decode_utf8(raw).size());
      if (f.min_length && length < *f.min_length) {
        reject(f, "expected a string of at least " + std::to_string(*f.min_length) +
                      " characters, read " + quoted(raw) + " of length " + std::to_string(length));
      }
      if (f.max_length && length > *f.max_length) {
        reject(f, "expected a string of at most " + std::to_string(*f.max_length) +
                      " characters, read " + quoted(raw) + " of length " + std::to_string(length));
      }
      if (f.letter_case == LetterCase::upper && has_ascii_letter(raw, 'a', 'z')) {
        reject(f, "expected an upper case string, read " + quoted(raw));
      }
      if (f.letter_case == LetterCase::lower && has_ascii_letter(raw, 'A', 'Z')) {
        reject(f, "expected a lower case string, read " + quoted(raw));
      }
      return std::string(raw);
    }
    case FormatType::integer: {
      auto value = python_int(raw);
      if (!value) reject(f, "expected an integer, read " + quoted(raw));
      if (f.minimum && compare_decimal(*value, *f.minimum) < 0) {
        reject(f, "expected an integer of at least " + std::to_string(*f.minimum) + ", read " +
                      *value);
      }
      if (f.maximum && compare_decimal(*value, *f.maximum) > 0) {
        reject(f,
               "expected an integer of at most " + std::to_string(*f.maximum) + ", read " + *value);
      }
      return *value;
    }
    case FormatType::date: {
      auto value = python_date(raw, f.date_format);
      if (!value)
        reject(f, "expected a date in format '" + f.date_format + "', read " + quoted(raw));
      return *value;
    }
    case FormatType::enumeration:
      if (std::find(f.enum_values.begin(), f.enum_values.end(), raw) == f.enum_values.end()) {
        reject(f, "expected one of the enum values, read " + quoted(raw));
      }
      return std::string(raw);
  }
  return std::string(raw);
}

namespace {

std::vector<std::string> numeric_tokens(const Feature& f, std::string_view word) {
  const std::int64_t scale = static_cast<std::int64_t>(std::pow(10.0, f.fractional_precision));
  std::int64_t v = 0;
  bool overflow = false;
  if (auto as_int = python_int(word)) {
    errno = 0;
    v = std::strtoll(as_int->c_str(), nullptr, 10);
    overflow = errno == ERANGE || __builtin_mul_overflow(v, scale, &v);
  } else {
    std::string text(word);
    const auto b = text.find_first_not_of(" \t\n\r\f\v");
    const auto e = text.find_last_not_of(" \t\n\r\f\v");
    text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
    char* end = nullptr;
    const double d = text.empty() || text.find_first_of("xX") != std::string::npos
                         ? std::nan("")
                         : std::strtod(text.c_str(), &end);
    if (!std::isfinite(d) || end != text.c_str() + text.size()) {
      reject(f, "expected a number, read " + quoted(word));
    }
    // Python: int(round(d * 10**p)) rounds half to even; int(d) truncates.
    const double scaled =
        f.fractional_precision > 0 ? std::nearbyint(d * static_cast<double>(scale)) : std::trunc(d);
    overflow = std::fabs(scaled) >= 9.2e18;
    v = overflow ? 0 : static_cast<std::int64_t>(scaled);
  }
  const auto interval = static_cast<std::int64_t>(
      std::nearbyint(f.threshold_distance * std::pow(10.0, f.fractional_precision)));
  std::int64_t spread = 0;
  overflow = overflow || __builtin_mul_overflow(v, std::int64_t{2} * f.resolution, &v) ||
             __builtin_mul_overflow(interval, std::int64_t{f.resolution}, &spread) ||
             v > INT64_MAX - 2 * spread || v < INT64_MIN + 2 * spread;
  if (overflow) reject(f, "the number " + quoted(word) + " is too large to encode");
  const std::int64_t residue = ((v % interval) + interval) % interval;  // Python's floor modulo
  if (residue != 0) v = 2 * residue < interval ? v - residue : v + (interval - residue);
  std::vector<std::string> tokens;
  for (std::int64_t i = -f.resolution; i <= f.resolution; ++i) {
    tokens.push_back(std::to_string(v + i * interval));
  }
  return tokens;
}

}  // namespace

std::vector<std::string> tokenize(const Feature& f, std::string_view word) {
  std::vector<std::string> tokens;
  if (f.ignored || word.empty()) return tokens;
  switch (f.comparison) {
    case Comparison::exact:
      tokens.emplace_back(word);
      break;
    case Comparison::numeric:
      tokens = numeric_tokens(f, word);
      break;
    case Comparison::ngram: {
      std::vector<char32_t> cps = detail::decode_utf8(word);
      const auto n = static_cast<std::size_t>(f.ngram_n);
      if (n > 1) {
        cps.insert(cps.begin(), n - 1, U' ');
        cps.insert(cps.end(), n - 1, U' ');
      }
      for (std::size_t i = 0; i + n <= cps.size(); ++i) {
        std::string token = f.positional ? std::to_string(i + 1) + " " : std::string();
        for (std::size_t k = i; k < i + n; ++k) detail::append_utf8(token, cps[k]);
        tokens.push_back(std::move(token));
      }
      break;
    }
  }
  return tokens;
}

std::vector<int> bits_per_token(const Feature& f, std::size_t token_count) {
  if (token_count == 0) return {};
  if (f.bits_per_token) return std::vector<int>(token_count, *f.bits_per_token);
  const auto total = static_cast<std::size_t>(f.bits_per_feature.value_or(0));
  std::vector<int> ks(token_count, static_cast<int>(total / token_count));
  for (std::size_t i = 0; i < total % token_count; ++i) ++ks[i];
  return ks;
}

}  // namespace ctis::clk
