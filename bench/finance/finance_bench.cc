// Finance engine throughput on a deterministic synthetic stream: one million transfers among
// 100,000 accounts over one year, with a heavy-tailed choice of counterparties (a few busy
// accounts, many quiet ones) and about a thousand each of planted fan-ins, cycles,
// scatter-gathers, gather-scatters and three-layer stacks. Reports
// transactions per second for the graph build and for each pattern over the built ledger.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "finance/finance.h"

namespace {

using namespace ctis::finance;
using ctis::SplitMix64;

constexpr std::size_t kTransactions = 1'000'000;
constexpr std::uint64_t kAccounts = 100'000;
constexpr Seconds kYear = Seconds{365} * 86400;
constexpr Seconds kDay = 86400;

// A deterministic stream, identical on every platform.
struct Random {
  SplitMix64 rng;
  std::uint64_t next() { return rng.next(); }
  // Heavy-tailed account: the product of two uniforms favours small ids.
  std::uint64_t account() { return (next() % kAccounts) * (next() % kAccounts) / kAccounts; }
};

std::vector<Transaction> synthetic_stream() {
  std::vector<Transaction> out;
  out.reserve(kTransactions);
  Random r{SplitMix64(20261129)};
  auto push = [&](std::uint64_t from, std::uint64_t to, Seconds time) {
    Transaction t;
    // Appended, not "T" + ...: GCC 12 at -O3 warns falsely (-Wrestrict) on that form.
    t.id = std::to_string(out.size());
    t.id.insert(0, 1, 'T');
    t.from = std::to_string(from);
    t.from.insert(0, 1, 'A');
    t.to = std::to_string(to);
    t.to.insert(0, 1, 'A');
    t.time = time;
    t.amount = static_cast<Minor>(1000 + r.next() % 500000);
    t.currency = "EUR";
    t.channel = static_cast<Channel>(r.next() % 8);
    out.push_back(std::move(t));
  };
  while (out.size() < kTransactions) {
    const auto time = static_cast<Seconds>(r.next() % static_cast<std::uint64_t>(kYear));
    const std::uint64_t kind = r.next() % 1000;
    const std::uint64_t a = r.account();
    if (kind == 0) {  // fan-in of 8
      for (std::uint64_t i = 1; i <= 8; ++i)
        push((a + i * 7919) % kAccounts, a, time + static_cast<Seconds>(i) * 3600);
    } else if (kind == 1) {  // cycle of 5
      for (std::uint64_t i = 0; i < 5; ++i) {
        push((a + i * 104729) % kAccounts, (a + (i + 1) % 5 * 104729) % kAccounts,
             time + static_cast<Seconds>(i) * kDay);
      }
    } else if (kind == 2) {  // scatter-gather through 3 intermediates
      for (std::uint64_t i = 1; i <= 3; ++i) {
        const std::uint64_t mid = (a + i * 15485863) % kAccounts;
        push(a, mid, time);
        push(mid, (a + 7) % kAccounts, time + static_cast<Seconds>(i) * 3600);
      }
    } else if (kind == 3) {  // gather-scatter, 5 in and 5 out
      for (std::uint64_t i = 1; i <= 5; ++i) push((a + i * 6151) % kAccounts, a, time);
      for (std::uint64_t i = 1; i <= 5; ++i) push(a, (a + i * 3571) % kAccounts, time + kDay / 2);
    } else if (kind == 4) {  // stack: three layers of three, each paying the next in full
      auto member = [&](std::uint64_t layer, std::uint64_t i) {
        return (a + layer * 32452843 + i * 49979687) % kAccounts;
      };
      for (std::uint64_t layer = 0; layer < 2; ++layer) {
        for (std::uint64_t i = 0; i < 3; ++i) {
          for (std::uint64_t j = 0; j < 3; ++j) {
            push(member(layer, i), member(layer + 1, j), time + static_cast<Seconds>(layer) * kDay);
          }
        }
      }
    } else {
      std::uint64_t b = r.account();
      if (b == a) b = (b + 1) % kAccounts;
      push(a, b, time);
    }
  }
  out.resize(kTransactions);
  return out;
}

const std::vector<Transaction>& stream() {
  static const std::vector<Transaction> s = synthetic_stream();
  return s;
}

const Ledger& ledger() {
  static const Ledger l = [] {
    LedgerBuilder b;
    for (const Transaction& t : stream()) b.add_transaction(t);
    return b.build();
  }();
  return l;
}

void BM_BuildLedger(benchmark::State& state) {
  const auto& s = stream();
  for (auto _ : state) {
    LedgerBuilder b;
    for (const Transaction& t : s) b.add_transaction(t);
    Ledger l = b.build();
    benchmark::DoNotOptimize(l.transaction_count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.size()));
}
BENCHMARK(BM_BuildLedger)->Unit(benchmark::kMillisecond);

template <typename Run>
void run_pattern(benchmark::State& state, Run run) {
  const Ledger& l = ledger();
  std::size_t hits = 0;
  for (auto _ : state) {
    hits = run(l).size();
    benchmark::DoNotOptimize(hits);
  }
  state.counters["hits"] = static_cast<double>(hits);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * l.transaction_count()));
}

void BM_FanIn(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return fan_in(l, {8, 2 * kDay, 0}); });
}
void BM_FanOut(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return fan_out(l, {8, 2 * kDay, 0}); });
}
void BM_ScatterGather(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return scatter_gather(l, {3, 3, 3, 7 * kDay}); });
}
void BM_GatherScatter(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return gather_scatter(l, {5, 5, 5, 2 * kDay}); });
}
void BM_Bipartite(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return bipartite(l, {3, 3, 3, 5, 30 * kDay}); });
}
void BM_Stack(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return stack(l, {3, 3, 3, 5, 30 * kDay}); });
}
void BM_TemporalCycles(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return temporal_cycles(l, {5, 7 * kDay, 1'000'000}); });
}
void BM_RedFlags(benchmark::State& s) {
  run_pattern(s, [](const Ledger& l) { return red_flags(l); });
}
BENCHMARK(BM_FanIn)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FanOut)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ScatterGather)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GatherScatter)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Bipartite)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Stack)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TemporalCycles)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedFlags)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
