// The trafficking red flags of domain.md section 5 beyond structuring, funnels, rapid in-out
// and night-time activity. Each works per account over its time-ordered CSR lists; each hit's
// explanation names the rule (the pattern's name) and the thresholds it was held against.
#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <set>
#include <thread>

#include "core/core.h"
#include "finance/finance.h"
#include "finance/pattern_util.h"

namespace ctis::finance {

namespace {

using detail::make_hit;
using detail::money;
using detail::name;

void require_times(const Ledger& l, const char* what) {
  if (!l.timed()) fail_invalid(what, std::string(what) + " needs transaction times");
}

std::string days_text(Seconds s) { return std::to_string(s / kSecondsPerDay) + " days"; }

bool has(const std::vector<std::string>& v, std::string_view s) {
  return !s.empty() && std::find(v.begin(), v.end(), s) != v.end();
}

// Whether transaction t matches, seen from account `self` (the counterparty is the other side).
bool matches(const Ledger& l, const Selector& s, TxIndex t, AccountId self) {
  if (s.mccs.contains(l.mccs()[t])) return true;
  if (std::find(s.channels.begin(), s.channels.end(), l.channels()[t]) != s.channels.end()) {
    return true;
  }
  const AccountId other = l.senders()[t] == self ? l.receivers()[t] : l.senders()[t];
  return other != kNoAccount && has(s.counterparty_kinds, l.account_kind(other));
}

// The first run of sorted transactions that spans at most `window` and satisfies `enough`,
// widened to every transaction inside that span; empty when there is none.
template <typename Enough>
std::vector<TxIndex> first_window(const Ledger& l, const std::vector<TxIndex>& txs, Seconds window,
                                  Enough enough) {
  std::size_t hi = 0;
  for (std::size_t lo = 0; lo < txs.size(); ++lo) {
    hi = std::max(hi, lo);
    while (hi < txs.size() && l.times()[txs[hi]] - l.times()[txs[lo]] <= window) ++hi;
    std::span<const TxIndex> run(txs.data() + lo, hi - lo);
    if (enough(run)) {
      return std::vector<TxIndex>(txs.begin() + static_cast<std::ptrdiff_t>(lo),
                                  txs.begin() + static_cast<std::ptrdiff_t>(hi));
    }
  }
  return {};
}

Minor total_of(const Ledger& l, std::span<const TxIndex> txs) {
  Minor sum = 0;
  for (TxIndex t : txs) sum += l.amounts()[t];
  return sum;
}

int local_hour(Seconds t, int utc_offset_minutes) {
  const Seconds local = t + static_cast<Seconds>(utc_offset_minutes) * 60;
  return static_cast<int>(((local % kSecondsPerDay) + kSecondsPerDay) % kSecondsPerDay / 3600);
}

// Outgoing amount of `a` in [from, until], and those transactions appended to `txs`.
Minor outflow(const Ledger& l, AccountId a, Seconds from, Seconds until, std::vector<TxIndex>& txs,
              std::vector<AccountId>* receivers = nullptr) {
  Minor out = 0;
  for (TxIndex t : l.out_edges(a)) {
    if (l.times()[t] < from || l.times()[t] > until) continue;
    out += l.amounts()[t];
    txs.push_back(t);
    if (receivers && l.receivers()[t] != kNoAccount) receivers->push_back(l.receivers()[t]);
  }
  return out;
}

std::string short_hash(std::uint64_t h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int shift = 60; shift >= 32; shift -= 4) out += kHex[(h >> shift) & 0xF];
  return out;
}

}  // namespace

std::vector<Hit> ad_payments(const Ledger& l, const AdPaymentParams& p) {
  require_times(l, "ad_payments");
  std::vector<Hit> hits;
  std::vector<TxIndex> small;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    small.clear();
    for (TxIndex t : l.out_edges(a)) {
      if (l.amounts()[t] <= p.max_amount && matches(l, p.targets, t, a)) small.push_back(t);
    }
    if (small.size() < p.min_count) continue;
    auto txs =
        first_window(l, small, p.window, [&](auto run) { return run.size() >= p.min_count; });
    if (txs.empty()) continue;
    const std::size_t n = txs.size();
    const Minor total = total_of(l, txs);
    hits.push_back(make_hit(l, Pattern::ad_payments, {a}, std::move(txs),
                            "ad_payments: " + name(l, a) + " made " + std::to_string(n) +
                                " payments of at most " + money(p.max_amount) +
                                " to escort or classified-ad counterparties, " + money(total) +
                                " in all (rule: at least " + std::to_string(p.min_count) +
                                " within " + days_text(p.window) + ")"));
  }
  return hits;
}

