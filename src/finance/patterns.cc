// Fan-in/out, scatter-gather, gather-scatter, bipartite blocks and stacks over the CSR graph.
#include <algorithm>
#include <map>
#include <set>

#include "core/core.h"
#include "finance/finance.h"
#include "finance/pattern_util.h"

namespace ctis::finance {

namespace detail {

Hit make_hit(const Ledger& l, Pattern p, std::vector<AccountId> accounts,
             std::vector<TxIndex> transactions, std::string explanation) {
  Hit h;
  h.pattern = p;
  std::sort(transactions.begin(), transactions.end());
  transactions.erase(std::unique(transactions.begin(), transactions.end()), transactions.end());
  h.accounts = std::move(accounts);
  h.transactions = std::move(transactions);
  if (!h.transactions.empty()) {
    h.first_time = l.times()[h.transactions.front()];  // time order = index order
    h.last_time = l.times()[h.transactions.back()];
  }
  for (TxIndex t : h.transactions) h.total_amount += l.amounts()[t];
  h.explanation = std::move(explanation);
  if (l.timed() && !h.transactions.empty()) h.explanation += span_text(l, h);
  return h;
}

std::string name(const Ledger& l, AccountId a) { return std::string(l.account_name(a)); }

std::string money(Minor v) {
  std::string sign = v < 0 ? "-" : "";
  Minor a = v < 0 ? -v : v;
  std::string cents = std::to_string(a % 100);
  if (cents.size() < 2) cents.insert(0, 1, '0');
  return sign + std::to_string(a / 100) + "." + cents;
}

std::string span_text(const Ledger& l, const Hit& h) {
  (void)l;
  const std::string from = format_iso8601(h.first_time * 1000).substr(0, 10);
  const std::string to = format_iso8601(h.last_time * 1000).substr(0, 10);
  return from == to ? " on " + from : " between " + from + " and " + to;
}

}  // namespace detail

namespace {

using detail::make_hit;
using detail::name;

constexpr std::string_view kPatternNames[] = {"fan_in",          "fan_out",
                                              "scatter_gather",  "gather_scatter",
                                              "bipartite",       "stack",
                                              "cycle",           "structuring",
                                              "funnel",          "rapid_in_out",
                                              "night_activity",  "ad_payments",
                                              "travel_bursts",   "off_hours_deposits",
                                              "cash_no_payroll", "no_payroll",
                                              "wage_pooling",    "shared_contact",
                                              "opaque_channels", "high_risk_corridor"};
static_assert(std::size(kPatternNames) == kPatternCount);

// Whether two times fit one window; always true on untimed ledgers.
bool within(const Ledger& l, Seconds a, Seconds b, Seconds window) {
  return !l.timed() || (b >= a ? b - a : a - b) <= window;
}

std::vector<Hit> fan(const Ledger& l, const FanParams& p, bool inward) {
  std::vector<Hit> hits;
  const auto times = l.times();
  const auto other = inward ? l.senders() : l.receivers();
  std::vector<std::uint32_t> count(l.account_count(), 0);
  std::vector<TxIndex> edges;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    edges.clear();
    for (TxIndex t : inward ? l.in_edges(a) : l.out_edges(a)) {
      if (other[t] != kNoAccount && other[t] != a && l.amounts()[t] >= p.min_amount) {
        edges.push_back(t);
      }
    }
    if (edges.size() < p.min_counterparties) continue;
    // Sliding window over time-ordered edges keeping the distinct counterparty count.
    std::size_t lo = 0, distinct = 0, best = 0, best_lo = 0, best_hi = 0;
    for (std::size_t hi = 0; hi < edges.size(); ++hi) {
      if (count[other[edges[hi]]]++ == 0) ++distinct;
      while (!within(l, times[edges[lo]], times[edges[hi]], p.window)) {
        if (--count[other[edges[lo++]]] == 0) --distinct;
      }
      // Prefer the widest window among equals starting at the same edge.
      if (distinct > best || (distinct == best && lo == best_lo)) {
        best = distinct, best_lo = lo, best_hi = hi + 1;
      }
    }
    for (std::size_t i = lo; i < edges.size(); ++i) count[other[edges[i]]] = 0;
    if (best < p.min_counterparties) continue;
    std::vector<AccountId> members{a};
    std::vector<TxIndex> txs(edges.begin() + static_cast<std::ptrdiff_t>(best_lo),
                             edges.begin() + static_cast<std::ptrdiff_t>(best_hi));
    for (TxIndex t : txs) members.push_back(other[t]);
    std::sort(members.begin() + 1, members.end());
    members.erase(std::unique(members.begin() + 1, members.end()), members.end());
    const std::string text = name(l, a) + (inward ? " received from " : " paid ") +
                             std::to_string(best) + " distinct accounts in " +
                             std::to_string(txs.size()) + " transactions";
    hits.push_back(
        make_hit(l, inward ? Pattern::fan_in : Pattern::fan_out, members, std::move(txs), text));
  }
  return hits;
}

// A complete bipartite block: every sender pays every receiver.
struct Block {
  std::vector<AccountId> senders, receivers;  // sorted
  std::vector<TxIndex> edges;                 // earliest transaction of each pair
};

// The earliest transaction from s to r, or nullopt.
std::optional<TxIndex> first_edge(const Ledger& l, AccountId s, AccountId r) {
  const auto to = l.out_neighbors(s);
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (to[i] == r) return l.out_edges(s)[i];
  }
  return std::nullopt;
}

