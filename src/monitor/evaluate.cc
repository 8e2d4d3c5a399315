// Evaluation: every enabled route rule over its matching series, raising one alert per new
// alarm period.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <variant>

#include "monitor/internal.h"
#include "monitor/monitor.h"
#include "monitor/series.h"

namespace ctis::monitor::detail {

namespace sv = ctis::surveillance;

sv::Method method_of(const std::string& code) {
  const auto m = sv::parse_method(code);
  if (!m || *m == sv::Method::farrington_flexible) {
    fail_invalid("method",
                 "method must be ears_c1, ears_c2, ears_c3, farrington, noufaily or "
                 "cusum, not \"" +
                     code.substr(0, 32) + "\"");
  }
  return *m;
}

namespace {

// A number of the rule's parameters, when given.
std::optional<double> number(const nlohmann::json& p, const char* name) {
  if (!p.is_object() || !p.contains(name)) return std::nullopt;
  const auto& v = p.at(name);
  if (!v.is_number()) fail_invalid(std::string("parameters/") + name, "must be a number");
  return v.get<double>();
}

std::optional<int> whole(const nlohmann::json& p, const char* name) {
  const auto v = number(p, name);
  if (!v) return std::nullopt;
  if (std::floor(*v) != *v || std::abs(*v) > 1e6) {
    fail_invalid(std::string("parameters/") + name, "must be a whole number");
  }
  return static_cast<int>(*v);
}

}  // namespace

sv::Params params_of(sv::Method method, const nlohmann::json& p) {
  switch (method) {
    case sv::Method::ears_c1:
    case sv::Method::ears_c2:
    case sv::Method::ears_c3: {
      sv::EarsParams e;
      e.alpha = number(p, "alpha");
      if (auto b = whole(p, "baseline")) e.baseline = *b;
      return e;
    }
    case sv::Method::farrington: {
      sv::FarringtonParams f;
      if (auto a = number(p, "alpha")) f.alpha = *a;
      if (auto b = whole(p, "b")) f.years_back = *b;
      if (auto w = whole(p, "w")) f.half_window = *w;
      if (auto t = whole(p, "trend")) f.trend = *t != 0;
      return f;
    }
    case sv::Method::farrington_flexible:
    case sv::Method::noufaily: {
      sv::FlexibleParams f = sv::FlexibleParams::noufaily_defaults();
      // Noufaily leaves out the last 26 weeks; on monthly series that is 6 months.
      f.past_periods_excluded = 6;
      if (auto a = number(p, "alpha")) f.alpha = *a;
      if (auto b = whole(p, "b")) f.years_back = *b;
      if (auto w = whole(p, "w")) f.half_window = *w;
      if (auto t = whole(p, "trend")) f.trend = *t != 0;
      if (auto x = whole(p, "past_weeks_not_included")) f.past_periods_excluded = *x;
      return f;
    }
    case sv::Method::cusum: {
      sv::CusumParams c;
      if (auto k = number(p, "k")) c.k = *k;
      if (auto h = number(p, "h")) c.h = *h;
      c.reset_after_alarm = true;  // monitoring: after an alarm, watch for the next one afresh
      return c;
    }
  }
  return {};
}

sv::Result run_monitored(sv::Method method, const sv::Params& params,
                         const std::vector<routes::Day>& months,
                         const std::vector<std::int64_t>& counts, std::size_t monitored) {
  sv::Series s;
  s.periods_per_year = 12;
  s.counts.reserve(counts.size());
  for (const auto v : counts) s.counts.push_back(static_cast<double>(std::max<std::int64_t>(v, 0)));
  s.days.assign(months.begin(), months.end());
  const std::size_t n = counts.size();
  if (n < 2) return sv::Result{method, {}};
  sv::Range range;
  range.last = n - 1;
  // The methods need history before the first monitored month (EARS C3: 11 months), so the
  // first year is never monitored.
  range.first = std::max(n > monitored ? n - monitored : 0, std::min<std::size_t>(n - 1, 12));
  // CUSUM measures excess over the mean of the months before the range; a series with none
  // there (a nationality that stopped, or never came) has nothing to measure against. Each
  // month then has no bound and the note "zero_baseline", instead of an error (and a warning
  // in the log every time the rules run).
  if (method == sv::Method::cusum) {
    const auto* c = std::get_if<sv::CusumParams>(&params);
    const bool given_mean = c != nullptr && c->mean.has_value();
    if (!given_mean &&
        std::all_of(s.counts.begin(), s.counts.begin() + static_cast<std::ptrdiff_t>(range.first),
                    [](double v) { return v == 0; })) {
      sv::Result quiet{method, {}};
      for (std::size_t i = range.first; i <= range.last; ++i) {
        sv::Period p;
        p.index = i;
        p.observed = s.counts[i];
        p.note = "zero_baseline";
        quiet.periods.push_back(std::move(p));
      }
      return quiet;
    }
  }
  return sv::run(method, s, range, params);
}

}  // namespace ctis::monitor::detail

