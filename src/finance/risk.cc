// Risk scores from hits, and a subject's network of counterparties.
#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

void rank(std::vector<RiskScore>& scores) {
  for (auto& s : scores) {
    std::stable_sort(s.reasons.begin(), s.reasons.end(),
                     [](const RiskReason& a, const RiskReason& b) { return a.points > b.points; });
  }
  std::sort(scores.begin(), scores.end(), [](const RiskScore& a, const RiskScore& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
}

}  // namespace

std::vector<RiskScore> account_risk(std::span<const Hit> hits, const RiskParams& p) {
  std::unordered_map<AccountId, RiskScore> by_account;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const Hit& h = hits[i];
    const int weight = p.weights[static_cast<std::size_t>(h.pattern)];
    if (weight <= 0) continue;
    for (std::size_t k = 0; k < h.accounts.size(); ++k) {
      const int points = k == 0 ? weight : weight * p.member_percent / 100;
      if (points <= 0) continue;
      RiskScore& s = by_account[h.accounts[k]];
      s.id = h.accounts[k];
      s.score += points;
      s.reasons.push_back({i, h.pattern, points});
    }
  }
  std::vector<RiskScore> out;
  out.reserve(by_account.size());
  for (auto& [id, s] : by_account) out.push_back(std::move(s));
  rank(out);
  return out;
}

std::vector<RiskScore> party_risk(const Ledger& l, std::span<const RiskScore> account_scores) {
  std::unordered_map<PartyId, RiskScore> by_party;
  for (const RiskScore& a : account_scores) {
    const PartyId p = l.account_party(static_cast<AccountId>(a.id));
    if (p == 0) continue;
    RiskScore& s = by_party[p];
    s.id = p;
    s.score += a.score;
    s.reasons.insert(s.reasons.end(), a.reasons.begin(), a.reasons.end());
  }
  std::vector<RiskScore> out;
  out.reserve(by_party.size());
  for (auto& [id, s] : by_party) out.push_back(std::move(s));
  rank(out);
  return out;
}

Network network(const Ledger& l, AccountId subject, const NetworkParams& p) {
  if (subject >= l.account_count()) fail_invalid("subject", "network: no such account");
  Network n;
  n.subject = subject;
  std::unordered_map<AccountId, std::size_t> hops{{subject, 0}};
  std::deque<AccountId> queue{subject};
  n.nodes.emplace_back(subject, 0);
  auto in_range = [&](TxIndex t) {
    const Seconds time = l.times()[t];
    return (p.from == kNoTime || time >= p.from) && (p.to == kNoTime || time <= p.to);
  };
  while (!queue.empty()) {
    const AccountId a = queue.front();
    queue.pop_front();
    const std::size_t h = hops[a];
    if (h >= p.hops) continue;
    for (auto edges : {l.out_edges(a), l.in_edges(a)}) {
      for (TxIndex t : edges) {
        const AccountId other = l.senders()[t] == a ? l.receivers()[t] : l.senders()[t];
        if (other == kNoAccount || other == a || hops.count(other) || !in_range(t)) continue;
        if (n.nodes.size() >= p.max_nodes) {
          n.truncated = true;
          continue;
        }
        hops[other] = h + 1;
        n.nodes.emplace_back(other, h + 1);
        queue.push_back(other);
      }
    }
  }
  // Edges between kept nodes, aggregated per ordered pair; each transaction seen once from its
  // sender's out-list.
  std::map<std::pair<AccountId, AccountId>, NetworkEdge> edges;
  for (const auto& [a, h] : n.nodes) {
    for (TxIndex t : l.out_edges(a)) {
      const AccountId r = l.receivers()[t];
      if (r == kNoAccount || !hops.count(r) || !in_range(t)) continue;
      NetworkEdge& e = edges[{a, r}];
      e.from = a;
      e.to = r;
      ++e.count;
      e.total += l.amounts()[t];
      if (e.first_time == kNoTime) e.first_time = l.times()[t];  // out-list is in time order
      e.last_time = l.times()[t];
    }
  }
  for (auto& [key, e] : edges) n.edges.push_back(e);
  return n;
}

std::string network_json(const Ledger& l, const Network& n) {
  using nlohmann::ordered_json;
  auto time = [](Seconds t) -> ordered_json {
    if (t == kNoTime) return nullptr;
    return format_iso8601(t * 1000);
  };
  ordered_json nodes = ordered_json::array(), edges = ordered_json::array();
  for (const auto& [a, h] : n.nodes) {
    nodes.push_back({{"id", std::string(l.account_name(a))},
                     {"party", std::string(l.party_name(l.account_party(a)))},
                     {"country", std::string(l.account_country(a))},
                     {"hops", h}});
  }
  for (const auto& e : n.edges) {
    edges.push_back({{"from", std::string(l.account_name(e.from))},
                     {"to", std::string(l.account_name(e.to))},
                     {"count", e.count},
                     {"total_minor", e.total},
                     {"first_time", time(e.first_time)},
                     {"last_time", time(e.last_time)}});
  }
  ordered_json out = {{"subject", std::string(l.account_name(n.subject))},
                      {"truncated", n.truncated},
                      {"nodes", std::move(nodes)},
                      {"edges", std::move(edges)}};
  return out.dump();
}

}  // namespace ctis::finance
