// Training a model: u by random sampling, m and the prior by EM (plain or per blocking rule),
// term frequencies; and validating settings against a table.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <unordered_map>

#include "core/core.h"
#include "dedup/internal.h"

namespace ctis::dedup {

namespace detail {

Resolved resolve(const Table& table, const Settings& s) {
  Resolved r;
  if (s.comparisons.empty()) fail_invalid("/comparisons", "settings: no comparisons");
  if (s.comparisons.size() > kMaxComparisons) {
    fail_invalid("/comparisons",
                 "settings: more than " + std::to_string(kMaxComparisons) + " comparisons");
  }
  auto column = [&](const std::string& name, const std::string& pointer) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i] == name) return i;
    }
    fail_invalid(pointer, "settings " + pointer + ": the table has no column \"" + name + "\"");
  };
  for (std::size_t i = 0; i < s.comparisons.size(); ++i) {
    const Comparison& c = s.comparisons[i];
    const std::string at = "/comparisons/" + std::to_string(i);
    r.comparison_columns.push_back(column(c.column, at + "/column"));
    if (level_names(c).size() > kMaxLevels) {
      fail_invalid(at, "settings " + at + ": more than " + std::to_string(kMaxLevels) + " levels");
    }
    const auto& sim = c.similarity_bands;
    for (std::size_t b = 0; b < sim.size(); ++b) {
      if (!(sim[b] > 0 && sim[b] <= 1) || (b > 0 && sim[b] >= sim[b - 1])) {
        fail_invalid(at + "/similarity_bands",
                     "settings " + at + ": similarity bands must fall in (0, 1], descending");
      }
    }
    const auto& dist = c.distance_bands;
    for (std::size_t b = 0; b < dist.size(); ++b) {
      if (!(dist[b] > 0) || (b > 0 && dist[b] <= dist[b - 1])) {
        fail_invalid(at + "/distance_bands",
                     "settings " + at + ": distance bands must be positive, ascending");
      }
    }
    if (c.within_days < 1) {
      fail_invalid(at + "/within_days", "settings " + at + ": within_days must be at least 1");
    }
  }
  if (s.blocking_rules.empty()) fail_invalid("/blocking_rules", "settings: no blocking rules");
  for (std::size_t i = 0; i < s.blocking_rules.size(); ++i) {
    const std::string at = "/blocking_rules/" + std::to_string(i);
    if (s.blocking_rules[i].keys.empty()) fail_invalid(at, "settings " + at + ": no keys");
    std::vector<std::size_t> cols;
    for (std::size_t k = 0; k < s.blocking_rules[i].keys.size(); ++k) {
      cols.push_back(column(s.blocking_rules[i].keys[k].column,
                            at + "/keys/" + std::to_string(k) + "/column"));
    }
    r.rule_columns.push_back(std::move(cols));
  }
  if (!(s.em_start_prior > 0 && s.em_start_prior < 1)) {
    fail_invalid("/em_start_prior", "settings: em_start_prior must fall in (0, 1)");
  }
  if (!(s.em_start_m_exact > 0 && s.em_start_m_exact < 1)) {
    fail_invalid("/em_start_m_exact", "settings: em_start_m_exact must fall in (0, 1)");
  }
  if (!(s.em_tolerance > 0) || s.em_max_iterations < 1) {
    fail_invalid("/em_tolerance", "settings: EM needs a positive tolerance and iterations");
  }
  if (!(s.match_probability >= 0 && s.match_probability <= 1)) {
    fail_invalid("/match_probability", "settings: match_probability must fall in [0, 1]");
  }
  if (s.u_sample_pairs < 1) fail_invalid("/u_sample_pairs", "settings: u_sample_pairs is 0");
  if (s.em_sample_pairs < 1) fail_invalid("/em_sample_pairs", "settings: em_sample_pairs is 0");
  return r;
}

void compare_rows(const Settings& settings, const Resolved& resolved,
                  const std::vector<std::string>& x, const std::vector<std::string>& y,
                  std::array<std::uint8_t, kMaxComparisons>& levels) {
  for (std::size_t c = 0; c < settings.comparisons.size(); ++c) {
    const std::size_t col = resolved.comparison_columns[c];
    levels[c] = compare(settings.comparisons[c], x[col], y[col]);
  }
}

}  // namespace detail