std::vector<Hit> travel_bursts(const Ledger& l, const TravelParams& p) {
  require_times(l, "travel_bursts");
  std::vector<Hit> hits;
  std::vector<TxIndex> travel;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    travel.clear();
    for (TxIndex t : l.out_edges(a)) {
      if (matches(l, p.targets, t, a)) travel.push_back(t);
    }
    if (travel.size() < p.min_count) continue;
    std::size_t cities = 0;
    auto txs = first_window(l, travel, p.window, [&](auto run) {
      if (run.size() < p.min_count) return false;
      std::set<std::string_view> places;
      for (TxIndex t : run) {
        if (!l.location(t).empty()) places.insert(l.location(t));
      }
      cities = places.size();
      return cities >= p.min_cities;
    });
    if (txs.empty()) continue;
    const std::size_t n = txs.size();
    hits.push_back(make_hit(l, Pattern::travel_bursts, {a}, std::move(txs),
                            "travel_bursts: " + name(l, a) + " paid " + std::to_string(n) +
                                " lodging, travel or ride charges in " + std::to_string(cities) +
                                " cities (rule: at least " + std::to_string(p.min_count) +
                                " charges in " + std::to_string(p.min_cities) + " cities within " +
                                days_text(p.window) + ")"));
  }
  return hits;
}

std::vector<Hit> off_hours_deposits(const Ledger& l, const OffHoursParams& p) {
  require_times(l, "off_hours_deposits");
  std::vector<Hit> hits;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    const PartyInfo& party = l.party_info(l.account_party(a));
    if (party.kind != PartyKind::business || party.open_hour < 0 || party.close_hour < 0) continue;
    const int open = static_cast<unsigned char>(party.open_hour);  // 0..24 here
    const int close = static_cast<unsigned char>(party.close_hour);
    auto closed = [&](int h) {
      if (open == close || (open == 0 && close == 24)) return false;  // always open
      return open < close ? (h < open || h >= close) : (h >= close && h < open);
    };
    std::vector<TxIndex> off;
    std::size_t all = 0;
    for (TxIndex t : l.in_edges(a)) {
      if (std::find(p.channels.begin(), p.channels.end(), l.channels()[t]) == p.channels.end()) {
        continue;
      }
      ++all;
      if (closed(local_hour(l.times()[t], p.utc_offset_minutes))) off.push_back(t);
    }
    if (off.size() < p.min_count ||
        off.size() * 100 < all * static_cast<std::size_t>(p.min_share_percent)) {
      continue;
    }
    const std::size_t n = off.size();
    hits.push_back(make_hit(
        l, Pattern::off_hours_deposits, {a}, std::move(off),
        "off_hours_deposits: " + std::to_string(n) + " of " + std::to_string(all) +
            " deposits into business account " + name(l, a) + " arrived outside its hours " +
            std::to_string(open) + ":00-" + std::to_string(close) + ":00 (rule: at least " +
            std::to_string(p.min_count) + " and " + std::to_string(p.min_share_percent) + "%)"));
  }
  return hits;
}

namespace {

bool pays_payroll(const Ledger& l, AccountId a, const PayrollParams& p) {
  for (TxIndex t : l.out_edges(a)) {
    if (has(p.payroll_purposes, l.purpose(t))) return true;
  }
  return false;
}

}  // namespace

