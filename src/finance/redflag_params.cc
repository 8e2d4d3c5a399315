// The typologies file's sections for the trafficking red flags, risk weights and corridors.
// Every section is optional: an absent one keeps the documented defaults of finance.h.
#include <nlohmann/json.hpp>

#include "core/core.h"
#include "core/refdata.h"
#include "finance/finance.h"
#include "finance/pattern_util.h"

namespace ctis::finance {

bool MccSet::contains(std::uint16_t mcc) const {
  if (mcc == 0) return false;
  for (const auto& [lo, hi] : ranges) {
    if (mcc >= lo && mcc <= hi) return true;
  }
  return false;
}

namespace detail {

namespace {

using nlohmann::json;
constexpr long long kMaxMinor = 1LL << 53;

[[noreturn]] void bad(const std::string& at, const std::string& what) {
  fail_invalid(at, "typologies: " + at + " " + what);
}

template <typename T>
void integer(const json& s, const std::string& at, const char* key, T& out, long long lo,
             long long hi) {
  if (!s.contains(key)) return;
  const std::string here = at + "/" + key;
  if (!s[key].is_number_integer()) bad(here, "must be an integer");
  const auto v = s[key].get<long long>();
  if (v < lo || v > hi) bad(here, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  out = static_cast<T>(v);
}

void days(const json& s, const std::string& at, const char* key, Seconds& out) {
  long long d = out / kSecondsPerDay;
  integer(s, at, key, d, 0, 3660);
  out = static_cast<Seconds>(d) * kSecondsPerDay;
}

void strings(const json& s, const std::string& at, const char* key, std::vector<std::string>& out) {
  if (!s.contains(key)) return;
  const std::string here = at + "/" + key;
  if (!s[key].is_array()) bad(here, "must be an array of strings");
  out.clear();
  for (const auto& v : s[key]) {
    if (!v.is_string()) bad(here, "must be an array of strings");
    out.push_back(v.get<std::string>());
  }
}

void channels(const json& s, const std::string& at, std::vector<Channel>& out) {
  std::vector<std::string> names;
  strings(s, at, "channels", names);
  if (!s.contains("channels")) return;
  out.clear();
  for (const auto& n : names) {
    const auto c = parse_channel(n);
    if (!c) bad(at + "/channels", "has unknown channel \"" + n + "\"");
    out.push_back(*c);
  }
}

void mccs(const json& s, const std::string& at, MccSet& out) {
  if (!s.contains("mccs")) return;
  const std::string here = at + "/mccs";
  if (!s["mccs"].is_array()) bad(here, "must be an array of codes and [low, high] ranges");
  out.ranges.clear();
  auto code = [&](const json& v) {
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 9999) {
      bad(here, "codes must be integers 1..9999");
    }
    return static_cast<std::uint16_t>(v.get<long long>());
  };
  for (const auto& v : s["mccs"]) {
    if (v.is_array()) {
      if (v.size() != 2) bad(here, "ranges must be [low, high]");
      const auto lo = code(v[0]), hi = code(v[1]);
      if (lo > hi) bad(here, "range low above high");
      out.ranges.emplace_back(lo, hi);
    } else {
      const auto c = code(v);
      out.ranges.emplace_back(c, c);
    }
  }
}

void selector(const json& s, const std::string& at, Selector& out) {
  mccs(s, at, out.mccs);
  strings(s, at, "counterparty_kinds", out.counterparty_kinds);
  channels(s, at, out.channels);
}

const json* section(const json& j, const char* key) {
  if (!j.contains(key)) return nullptr;
  if (!j[key].is_object()) bad(std::string("/") + key, "must be an object");
  return &j[key];
}

}  // namespace

void read_more_typologies(const json& j, TypologyParams& p) {
  if (const json* s = section(j, "ad_payments")) {
    const std::string at = "/ad_payments";
    auto& q = p.ad_payments;
    selector(*s, at, q.targets);
    integer(*s, at, "max_amount", q.max_amount, 1, kMaxMinor);
    integer(*s, at, "min_count", q.min_count, 2, 1000000);
    days(*s, at, "window_days", q.window);
  }
  if (const json* s = section(j, "travel_bursts")) {
    const std::string at = "/travel_bursts";
    auto& q = p.travel;
    selector(*s, at, q.targets);
    integer(*s, at, "min_cities", q.min_cities, 2, 1000);
    integer(*s, at, "min_count", q.min_count, 2, 1000000);
    days(*s, at, "window_days", q.window);
  }
  if (const json* s = section(j, "off_hours_deposits")) {
    const std::string at = "/off_hours_deposits";
    auto& q = p.off_hours;
    channels(*s, at, q.channels);
    integer(*s, at, "min_count", q.min_count, 1, 1000000);
    integer(*s, at, "min_share_percent", q.min_share_percent, 1, 100);
    integer(*s, at, "utc_offset_minutes", q.utc_offset_minutes, -14LL * 60, 14LL * 60);
  }
  if (const json* s = section(j, "payroll")) {
    const std::string at = "/payroll";
    auto& q = p.payroll;
    strings(*s, at, "payroll_purposes", q.payroll_purposes);
    integer(*s, at, "min_cash_deposits", q.min_cash_deposits, 1, 1000000);
    integer(*s, at, "min_cash_total", q.min_cash_total, 0, kMaxMinor);
    integer(*s, at, "min_cash_weeks", q.min_cash_weeks, 1, 520);
    integer(*s, at, "min_receipts", q.min_receipts, 1, 1000000);
    integer(*s, at, "min_revenue", q.min_revenue, 0, kMaxMinor);
  }
  if (const json* s = section(j, "wage_pooling")) {
    const std::string at = "/wage_pooling";
    auto& q = p.wage_pooling;
    strings(*s, at, "wage_purposes", q.wage_purposes);
    integer(*s, at, "min_wages", q.min_wages, 2, 1000000);
    days(*s, at, "window_days", q.window);
    days(*s, at, "outflow_within_days", q.outflow_within);
    integer(*s, at, "outflow_share_percent", q.outflow_share_percent, 1, 100);
  }
  if (const json* s = section(j, "shared_contact")) {
    integer(*s, "/shared_contact", "min_senders", p.shared_contact.min_senders, 2, 1000000);
  }
  if (const json* s = section(j, "opaque_channels")) {
    const std::string at = "/opaque_channels";
    auto& q = p.opaque;
    selector(*s, at, q.targets);
    integer(*s, at, "min_count", q.min_count, 1, 1000000);
    integer(*s, at, "min_total", q.min_total, 0, kMaxMinor);
    days(*s, at, "window_days", q.window);
  }
  if (const json* s = section(j, "high_risk_corridors")) {
    const std::string at = "/high_risk_corridors";
    auto& q = p.corridors;
    if (s->contains("pairs")) {
      const json& pairs = (*s)["pairs"];
      if (!pairs.is_array()) bad(at + "/pairs", "must be an array of [from, to] country pairs");
      q.pairs.clear();
      for (const auto& v : pairs) {
        if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string()) {
          bad(at + "/pairs", "must be an array of [from, to] country pairs");
        }
        for (const auto& c : v) {
          const auto code = c.get<std::string>();
          if (code != "*" && find_country(code) == nullptr) {
            bad(at + "/pairs", "has unknown country \"" + code + "\"");
          }
        }
        q.pairs.emplace_back(v[0].get<std::string>(), v[1].get<std::string>());
      }
    }
    integer(*s, at, "min_count", q.min_count, 1, 1000000);
    integer(*s, at, "min_total", q.min_total, 0, kMaxMinor);
  }
  if (const json* s = section(j, "risk")) {
    const std::string at = "/risk";
    integer(*s, at, "member_percent", p.risk.member_percent, 0, 100);
    if (s->contains("weights")) {
      const json& w = (*s)["weights"];
      if (!w.is_object()) bad(at + "/weights", "must be an object of pattern: points");
      for (const auto& [name, v] : w.items()) {
        const auto pattern = parse_pattern(name);
        if (!pattern) bad(at + "/weights/" + name, "is not a pattern");
        if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1000) {
          bad(at + "/weights/" + name, "must be an integer 0..1000");
        }
        p.risk.weights[static_cast<std::size_t>(*pattern)] = v.get<int>();
      }
    }
  }
}

}  // namespace detail
}  // namespace ctis::finance
