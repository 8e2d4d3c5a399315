#include <cstdio>
#include <ctime>

#include "cases/internal.h"
#include "core/core.h"
#include "core/refdata.h"

namespace ctis::cases {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

}  // namespace

Date Date::parse(const std::string& s, const std::string& where) {
  Date d;
  auto digits = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    fail_invalid(where, "\"" + s + "\" is not a date (YYYY-MM-DD)");
  }
  d.year = digits(0, 4);
  d.month = digits(5, 2);
  d.day = digits(8, 2);
  if (d.year < 0 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in(d.year, d.month)) {
    fail_invalid(where, "\"" + s + "\" is not a calendar date");
  }
  return d;
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year % 10000, month % 100, day % 100);
  return buf;
}

Date parse_date(const nlohmann::json& value, const std::string& where) {
  if (!value.is_string()) fail_invalid(where, where + " must be a date string (YYYY-MM-DD)");
  return Date::parse(value.get<std::string>(), where);
}

Date today() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

Date next_day(const Date& d) {
  Date n = d;
  if (++n.day > days_in(n.year, n.month)) {
    n.day = 1;
    if (++n.month > 12) {
      n.month = 1;
      ++n.year;
    }
  }
  return n;
}

int age_on(const Date& born, const Date& on) {
  int age = on.year - born.year;
  if (on.month < born.month || (on.month == born.month && on.day < born.day)) --age;
  return age;
}

namespace {
struct Band {
  const char* name;
  int lo, hi;
};
constexpr Band kBands[] = {{"0-8", 0, 8},     {"9-17", 9, 17},   {"18-20", 18, 20},
                           {"21-23", 21, 23}, {"24-26", 24, 26}, {"27-29", 27, 29},
                           {"30-38", 30, 38}, {"39-47", 39, 47}, {"48+", 48, 200}};
}  // namespace

std::string band_for(int age) {
  for (const auto& b : kBands) {
    if (age >= b.lo && age <= b.hi) return b.name;
  }
  return "0-8";
}

bool band_contains(const std::string& band, int age) {
  for (const auto& b : kBands) {
    if (band == b.name) return age >= b.lo && age <= b.hi;
  }
  return false;
}

const nlohmann::json& ctdc_standard() {
  static const nlohmann::json standard = [] {
    const auto& files = reference_files();
    const auto it = files.find("ctdc/ctdc-2024.json");
    if (it == files.end()) {
      throw Error(ErrorKind::internal, "refdata", "ctdc/ctdc-2024.json is missing from the build");
    }
    return nlohmann::json::parse(it->second);
  }();
  return standard;
}

}  // namespace ctis::cases
