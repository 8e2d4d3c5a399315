// The stored detections as monthly series, and the glue from alert rules to the surveillance
// methods (private to the module).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "routes/routes.h"
#include "store/store.h"
#include "surveillance/surveillance.h"

namespace ctis::monitor::detail {

struct MonthlyCounts {
  std::vector<std::int64_t> counts;  // one per month of SeriesTable::months
  std::vector<char> censored;
};

struct SeriesTable {
  std::vector<routes::Day> months;  // consecutive first days, oldest first
  routes::Day latest_data = 0;      // last day the data covers
  std::map<std::pair<std::string, std::string>, MonthlyCounts> series;  // (corridor, nationality)
  std::map<std::string, std::vector<routes::Coverage>> coverage;        // per corridor and month
};

SeriesTable load_series_table(store::Connection& c);
MonthlyCounts corridor_total(const SeriesTable& t, const std::string& corridor);

// A rule's method code and parameters (as the alerts module validates them); Error(invalid,
// "method" or "parameters/<name>") otherwise.
surveillance::Method method_of(const std::string& code);
surveillance::Params params_of(surveillance::Method method, const nlohmann::json& parameters);

// Runs the method over the last `monitored` months (fewer when the series is shorter).
surveillance::Result run_monitored(surveillance::Method method, const surveillance::Params& params,
                                   const std::vector<routes::Day>& months,
                                   const std::vector<std::int64_t>& counts, std::size_t monitored);

}  // namespace ctis::monitor::detail
