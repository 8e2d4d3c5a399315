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
  for (TxIndex t : l.out_edges(s)) {
    if (l.receivers()[t] == r) return t;
  }
  return std::nullopt;
}

std::vector<Block> find_blocks(const Ledger& l, const BlockParams& p) {
  const std::size_t n = l.account_count();
  std::vector<std::uint32_t> count(n, 0), mark(n, 0);
  std::uint32_t stamp = 0;
  std::set<std::pair<std::vector<AccountId>, std::vector<AccountId>>> seen;
  std::vector<Block> blocks;
  std::vector<AccountId> s0, touched;
  for (AccountId r = 0; r < n; ++r) {
    s0.clear();
    ++stamp;
    for (TxIndex t : l.in_edges(r)) {
      AccountId s = l.senders()[t];
      if (s != kNoAccount && s != r && mark[s] != stamp) mark[s] = stamp, s0.push_back(s);
    }
    if (s0.size() < p.min_senders) continue;
    // Candidate co-receivers, by how many of r's senders also pay them.
    touched.clear();
    for (AccountId s : s0) {
      for (TxIndex t : l.out_edges(s)) {
        AccountId x = l.receivers()[t];
        if (x == kNoAccount || x == r || mark[x] == stamp) continue;  // stamp marks senders
        if (count[x] == 0) touched.push_back(x);
        if (count[x] < s0.size()) ++count[x];
      }
    }
    std::vector<std::pair<std::uint32_t, AccountId>> candidates;
    for (AccountId x : touched) {
      if (count[x] >= p.min_senders) candidates.emplace_back(count[x], x);
      count[x] = 0;
    }
    std::sort(candidates.begin(), candidates.end(), [](auto a, auto b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<AccountId> senders = s0, receivers{r};
    for (auto [c, x] : candidates) {
      std::vector<AccountId> kept;
      for (AccountId s : senders) {
        if (first_edge(l, s, x)) kept.push_back(s);
      }
      if (kept.size() >= p.min_senders) senders = std::move(kept), receivers.push_back(x);
    }
    if (receivers.size() < p.min_receivers) continue;
    std::sort(senders.begin(), senders.end());
    std::sort(receivers.begin(), receivers.end());
    if (!seen.emplace(senders, receivers).second) continue;
    Block b{senders, receivers, {}};
    for (AccountId s : senders) {
      for (AccountId x : receivers) b.edges.push_back(*first_edge(l, s, x));
    }
    std::sort(b.edges.begin(), b.edges.end());
    if (!within(l, l.times()[b.edges.front()], l.times()[b.edges.back()], p.window)) continue;
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

std::vector<Hit> scatter_gather(const Ledger& l, const FlowParams& p) {
  struct Path {
    AccountId sink, mid;
    TxIndex scatter, gather;
  };
  std::vector<Hit> hits;
  const auto times = l.times();
  const auto to = l.receivers();
  std::vector<std::uint32_t> mark(l.account_count(), 0);
  std::uint32_t stamp = 0;
  std::vector<Path> paths;
  for (AccountId s = 0; s < l.account_count(); ++s) {
    paths.clear();
    for (TxIndex e1 : l.out_edges(s)) {
      AccountId m = to[e1];
      if (m == kNoAccount || m == s) continue;
      for (TxIndex e2 : l.out_edges(m)) {
        AccountId sink = to[e2];
        if (sink == kNoAccount || sink == s || sink == m) continue;
        if (l.timed() && (times[e2] < times[e1] || times[e2] - times[e1] > p.window)) continue;
        paths.push_back({sink, m, e1, e2});
      }
    }
    std::sort(paths.begin(), paths.end(), [](const Path& a, const Path& b) {
      return a.sink != b.sink ? a.sink < b.sink : a.scatter < b.scatter;
    });
    for (std::size_t g = 0; g < paths.size();) {
      std::size_t end = g;
      while (end < paths.size() && paths[end].sink == paths[g].sink) ++end;
      // Earliest window start (a scatter time) holding enough distinct intermediates.
      for (std::size_t i = g; i < end; ++i) {
        ++stamp;
        std::vector<AccountId> mids;
        std::vector<TxIndex> txs;
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
        hits.push_back(make_hit(l, Pattern::scatter_gather, members, std::move(txs),
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
  std::vector<std::uint32_t> mark(l.account_count(), 0);
  std::uint32_t stamp = 0;
  std::vector<TxIndex> ins, outs;
  for (AccountId h = 0; h < l.account_count(); ++h) {
    ins.clear();
    outs.clear();
    for (TxIndex t : l.in_edges(h)) {
      if (l.senders()[t] != kNoAccount && l.senders()[t] != h) ins.push_back(t);
    }
    for (TxIndex t : l.out_edges(h)) {
      if (l.receivers()[t] != kNoAccount && l.receivers()[t] != h) outs.push_back(t);
    }
    if (ins.size() < p.min_sources || outs.size() < p.min_targets) continue;
    for (std::size_t i = 0; i < ins.size(); ++i) {
      // Gather: from ins[i] until min_sources distinct senders have paid (at time c).
      ++stamp;
      std::vector<AccountId> sources, targets;
      std::vector<TxIndex> txs;
      std::size_t j = i;
      for (; j < ins.size() && sources.size() < p.min_sources; ++j) {
        if (!within(l, times[ins[i]], times[ins[j]], p.window)) break;
        txs.push_back(ins[j]);
        AccountId s = l.senders()[ins[j]];
        if (mark[s] != stamp) mark[s] = stamp, sources.push_back(s);
      }
      if (sources.size() < p.min_sources) {
        if (l.timed()) continue;
        break;
      }
      const Seconds c = times[ins[j - 1]];  // the gather is complete from here
      // Later receipts inside the window join the gather too.
      for (; j < ins.size() && within(l, times[ins[i]], times[ins[j]], p.window); ++j) {
        txs.push_back(ins[j]);
        AccountId s = l.senders()[ins[j]];
        if (mark[s] != stamp) mark[s] = stamp, sources.push_back(s);
      }
      // Scatter: payments after the gather completed, inside the window.
      ++stamp;
      for (TxIndex t : outs) {
        if (l.timed() && (times[t] < c || !within(l, times[ins[i]], times[t], p.window))) continue;
        txs.push_back(t);
        AccountId x = l.receivers()[t];
        if (mark[x] != stamp) mark[x] = stamp, targets.push_back(x);
      }
      if (targets.size() < p.min_targets) {
        if (l.timed()) continue;
        break;
      }
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

std::vector<Hit> bipartite(const Ledger& l, const BlockParams& p) {
  std::vector<Hit> hits;
  for (Block& b : find_blocks(l, p)) {
    std::vector<AccountId> members = b.senders;
    members.insert(members.end(), b.receivers.begin(), b.receivers.end());
    std::string text = "each of " + list(l, b.senders) + " paid each of " + list(l, b.receivers);
    hits.push_back(make_hit(l, Pattern::bipartite, members, std::move(b.edges), text));
  }
  return hits;
}

std::vector<Hit> stack(const Ledger& l, const BlockParams& p) {
  if (p.min_layers < 2 || p.max_layers < p.min_layers) {
    fail_invalid("min_layers", "stack: need 2 <= min_layers <= max_layers");
  }
  BlockParams loose = p;
  loose.window = std::numeric_limits<Seconds>::max();  // the chain's span is checked below
  std::vector<Block> blocks = find_blocks(l, loose);
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

}  // namespace ctis::finance