// Every complete block, whatever its time span (bipartite() filters by the window, stack()
// checks whole chains): for each receiver r, its senders, the accounts they also pay ranked
// by how many payments from them they received, and greedily every such account that keeps at
// least min_senders senders paying all receivers so far.
std::vector<Block> find_blocks(const Ledger& l, const BlockParams& p) {
  const std::size_t n = l.account_count();
  struct Scratch {
    std::uint32_t mark = 0;   // stamp: a sender of the current r
    std::uint32_t count = 0;  // payments from those senders (capped), then candidate rank + 1
  };
  std::vector<Scratch> acc(n);
  std::uint32_t stamp = 0;
  std::set<std::pair<std::vector<AccountId>, std::vector<AccountId>>> seen;
  std::vector<Block> blocks;
  std::vector<AccountId> s0, touched;
  std::vector<std::pair<std::uint32_t, AccountId>> candidates;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> payers;  // (candidate rank, sender index)
  std::vector<std::uint32_t> payer_stamp;
  std::vector<char> alive;
  std::uint32_t payer_round = 0;
  for (AccountId r = 0; r < n; ++r) {
    s0.clear();
    ++stamp;
    for (AccountId s : l.in_neighbors(r)) {
      if (s != kNoAccount && s != r && acc[s].mark != stamp) acc[s].mark = stamp, s0.push_back(s);
    }
    if (s0.size() < p.min_senders) continue;
    const auto cap = static_cast<std::uint32_t>(s0.size());
    touched.clear();
    for (AccountId s : s0) {
      for (AccountId x : l.out_neighbors(s)) {
        if (x == kNoAccount || x == r) continue;
        Scratch& c = acc[x];
        if (c.mark == stamp) continue;  // the stamp marks senders
        if (c.count == 0) touched.push_back(x);
        if (c.count < cap) ++c.count;
      }
    }
    candidates.clear();
    for (AccountId x : touched) {
      if (acc[x].count >= p.min_senders) candidates.emplace_back(acc[x].count, x);
      acc[x].count = 0;
    }
    if (candidates.empty() && p.min_receivers > 1) continue;
    std::sort(candidates.begin(), candidates.end(), [](auto a, auto b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    // Which senders pay each candidate, by rank.
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      acc[candidates[k].second].count = static_cast<std::uint32_t>(k + 1);
    }
    payers.clear();
    for (std::uint32_t i = 0; i < s0.size(); ++i) {
      for (AccountId x : l.out_neighbors(s0[i])) {
        if (x == kNoAccount || x == r || acc[x].mark == stamp || acc[x].count == 0) continue;
        payers.emplace_back(acc[x].count - 1, i);
      }
    }
    for (const auto& c : candidates) acc[c.second].count = 0;
    std::sort(payers.begin(), payers.end());
    alive.assign(s0.size(), 1);
    payer_stamp.assign(s0.size(), 0);
    payer_round = 0;
    std::vector<AccountId> receivers{r};
    for (std::size_t k = 0, q = 0; k < candidates.size(); ++k) {
      const std::size_t begin = q;
      while (q < payers.size() && payers[q].first == k) ++q;
      ++payer_round;
      std::size_t kept = 0;
      for (std::size_t j = begin; j < q; ++j) {
        const std::uint32_t i = payers[j].second;
        if (alive[i] && payer_stamp[i] != payer_round) payer_stamp[i] = payer_round, ++kept;
      }
      if (kept < p.min_senders) continue;
      for (std::size_t i = 0; i < s0.size(); ++i)
        alive[i] = static_cast<char>(alive[i] != 0 && payer_stamp[i] == payer_round ? 1 : 0);
      receivers.push_back(candidates[k].second);
    }
    if (receivers.size() < p.min_receivers) continue;
    std::vector<AccountId> senders;
    for (std::size_t i = 0; i < s0.size(); ++i) {
      if (alive[i]) senders.push_back(s0[i]);
    }
    std::sort(senders.begin(), senders.end());
    std::sort(receivers.begin(), receivers.end());
    if (!seen.emplace(senders, receivers).second) continue;
    Block b{senders, receivers, {}};
    for (AccountId s : senders) {
      for (AccountId x : receivers) b.edges.push_back(*first_edge(l, s, x));
    }
    std::sort(b.edges.begin(), b.edges.end());
    blocks.push_back(std::move(b));
  }
  return blocks;
}

std::string list(const Ledger& l, const std::vector<AccountId>& accounts) {
  std::string out;
  for (AccountId a : accounts) out += (out.empty() ? "" : ", ") + name(l, a);
  return "{" + out + "}";
}

}  // namespace

