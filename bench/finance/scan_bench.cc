// The end-to-end scan at scale: generates (or reuses) a synthetic stream of N transactions with
// every planted typology and its accounts file, then ingests it and runs every graph pattern
// and red-flag typology, as `ctis finance scan` does, printing the wall and CPU time of each
// step, then all of them at once with run_patterns() on every core. Run it
// under /usr/bin/time -v for the peak memory:
//   finance_scan_bench DIR [ROWS] [--ingest-only]
// (ROWS defaults to 10,000,000; DIR/tx.csv is reused when present; --ingest-only stops after
// the ingest, for profiling it.)
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>
#include <thread>

#include "core/refdata.h"
#include "finance/finance.h"

namespace {

using namespace ctis::finance;
using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds of the whole process (all threads): on a shared machine wall time mostly
// measures the neighbours.
double cpu_now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: finance_scan_bench DIR [ROWS] [--ingest-only]\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const std::uint64_t rows = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10'000'000;
  const bool ingest_only = argc > 3 && std::string_view(argv[3]) == "--ingest-only";
  const auto tx = dir / "tx.csv", accounts = dir / "accounts.csv";
  try {
    if (!std::filesystem::exists(tx) || !std::filesystem::exists(accounts)) {
      const auto start = Clock::now();
      std::ofstream out(tx, std::ios::binary), acc(accounts, std::ios::binary);
      GenerateOptions g;
      g.rows = rows;
      const auto planted = generate_synthetic(out, &acc, g);
      std::cout << "generated " << rows << " rows in " << seconds(start) << " s; planted";
      for (const auto& [kind, n] : planted) std::cout << " " << n << " " << kind;
      std::cout << "\n";
    }
    const auto total = Clock::now();
    auto start = Clock::now();
    double cpu = cpu_now();
    std::ifstream acc_in(accounts, std::ios::binary);
    const auto records = read_accounts_csv(acc_in);
    const auto mapping = ColumnMapping::from_json(
        ctis::reference_files().at("finance/mappings/ctis-synthetic.json"));
    std::ifstream in(tx, std::ios::binary);
    const Ledger l = ingest_csv(in, mapping, {}, nullptr, records);
    const double ingest = seconds(start), ingest_cpu = cpu_now() - cpu;
    std::cout << "ingest " << l.transaction_count() << " transactions, " << l.account_count()
              << " accounts: " << ingest << " s wall, " << ingest_cpu << " s CPU ("
              << static_cast<double>(l.transaction_count()) / ingest_cpu / 1e6
              << " M rows per CPU second)\n";
    if (ingest_only) return 0;
    // Each step alone, one thread: its hits and CPU time.
    const auto analysis = Clock::now();
    const double analysis_cpu = cpu_now();
    std::vector<Pattern> patterns;
    std::vector<std::size_t> counts;
    for (std::size_t i = 0; i < kPatternCount; ++i) {
      const auto p = static_cast<Pattern>(i);
      patterns.push_back(p);
      start = Clock::now();
      cpu = cpu_now();
      auto hits = run_pattern(l, p, TypologyParams::defaults());
      std::cout << to_string(p) << ": " << hits.size() << " hits, " << seconds(start) << " s wall, "
                << cpu_now() - cpu << " s CPU\n";
      counts.push_back(hits.size());
    }
    std::cout << "all patterns one by one: " << seconds(analysis) << " s wall, "
              << cpu_now() - analysis_cpu << " s CPU\n";
    // All at once on every core, as a scan would run them; the same hits are required.
    start = Clock::now();
    cpu = cpu_now();
    auto results = run_patterns(l, patterns, TypologyParams::defaults());
    std::cout << "all patterns with run_patterns (" << std::thread::hardware_concurrency()
              << " threads): " << seconds(start) << " s wall, " << cpu_now() - cpu << " s CPU\n";
    std::vector<Hit> all;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].size() != counts[i]) {
        std::cerr << "error: " << to_string(patterns[i]) << " found " << results[i].size()
                  << " hits in parallel, " << counts[i] << " alone\n";
        return 1;
      }
      all.insert(all.end(), std::make_move_iterator(results[i].begin()),
                 std::make_move_iterator(results[i].end()));
    }
    start = Clock::now();
    const auto scores = account_risk(all, TypologyParams::defaults().risk);
    const auto parties = party_risk(l, scores);
    std::size_t nodes = 0;
    for (std::size_t i = 0; i < scores.size() && i < 10; ++i) {
      nodes += network(l, static_cast<AccountId>(scores[i].id)).nodes.size();
    }
    std::cout << "risk (" << scores.size() << " accounts, " << parties.size()
              << " parties) and 10 networks (" << nodes << " nodes): " << seconds(start) << " s\n";
    std::cout << "total after generation: " << seconds(total) << " s\n";
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
