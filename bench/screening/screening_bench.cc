// Screening evaluation throughput on the ILO/EC adult-labour list (67 indicators, six elements),
// over pre-generated random answer sets so that the timed loop measures evaluate() alone.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "indicators/indicators.h"

namespace {

using ctis::indicators::Answer;
using ctis::indicators::Catalogue;
using ctis::indicators::Catalogues;
using ctis::indicators::Evaluation;

const Catalogues& catalogues() {
  // CTIS_INDICATORS_DIR (environment) overrides the source tree's data/indicators.
  static const Catalogues all = Catalogues::load_directory(std::getenv("CTIS_INDICATORS_DIR")
                                                               ? std::getenv("CTIS_INDICATORS_DIR")
                                                               : CTIS_INDICATORS_DIR);
  return all;
}

// 4096 answer sets; weights for not_asked, no, yes, unknown.
std::vector<std::vector<Answer>> answer_sets(const Catalogue& c, std::vector<double> weights) {
  std::mt19937 rng(20240601);
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::vector<std::vector<Answer>> sets(4096, std::vector<Answer>(c.size()));
  for (auto& set : sets) {
    for (auto& a : set) a = static_cast<Answer>(pick(rng));
  }
  return sets;
}

void run(benchmark::State& state, const char* id, std::vector<double> weights, bool reuse) {
  const Catalogue& c = catalogues().get(id);
  const auto sets = answer_sets(c, std::move(weights));
  Evaluation ev;
  std::size_t k = 0, presumed = 0;
  for (auto _ : state) {
    const auto& answers = sets[k++ & (sets.size() - 1)];
    if (reuse) {
      ctis::indicators::evaluate_into(c, answers, ev);
      presumed += ev.outcome == ctis::indicators::Outcome::presumed_victim;
      benchmark::DoNotOptimize(ev);
    } else {
      const Evaluation fresh = ctis::indicators::evaluate(c, answers);
      presumed += fresh.outcome == ctis::indicators::Outcome::presumed_victim;
      benchmark::DoNotOptimize(fresh);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));  // screenings/s
  state.counters["presumed_share"] =
      static_cast<double>(presumed) / static_cast<double>(std::max<std::size_t>(k, 1));
}

// Complete screenings: every indicator answered yes or no.
void BM_EvaluateInto_Complete(benchmark::State& state) {
  run(state, "ilo-ec-adult-labour", {0, 70, 30, 0}, true);
}
// Partial screenings: a third not asked, some unknown, so many elements stay undetermined.
void BM_EvaluateInto_Partial(benchmark::State& state) {
  run(state, "ilo-ec-adult-labour", {30, 40, 20, 10}, true);
}
// The allocating form, a fresh Evaluation per call.
void BM_Evaluate_Partial(benchmark::State& state) {
  run(state, "ilo-ec-adult-labour", {30, 40, 20, 10}, false);
}

BENCHMARK(BM_EvaluateInto_Complete);
BENCHMARK(BM_EvaluateInto_Partial);
BENCHMARK(BM_Evaluate_Partial);

}  // namespace

BENCHMARK_MAIN();