std::string_view to_string(Pattern p) { return kPatternNames[static_cast<std::size_t>(p)]; }

std::optional<Pattern> parse_pattern(std::string_view name) {
  for (std::size_t i = 0; i < kPatternCount; ++i) {
    if (kPatternNames[i] == name) return static_cast<Pattern>(i);
  }
  return std::nullopt;
}

std::vector<Hit> fan_in(const Ledger& l, const FanParams& p) { return fan(l, p, true); }
std::vector<Hit> fan_out(const Ledger& l, const FanParams& p) { return fan(l, p, false); }

// The edges of `edges` (time-ordered) with times in [from, until], as index bounds.
std::pair<std::size_t, std::size_t> time_range(const Ledger& l, std::span<const TxIndex> edges,
                                               Seconds from, Seconds until) {
  const auto times = l.times();
  const auto lo =
      std::partition_point(edges.begin(), edges.end(), [&](TxIndex t) { return times[t] < from; });
  const auto hi =
      std::partition_point(lo, edges.end(), [&](TxIndex t) { return times[t] <= until; });
  return {static_cast<std::size_t>(lo - edges.begin()),
          static_cast<std::size_t>(hi - edges.begin())};
}

std::vector<Hit> scatter_gather(const Ledger& l, const FlowParams& p) {
  struct Path {
    AccountId sink, mid;
    TxIndex scatter, gather;
  };
  std::vector<Hit> hits;
  const auto times = l.times();
  const bool timed = l.timed();
  std::vector<std::uint32_t> mark(l.account_count(), 0);
  std::uint32_t stamp = 0;
  std::vector<Path> paths;
  std::vector<AccountId> mids;
  std::vector<TxIndex> txs;
  for (AccountId s = 0; s < l.account_count(); ++s) {
    paths.clear();
    const auto out = l.out_edges(s);
    const auto out_to = l.out_neighbors(s);
    for (std::size_t k = 0; k < out.size(); ++k) {
      const TxIndex e1 = out[k];
      const AccountId m = out_to[k];
      if (m == kNoAccount || m == s) continue;
      const auto forward = l.out_edges(m);
      const auto forward_to = l.out_neighbors(m);
      // Forwards after the receipt and inside the window: one run of the time-ordered list.
      auto [lo, hi] = timed ? time_range(l, forward, times[e1], times[e1] + p.window)
                            : std::pair<std::size_t, std::size_t>{0, forward.size()};
      for (std::size_t j = lo; j < hi; ++j) {
        const AccountId sink = forward_to[j];
        if (sink == kNoAccount || sink == s || sink == m) continue;
        paths.push_back({sink, m, e1, forward[j]});
      }
    }
    if (paths.size() < p.min_intermediates) continue;
    std::sort(paths.begin(), paths.end(), [](const Path& a, const Path& b) {
      return a.sink != b.sink ? a.sink < b.sink : a.scatter < b.scatter;
    });
    for (std::size_t g = 0; g < paths.size();) {
      std::size_t end = g;
      while (end < paths.size() && paths[end].sink == paths[g].sink) ++end;
      // Too few distinct intermediates in the whole group: no window can hold enough.
      ++stamp;
      std::size_t distinct = 0;
      for (std::size_t j = g; j < end && distinct < p.min_intermediates; ++j) {
        if (mark[paths[j].mid] != stamp) mark[paths[j].mid] = stamp, ++distinct;
      }
      if (distinct < p.min_intermediates) {
        g = end;
        continue;
      }
      // Earliest window start (a scatter time) holding enough distinct intermediates.
      for (std::size_t i = g; i + p.min_intermediates <= end; ++i) {
        ++stamp;
        mids.clear();
        txs.clear();
        for (std::size_t j = i; j < end; ++j) {
          const Path& q = paths[j];
          if (!within(l, times[paths[i].scatter], times[q.gather], p.window)) continue;
          if (mark[q.mid] == stamp) continue;
          mark[q.mid] = stamp;
          mids.push_back(q.mid);
          txs.push_back(q.scatter);
          txs.push_back(q.gather);
        }
        if (mids.size() < p.min_intermediates) continue;
        std::sort(mids.begin(), mids.end());
        std::vector<AccountId> members{s};
        members.insert(members.end(), mids.begin(), mids.end());
        members.push_back(paths[g].sink);
        hits.push_back(make_hit(l, Pattern::scatter_gather, members, txs,
                                name(l, s) + " paid " + std::to_string(mids.size()) +
                                    " accounts that each paid " + name(l, paths[g].sink)));
        break;
      }
      g = end;
    }
  }
  return hits;
}

