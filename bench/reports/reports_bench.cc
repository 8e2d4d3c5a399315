// Durable submissions per second through Reports::submit: 16 threads, 2 recipients (each
// report's key sealed twice), encryption and group commit included. Prints throughput and
// p50/p99 latency. Usage: reports_bench [seconds=10] [database URL, default a fresh SQLite file]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "reports/reports.h"

namespace {

using Clock = std::chrono::steady_clock;

ctis::reports::Submission sample(int i) {
  ctis::reports::Submission s;
  s.place_country = "GR";
  s.place = "Greenhouses east of the town, row " + std::to_string(i % 50);
  s.work_type = "agriculture";
  s.signs = {"no_id_documents", "long_hours", "no_pay"};
  s.affected = "adults";
  s.people_count = 20;
  s.when_seen = "this_week";
  s.description = std::string(
      "About twenty workers are driven in before dawn and back after dark. A man collects their "
      "pay and keeps their passports; they say they owe him for the journey and cannot leave. ");
  s.description += s.description;  // ~350 characters, a typical report
  return s;
}

std::int64_t add_user(ctis::store::Connection& conn, std::int64_t org, const std::string& name,
                      const std::string& role) {
  return conn
      .query_one(
          "INSERT INTO users (username, role, organisation_id, password_hash, created_at, "
          "updated_at) VALUES (?, ?, ?, 'unused', 0, 0) RETURNING id",
          {name, role, org})
      ->integer(0);
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::stoi(argv[1]) : 10;
  const auto dir =
      std::filesystem::temp_directory_path() / ("ctis-reports-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ctis::store::Options options;
  options.url = argc > 2 ? argv[2] : "sqlite:" + (dir / "bench.db").string();
  options.pool_size = 8;
  auto db = ctis::store::Database::open(options);
  ctis::store::migrate(*db, ctis::store::builtin_migrations());
  ctis::audit::AuditLog audit(*db);
  ctis::reports::Settings settings;
  settings.submissions_per_second = 1e9;  // measure the machinery, not the abuse limit
  settings.submission_burst = 1e9;
  ctis::reports::Reports reports(*db, audit, settings);

  std::int64_t coordinator = 0, worker = 0;
  db->transaction([&](ctis::store::Connection& conn) {
    const auto org = conn.query_one(
                             "INSERT INTO organisations (name, created_at) VALUES "
                             "('Bench hotline', 0) RETURNING id")
                         ->integer(0);
    coordinator = add_user(conn, org, "bench-coord", "coordinator");
    worker = add_user(conn, org, "bench-worker", "caseworker");
  });
  ctis::auth::Principal admin;
  admin.role = ctis::auth::Role::admin;
  admin.user_id = coordinator;
  admin.username = "bench-coord";
  for (auto id : {coordinator, worker}) {
    reports.add_recipient(admin, id);
    reports.open_session(id, "bench password", "bench-session-" + std::to_string(id));
  }

  constexpr int kThreads = 16;
  std::vector<std::vector<double>> latencies(kThreads);
  std::atomic<bool> stop{false};
  std::atomic<long> failures{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const auto s = sample(t * 100000 + i++);
        const auto t0 = Clock::now();
        try {
          reports.submit(s);
          latencies[t].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        } catch (const std::exception& e) {
          if (failures++ == 0) std::fprintf(stderr, "submit failed: %s\n", e.what());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  for (const auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  const auto pct = [&](double p) {
    return all.empty()
               ? 0.0
               : all[std::min(all.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  std::int64_t stored = 0;
  {
    auto lease = db->connection();
    stored = lease->query_one("SELECT COUNT(*) FROM reports")->integer(0);
  }
  std::printf("database            %s\n", db->describe().c_str());
  std::printf("threads             %d, recipients 2, %.1f s\n", kThreads, elapsed);
  std::printf("durable submissions %zu (%lld rows stored, %ld failed)\n", all.size(),
              static_cast<long long>(stored), failures.load());
  std::printf("submissions/s       %.0f\n", static_cast<double>(all.size()) / elapsed);
  std::printf("latency p50         %.2f ms\n", pct(0.50));
  std::printf("latency p99         %.2f ms\n", pct(0.99));
  db.reset();
  std::filesystem::remove_all(dir);
  return failures == 0 ? 0 : 1;
}
