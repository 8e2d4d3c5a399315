// Route import benchmark: the whole stored import of a route data file, as `ctis routes import`
// runs it (read + parse + store, one transaction, committed with synchronous=FULL), into a
// fresh database each time; best of --repeat runs, wall and CPU (all threads) time, and the
// load average, since the machine may be shared. With --pg the store is that PostgreSQL
// database (its route tables are emptied first; use a scratch database).
//
//   bench_import [--data DIR] [--file routes/NAME] [--repeat N] [--pg URL]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>

#include "audit/audit.h"
#include "monitor/monitor.h"
#include "store/store.h"

namespace {

using namespace ctis;

struct Run {
  double wall = 0, cpu = 0;
  double caller_cpu = 0;  // the calling thread's share: the store, for a DTM file
  std::size_t rows = 0;
};

double cpu_seconds(clockid_t clock = CLOCK_PROCESS_CPUTIME_ID) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::string load_average() {
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) != 3) return "unknown";
  return std::to_string(load[0]) + " " + std::to_string(load[1]) + " " + std::to_string(load[2]);
}

Run import_once(const std::string& url, const std::string& path, bool fresh_pg) {
  store::Options so;
  so.url = url;
  auto db = store::Database::open(so);
  store::migrate(*db, store::builtin_migrations());
  if (fresh_pg) {
    db->transaction([](store::Connection& c) {
      for (const char* table : {"route_flow_rows", "route_detections", "route_incidents"}) {
        c.execute(std::string("DELETE FROM ") + table);
      }
      c.execute("DELETE FROM route_imports");
    });
  }
  audit::AuditLog audit(*db);
  monitor::Monitor monitor(*db, audit);
  auth::Principal by;
  by.role = auth::Role::admin;
  by.username = "bench";
  Run run;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  const double caller_start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  const auto r = monitor.import(by, path);
  run.caller_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - caller_start;
  run.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.cpu = cpu_seconds() - cpu_start;
  run.rows = r.rows_stored;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const char* env = std::getenv("CTIS_SHARED_DATA");
    std::string data = env ? env : "../shared/data";
    std::string file = "routes/dtm_flow_monitoring_west_central_africa.csv.gz";
    std::string pg;
    int repeat = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string flag = argv[i];
      if (flag == "--data") {
        data = argv[i + 1];
      } else if (flag == "--file") {
        file = argv[i + 1];
      } else if (flag == "--repeat") {
        repeat = std::max(1, std::atoi(argv[i + 1]));
      } else if (flag == "--pg") {
        pg = argv[i + 1];
      } else {
        std::cerr << "usage: bench_import [--data DIR] [--file routes/NAME] [--repeat N] "
                     "[--pg URL]\n";
        return 2;
      }
    }
    const std::string path = data + "/" + file;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("ctis-bench-import-" + std::to_string(::getpid()));
    std::cout << "load average before: " << load_average() << "\n";
    Run best_wall, best_cpu;
    best_wall.wall = best_cpu.cpu = 1e30;
    for (int i = 0; i < repeat; ++i) {
      std::filesystem::remove_all(dir);
      std::filesystem::create_directories(dir);
      const Run r = pg.empty() ? import_once("sqlite:" + (dir / "bench.db").string(), path, false)
                               : import_once(pg, path, true);
      std::cout << "run " << i + 1 << ": " << r.rows << " rows in " << r.wall << " s wall, "
                << r.cpu << " s CPU (" << r.caller_cpu << " s on the calling thread)\n";
      if (r.wall < best_wall.wall) best_wall = r;
      if (r.cpu < best_cpu.cpu) best_cpu = r;
    }
    std::filesystem::remove_all(dir);
    const auto rows = static_cast<double>(best_wall.rows);
    std::cout << "import " << file << " into " << (pg.empty() ? "SQLite" : "PostgreSQL")
              << ", best of " << repeat << ": " << best_wall.wall << " s wall ("
              << static_cast<long>(rows / best_wall.wall) << " rows/s), " << best_cpu.cpu
              << " s CPU (" << static_cast<long>(rows / best_cpu.cpu) << " rows per CPU second; "
              << best_cpu.caller_cpu
              << " s on the calling thread)\nload average after: " << load_average() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_import: " << e.what() << "\n";
    return 1;
  }
}