std::vector<Hit> gather_scatter(const Ledger& l, const FlowParams& p) {
  std::vector<Hit> hits;
  const auto times = l.times();
  const bool timed = l.timed();
  std::vector<std::uint32_t> mark(l.account_count(), 0);
  std::uint32_t stamp = 0;
  std::vector<TxIndex> ins, outs;
  std::vector<AccountId> sources, targets;
  for (AccountId h = 0; h < l.account_count(); ++h) {
    if (l.in_edges(h).size() < p.min_sources || l.out_edges(h).size() < p.min_targets) continue;
    ins.clear();
    outs.clear();
    const auto in = l.in_edges(h);
    const auto in_from = l.in_neighbors(h);
    for (std::size_t k = 0; k < in.size(); ++k) {
      if (in_from[k] != kNoAccount && in_from[k] != h) ins.push_back(in[k]);
    }
    const auto out = l.out_edges(h);
    const auto out_to = l.out_neighbors(h);
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (out_to[k] != kNoAccount && out_to[k] != h) outs.push_back(out[k]);
    }
    if (ins.size() < p.min_sources || outs.size() < p.min_targets) continue;
    for (std::size_t i = 0; i < ins.size(); ++i) {
      // Gather: from ins[i] until min_sources distinct senders have paid (at time c).
      ++stamp;
      sources.clear();
      targets.clear();
      std::size_t j = i;
      for (; j < ins.size() && sources.size() < p.min_sources; ++j) {
        if (!within(l, times[ins[i]], times[ins[j]], p.window)) break;
        AccountId s = l.senders()[ins[j]];
        if (mark[s] != stamp) mark[s] = stamp, sources.push_back(s);
      }
      if (sources.size() < p.min_sources) {
        if (timed) continue;
        break;
      }
      const Seconds c = times[ins[j - 1]];  // the gather is complete from here
      // Scatter: payments after the gather completed, inside the window.
      auto [lo, hi] = timed ? time_range(l, outs, c, times[ins[i]] + p.window)
                            : std::pair<std::size_t, std::size_t>{0, outs.size()};
      if (hi - lo < p.min_targets) {
        if (timed) continue;
        break;
      }
      const std::uint32_t source_stamp = stamp;
      ++stamp;
      for (std::size_t k = lo; k < hi; ++k) {
        AccountId x = l.receivers()[outs[k]];
        if (mark[x] != stamp) mark[x] = stamp, targets.push_back(x);
      }
      if (targets.size() < p.min_targets) {
        if (timed) continue;
        break;
      }
      // A hit: the gather's transactions, later receipts inside the window joining it.
      std::vector<TxIndex> txs(ins.begin() + static_cast<std::ptrdiff_t>(i),
                               ins.begin() + static_cast<std::ptrdiff_t>(j));
      for (; j < ins.size() && within(l, times[ins[i]], times[ins[j]], p.window); ++j) {
        txs.push_back(ins[j]);
        AccountId s = l.senders()[ins[j]];
        // Targets took the newer stamp; a sender is new unless already among the sources.
        if (mark[s] != source_stamp &&
            std::find(sources.begin(), sources.end(), s) == sources.end()) {
          sources.push_back(s);
        }
      }
      txs.insert(txs.end(), outs.begin() + static_cast<std::ptrdiff_t>(lo),
                 outs.begin() + static_cast<std::ptrdiff_t>(hi));
      std::sort(sources.begin(), sources.end());
      std::sort(targets.begin(), targets.end());
      std::vector<AccountId> members{h};
      members.insert(members.end(), sources.begin(), sources.end());
      members.insert(members.end(), targets.begin(), targets.end());
      hits.push_back(make_hit(l, Pattern::gather_scatter, members, std::move(txs),
                              name(l, h) + " received from " + std::to_string(sources.size()) +
                                  " accounts and paid " + std::to_string(targets.size())));
      break;
    }
  }
  return hits;
}

