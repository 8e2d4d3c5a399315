// Route monitor benchmark: the import of a route data file (default: the DTM file, 867,580
// rows) into a fresh SQLite database, and one evaluation of a rule per method over every stored
// corridor x nationality series of the Frontex file.
//
//   bench_monitor [DATA_DIR]   (default $CTIS_SHARED_DATA, the folder holding routes/)
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "audit/audit.h"
#include "monitor/monitor.h"
#include "store/store.h"

namespace {

using namespace ctis;

// Counts alerts instead of storing them: the evaluation is what is measured.
class CountingRaiser : public alerts::Raiser {
 public:
  std::optional<std::int64_t> raise(const alerts::NewAlert&) override { return ++raised; }
  std::int64_t raised = 0;
};

double seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const char* env = std::getenv("CTIS_SHARED_DATA");
    const std::string data = argc > 1 ? argv[1] : (env ? env : "../shared/data");
    const auto dir = std::filesystem::temp_directory_path() /
                     ("ctis-bench-monitor-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store::Options so;
    so.url = "sqlite:" + (dir / "bench.db").string();
    auto db = store::Database::open(so);
    store::migrate(*db, store::builtin_migrations());
    audit::AuditLog audit(*db);
    monitor::Monitor monitor(*db, audit);
    auth::Principal by;
    by.role = auth::Role::admin;
    by.username = "bench";

    for (const char* file : {"routes/dtm_flow_monitoring_west_central_africa.csv.gz",
                             "routes/frontex_detections_route_nationality_monthly.csv"}) {
      const auto start = std::chrono::steady_clock::now();
      const std::clock_t cpu_start = std::clock();
      const auto r = monitor.import(by, data + "/" + file);
      const double s = seconds(start);
      // CPU time too: on a busy machine wall time says more about the neighbours.
      const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
      const auto rows = static_cast<double>(r.rows_stored);
      std::cout << "import " << file << ": " << r.rows_stored << " rows in " << s << " s (" << cpu
                << " s CPU), " << rows / s << " rows/s, " << rows / cpu
                << " per CPU second (read + store)\n";
    }

    std::vector<alerts::AlertRule> rules;
    std::int64_t id = 0;
    for (const char* method :
         {"ears_c1", "ears_c2", "ears_c3", "farrington", "noufaily", "cusum"}) {
      alerts::AlertRule r;
      r.id = ++id;
      r.name = method;
      r.method = method;
      rules.push_back(r);
    }
    CountingRaiser raiser;
    const auto start = std::chrono::steady_clock::now();
    const auto report = monitor.evaluate(raiser, rules);
    const double s = seconds(start);
    std::cout << "evaluate: " << report.rules << " rules (one per method) over " << report.series
              << " rule x series pairs in " << s << " s; " << report.alarms << " recent alarms, "
              << raiser.raised << " alerts, " << report.failed << " failed\n";
    std::filesystem::remove_all(dir);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_monitor: " << e.what() << "\n";
    return 1;
  }
}