std::vector<Hit> cash_no_payroll(const Ledger& l, const PayrollParams& p) {
  require_times(l, "cash_no_payroll");
  std::vector<Hit> hits;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    std::vector<TxIndex> cash;
    std::set<Seconds> weeks;
    bool ach = false;
    for (TxIndex t : l.in_edges(a)) {
      if (l.channels()[t] == Channel::cash) {
        cash.push_back(t);
        weeks.insert(l.times()[t] / (7 * kSecondsPerDay));
      }
      ach = ach || l.channels()[t] == Channel::ach;
    }
    if (cash.size() < p.min_cash_deposits || weeks.size() < p.min_cash_weeks || ach) continue;
    const Minor total = total_of(l, cash);
    if (total < p.min_cash_total || pays_payroll(l, a, p)) continue;
    bool ach_out = false;
    for (TxIndex t : l.out_edges(a)) ach_out = ach_out || l.channels()[t] == Channel::ach;
    if (ach_out) continue;
    const std::size_t n = cash.size();
    hits.push_back(
        make_hit(l, Pattern::cash_no_payroll, {a}, std::move(cash),
                 "cash_no_payroll: " + name(l, a) + " took " + std::to_string(n) +
                     " cash deposits (" + money(total) + ") over " + std::to_string(weeks.size()) +
                     " weeks with no ACH or payroll activity (rule: at least " +
                     std::to_string(p.min_cash_deposits) + " deposits, " + money(p.min_cash_total) +
                     ", in " + std::to_string(p.min_cash_weeks) + " weeks)"));
  }
  return hits;
}

std::vector<Hit> no_payroll(const Ledger& l, const PayrollParams& p) {
  require_times(l, "no_payroll");
  std::vector<Hit> hits;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    if (l.party_info(l.account_party(a)).kind != PartyKind::business) continue;
    const auto ins = l.in_edges(a);
    if (ins.size() < p.min_receipts) continue;
    const Minor revenue = total_of(l, ins);
    if (revenue < p.min_revenue || pays_payroll(l, a, p)) continue;
    std::string purposes;
    for (const auto& s : p.payroll_purposes) purposes += (purposes.empty() ? "" : ", ") + s;
    std::vector<TxIndex> receipts;
    receipts.reserve(ins.size());
    for (TxIndex t : ins) receipts.push_back(t);
    hits.push_back(make_hit(l, Pattern::no_payroll, {a}, std::move(receipts),
                            "no_payroll: business account " + name(l, a) + " received " +
                                std::to_string(ins.size()) + " payments (" + money(revenue) +
                                ") and made none for " + purposes + " (rule: at least " +
                                std::to_string(p.min_receipts) + " receipts, " +
                                money(p.min_revenue) + ")"));
  }
  return hits;
}

std::vector<Hit> wage_pooling(const Ledger& l, const WagePoolingParams& p) {
  require_times(l, "wage_pooling");
  std::vector<Hit> hits;
  std::vector<TxIndex> wages;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    wages.clear();
    for (TxIndex t : l.in_edges(a)) {
      if (has(p.wage_purposes, l.purpose(t))) wages.push_back(t);
    }
    if (wages.size() < p.min_wages) continue;
    Minor in = 0, out = 0;
    std::vector<TxIndex> outs;
    std::vector<AccountId> members{a};
    auto txs = first_window(l, wages, p.window, [&](auto run) {
      if (run.size() < p.min_wages) return false;
      in = total_of(l, run);
      outs.clear();
      members.resize(1);
      out = outflow(l, a, l.times()[run.front()], l.times()[run.back()] + p.outflow_within, outs,
                    &members);
      return out * 100 >= in * p.outflow_share_percent;
    });
    if (txs.empty()) continue;
    const std::size_t n = txs.size();
    txs.insert(txs.end(), outs.begin(), outs.end());
    std::sort(members.begin() + 1, members.end());
    members.erase(std::unique(members.begin() + 1, members.end()), members.end());
    hits.push_back(make_hit(
        l, Pattern::wage_pooling, std::move(members), std::move(txs),
        "wage_pooling: " + std::to_string(n) + " wage payments (" + money(in) + ") into " +
            name(l, a) + ", " + money(out) + " moved out within " + days_text(p.outflow_within) +
            " (rule: at least " + std::to_string(p.min_wages) + " wages within " +
            days_text(p.window) + ", " + std::to_string(p.outflow_share_percent) + "% out)"));
  }
  return hits;
}

