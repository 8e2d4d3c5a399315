// Route data benchmark, with no database: how fast the readers parse the real files, and how
// fast every surveillance method runs over every route x nationality series of the Frontex file
// (the last 36 months of each), on one core.
//
//   routes_bench [--data DIR] [--out DIR] [--series N] [--repeat R]
//
// --data: the folder holding routes/ (default $CTIS_SHARED_DATA). --out: also write the series
// (series.csv) and our bounds and alarms (ours.csv) so that compare.sh can run the R package
// `surveillance` on exactly the same series and compare. --series: only the first N series
// (R is slow; the comparison may use a subset). --repeat: runs of the methods; the best counts.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "routes/routes.h"
#include "surveillance/surveillance.h"

namespace {

using namespace ctis;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMonitoredMonths = 36;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct NamedSeries {
  std::string route, nationality;
  int first_year = 0, first_month = 0;  // of counts[0]
  surveillance::Series series;
};

int year_of(routes::Day day) { return std::stoi(routes::format_day(day).substr(0, 4)); }
int month_of(routes::Day day) { return std::stoi(routes::format_day(day).substr(5, 2)); }

// Monthly detections per route x nationality, zero-filled over the file's whole span, in a
// stable order (route, then nationality).
std::vector<NamedSeries> series_of(const routes::Detections& d) {
  if (d.rows.empty()) return {};
  routes::Day first = d.rows.front().month, last = first;
  for (const auto& r : d.rows) {
    first = std::min(first, r.month);
    last = std::max(last, r.month);
  }
  const int y0 = year_of(first), m0 = month_of(first);
  const auto index_of = [&](routes::Day day) {
    return static_cast<std::size_t>((year_of(day) - y0) * 12 + month_of(day) - m0);
  };
  const std::size_t length = index_of(last) + 1;
  std::map<std::pair<std::string, std::string>, NamedSeries> by_key;
  for (const auto& r : d.rows) {
    auto& s = by_key[{r.route, r.nationality}];
    if (s.series.counts.empty()) {
      s = {r.route, r.nationality, y0, m0, {}};
      s.series.counts.assign(length, 0.0);
      s.series.periods_per_year = 12;
    }
    s.series.counts[index_of(r.month)] += static_cast<double>(r.detections.value);
  }
  std::vector<NamedSeries> out;
  for (auto& [key, s] : by_key) out.push_back(std::move(s));
  return out;
}

const std::vector<surveillance::Method> kMethods = {
    surveillance::Method::ears_c1,    surveillance::Method::ears_c2,  surveillance::Method::ears_c3,
    surveillance::Method::farrington, surveillance::Method::noufaily, surveillance::Method::cusum};

void time_reader(const std::string& path) {
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  routes::ReadReport report;
  const auto data = routes::read_file(path, {}, &report);
  const double s = seconds_since(start);
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  const auto rows = static_cast<double>(report.rows_read);
  std::cout << std::filesystem::path(path).filename().string() << ": " << report.rows_read
            << " rows parsed in " << std::fixed << std::setprecision(3) << s << " s (" << cpu
            << " s CPU), " << std::setprecision(0) << rows / s << " rows/s (" << rows / cpu
            << " per CPU second)\n";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const char* env = std::getenv("CTIS_SHARED_DATA");
    std::string data = env ? env : "../shared/data", out;
    std::size_t max_series = 0;
    int repeat = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string flag = argv[i], value = argv[i + 1];
      if (flag == "--data")
        data = value;
      else if (flag == "--out")
        out = value;
      else if (flag == "--series")
        max_series = std::stoul(value);
      else if (flag == "--repeat")
        repeat = std::max(1, std::stoi(value));
      else
        throw std::runtime_error("unknown option " + flag);
    }

    for (const char* file : {"routes/dtm_flow_monitoring_west_central_africa.csv.gz",
                             "routes/missing_migrants_global_2026_export.csv",
                             "routes/frontex_detections_route_nationality_monthly.csv"}) {
      time_reader(data + "/" + file);
    }