namespace {

std::vector<Hit> bipartite_of(const Ledger& l, const BlockParams& p, std::vector<Block> blocks) {
  std::vector<Hit> hits;
  for (Block& b : blocks) {
    if (!within(l, l.times()[b.edges.front()], l.times()[b.edges.back()], p.window)) continue;
    std::vector<AccountId> members = b.senders;
    members.insert(members.end(), b.receivers.begin(), b.receivers.end());
    std::string text = "each of " + list(l, b.senders) + " paid each of " + list(l, b.receivers);
    hits.push_back(make_hit(l, Pattern::bipartite, members, std::move(b.edges), text));
  }
  return hits;
}

std::vector<Hit> stack_of(const Ledger& l, const BlockParams& p, const std::vector<Block>& blocks);

}  // namespace

namespace detail {

std::pair<std::vector<Hit>, std::vector<Hit>> bipartite_and_stack(const Ledger& l,
                                                                  const BlockParams& p) {
  if (p.min_layers < 2 || p.max_layers < p.min_layers) {
    fail_invalid("min_layers", "stack: need 2 <= min_layers <= max_layers");
  }
  std::vector<Block> blocks = find_blocks(l, p);
  auto stacks = stack_of(l, p, blocks);
  return {bipartite_of(l, p, std::move(blocks)), std::move(stacks)};
}

}  // namespace detail

std::vector<Hit> stack(const Ledger& l, const BlockParams& p) {
  if (p.min_layers < 2 || p.max_layers < p.min_layers) {
    fail_invalid("min_layers", "stack: need 2 <= min_layers <= max_layers");
  }
  return stack_of(l, p, find_blocks(l, p));  // blocks of any span: chains are checked
}

namespace {

std::vector<Hit> stack_of(const Ledger& l, const BlockParams& p, const std::vector<Block>& blocks) {
  std::map<std::vector<AccountId>, std::vector<std::size_t>> by_senders;
  std::vector<bool> has_predecessor(blocks.size(), false);
  for (std::size_t i = 0; i < blocks.size(); ++i) by_senders[blocks[i].senders].push_back(i);
  for (const Block& b : blocks) {
    auto it = by_senders.find(b.receivers);
    if (it != by_senders.end()) {
      for (std::size_t k : it->second) has_predecessor[k] = true;
    }
  }
  std::vector<Hit> hits;
  std::vector<std::size_t> chain;
  // Depth-first over chains of blocks whose receivers are the next block's senders.
  auto extend = [&](auto&& self) -> void {
    const Block& last = blocks[chain.back()];
    bool extended = false;
    auto it = by_senders.find(last.receivers);
    if (it != by_senders.end() && chain.size() + 1 < p.max_layers) {
      for (std::size_t next : it->second) {
        const Block& b = blocks[next];
        if (std::find(chain.begin(), chain.end(), next) != chain.end()) continue;
        if (l.timed() && l.times()[b.edges.front()] < l.times()[last.edges.front()]) continue;
        chain.push_back(next);
        self(self);
        chain.pop_back();
        extended = true;
      }
    }
    if (extended || chain.size() + 1 < p.min_layers) return;
    std::vector<AccountId> members = blocks[chain.front()].senders;
    std::vector<TxIndex> txs;
    std::string text = list(l, blocks[chain.front()].senders);
    for (std::size_t k : chain) {
      members.insert(members.end(), blocks[k].receivers.begin(), blocks[k].receivers.end());
      txs.insert(txs.end(), blocks[k].edges.begin(), blocks[k].edges.end());
      text += " -> " + list(l, blocks[k].receivers);
    }
    std::sort(txs.begin(), txs.end());
    if (!within(l, l.times()[txs.front()], l.times()[txs.back()], p.window)) return;
    hits.push_back(
        make_hit(l, Pattern::stack, members, std::move(txs),
                 std::to_string(chain.size() + 1) + " layers paying on in full: " + text));
  };
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (has_predecessor[i]) continue;
    chain = {i};
    extend(extend);
  }
  return hits;
}

}  // namespace

std::vector<Hit> bipartite(const Ledger& l, const BlockParams& p) {
  return bipartite_of(l, p, find_blocks(l, p));
}

}  // namespace ctis::finance
