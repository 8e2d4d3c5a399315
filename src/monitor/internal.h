// Helpers the monitor's files share (private to the module).
#pragma once

#include <chrono>
#include <string>

#include "routes/routes.h"

namespace ctis::monitor::detail {

inline std::chrono::year_month_day civil(routes::Day day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

inline routes::Day to_day(std::chrono::year_month_day ymd) {
  return static_cast<routes::Day>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

// The first day of the month after the one `day` falls in.
inline routes::Day next_month(routes::Day day) {
  const auto ymd = civil(day);
  return to_day(std::chrono::year_month_day{ymd.year() / ymd.month() / 1} + std::chrono::months{1});
}

inline std::string month_label(routes::Day day) {
  return routes::period_label(day, routes::Period::month);
}

}  // namespace ctis::monitor::detail
