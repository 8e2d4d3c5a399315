// Deduplication on FEBRL: pairs scored per second (score_pairs over the blocked candidates of a
// trained model) and whole-file deduplication (train + score + cluster), one thread. The
// settings are those of tests/dedup/febrl_test.cc. Counters report pair precision, recall and
// F1 against the rec_id truth, so a faster build that scores worse shows.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "dedup/dedup.h"

namespace {

using namespace ctis::dedup;

Table load(const std::vector<std::string>& names) {
  // CTIS_SHARED_DATA (environment) overrides the configured data folder.
  const char* env = std::getenv("CTIS_SHARED_DATA");
  const std::string dir = std::string(env ? env : CTIS_SHARED_DATA_DIR) + "/linkage/febrl/";
  Table all;
  for (const auto& name : names) {
    std::ifstream in(dir + name);
    if (!in) throw std::runtime_error("cannot read " + dir + name);
    Table t = read_csv(in, name);
    if (all.columns.empty()) all.columns = t.columns;
    if (t.columns != all.columns) throw std::runtime_error(name + ": other columns");
    for (auto& row : t.rows) all.rows.push_back(std::move(row));
  }
  return all;
}

const Table& dataset(int which) {
  static const Table d2 = load({"febrl_dataset2.csv"});
  static const Table d4 = load({"febrl_dataset4a.csv", "febrl_dataset4b.csv"});
  return which == 2 ? d2 : d4;
}

std::vector<std::string> entities(const Table& t) {
  std::vector<std::string> out;
  const std::size_t id = t.column("rec_id");
  for (const auto& row : t.rows) {
    const std::string& r = row[id];
    const std::size_t start = r.find('-') + 1;
    out.push_back(r.substr(start, r.find('-', start) - start));
  }
  return out;
}

Settings settings() {
  Settings s;
  const std::vector<double> bands{0.92, 0.8};
  s.comparisons = {
      {.column = "given_name",
       .kind = CompareKind::jaro_winkler,
       .similarity_bands = bands,
       .term_frequency = true},
      {.column = "surname",
       .kind = CompareKind::jaro_winkler,
       .similarity_bands = bands,
       .term_frequency = true},
      {.column = "street_number"},
      {.column = "address_1", .kind = CompareKind::jaro_winkler, .similarity_bands = bands},
      {.column = "address_2", .kind = CompareKind::jaro_winkler, .similarity_bands = bands},
      {.column = "suburb", .kind = CompareKind::jaro_winkler, .similarity_bands = bands},
      {.column = "postcode", .kind = CompareKind::jaro_winkler, .similarity_bands = {0.9}},
      {.column = "state"},
      {.column = "date_of_birth", .kind = CompareKind::date, .within_days = 31},
      {.column = "soc_sec_id", .kind = CompareKind::jaro_winkler, .similarity_bands = {0.9}},
  };
  s.blocking_rules = {
      {.keys = {{.column = "postcode"}}},
      {.keys = {{.column = "soc_sec_id"}}},
      {.keys = {{.column = "date_of_birth"}}},
      {.keys = {{.column = "surname", .prefix = 1}, {.column = "date_of_birth", .prefix = 4}}},
      {.keys = {{.column = "given_name"}, {.column = "surname"}}},
  };
  s.u_sample_pairs = 100000;
  return s;
}

void BM_ScorePairs(benchmark::State& state) {
  const Table& t = dataset(static_cast<int>(state.range(0)));
  const Model model = train(t, settings());
  const Candidates candidates = candidate_pairs(t, model.settings);
  for (auto _ : state) {
    auto scored = score_pairs(t, model, candidates.pairs);
    benchmark::DoNotOptimize(scored.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(candidates.pairs.size()));
  state.counters["pairs"] = static_cast<double>(candidates.pairs.size());
}

void BM_WholeFile(benchmark::State& state) {
  const Table& t = dataset(static_cast<int>(state.range(0)));
  const Settings s = settings();
  std::vector<ScoredPair> scored;
  for (auto _ : state) {
    const Model model = train(t, s);
    scored = score(t, model);
    const Clusters clusters = cluster(t.size(), scored, s.match_probability);
    benchmark::DoNotOptimize(clusters.cluster_of.data());
  }
  std::vector<RecordPair> predicted;
  for (const auto& p : scored) {
    if (p.probability >= s.match_probability) predicted.push_back(p.pair);
  }
  const PairQuality q = evaluate_pairs(predicted, entities(t));
  state.counters["records"] = static_cast<double>(t.size());
  state.counters["precision"] = q.precision;
  state.counters["recall"] = q.recall;
  state.counters["f1"] = q.f1;
}

// Argument: 2 = dataset2 (5000 records), 4 = dataset4a + dataset4b (10000 records).
BENCHMARK(BM_ScorePairs)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WholeFile)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