namespace ctis::monitor {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

bool listed(const std::vector<std::string>& filter, const std::string& value) {
  return filter.empty() || std::find(filter.begin(), filter.end(), value) != filter.end();
}

}  // namespace

EvaluationReport Monitor::evaluate(alerts::Alerts& alerts) {
  return evaluate(alerts, alerts.rules_for("routes"));
}

EvaluationReport Monitor::evaluate(alerts::Raiser& raiser,
                                   const std::vector<alerts::AlertRule>& rules) {
  EvaluationReport report;
  detail::SeriesTable t;
  {
    auto conn = db_.connection();
    t = detail::load_series_table(*conn);
  }
  const std::size_t n = t.months.size();
  const std::size_t window = static_cast<std::size_t>(std::max(options_.alert_periods, 1));
  for (const auto& rule : rules) {
    if (!rule.enabled || rule.source != "routes") continue;
    ++report.rules;
    surveillance::Method method{};
    surveillance::Params params;
    try {
      method = detail::method_of(rule.method);
      params = detail::params_of(method, rule.parameters);
    } catch (const Error& e) {
      ++report.failed;
      log_warn("route rule " + std::to_string(rule.id) + ": " + e.what());
      continue;
    }
    for (const auto& [key, s] : t.series) {
      const auto& [corridor, nationality] = key;
      if (!listed(rule.corridors, corridor) || !listed(rule.nationalities, nationality)) continue;
      ++report.series;
      surveillance::Result result;
      try {
        result = detail::run_monitored(method, params, t.months, s.counts,
                                       static_cast<std::size_t>(options_.monitored_periods));
      } catch (const Error& e) {
        ++report.failed;
        log_warn("route rule " + std::to_string(rule.id) + " on " + corridor + "/" + nationality +
                 ": " + e.what());
        continue;
      }
      for (const auto& p : result.periods) {
        if (!p.alarm || p.index + window < n) continue;
        ++report.alarms;
        if (p.observed < static_cast<double>(rule.min_count)) {
          ++report.below_min_count;
          continue;
        }
        const std::string period = detail::month_label(t.months[p.index]);
        {
          auto conn = db_.connection();
          if (conn->query_one("SELECT 1 FROM route_alarms WHERE rule_id = ? AND corridor = ? "
                              "AND nationality = ? AND period = ?",
                              {rule.id, corridor, nationality, period})) {
            ++report.already_raised;
            continue;
          }
        }
        const auto* c = routes::find_corridor(corridor);
        alerts::NewAlert a;
        a.source = "routes";
        a.kind = "surge";
        a.severity = rule.severity;
        a.title = "Surge on the " + (c ? c->name : corridor) + " corridor: " + nationality + ", " +
                  period;
        a.summary = std::to_string(static_cast<std::int64_t>(p.observed)) + " detections of " +
                    nationality + " nationals in " + period + " against an expected " +
                    (p.expected ? number_text(*p.expected) : std::string("?")) + " (upper bound " +
                    (p.upper_bound ? number_text(*p.upper_bound) : std::string("?")) + ", " +
                    rule.method + ", rule \"" + rule.name + "\").";
        a.detail = {
            {"count", p.observed},
            {"expected", p.expected ? nlohmann::json(*p.expected) : nlohmann::json()},
            {"upper_bound", p.upper_bound ? nlohmann::json(*p.upper_bound) : nlohmann::json()},
            {"period", period},
            {"rule_id", rule.id},
            {"rule", rule.name}};
        a.tags = {{"corridor", corridor}, {"nationality", nationality}, {"method", rule.method}};
        a.dedup_key = "routes:rule:" + std::to_string(rule.id) + ":" + corridor + ":" +
                      nationality + ":" + period;
        const auto id = raiser.raise(a);
        {
          auto conn = db_.connection();
          conn->execute(
              "INSERT INTO route_alarms (rule_id, corridor, nationality, period, alert_id, "
              "raised_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
              {rule.id, corridor, nationality, period,
               id ? store::Value{*id} : store::Value{nullptr}, options_.clock()});
        }
        if (id) report.alert_ids.push_back(*id);
      }
    }
  }
  return report;
}

}  // namespace ctis::monitor