    const auto detections = std::get<routes::Detections>(
        routes::read_file(data + "/routes/frontex_detections_route_nationality_monthly.csv"));
    auto all = series_of(detections);
    const std::size_t length = all.empty() ? 0 : all.front().series.counts.size();
    if (length <= kMonitoredMonths) throw std::runtime_error("series shorter than 36 months");
    const surveillance::Range range{length - kMonitoredMonths, length - 1};
    // A series with no detection before the monitored months has no baseline (CUSUM's mean
    // would be 0, in R too): such series are left out, on both sides of the comparison.
    const std::size_t found = all.size();
    std::erase_if(all, [&](const NamedSeries& s) {
      const auto& c = s.series.counts;
      return std::all_of(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(range.first),
                         [](double v) { return v == 0; });
    });
    std::cout << "series: " << found << " route x nationality, " << all.size()
              << " with detections before the last 36 months\n";
    if (max_series && all.size() > max_series) all.resize(max_series);

    std::vector<std::vector<surveillance::Result>> results(all.size());
    double best = 1e300, best_cpu = 1e300;
    // Per method, in the last run: where the time goes.
    std::vector<double> method_seconds(kMethods.size());
    for (int run = 0; run < repeat; ++run) {
      const auto start = Clock::now();
      const std::clock_t cpu_start = std::clock();
      std::fill(method_seconds.begin(), method_seconds.end(), 0.0);
      for (std::size_t i = 0; i < all.size(); ++i) {
        results[i].clear();
        for (std::size_t m = 0; m < kMethods.size(); ++m) {
          const auto method_start = Clock::now();
          results[i].push_back(surveillance::run(kMethods[m], all[i].series, range));
          method_seconds[m] += seconds_since(method_start);
        }
      }
      best = std::min(best, seconds_since(start));
      best_cpu = std::min(best_cpu, static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    }
    std::size_t alarms = 0;
    for (const auto& per_series : results)
      for (const auto& r : per_series)
        alarms += static_cast<std::size_t>(std::count_if(r.periods.begin(), r.periods.end(),
                                                         [](const auto& p) { return p.alarm; }));
    std::cout << "surveillance: " << all.size() << " series x " << kMethods.size() << " methods x "
              << kMonitoredMonths << " months in " << std::setprecision(4) << best << " s ("
              << best_cpu << " s CPU; best of " << repeat << ", one core), " << alarms
              << " alarms\n";
    for (std::size_t m = 0; m < kMethods.size(); ++m)
      std::cout << "  " << surveillance::to_string(kMethods[m]) << ": " << method_seconds[m]
                << " s\n";

    if (!out.empty()) {
      std::filesystem::create_directories(out);
      std::ofstream series_csv(out + "/series.csv"), ours_csv(out + "/ours.csv");
      series_csv << "series,route,nationality,start_year,start_month,t,count\n";
      ours_csv << "series,method,t,upper_bound,alarm\n";
      ours_csv << std::setprecision(12);
      for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& s = all[i];
        for (std::size_t t = 0; t < s.series.counts.size(); ++t)
          series_csv << i << ",\"" << s.route << "\"," << s.nationality << "," << s.first_year
                     << "," << s.first_month << "," << t + 1 << "," << s.series.counts[t] << "\n";
        for (const auto& r : results[i])
          for (const auto& p : r.periods) {
            ours_csv << i << "," << surveillance::to_string(r.method) << "," << p.index + 1 << ",";
            if (p.upper_bound)
              ours_csv << *p.upper_bound;
            else
              ours_csv << "NA";
            ours_csv << "," << (p.alarm ? 1 : 0) << "\n";
          }
      }
      std::cout << "wrote " << out << "/series.csv and " << out << "/ours.csv\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "routes_bench: " << e.what() << "\n";
    return 1;
  }
}
