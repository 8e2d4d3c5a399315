// Dice comparisons per second on the FEBRL4 reference CLKs (1024 bits), per kernel, on one and
// two threads, and end-to-end candidate generation with the popcount filter.
//
//   dice_bench [--benchmark_filter=...]
// Reads $CTIS_SHARED_DATA (default: the configured shared data folder)/linkage/clkhash-reference.
#include <benchmark/benchmark.h>

#include <time.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "linkage/linkage.h"

namespace {

using ctis::linkage::ClkStore;
using ctis::linkage::Kernel;

struct Data {
  ClkStore a{1024}, b{1024};
  std::vector<ctis::linkage::Pair> truth;  // rec-N of A with rec-N of B
};

// "rec-1070-org" and "rec-1070-dup-0" both give "1070".
std::string record_number(const std::string& id) {
  const auto first = id.find('-');
  return id.substr(first + 1, id.find('-', first + 1) - first - 1);
}

const Data& data() {
  static const Data d = [] {
    const char* env = std::getenv("CTIS_SHARED_DATA");
    const std::string dir =
        std::string(env != nullptr ? env : CTIS_SHARED_DATA_DIR) + "/linkage/clkhash-reference/";
    Data out;
    out.a = ClkStore::read_csv(dir + "febrl4a_clks.csv");
    out.b = ClkStore::read_csv(dir + "febrl4b_clks.csv");
    std::unordered_map<std::string, std::uint32_t> b_rows;
    for (std::uint32_t j = 0; j < out.b.size(); ++j) b_rows[record_number(out.b.id(j))] = j;
    for (std::uint32_t i = 0; i < out.a.size(); ++i) {
      const auto it = b_rows.find(record_number(out.a.id(i)));
      if (it != b_rows.end()) out.truth.push_back({i, it->second, 0});
    }
    return out;
  }();
  return d;
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Each thread compares its own share of 512 rows of A against all 5,000 rows of B. Besides the
// wall-clock rate, "per_core" divides by the thread's own CPU time: on a shared machine it shows
// what one core does while it runs.
void kernel_bench(benchmark::State& state, Kernel kernel) {
  const Data& d = data();
  constexpr std::size_t kRows = 512;
  std::vector<std::uint32_t> counts(d.b.size());
  const auto thread = static_cast<std::size_t>(state.thread_index());
  std::uint64_t checksum = 0;
  const double cpu_start = thread_cpu_seconds();
  for (auto _ : state) {
    for (std::size_t r = 0; r < kRows; ++r) {
      const std::size_t i = (thread * kRows + r) % d.a.size();
      ctis::linkage::and_popcounts(kernel, d.a.row(i), d.b.row(0), d.b.size(), d.b.stride_words(),
                                   counts.data());
      checksum += counts[r];
    }
    benchmark::DoNotOptimize(checksum);
  }
  const double cpu = thread_cpu_seconds() - cpu_start;
  const auto items = static_cast<double>(state.iterations() * kRows * d.b.size());
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["per_core"] = benchmark::Counter(items / cpu, benchmark::Counter::kAvgThreads);
}

// candidates() on all 5,000 x 5,000 pairs at threshold 0.8, with `threads` worker threads.
void candidates_bench(benchmark::State& state) {
  const Data& d = data();
  ctis::linkage::MatchOptions options;
  options.threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    auto found = ctis::linkage::candidates(d.a, d.b, 0.8, options);
    benchmark::DoNotOptimize(found.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(d.a.size() * d.b.size()));
  state.SetLabel("items = pairs of the cross product");
}

// Blocking then matching on all of FEBRL4: counters give the blocking quality against the truth
// and the recall of greedy matching at 0.8 within the blocks.
void report_blocking(benchmark::State& state, const std::vector<ctis::linkage::Block>& blocks) {
  const Data& d = data();
  const auto stats = ctis::linkage::blocking_stats(blocks, d.a.size(), d.b.size(), d.truth);
  const auto matches =
      ctis::linkage::greedy_one_to_one(ctis::linkage::candidates_in_blocks(d.a, d.b, blocks, 0.8));
  const auto quality = ctis::linkage::evaluate_matches(matches, d.truth);
  state.counters["pairs"] = static_cast<double>(stats.compared_pairs);
  state.counters["reduction_ratio"] = stats.reduction_ratio;
  state.counters["pair_completeness"] = stats.pair_completeness;
  state.counters["recall_at_0.8"] = quality.recall;
  state.counters["precision_at_0.8"] = quality.precision;
}

void lsh_bench(benchmark::State& state) {
  const Data& d = data();
  ctis::linkage::LshOptions options;
  options.bands = static_cast<std::size_t>(state.range(0));
  options.bits_per_band = static_cast<std::size_t>(state.range(1));
  options.seed = 7;
  std::vector<ctis::linkage::Block> blocks;
  for (auto _ : state) blocks = ctis::linkage::lsh_blocks(d.a, d.b, options);
  report_blocking(state, blocks);
}

void psig_bench(benchmark::State& state) {
  const Data& d = data();
  ctis::linkage::PSigOptions options;
  options.signatures = ctis::linkage::random_signatures(
      1024, static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)), 5);
  std::vector<ctis::linkage::Block> blocks;
  for (auto _ : state) blocks = ctis::linkage::psig_blocks(d.a, d.b, options);
  report_blocking(state, blocks);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  (void)data();  // load before timing; fails here with a clear message when missing
  for (Kernel k : ctis::linkage::supported_kernels()) {
    const std::string name = "and_popcount/" + std::string(ctis::linkage::to_string(k));
    benchmark::RegisterBenchmark(name.c_str(), kernel_bench, k)
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("candidates/febrl4/threshold_0.8", candidates_bench)
      ->Arg(1)
      ->Arg(2)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("blocking/lsh", lsh_bench)
      ->Args({150, 18})
      ->Args({300, 20})
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("blocking/psig", psig_bench)
      ->Args({500, 12})
      ->Args({2000, 12})
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
