// Deduplication on FEBRL: pairs scored per second (score_pairs over the blocked candidates of a
// trained model) and whole-file deduplication (train + score + cluster), on all cores; and the
// same on generated person records up to a million (BM_Generated). The
// settings are those of tests/dedup/febrl_test.cc (data/dedup/febrl-person.settings.json). Counters
// report pair precision, recall and F1 against the rec_id truth, so a faster build that scores
// worse shows.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
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

// The settings for FEBRL's person records, shared with tests/dedup/febrl_test.cc.
Settings settings() {
  const std::string path = std::string(CTIS_SOURCE_DIR) + "/data/dedup/febrl-person.settings.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return parse_settings(std::string(std::istreambuf_iterator<char>(in), {}));
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

// The settings for generated persons (bench/dedup/generated-persons.settings.json).
Settings generated_settings() {
  const std::string path =
      std::string(CTIS_SOURCE_DIR) + "/bench/dedup/generated-persons.settings.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return parse_settings(std::string(std::istreambuf_iterator<char>(in), {}));
}

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// N generated person records (15 % duplicates, seed 20261130), then train + score + cluster,
// on all cores. Wall time is the benchmark's time; the counters add process CPU time of the
// whole dedup and of each step, pairs, and quality against the planted truth.
void BM_Generated(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const Table t = generate_persons(rows, 0.15, 20261130);
  const Settings s = generated_settings();
  std::vector<ScoredPair> scored;
  Model model;
  double cpu = 0, cpu_train = 0, cpu_score = 0;
  for (auto _ : state) {
    const double start = cpu_seconds();
    model = train(t, s);
    const double trained = cpu_seconds();
    scored = score(t, model);
    const double scored_at = cpu_seconds();
    const Clusters clusters = cluster(t.size(), scored, s.match_probability);
    benchmark::DoNotOptimize(clusters.cluster_of.data());
    cpu += cpu_seconds() - start;
    cpu_train += trained - start;
    cpu_score += scored_at - trained;
  }
  std::vector<RecordPair> predicted;
  for (const auto& p : scored) {
    if (p.probability >= s.match_probability) predicted.push_back(p.pair);
  }
  const PairQuality q = evaluate_pairs(predicted, entities_from_ids(t));
  const auto runs = static_cast<double>(state.iterations());
  state.counters["records"] = static_cast<double>(t.size());
  state.counters["pairs"] = static_cast<double>(scored.size());
  state.counters["true_pairs"] = static_cast<double>(q.true_pairs);
  state.counters["cpu_s"] = cpu / runs;
  state.counters["cpu_train_s"] = cpu_train / runs;
  state.counters["cpu_score_s"] = cpu_score / runs;
  state.counters["precision"] = q.precision;
  state.counters["recall"] = q.recall;
  state.counters["f1"] = q.f1;
}

// Argument: 2 = dataset2 (5000 records), 4 = dataset4a + dataset4b (10000 records).
BENCHMARK(BM_ScorePairs)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WholeFile)->Arg(2)->Arg(4)->Unit(benchmark::kMillisecond);
// Argument: records. One iteration each: a million records take seconds.
BENCHMARK(BM_Generated)
    ->Arg(100000)
    ->Arg(1000000)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