namespace {

std::uint64_t pattern_of(const std::array<std::uint8_t, kMaxComparisons>& levels, std::size_t n) {
  std::uint64_t p = 0;
  for (std::size_t c = 0; c < n; ++c) p |= static_cast<std::uint64_t>(levels[c]) << (4 * c);
  return p;
}

std::uint8_t level_in(std::uint64_t pattern, std::size_t c) {
  return static_cast<std::uint8_t>((pattern >> (4 * c)) & 0xF);
}

using Patterns = std::vector<std::pair<std::uint64_t, double>>;  // pattern, count

// One pass of EM over distinct comparison patterns (u fixed; m too unless update_m). Returns
// the largest change of any parameter.
double em_step(const Patterns& patterns, Model& model, bool update_m) {
  const std::size_t n = model.comparisons.size();
  std::vector<std::vector<double>> m_sum(n), total(n, std::vector<double>{});
  for (std::size_t c = 0; c < n; ++c) m_sum[c].assign(model.comparisons[c].m.size(), 0.0);
  std::vector<double> m_total(n, 0.0);
  double match_mass = 0, all_mass = 0;
  const double log_prior_odds = std::log(model.prior / (1 - model.prior));
  for (const auto& [pattern, count] : patterns) {
    double log_bf = log_prior_odds;
    for (std::size_t c = 0; c < n; ++c) {
      const std::uint8_t l = level_in(pattern, c);
      if (l == kNullLevel) continue;
      const auto& cm = model.comparisons[c];
      log_bf += std::log(std::max(cm.m[l], 1e-12)) - std::log(std::max(cm.u[l], 1e-12));
    }
    const double p = 1.0 / (1.0 + std::exp(-log_bf));  // P(match | pattern)
    const double w = p * count;
    match_mass += w;
    all_mass += count;
    for (std::size_t c = 0; c < n; ++c) {
      const std::uint8_t l = level_in(pattern, c);
      if (l == kNullLevel) continue;
      m_sum[c][l] += w;
      m_total[c] += w;
    }
  }
  double change = 0;
  for (std::size_t c = 0; c < n && update_m; ++c) {
    auto& m = model.comparisons[c].m;
    if (m_total[c] <= 0) continue;
    for (std::size_t l = 1; l < m.size(); ++l) {
      const double next = m_sum[c][l] / m_total[c];
      change = std::max(change, std::fabs(next - m[l]));
      m[l] = next;
    }
  }
  const double prior = std::clamp(match_mass / all_mass, 1e-9, 1 - 1e-9);
  change = std::max(change, std::fabs(prior - model.prior));
  model.prior = prior;
  return change;
}

}  // namespace

