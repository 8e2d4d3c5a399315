// Field comparisons: Jaro and Jaro–Winkler, dates, numbers, and their levels.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "dedup/dedup.h"

namespace ctis::dedup {

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const std::size_t window = std::max(a.size(), b.size()) / 2;
  const std::size_t reach = window > 0 ? window - 1 : 0;
  // Names are short: fixed flags avoid allocating; longer text falls back to vectors.
  std::array<bool, 64> a_small{}, b_small{};
  std::vector<bool> a_big, b_big;
  const bool small = a.size() <= 64 && b.size() <= 64;
  if (!small) {
    a_big.assign(a.size(), false);
    b_big.assign(b.size(), false);
  }
  auto a_flag = [&](std::size_t i) -> bool { return small ? a_small[i] : a_big[i]; };
  auto b_flag = [&](std::size_t j) -> bool { return small ? b_small[j] : b_big[j]; };
  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t lo = i > reach ? i - reach : 0;
    const std::size_t hi = std::min(b.size(), i + reach + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (b_flag(j) || a[i] != b[j]) continue;
      if (small) {
        a_small[i] = b_small[j] = true;
      } else {
        a_big[i] = true;
        b_big[j] = true;
      }
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  // Transpositions: matched characters taken in order that differ, halved.
  std::size_t out_of_order = 0, j = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a_flag(i)) continue;
    while (!b_flag(j)) ++j;
    if (a[i] != b[j]) ++out_of_order;
    ++j;
  }
  const double m = static_cast<double>(matches);
  const std::size_t transpositions = out_of_order / 2;  // whole pairs, as Jaro defines them
  const double t = static_cast<double>(transpositions);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) /
         3.0;
}

double jaro_winkler(std::string_view a, std::string_view b) {
  const double j = jaro(a, b);
  if (j <= 0.7) return j;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return j + static_cast<double>(prefix) * 0.1 * (1.0 - j);
}

namespace {

struct Date {
  int year, month, day;
};

std::optional<int> digits(std::string_view s) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Date> parse_date(std::string_view s) {
  std::string_view y, m, d;
  if (s.size() == 8) {
    y = s.substr(0, 4), m = s.substr(4, 2), d = s.substr(6, 2);
  } else if (s.size() == 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]) {
    y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  } else {
    return std::nullopt;
  }
  const auto yy = digits(y), mm = digits(m), dd = digits(d);
  if (!yy || !mm || !dd || *mm < 1 || *mm > 12 || *dd < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*yy % 4 == 0 && *yy % 100 != 0) || *yy % 400 == 0;
  if (*dd > kDays[*mm - 1] || (*mm == 2 && *dd == 29 && !leap)) return std::nullopt;
  return Date{*yy, *mm, *dd};
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (Hinnant's civil algorithm).
long days_from_civil(Date date) {
  const long y = date.year - (date.month <= 2 ? 1 : 0);
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long mp = (date.month + 9) % 12;
  const long doy = (153 * mp + 2) / 5 + date.day - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string band_text(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

}  // namespace

std::vector<std::string> level_names(const Comparison& c) {
  std::vector<std::string> names{"null", "exact"};
  switch (c.kind) {
    case CompareKind::exact:
      break;
    case CompareKind::jaro_winkler:
      for (double band : c.similarity_bands)
        names.push_back(band_text("jaro-winkler >= %.2f", band));
      break;
    case CompareKind::date:
      names.emplace_back("month/day swapped");
      names.push_back("within " + std::to_string(c.within_days) + " days");
      names.emplace_back("same year");
      break;
    case CompareKind::numeric:
      for (double band : c.distance_bands) names.push_back(band_text("within %g", band));
      break;
  }
  names.emplace_back("different");
  return names;
}

std::uint8_t compare(const Comparison& c, std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return kNullLevel;
  if (a == b) return kExactLevel;
  switch (c.kind) {
    case CompareKind::exact:
      return 2;
    case CompareKind::jaro_winkler: {
      const double s = jaro_winkler(a, b);
      std::size_t level = 2;
      for (double band : c.similarity_bands) {
        if (s >= band) return static_cast<std::uint8_t>(level);
        ++level;
      }
      return static_cast<std::uint8_t>(level);
    }
    case CompareKind::date: {
      const auto x = parse_date(a), y = parse_date(b);
      if (!x || !y) return 5;
      const long gap = days_from_civil(*x) - days_from_civil(*y);
      if (gap == 0) return kExactLevel;  // the same date written two ways
      if (x->year == y->year && x->month == y->day && x->day == y->month) return 2;
      if (std::labs(gap) <= c.within_days) return 3;
      if (x->year == y->year) return 4;
      return 5;
    }
    case CompareKind::numeric: {
      const auto x = parse_number(a), y = parse_number(b);
      const std::size_t different = 2 + c.distance_bands.size();
      if (!x || !y) return static_cast<std::uint8_t>(different);
      const double gap = std::fabs(*x - *y);
      if (gap == 0) return kExactLevel;
      for (std::size_t i = 0; i < c.distance_bands.size(); ++i) {
        if (gap <= c.distance_bands[i]) return static_cast<std::uint8_t>(2 + i);
      }
      return static_cast<std::uint8_t>(different);
    }
  }
  return kNullLevel;
}

}  // namespace ctis::dedup
