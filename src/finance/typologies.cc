// Red-flag typology detectors over one account's time-ordered transactions, with parameters
// from the versioned typologies file.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "core/refdata.h"
#include "finance/finance.h"
#include "finance/pattern_util.h"

namespace ctis::finance {

namespace {

using nlohmann::json;

void require_times(const Ledger& l, std::string_view what) {
  if (!l.timed()) fail_invalid(std::string(what), std::string(what) + " needs transaction times");
}

using detail::money;

// Reads an integer member, naming the JSON pointer on error.
template <typename T>
void read(const json& j, const std::string& pointer, const char* key, T& out, long long lo,
          long long hi) {
  if (!j.contains(key)) return;
  const std::string at = pointer + "/" + key;
  if (!j[key].is_number_integer()) fail_invalid(at, "typologies: " + at + " must be an integer");
  const auto v = j[key].get<long long>();
  if (v < lo || v > hi) {
    fail_invalid(
        at, "typologies: " + at + " must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  out = static_cast<T>(v);
}

const json& section(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_object()) {
    fail_invalid(std::string("/") + key, std::string("typologies: missing object /") + key);
  }
  return j[key];
}

}  // namespace

namespace {

TypologyParams typologies_from_json(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    fail_invalid("", std::string("typologies: not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("version") || !j["version"].is_string()) {
    fail_invalid("/version", "typologies: version must be a string");
  }
  constexpr long long kMax = 1LL << 53;
  TypologyParams p;
  p.version = j["version"].get<std::string>();
  {
    const json& s = section(j, "structuring");
    auto& q = p.structuring;
    long long days = 7;
    read(s, "/structuring", "threshold", q.threshold, 1, kMax);
    read(s, "/structuring", "margin_percent", q.margin_percent, 1, 100);
    read(s, "/structuring", "min_count", q.min_count, 2, 1000000);
    read(s, "/structuring", "window_days", days, 1, 3660);
    q.window = static_cast<Seconds>(days) * 86400;
    if (s.contains("channels")) {
      q.channels.clear();
      for (const auto& c : s["channels"]) {
        auto channel = c.is_string() ? parse_channel(c.get<std::string>()) : std::nullopt;
        if (!channel) fail_invalid("/structuring/channels", "typologies: unknown channel");
        q.channels.push_back(*channel);
      }
    }
  }
  {
    const json& s = section(j, "funnel");
    auto& q = p.funnel;
    long long days = 7, out_days = 3;
    read(s, "/funnel", "min_locations", q.min_locations, 2, 1000000);
    read(s, "/funnel", "min_deposits", q.min_deposits, 1, 1000000);
    read(s, "/funnel", "window_days", days, 1, 3660);
    read(s, "/funnel", "outflow_within_days", out_days, 0, 3660);
    read(s, "/funnel", "outflow_share_percent", q.outflow_share_percent, 1, 100);
    q.window = static_cast<Seconds>(days) * 86400;
    q.outflow_within = static_cast<Seconds>(out_days) * 86400;
  }
  {
    const json& s = section(j, "rapid_in_out");
    auto& q = p.rapid_in_out;
    long long hours = 48;
    read(s, "/rapid_in_out", "min_amount", q.min_amount, 0, kMax);
    read(s, "/rapid_in_out", "within_hours", hours, 1, 24LL * 3660);
    read(s, "/rapid_in_out", "outflow_share_percent", q.outflow_share_percent, 1, 100);
    read(s, "/rapid_in_out", "min_events", q.min_events, 1, 1000000);
    q.within = static_cast<Seconds>(hours) * 3600;
  }
  {
    const json& s = section(j, "night_activity");
    auto& q = p.night;
    read(s, "/night_activity", "start_hour", q.start_hour, 0, 23);
    read(s, "/night_activity", "end_hour", q.end_hour, 0, 23);
    read(s, "/night_activity", "utc_offset_minutes", q.utc_offset_minutes, -14LL * 60, 14LL * 60);
    read(s, "/night_activity", "min_count", q.min_count, 1, 1000000);
    read(s, "/night_activity", "min_share_percent", q.min_share_percent, 1, 100);
  }
  detail::read_more_typologies(j, p);
  return p;
}

}  // namespace

TypologyParams TypologyParams::from_json(std::string_view json_text) {
  try {
    return typologies_from_json(json_text);
  } catch (const nlohmann::json::exception& e) {
    // A member of the wrong type, e.g. a number where a string belongs.
    fail_invalid("", std::string("typologies: ") + e.what());
  }
}

const TypologyParams& TypologyParams::defaults() {
  static const TypologyParams p = [] {
    auto it = reference_files().find("finance/typologies.json");
    if (it == reference_files().end()) {
      throw Error(ErrorKind::internal, "internal", "finance/typologies.json is not compiled in");
    }
    return from_json(it->second);
  }();
  return p;
}

std::vector<Hit> structuring(const Ledger& l, const StructuringParams& p) {
  require_times(l, "structuring");
  const Minor floor = p.threshold - p.threshold * p.margin_percent / 100;
  std::vector<Hit> hits;
  std::vector<TxIndex> near;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    near.clear();
    for (TxIndex t : l.in_edges(a)) {
      const Minor v = l.amounts()[t];
      if (v >= floor && v < p.threshold &&
          std::find(p.channels.begin(), p.channels.end(), l.channels()[t]) != p.channels.end()) {
        near.push_back(t);
      }
    }
    // The first window with enough deposits, widened to all deposits inside it.
    for (std::size_t lo = 0; lo + p.min_count <= near.size(); ++lo) {
      std::size_t hi = lo;
      Minor total = 0;
      while (hi < near.size() && l.times()[near[hi]] - l.times()[near[lo]] <= p.window) {
        total += l.amounts()[near[hi++]];
      }
      if (hi - lo < p.min_count || total < p.threshold) continue;
      std::vector<TxIndex> txs(near.begin() + static_cast<std::ptrdiff_t>(lo),
                               near.begin() + static_cast<std::ptrdiff_t>(hi));
      hits.push_back(detail::make_hit(l, Pattern::structuring, {a}, std::move(txs),
                                      detail::name(l, a) + " received " + std::to_string(hi - lo) +
                                          " deposits just below the threshold of " +
                                          money(p.threshold) + ", " + money(total) + " in all"));
      break;
    }
  }
  return hits;
}

std::vector<Hit> funnel_accounts(const Ledger& l, const FunnelParams& p) {
  require_times(l, "funnel");
  std::vector<Hit> hits;
  std::vector<TxIndex> cash;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    cash.clear();
    for (TxIndex t : l.in_edges(a)) {
      if (l.channels()[t] == Channel::cash) cash.push_back(t);
    }
    if (cash.size() < p.min_deposits) continue;
    const auto outs = l.out_edges(a);
    for (std::size_t lo = 0; lo < cash.size(); ++lo) {
      std::set<std::string_view> places;
      Minor in = 0;
      std::size_t hi = lo;
      for (; hi < cash.size() && l.times()[cash[hi]] - l.times()[cash[lo]] <= p.window; ++hi) {
        places.insert(l.location(cash[hi]));
        in += l.amounts()[cash[hi]];
      }
      if (hi - lo < p.min_deposits || places.size() < p.min_locations) continue;
      const Seconds first = l.times()[cash[lo]], until = l.times()[cash[hi - 1]] + p.outflow_within;
      std::vector<TxIndex> txs(cash.begin() + static_cast<std::ptrdiff_t>(lo),
                               cash.begin() + static_cast<std::ptrdiff_t>(hi));
      Minor out = 0;
      std::vector<AccountId> members{a};
      for (TxIndex t : outs) {
        if (l.times()[t] < first || l.times()[t] > until) continue;
        out += l.amounts()[t];
        txs.push_back(t);
        if (l.receivers()[t] != kNoAccount) members.push_back(l.receivers()[t]);
      }
      if (out * 100 < in * p.outflow_share_percent) continue;
      std::sort(members.begin() + 1, members.end());
      members.erase(std::unique(members.begin() + 1, members.end()), members.end());
      hits.push_back(detail::make_hit(l, Pattern::funnel, members, std::move(txs),
                                      detail::name(l, a) + " took " + money(in) + " in cash at " +
                                          std::to_string(places.size()) + " locations and moved " +
                                          money(out) + " out"));
      break;
    }
  }
  return hits;
}

std::vector<Hit> rapid_in_out(const Ledger& l, const RapidInOutParams& p) {
  require_times(l, "rapid_in_out");
  std::vector<Hit> hits;
  for (AccountId a = 0; a < l.account_count(); ++a) {
    const auto ins = l.in_edges(a), outs = l.out_edges(a);
    if (ins.size() < p.min_events || outs.empty()) continue;
    std::vector<TxIndex> txs;
    std::size_t events = 0;
    std::size_t first_out = 0;
    for (TxIndex t : ins) {
      const Minor v = l.amounts()[t];
      if (v < p.min_amount) continue;
      while (first_out < outs.size() && l.times()[outs[first_out]] < l.times()[t]) ++first_out;
      Minor out = 0;
      std::size_t k = first_out;
      for (; k < outs.size() && l.times()[outs[k]] - l.times()[t] <= p.within; ++k) {
        out += l.amounts()[outs[k]];
      }
      if (out * 100 < v * p.outflow_share_percent) continue;
      ++events;
      txs.push_back(t);
      txs.insert(txs.end(), outs.begin() + static_cast<std::ptrdiff_t>(first_out),
                 outs.begin() + static_cast<std::ptrdiff_t>(k));
    }
    if (events < p.min_events) continue;
    hits.push_back(detail::make_hit(
        l, Pattern::rapid_in_out, {a}, std::move(txs),
        detail::name(l, a) + ": " + std::to_string(events) + " receipts of which at least " +
            std::to_string(p.outflow_share_percent) + "% left again within " +
            std::to_string(p.within / 3600) + " hours"));
  }
  return hits;
}

std::vector<Hit> night_activity(const Ledger& l, const NightParams& p) {
  require_times(l, "night_activity");
  std::vector<Hit> hits;
  auto at_night = [&](Seconds t) {
    Seconds local = t + static_cast<Seconds>(p.utc_offset_minutes) * 60;
    auto hour = static_cast<int>(((local % 86400) + 86400) % 86400 / 3600);
    return p.start_hour > p.end_hour ? (hour >= p.start_hour || hour < p.end_hour)
                                     : (hour >= p.start_hour && hour < p.end_hour);
  };
  for (AccountId a = 0; a < l.account_count(); ++a) {
    std::vector<TxIndex> night;
    std::size_t all = 0;
    for (auto edges : {l.out_edges(a), l.in_edges(a)}) {
      for (TxIndex t : edges) {
        ++all;
        if (at_night(l.times()[t])) night.push_back(t);
      }
    }
    if (night.size() < p.min_count || night.size() * 100 < all * p.min_share_percent) continue;
    const std::size_t count = night.size();
    hits.push_back(detail::make_hit(l, Pattern::night_activity, {a}, std::move(night),
                                    detail::name(l, a) + ": " + std::to_string(count) + " of " +
                                        std::to_string(all) + " transactions between " +
                                        std::to_string(p.start_hour) + ":00 and " +
                                        std::to_string(p.end_hour) + ":00 local time"));
  }
  return hits;
}

std::vector<Hit> red_flags(const Ledger& l, const TypologyParams& p) {
  std::vector<Hit> all;
  for (auto i = static_cast<std::size_t>(Pattern::structuring); i < kPatternCount; ++i) {
    auto more = run_pattern(l, static_cast<Pattern>(i), p);
    all.insert(all.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  return all;
}

}  // namespace ctis::finance