namespace {

// Resets m to the EM starting point: "exact" em_start_m_exact, the rest spread evenly over the
// other levels; and the prior to em_start_prior.
void start_em(const Settings& settings, Model& model) {
  for (auto& cm : model.comparisons) {
    const double rest = (1.0 - settings.em_start_m_exact) / static_cast<double>(cm.m.size() - 2);
    for (std::size_t l = 2; l < cm.m.size(); ++l) cm.m[l] = rest;
    cm.m[kExactLevel] = settings.em_start_m_exact;
  }
  model.prior = settings.em_start_prior;
}

// The prior as the share of matches among all record pairs, by EM with m and u fixed, taking
// the pairs outside the blocks for non-matches: λ ← (expected matches among the candidates) /
// (all pairs). `scale` is candidates per sampled pattern. Returns whether it converged.
bool prior_over_all_pairs(const Settings& settings, const Patterns& patterns, double scale,
                          double all_pairs, Model& model) {
  const std::size_t n = model.comparisons.size();
  std::vector<double> log_bf(patterns.size(), 0.0);
  for (std::size_t k = 0; k < patterns.size(); ++k) {
    for (std::size_t c = 0; c < n; ++c) {
      const std::uint8_t l = level_in(patterns[k].first, c);
      if (l == kNullLevel) continue;
      const auto& cm = model.comparisons[c];
      log_bf[k] += std::log(std::max(cm.m[l], 1e-12)) - std::log(std::max(cm.u[l], 1e-12));
    }
  }
  double candidates = 0;
  for (const auto& [pattern, count] : patterns) candidates += count * scale;
  model.prior = std::clamp(settings.em_start_prior * candidates / all_pairs, 1e-15, 0.5);
  for (int it = 0; it < settings.em_max_iterations; ++it) {
    ++model.em_iterations;
    const double log_odds = std::log(model.prior / (1 - model.prior));
    double matches = 0;
    for (std::size_t k = 0; k < patterns.size(); ++k) {
      matches += patterns[k].second * scale / (1.0 + std::exp(-(log_odds + log_bf[k])));
    }
    const double next = std::clamp(matches / all_pairs, 1e-15, 0.5);
    const double change = std::fabs(next - model.prior) / model.prior;  // relative: λ is tiny
    model.prior = next;
    if (change < settings.em_tolerance) return true;
  }
  return false;
}

// EM to convergence or the iteration limit; returns whether it converged.
bool run_em(const Settings& settings, const Patterns& patterns, Model& model, bool update_m) {
  if (patterns.empty()) return true;
  for (int it = 0; it < settings.em_max_iterations; ++it) {
    ++model.em_iterations;
    if (em_step(patterns, model, update_m) < settings.em_tolerance) return true;
  }
  return false;
}

constexpr std::size_t kChunk = 8192;  // pairs per parallel task

// The comparison pattern of each pair, in parallel.
std::vector<std::uint64_t> patterns_of(const Table& table, const Settings& settings,
                                       const detail::Resolved& resolved,
                                       const std::vector<std::uint64_t>& pairs,
                                       std::size_t threads) {
  std::vector<std::uint64_t> out(pairs.size());
  const std::size_t n = settings.comparisons.size();
  detail::parallel_for((pairs.size() + kChunk - 1) / kChunk, threads, [&](std::size_t chunk) {
    std::array<std::uint8_t, kMaxComparisons> levels{};
    const std::size_t end = std::min(pairs.size(), (chunk + 1) * kChunk);
    for (std::size_t k = chunk * kChunk; k < end; ++k) {
      const RecordPair p = detail::unpack(pairs[k]);
      detail::compare_rows(settings, resolved, table.rows[p.a], table.rows[p.b], levels);
      out[k] = pattern_of(levels, n);
    }
  });
  return out;
}

// Distinct patterns with their counts, in pattern order (results do not depend on hashing).
Patterns count_patterns(const std::unordered_map<std::uint64_t, double>& counts) {
  Patterns out(counts.begin(), counts.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Model train(const Table& table, const Settings& settings) {
  const detail::Resolved resolved = detail::resolve(table, settings);
  if (table.size() < 2) fail_invalid("/rows", "training needs at least two records");
  const std::size_t n = settings.comparisons.size();
  Model model;
  model.settings = settings;
  model.training_records = table.size();
  model.comparisons.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    auto& cm = model.comparisons[c];
    cm.level_names = level_names(settings.comparisons[c]);
    cm.m.assign(cm.level_names.size(), 0.0);
    cm.u.assign(cm.level_names.size(), 0.0);
  }

  // u: level shares among random pairs, which are almost all non-matches. The pairs are drawn
  // in one seeded sequence, then compared in parallel; a pseudo-count of one per level keeps an
  // unseen level from an infinite weight.
  std::mt19937_64 rng(settings.seed);
  std::uniform_int_distribution<std::size_t> pick(0, table.size() - 1);
  std::vector<std::uint64_t> random_pairs(settings.u_sample_pairs);
  for (std::uint64_t& p : random_pairs) {
    const std::size_t i = pick(rng);
    std::size_t j = pick(rng);
    while (j == i) j = pick(rng);
    p = detail::pack(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j));
  }
  const std::size_t threads =
      detail::thread_count(settings.threads, std::max(table.size(), random_pairs.size()));
  std::vector<std::vector<double>> counts(n);
  for (std::size_t c = 0; c < n; ++c) counts[c].assign(model.comparisons[c].u.size(), 1.0);
  for (const std::uint64_t pattern :
       patterns_of(table, settings, resolved, random_pairs, threads)) {
    for (std::size_t c = 0; c < n; ++c) counts[c][level_in(pattern, c)] += 1.0;
  }
  for (std::size_t c = 0; c < n; ++c) {
    auto& u = model.comparisons[c].u;
    double total = 0;
    for (std::size_t l = 1; l < u.size(); ++l) total += counts[c][l];
    for (std::size_t l = 1; l < u.size(); ++l) u[l] = counts[c][l] / total;
  }

  // m and the prior by EM over the comparison patterns of the candidate pairs (an even stride
  // through them when there are more than em_sample_pairs).
  Candidates stats;
  const auto per_rule = detail::rule_pairs(table, settings, resolved, stats);
  const std::vector<std::uint64_t> candidates = detail::union_of(per_rule);
  model.training_pairs = candidates.size();
  const std::size_t stride = std::max<std::size_t>(
      1, (candidates.size() + settings.em_sample_pairs - 1) / settings.em_sample_pairs);
  std::vector<std::uint64_t> sample;
  sample.reserve(candidates.size() / stride + 1);
  for (std::size_t k = 0; k < candidates.size(); k += stride) sample.push_back(candidates[k]);
  const std::vector<std::uint64_t> sample_patterns =
      patterns_of(table, settings, resolved, sample, threads);
  std::unordered_map<std::uint64_t, double> all_counts;
  for (const std::uint64_t p : sample_patterns) all_counts[p] += 1.0;
  const Patterns all = count_patterns(all_counts);

  start_em(settings, model);
  if (!settings.em_per_blocking_rule) {
    model.em_converged = run_em(settings, all, model, true);
  } else {
    // Per rule: the comparisons on the rule's own columns are masked (null), so EM learns m
    // of the others from pairs that were not chosen for agreeing on them.
    std::vector<std::vector<double>> m_sum(n);
    std::vector<int> runs(n, 0);
    for (std::size_t c = 0; c < n; ++c) m_sum[c].assign(model.comparisons[c].m.size(), 0.0);
    bool converged = true;
    for (std::size_t r = 0; r < per_rule.size(); ++r) {
      std::uint64_t keep = ~std::uint64_t{0};
      std::vector<bool> masked(n, false);
      for (std::size_t c = 0; c < n; ++c) {
        const auto& cols = resolved.rule_columns[r];
        masked[c] =
            std::find(cols.begin(), cols.end(), resolved.comparison_columns[c]) != cols.end();
        if (masked[c]) keep &= ~(std::uint64_t{0xF} << (4 * c));
      }
      std::unordered_map<std::uint64_t, double> rule_counts;
      for (std::size_t k = 0; k < sample.size(); ++k) {
        if (std::binary_search(per_rule[r].begin(), per_rule[r].end(), sample[k])) {
          rule_counts[sample_patterns[k] & keep] += 1.0;
        }
      }
      if (rule_counts.empty()) continue;
      Model rule_model = model;
      start_em(settings, rule_model);
      converged = run_em(settings, count_patterns(rule_counts), rule_model, true) && converged;
      model.em_iterations = rule_model.em_iterations;
      for (std::size_t c = 0; c < n; ++c) {
        if (masked[c]) continue;
        ++runs[c];
        for (std::size_t l = 1; l < m_sum[c].size(); ++l) {
          m_sum[c][l] += rule_model.comparisons[c].m[l];
        }
      }
    }
    // A comparison every rule blocks on keeps m from plain EM over all candidates.
    if (std::find(runs.begin(), runs.end(), 0) != runs.end()) {
      converged = run_em(settings, all, model, true) && converged;
    }
    for (std::size_t c = 0; c < n; ++c) {
      if (runs[c] == 0) continue;
      for (std::size_t l = 1; l < m_sum[c].size(); ++l) {
        model.comparisons[c].m[l] = m_sum[c][l] / runs[c];
      }
    }
    const auto records = static_cast<double>(table.size());
    const double scale = static_cast<double>(candidates.size()) /
                         static_cast<double>(std::max<std::size_t>(1, sample.size()));
    model.em_converged =
        prior_over_all_pairs(settings, all, scale, records * (records - 1) / 2, model) && converged;
  }

  // Term frequencies: the share of training records holding each value.
  for (std::size_t c = 0; c < n; ++c) {
    auto& cm = model.comparisons[c];
    cm.default_term_frequency = 1.0 / static_cast<double>(table.size());
    if (!settings.comparisons[c].term_frequency) continue;
    TermFrequencies tf;
    double present = 0;
    for (const auto& row : table.rows) {
      const std::string& v = row[resolved.comparison_columns[c]];
      if (v.empty()) continue;
      tf[v] += 1.0;
      present += 1.0;
    }
    for (auto& [value, count] : tf) count /= present;
    cm.term_frequency = std::move(tf);
  }
  return model;
}

double Model::prior_weight() const { return std::log2(prior / (1 - prior)); }

double Model::level_weight(std::size_t comparison, std::uint8_t level,
                           std::string_view value) const {
  if (level == kNullLevel) return 0;
  const ComparisonModel& cm = comparisons[comparison];
  const double m = std::max(cm.m[level], 1e-12);
  if (level == kExactLevel && settings.comparisons[comparison].term_frequency) {
    // P(agree on v | match) / P(agree on v | non-match) = m·tf(v) / tf(v)² = m / tf(v).
    const auto it = cm.term_frequency.find(value);
    const double tf = it == cm.term_frequency.end() ? cm.default_term_frequency : it->second;
    return std::log2(m / std::max(tf, 1e-12));
  }
  return std::log2(m / std::max(cm.u[level], 1e-12));
}

}  // namespace ctis::dedup
