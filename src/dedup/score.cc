// Scoring pairs, explaining scores, clustering, one-record lookup and pair quality.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <unordered_map>

#include "core/core.h"
#include "dedup/internal.h"

namespace ctis::dedup {

namespace {

double probability_of(double weight) {
  // 2^w / (1 + 2^w), written to stay finite for large |w|.
  return weight >= 0 ? 1.0 / (1.0 + std::exp2(-weight))
                     : std::exp2(weight) / (1.0 + std::exp2(weight));
}

// The model's level weights, computed once per call rather than once per pair (a log each).
// Exact matches under term frequency depend on the value and stay per pair.
struct WeightTable {
  explicit WeightTable(const Model& model) : prior(model.prior_weight()) {
    for (std::size_t c = 0; c < model.comparisons.size(); ++c) {
      std::vector<double> w(model.comparisons[c].m.size());
      for (std::size_t l = 0; l < w.size(); ++l) {
        w[l] = model.level_weight(c, static_cast<std::uint8_t>(l), {});
      }
      weights.push_back(std::move(w));
      by_value.push_back(model.settings.comparisons[c].term_frequency);
    }
  }
  double prior;
  std::vector<std::vector<double>> weights;
  std::vector<bool> by_value;
};

ScoredPair score_one(const Model& model, const WeightTable& table, const detail::Resolved& resolved,
                     const std::vector<std::string>& x, const std::vector<std::string>& y,
                     RecordPair pair) {
  ScoredPair s;
  s.pair = pair;
  detail::compare_rows(model.settings, resolved, x, y, s.levels);
  double w = table.prior;
  for (std::size_t c = 0; c < model.settings.comparisons.size(); ++c) {
    const std::uint8_t level = s.levels[c];
    const double bf = level == kExactLevel && table.by_value[c]
                          ? model.level_weight(c, level, x[resolved.comparison_columns[c]])
                          : table.weights[c][level];
    s.contributions[c] = static_cast<float>(bf);
    w += bf;
  }
  s.weight = w;
  s.probability = probability_of(w);
  return s;
}

std::size_t find_root(std::vector<std::uint32_t>& parent, std::uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];  // path halving
    x = parent[x];
  }
  return x;
}

}  // namespace

namespace {

// Scores pairs[first, last) into out[first, last) on a few threads; every slot is written by
// one task, so the result is the same on any number of threads.
template <typename PairAt>
void score_range(const Table& table, const Model& model, std::size_t count, PairAt pair_at,
                 std::vector<ScoredPair>& out) {
  const detail::Resolved resolved = detail::resolve(table, model.settings);
  const WeightTable weights(model);
  out.resize(count);
  constexpr std::size_t kChunk = 8192;
  detail::parallel_for((count + kChunk - 1) / kChunk,
                       detail::thread_count(model.settings.threads, count), [&](std::size_t chunk) {
                         const std::size_t end = std::min(count, (chunk + 1) * kChunk);
                         for (std::size_t k = chunk * kChunk; k < end; ++k) {
                           const RecordPair p = pair_at(k);
                           out[k] = score_one(model, weights, resolved, table.rows[p.a],
                                              table.rows[p.b], p);
                         }
                       });
}

}  // namespace

std::vector<ScoredPair> score_pairs(const Table& table, const Model& model,
                                    std::span<const RecordPair> pairs) {
  for (const RecordPair& p : pairs) {
    if (p.a >= table.size() || p.b >= table.size()) {
      fail_invalid("/pairs", "pair (" + std::to_string(p.a) + ", " + std::to_string(p.b) +
                                 ") is outside the table of " + std::to_string(table.size()) +
                                 " records");
    }
  }
  std::vector<ScoredPair> out;
  score_range(
      table, model, pairs.size(), [&](std::size_t k) { return pairs[k]; }, out);
  return out;
}

std::vector<ScoredPair> score(const Table& table, const Model& model) {
  const detail::Resolved resolved = detail::resolve(table, model.settings);
  Candidates stats;
  const std::vector<std::uint64_t> pairs =
      detail::union_of(detail::rule_pairs(table, model.settings, resolved, stats));
  std::vector<ScoredPair> out;
  score_range(
      table, model, pairs.size(), [&](std::size_t k) { return detail::unpack(pairs[k]); }, out);
  std::stable_sort(out.begin(), out.end(),
                   [](const ScoredPair& a, const ScoredPair& b) { return a.weight > b.weight; });
  return out;
}

std::string Reason::text() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f", weight);
  return column + ": " + level + " (" + buf + ")";
}

