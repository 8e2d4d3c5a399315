// Blocking, and training a model: u by random sampling, m and the prior by EM, term frequencies.
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
  return r;
}

std::string block_key(const std::vector<std::string>& row, const BlockingRule& rule,
                      const std::vector<std::size_t>& columns) {
  std::string key;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const std::string& v = row[columns[k]];
    if (v.empty()) return {};
    const std::size_t prefix = rule.keys[k].prefix;
    key.append(prefix == 0 ? v : v.substr(0, prefix));
    key.push_back('\x1f');  // unit separator: "ab"+"c" differs from "a"+"bc"
  }
  return key;
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

// One pass of EM over the distinct comparison patterns of the candidate pairs (u fixed).
// Returns the largest change of any parameter.
double em_step(const std::vector<std::pair<std::uint64_t, double>>& patterns, Model& model) {
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
  for (std::size_t c = 0; c < n; ++c) {
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

Candidates candidate_pairs(const Table& table, const Settings& settings) {
  const detail::Resolved resolved = detail::resolve(table, settings);
  Candidates out;
  std::vector<std::uint64_t> all;
  for (std::size_t r = 0; r < settings.blocking_rules.size(); ++r) {
    std::unordered_map<std::string, std::vector<std::uint32_t>> blocks;
    for (std::size_t i = 0; i < table.size(); ++i) {
      std::string key =
          detail::block_key(table.rows[i], settings.blocking_rules[r], resolved.rule_columns[r]);
      if (!key.empty()) blocks[std::move(key)].push_back(static_cast<std::uint32_t>(i));
    }
    std::size_t generated = 0, skipped = 0;
    for (const auto& [key, members] : blocks) {
      if (members.size() > settings.max_block_size) {
        ++skipped;
        continue;
      }
      for (std::size_t i = 0; i < members.size(); ++i) {
        for (std::size_t j = i + 1; j < members.size(); ++j) {
          all.push_back(static_cast<std::uint64_t>(members[i]) << 32 | members[j]);
          ++generated;
        }
      }
    }
    out.pairs_per_rule.push_back(generated);
    out.skipped_blocks_per_rule.push_back(skipped);
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  out.pairs.reserve(all.size());
  for (std::uint64_t p : all) {
    out.pairs.push_back({static_cast<std::uint32_t>(p >> 32), static_cast<std::uint32_t>(p)});
  }
  return out;
}

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

  // u: level shares among random pairs, which are almost all non-matches. A pseudo-count of one
  // per level keeps an unseen level from an infinite weight.
  std::mt19937_64 rng(settings.seed);
  std::uniform_int_distribution<std::size_t> pick(0, table.size() - 1);
  std::vector<std::vector<double>> counts(n);
  for (std::size_t c = 0; c < n; ++c) counts[c].assign(model.comparisons[c].u.size(), 1.0);
  std::array<std::uint8_t, kMaxComparisons> levels{};
  for (std::size_t s = 0; s < settings.u_sample_pairs; ++s) {
    const std::size_t i = pick(rng);
    std::size_t j = pick(rng);
    while (j == i) j = pick(rng);
    detail::compare_rows(settings, resolved, table.rows[i], table.rows[j], levels);
    for (std::size_t c = 0; c < n; ++c) counts[c][levels[c]] += 1.0;
  }
  for (std::size_t c = 0; c < n; ++c) {
    auto& u = model.comparisons[c].u;
    double total = 0;
    for (std::size_t l = 1; l < u.size(); ++l) total += counts[c][l];
    for (std::size_t l = 1; l < u.size(); ++l) u[l] = counts[c][l] / total;
  }

  // Distinct comparison patterns of the candidate pairs, with their counts: EM over these is
  // the same as over every pair, and far fewer.
  const Candidates candidates = candidate_pairs(table, settings);
  model.training_pairs = candidates.pairs.size();
  std::unordered_map<std::uint64_t, double> pattern_counts;
  for (const RecordPair& p : candidates.pairs) {
    detail::compare_rows(settings, resolved, table.rows[p.a], table.rows[p.b], levels);
    pattern_counts[pattern_of(levels, n)] += 1.0;
  }
  std::vector<std::pair<std::uint64_t, double>> patterns(pattern_counts.begin(),
                                                         pattern_counts.end());
  std::sort(patterns.begin(), patterns.end());  // a fixed order: results do not depend on hashing

  // Starting m: "exact" em_start_m_exact, the rest spread evenly over the other levels.
  for (auto& cm : model.comparisons) {
    const double rest = (1.0 - settings.em_start_m_exact) / static_cast<double>(cm.m.size() - 2);
    for (std::size_t l = 2; l < cm.m.size(); ++l) cm.m[l] = rest;
    cm.m[kExactLevel] = settings.em_start_m_exact;
  }
  model.prior = settings.em_start_prior;
  if (!patterns.empty()) {
    for (int it = 0; it < settings.em_max_iterations; ++it) {
      model.em_iterations = it + 1;
      if (em_step(patterns, model) < settings.em_tolerance) {
        model.em_converged = true;
        break;
      }
    }
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