std::vector<Hit> shared_contact(const Ledger& l, const SharedContactParams& p) {
  std::vector<Hit> hits;
  for (AccountId b = 0; b < l.account_count(); ++b) {
    const auto ins = l.in_edges(b);
    if (ins.size() < p.min_senders) continue;
    // contact kind and hash -> sending parties, and the accounts they sent from.
    std::map<std::pair<int, std::uint64_t>, std::set<PartyId>> groups;
    for (TxIndex t : ins) {
      const AccountId s = l.senders()[t];
      if (s == kNoAccount || l.account_party(s) == 0) continue;
      const PartyInfo& info = l.party_info(l.account_party(s));
      const std::uint64_t contacts[] = {info.phone, info.email, info.address};
      for (int k = 0; k < 3; ++k) {
        if (contacts[k] != 0) groups[{k, contacts[k]}].insert(l.account_party(s));
      }
    }
    const auto best = std::max_element(groups.begin(), groups.end(), [](auto& x, auto& y) {
      return x.second.size() < y.second.size();
    });
    if (best == groups.end() || best->second.size() < p.min_senders) continue;
    const auto [kind, hash] = best->first;
    std::vector<TxIndex> txs;
    std::vector<AccountId> members{b};
    for (TxIndex t : ins) {
      const AccountId s = l.senders()[t];
      if (s == kNoAccount || !best->second.count(l.account_party(s))) continue;
      txs.push_back(t);
      members.push_back(s);
    }
    std::sort(members.begin() + 1, members.end());
    members.erase(std::unique(members.begin() + 1, members.end()), members.end());
    static constexpr const char* kKinds[] = {"phone number", "e-mail address", "postal address"};
    hits.push_back(make_hit(
        l, Pattern::shared_contact, std::move(members), std::move(txs),
        "shared_contact: " + std::to_string(best->second.size()) + " different senders to " +
            name(l, b) + " share one " + kKinds[kind] + " (hashed, ref " + short_hash(hash) +
            ") (rule: at least " + std::to_string(p.min_senders) + " senders)"));
  }
  return hits;
}

std::vector<Hit> opaque_channels(const Ledger& l, const OpaqueParams& p) {
  require_times(l, "opaque_channels");
  std::vector<Hit> hits;
  std::vector<TxIndex> opaque;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    opaque.clear();
    for (auto edges : {l.out_edges(a), l.in_edges(a)}) {
      for (TxIndex t : edges) {
        if (matches(l, p.targets, t, a)) opaque.push_back(t);
      }
    }
    if (opaque.size() < p.min_count) continue;
    std::sort(opaque.begin(), opaque.end());  // index order is time order
    auto txs = first_window(l, opaque, p.window, [&](auto run) {
      return run.size() >= p.min_count && total_of(l, run) >= p.min_total;
    });
    if (txs.empty()) continue;
    const std::size_t n = txs.size();
    const Minor total = total_of(l, txs);
    hits.push_back(make_hit(l, Pattern::opaque_channels, {a}, std::move(txs),
                            "opaque_channels: " + name(l, a) + " made " + std::to_string(n) +
                                " prepaid, crypto or payment-processor transactions (" +
                                money(total) + ") (rule: at least " + std::to_string(p.min_count) +
                                " and " + money(p.min_total) + " within " + days_text(p.window) +
                                ")"));
  }
  return hits;
}

std::vector<Hit> high_risk_corridors(const Ledger& l, const CorridorParams& p) {
  std::vector<Hit> hits;
  if (p.pairs.empty()) return hits;
  auto fits = [](const std::string& rule, std::string_view country) {
    return rule == "*" || rule == country;
  };
  for (AccountId a = 0; a < l.account_count(); ++a) {
    const std::string_view from = l.account_country(a);
    std::vector<TxIndex> txs;
    std::vector<AccountId> members{a};
    std::set<std::string> corridors;
    for (TxIndex t : l.out_edges(a)) {
      const AccountId r = l.receivers()[t];
      if (r == kNoAccount) continue;
      const std::string_view to = l.account_country(r);
      if (from.empty() || to.empty() || from == to) continue;
      for (const auto& [x, y] : p.pairs) {
        if (fits(x, from) && fits(y, to)) {
          txs.push_back(t);
          members.push_back(r);
          corridors.insert(std::string(from) + "->" + std::string(to));
          break;
        }
      }
    }
    if (txs.size() < p.min_count || txs.empty()) continue;
    const Minor total = total_of(l, txs);
    if (total < p.min_total) continue;
    std::string names;
    for (const auto& c : corridors) names += (names.empty() ? "" : ", ") + c;
    std::sort(members.begin() + 1, members.end());
    members.erase(std::unique(members.begin() + 1, members.end()), members.end());
    const std::size_t n = txs.size();
    hits.push_back(make_hit(l, Pattern::high_risk_corridor, std::move(members), std::move(txs),
                            "high_risk_corridor: " + name(l, a) + " sent " + std::to_string(n) +
                                " transfers (" + money(total) + ") on " + names +
                                " (rule: listed corridor, at least " + std::to_string(p.min_count) +
                                " transfers, " + money(p.min_total) + ")"));
  }
  return hits;
}

