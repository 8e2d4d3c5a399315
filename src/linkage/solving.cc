// Solving: greedy one-to-one matching, greedy multi-party grouping, and match quality.
#include <algorithm>
#include <unordered_set>

#include "core/core.h"
#include "linkage/linkage.h"

namespace ctis::linkage {

std::vector<Pair> greedy_one_to_one(std::span<const Candidate> candidates) {
  std::vector<Candidate> order(candidates.begin(), candidates.end());
  // Stable total order (anonlink's): the input order does not change the result.
  std::sort(order.begin(), order.end(), [](const Candidate& x, const Candidate& y) {
    if (x.dice != y.dice) return x.dice > y.dice;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
  std::uint32_t max_a = 0;
  std::uint32_t max_b = 0;
  for (const Candidate& c : order) {
    max_a = std::max(max_a, c.a);
    max_b = std::max(max_b, c.b);
  }
  std::vector<bool> used_a(order.empty() ? 0 : max_a + std::size_t{1});
  std::vector<bool> used_b(order.empty() ? 0 : max_b + std::size_t{1});
  std::vector<Pair> out;
  for (const Candidate& c : order) {
    if (used_a[c.a] || used_b[c.b]) continue;
    used_a[c.a] = true;
    used_b[c.b] = true;
    out.push_back({c.a, c.b, c.dice});
  }
  return out;
}

LinkageQuality evaluate_matches(std::span<const Pair> matches, std::span<const Pair> truth) {
  std::unordered_set<std::uint64_t> true_pairs;
  for (const Pair& p : truth) true_pairs.insert(std::uint64_t{p.a} << 32 | p.b);
  LinkageQuality q;
  std::unordered_set<std::uint64_t> seen;
  for (const Pair& p : matches) {
    const std::uint64_t key = std::uint64_t{p.a} << 32 | p.b;
    if (!seen.insert(key).second) continue;  // a pair reported twice counts once
    if (true_pairs.count(key) != 0) {
      ++q.true_positives;
    } else {
      ++q.false_positives;
    }
  }
  q.false_negatives = true_pairs.size() - q.true_positives;
  const std::size_t reported = q.true_positives + q.false_positives;
  q.precision =
      reported == 0 ? 0.0 : static_cast<double>(q.true_positives) / static_cast<double>(reported);
  q.recall = true_pairs.empty()
                 ? 0.0
                 : static_cast<double>(q.true_positives) / static_cast<double>(true_pairs.size());
  return q;
}

std::vector<std::vector<Record>> greedy_multi_party(std::span<const PartyCandidate> candidates) {
  std::vector<PartyCandidate> order(candidates.begin(), candidates.end());
  std::sort(order.begin(), order.end(), [](const PartyCandidate& x, const PartyCandidate& y) {
    if (x.dice != y.dice) return x.dice > y.dice;
    if (x.x != y.x) return x.x < y.x;
    return x.y < y.y;
  });

  // group_of[party][row]: index into groups, or -1. Groups stay sorted by party.
  std::vector<std::vector<int>> group_of;
  auto slot = [&](const Record& r) -> int& {
    if (group_of.size() <= r.party) group_of.resize(r.party + std::size_t{1});
    auto& rows = group_of[r.party];
    if (rows.size() <= r.row) rows.resize(r.row + std::size_t{1}, -1);
    return rows[r.row];
  };
  std::vector<std::vector<Record>> groups;
  auto has_party = [](const std::vector<Record>& g, std::uint32_t party) {
    return std::any_of(g.begin(), g.end(), [&](const Record& r) { return r.party == party; });
  };

  for (const PartyCandidate& c : order) {
    if (c.x.party == c.y.party) {
      fail_invalid("candidates",
                   "a candidate pairs two records of party " + std::to_string(c.x.party));
    }
    const int gx = slot(c.x);
    const int gy = slot(c.y);
    if (gx >= 0 && gx == gy) continue;
    if (gx < 0 && gy < 0) {
      const int id = static_cast<int>(groups.size());
      groups.push_back(c.x.party < c.y.party ? std::vector<Record>{c.x, c.y}
                                             : std::vector<Record>{c.y, c.x});
      slot(c.x) = id;
      slot(c.y) = id;
    } else if (gx < 0 || gy < 0) {
      const int g = gx < 0 ? gy : gx;
      const Record& lone = gx < 0 ? c.x : c.y;
      auto& members = groups[static_cast<std::size_t>(g)];
      if (has_party(members, lone.party)) continue;  // at most one record per party
      members.insert(std::upper_bound(members.begin(), members.end(), lone), lone);
      slot(lone) = g;
    } else {
      auto& into = groups[static_cast<std::size_t>(gx)];
      auto& from = groups[static_cast<std::size_t>(gy)];
      const bool clash = std::any_of(from.begin(), from.end(),
                                     [&](const Record& r) { return has_party(into, r.party); });
      if (clash) continue;
      for (const Record& r : from) slot(r) = gx;
      into.insert(into.end(), from.begin(), from.end());
      std::sort(into.begin(), into.end());
      from.clear();
    }
  }

  std::vector<std::vector<Record>> out;
  for (auto& g : groups) {
    if (!g.empty()) out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(),
            [](const std::vector<Record>& x, const std::vector<Record>& y) { return x[0] < y[0]; });
  return out;
}

}  // namespace ctis::linkage