std::vector<Reason> explain(const Model& model, const ScoredPair& scored) {
  std::vector<Reason> out;
  for (std::size_t c = 0; c < model.settings.comparisons.size(); ++c) {
    const std::uint8_t level = scored.levels[c];
    out.push_back({model.settings.comparisons[c].column, model.comparisons[c].level_names.at(level),
                   scored.contributions[c]});
  }
  return out;
}

Clusters cluster(std::size_t record_count, std::span<const ScoredPair> pairs,
                 double min_probability) {
  std::vector<std::uint32_t> parent(record_count);
  std::iota(parent.begin(), parent.end(), 0U);
  for (const ScoredPair& s : pairs) {
    if (s.probability < min_probability) continue;
    if (s.pair.a >= record_count || s.pair.b >= record_count) {
      fail_invalid("/pairs",
                   "a pair names a record beyond the " + std::to_string(record_count) + " records");
    }
    const std::size_t ra = find_root(parent, s.pair.a), rb = find_root(parent, s.pair.b);
    if (ra != rb) parent[std::max(ra, rb)] = static_cast<std::uint32_t>(std::min(ra, rb));
  }
  Clusters out;
  out.cluster_of.resize(record_count);
  std::vector<std::uint32_t> id_of_root(record_count, UINT32_MAX);
  for (std::uint32_t i = 0; i < record_count; ++i) {
    const std::size_t root = find_root(parent, i);
    if (id_of_root[root] == UINT32_MAX) id_of_root[root] = static_cast<std::uint32_t>(out.count++);
    out.cluster_of[i] = id_of_root[root];
  }
  return out;
}

std::vector<Match> find_duplicates(const Table& table, const Record& probe, const Model& model,
                                   std::size_t k, double min_probability) {
  const detail::Resolved resolved = detail::resolve(table, model.settings);
  if (probe.size() != table.columns.size()) {
    fail_invalid("/probe", "the probe has " + std::to_string(probe.size()) +
                               " values, the table has " + std::to_string(table.columns.size()) +
                               " columns");
  }
  const auto& rules = model.settings.blocking_rules;
  std::vector<std::string> probe_keys;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    probe_keys.push_back(detail::block_key(probe, rules[r], resolved.rule_columns[r]));
  }
  const WeightTable weights(model);
  std::vector<ScoredPair> scored;
  for (std::uint32_t i = 0; i < table.size(); ++i) {
    bool shares_block = false;
    for (std::size_t r = 0; r < rules.size() && !shares_block; ++r) {
      shares_block =
          !probe_keys[r].empty() &&
          detail::block_key(table.rows[i], rules[r], resolved.rule_columns[r]) == probe_keys[r];
    }
    if (!shares_block) continue;
    ScoredPair s = score_one(model, weights, resolved, probe, table.rows[i], {i, i});
    if (s.probability >= min_probability) scored.push_back(s);
  }
  const std::size_t keep = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep),
                    scored.end(), [](const ScoredPair& a, const ScoredPair& b) {
                      return a.weight > b.weight || (a.weight == b.weight && a.pair.a < b.pair.a);
                    });
  std::vector<Match> out;
  for (std::size_t i = 0; i < keep; ++i) {
    out.push_back(
        {scored[i].pair.a, scored[i].weight, scored[i].probability, explain(model, scored[i])});
  }
  return out;
}

PairQuality evaluate_pairs(std::span<const RecordPair> predicted,
                           std::span<const std::string> entity) {
  PairQuality q;
  std::unordered_map<std::string, std::size_t> members;
  for (const std::string& e : entity) {
    if (!e.empty()) ++members[e];
  }
  for (const auto& [e, count] : members) q.true_pairs += count * (count - 1) / 2;
  std::vector<std::uint64_t> distinct;
  distinct.reserve(predicted.size());
  for (const RecordPair& p : predicted) {
    if (p.a >= entity.size() || p.b >= entity.size()) {
      fail_invalid("/pairs", "a predicted pair names a record without a known entity");
    }
    if (p.a == p.b) continue;
    const auto lo = std::min(p.a, p.b), hi = std::max(p.a, p.b);
    distinct.push_back(static_cast<std::uint64_t>(lo) << 32 | hi);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  q.predicted_pairs = distinct.size();
  for (std::uint64_t p : distinct) {
    const std::string& ea = entity[p >> 32];
    if (!ea.empty() && ea == entity[p & 0xFFFFFFFFU]) ++q.true_positives;
  }
  const auto tp = static_cast<double>(q.true_positives);
  q.precision = q.predicted_pairs ? tp / static_cast<double>(q.predicted_pairs) : 0.0;
  q.recall = q.true_pairs ? tp / static_cast<double>(q.true_pairs) : 0.0;
  q.f1 = q.precision + q.recall > 0 ? 2 * q.precision * q.recall / (q.precision + q.recall) : 0.0;
  return q;
}

}  // namespace ctis::dedup