bool is_typology(Pattern p) {
  return p >= Pattern::structuring && p != Pattern::shared_contact &&
         p != Pattern::high_risk_corridor;
}

std::vector<Hit> run_pattern(const Ledger& l, Pattern p, const TypologyParams& t) {
  switch (p) {
    case Pattern::fan_in:
      return fan_in(l, {});
    case Pattern::fan_out:
      return fan_out(l, {});
    case Pattern::scatter_gather:
      return scatter_gather(l, {});
    case Pattern::gather_scatter:
      return gather_scatter(l, {});
    case Pattern::bipartite:
      return bipartite(l, {});
    case Pattern::stack:
      return stack(l, {});
    case Pattern::cycle:
      return temporal_cycles(l, {});
    case Pattern::structuring:
      return structuring(l, t.structuring);
    case Pattern::funnel:
      return funnel_accounts(l, t.funnel);
    case Pattern::rapid_in_out:
      return rapid_in_out(l, t.rapid_in_out);
    case Pattern::night_activity:
      return night_activity(l, t.night);
    case Pattern::ad_payments:
      return ad_payments(l, t.ad_payments);
    case Pattern::travel_bursts:
      return travel_bursts(l, t.travel);
    case Pattern::off_hours_deposits:
      return off_hours_deposits(l, t.off_hours);
    case Pattern::cash_no_payroll:
      return cash_no_payroll(l, t.payroll);
    case Pattern::no_payroll:
      return no_payroll(l, t.payroll);
    case Pattern::wage_pooling:
      return wage_pooling(l, t.wage_pooling);
    case Pattern::shared_contact:
      return shared_contact(l, t.shared_contact);
    case Pattern::opaque_channels:
      return opaque_channels(l, t.opaque);
    case Pattern::high_risk_corridor:
      return high_risk_corridors(l, t.corridors);
  }
  return {};
}

std::vector<std::vector<Hit>> run_patterns(const Ledger& l, std::span<const Pattern> patterns,
                                           const TypologyParams& t, unsigned threads) {
  const std::size_t n = patterns.size();
  std::vector<std::vector<Hit>> results(n);
  std::vector<std::exception_ptr> errors(n);
  // Jobs: one per pattern, except bipartite and stack which share one (the later one waits).
  const auto where = [&](Pattern p) {
    return static_cast<std::size_t>(std::find(patterns.begin(), patterns.end(), p) -
                                    patterns.begin());
  };
  const std::size_t bipartite_at = where(Pattern::bipartite), stack_at = where(Pattern::stack);
  const bool shared = bipartite_at < n && stack_at < n;
  std::vector<std::size_t> jobs;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(shared && i == std::max(bipartite_at, stack_at))) jobs.push_back(i);
  }
  // The graph searches first: the longest jobs start early and the short ones fill in.
  std::stable_sort(jobs.begin(), jobs.end(), [&](std::size_t a, std::size_t b) {
    return !is_typology(patterns[a]) && is_typology(patterns[b]);
  });
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t j = next++; j < jobs.size(); j = next++) {
      const std::size_t i = jobs[j];
      try {
        if (shared && i == std::min(bipartite_at, stack_at)) {
          auto [b, s] = detail::bipartite_and_stack(l, BlockParams{});
          results[bipartite_at] = std::move(b);
          results[stack_at] = std::move(s);
        } else {
          results[i] = run_pattern(l, patterns[i], t);
        }
      } catch (...) {
        errors[i] = std::current_exception();
        if (shared && i == std::min(bipartite_at, stack_at)) {
          errors[std::max(bipartite_at, stack_at)] = errors[i];
        }
      }
    }
  };
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < threads && k < jobs.size(); ++k) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return results;
}

}  // namespace ctis::finance
