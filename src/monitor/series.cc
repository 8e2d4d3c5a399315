// Reading the stored route data back: monthly corridor x nationality series, corridor
// summaries, flows per leg and incidents.
#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_map>

#include "monitor/internal.h"
#include "monitor/monitor.h"
#include "monitor/series.h"

namespace ctis::monitor::detail {

SeriesTable load_series_table(store::Connection& c) {
  SeriesTable t;
  const auto rows = c.query(
      "SELECT route, nationality, month, CAST(SUM(detections) AS BIGINT), MAX(censored) "
      "FROM route_detections GROUP BY route, nationality, month ORDER BY route, nationality");
  if (rows.empty()) return t;
  routes::Day first = std::numeric_limits<routes::Day>::max();
  routes::Day last = std::numeric_limits<routes::Day>::min();
  for (const auto& r : rows) {
    const auto m = static_cast<routes::Day>(r.integer(2));
    first = std::min(first, m);
    last = std::max(last, m);
  }
  std::unordered_map<routes::Day, std::size_t> index;
  for (routes::Day m = first; m <= last; m = next_month(m)) {
    index.emplace(m, t.months.size());
    t.months.push_back(m);
  }
  t.latest_data = next_month(last) - 1;  // a Frontex month counts to its end
  const std::size_t n = t.months.size();

  std::map<std::string, std::vector<const routes::Corridor*>> by_route;
  for (const auto& corridor : routes::corridors()) {
    for (const auto& route : corridor.frontex_routes) by_route[route].push_back(&corridor);
  }
  // Rows come ordered by route and nationality, so the series they add to change rarely.
  std::map<std::string, std::vector<char>> route_months;  // months each route reported
  std::string route, nationality;
  std::vector<MonthlyCounts*> targets;
  std::vector<char>* reported = nullptr;
  for (const auto& r : rows) {
    if (r.text(0) != route || r.text(1) != nationality || reported == nullptr) {
      route = r.text(0);
      nationality = r.text(1);
      targets.clear();
      const auto found = by_route.find(route);
      if (found != by_route.end()) {
        for (const auto* corridor : found->second) {
          auto& s = t.series[{corridor->id, nationality}];
          if (s.counts.empty()) {
            s.counts.assign(n, 0);
            s.censored.assign(n, 0);
          }
          targets.push_back(&s);
        }
      }
      reported = &route_months[route];
      if (reported->empty()) reported->assign(n, 0);
    }
    const std::size_t i = index.at(static_cast<routes::Day>(r.integer(2)));
    (*reported)[i] = 1;
    for (auto* s : targets) {
      s->counts[i] += r.integer(3);
      s->censored[i] = static_cast<char>(s->censored[i] || r.integer(4) != 0);
    }
  }
  for (const auto& corridor : routes::corridors()) {
    std::vector<const std::vector<char>*> known;
    for (const auto& name : corridor.frontex_routes) {
      const auto it = route_months.find(name);
      if (it != route_months.end()) known.push_back(&it->second);
    }
    if (known.empty()) continue;
    auto& cov = t.coverage[corridor.id];
    cov.assign(n, routes::Coverage{0, known.size()});
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto* months : known) cov[i].reporting += (*months)[i] ? 1 : 0;
    }
  }
  return t;
}

MonthlyCounts corridor_total(const SeriesTable& t, const std::string& corridor) {
  MonthlyCounts total;
  total.counts.assign(t.months.size(), 0);
  total.censored.assign(t.months.size(), 0);
  for (const auto& [key, s] : t.series) {
    if (key.first != corridor) continue;
    for (std::size_t i = 0; i < s.counts.size(); ++i) {
      total.counts[i] += s.counts[i];
      total.censored[i] = static_cast<char>(total.censored[i] || s.censored[i]);
    }
  }
  return total;
}

}  // namespace ctis::monitor::detail

namespace ctis::monitor {

using detail::load_series_table;
using detail::month_label;

std::vector<CorridorSummary> Monitor::corridors() {
  detail::SeriesTable t;
  {
    auto conn = db_.connection();
    t = load_series_table(*conn);
  }
  // Nationalities per corridor, most detections first (ties by code, so the order is stable).
  std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> by_corridor;
  for (const auto& [key, s] : t.series) {
    std::int64_t total = 0;
    for (const auto v : s.counts) total += v;
    if (total > 0) by_corridor[key.first].emplace_back(-total, key.second);
  }
  std::vector<CorridorSummary> out;
  for (const auto& c : routes::corridors()) {
    CorridorSummary s;
    s.id = c.id;
    s.name = c.name;
    s.countries = c.countries;
    if (!t.months.empty()) {
      s.latest_period = month_label(t.months.back());
      s.latest_total = detail::corridor_total(t, c.id).counts.back();
    }
    auto& nats = by_corridor[c.id];
    std::sort(nats.begin(), nats.end());
    for (auto& n : nats) s.nationalities.push_back(std::move(n.second));
    out.push_back(std::move(s));
  }
  return out;
}

DataMonths Monitor::data_months() {
  std::optional<routes::Day> first, last;
  {
    auto conn = db_.connection();
    for (const char* sql : {"SELECT MIN(month), MAX(month) FROM route_detections",
                            "SELECT MIN(day), MAX(day) FROM route_flow_rows",
                            "SELECT MIN(day), MAX(day) FROM route_incidents"}) {
      const auto row = conn->query_one(sql);
      if (!row || row->is_null(0)) continue;
      const auto lo = static_cast<routes::Day>(row->integer(0));
      const auto hi = static_cast<routes::Day>(row->integer(1));
      first = first ? std::min(*first, lo) : lo;
      last = last ? std::max(*last, hi) : hi;
    }
  }
  if (!first) return {};
  return {month_label(*first), month_label(*last)};
}

std::vector<SeriesKey> Monitor::series_keys() {
  auto conn = db_.connection();
  const auto t = load_series_table(*conn);
  std::vector<SeriesKey> out;
  for (const auto& [key, s] : t.series) {
    std::int64_t total = 0;
    for (const auto v : s.counts) total += v;
    out.push_back({key.first, key.second, total});
  }
  return out;
}

SeriesView Monitor::series(const std::string& corridor, const std::string& nationality,
                           const std::string& method, const nlohmann::json& parameters) {
  if (routes::find_corridor(corridor) == nullptr) {
    throw Error(ErrorKind::not_found, "not_found", "no corridor \"" + corridor + "\"");
  }
  std::optional<surveillance::Method> m;
  surveillance::Params params;
  if (!method.empty()) {
    m = detail::method_of(method);
    params = detail::params_of(*m, parameters);
  }
  detail::SeriesTable t;
  {
    auto conn = db_.connection();
    t = load_series_table(*conn);
  }
  detail::MonthlyCounts counts;
  if (nationality.empty()) {
    counts = detail::corridor_total(t, corridor);
  } else {
    const auto it = t.series.find({corridor, nationality});
    if (it != t.series.end()) {
      counts = it->second;
    } else {
      counts.counts.assign(t.months.size(), 0);
      counts.censored.assign(t.months.size(), 0);
    }
  }
  SeriesView view;
  view.corridor = corridor;
  view.nationality = nationality;
  view.method = method;
  const auto cov = t.coverage.find(corridor);
  for (std::size_t i = 0; i < t.months.size(); ++i) {
    SeriesPoint p;
    p.start = t.months[i];
    p.period = month_label(p.start);
    p.count = counts.counts[i];
    p.censored = counts.censored[i] != 0;
    if (cov != t.coverage.end()) p.coverage = cov->second[i];
    p.lag_days = t.latest_data - (detail::next_month(p.start) - 1);
    view.points.push_back(std::move(p));
  }
  if (m && !t.months.empty()) {
    surveillance::Result result;
    try {
      result = detail::run_monitored(*m, params, t.months, counts.counts,
                                     static_cast<std::size_t>(options_.monitored_periods));
    } catch (const Error& e) {
      if (!view.points.empty()) view.points.back().note = std::string("method failed: ") + e.what();
    }
    for (const auto& r : result.periods) {
      auto& p = view.points[r.index];
      p.expected = r.expected;
      p.upper_bound = r.upper_bound;
      p.alarm = r.alarm;
      p.note = r.note;
    }
  }
  return view;
}

std::vector<FlowFigure> Monitor::flows(routes::Period period, std::optional<routes::Day> from,
                                       std::optional<routes::Day> to) {
  std::vector<store::Row> rows;
  std::unordered_map<std::int64_t, std::string> labels;
  {
    // Grouped by label id (one id per label, migration 0015), named afterwards.
    auto conn = db_.connection();
    rows = conn->query(
        "SELECT day, from_id, to_id, CAST(SUM(persons) AS BIGINT), MAX(censored) "
        "FROM route_flow_rows WHERE day >= ? AND day <= ? GROUP BY day, from_id, to_id",
        {std::int64_t{from.value_or(std::numeric_limits<routes::Day>::min())},
         std::int64_t{to.value_or(std::numeric_limits<routes::Day>::max())}});
    for (auto& r : conn->query("SELECT id, label FROM route_labels")) {
      labels.emplace(r.integer(0), std::move(std::get<std::string>(r.values[1])));
    }
  }
  const auto name_of = [&](std::int64_t id) -> const std::string& {
    const auto it = labels.find(id);
    if (it == labels.end()) {
      throw Error(ErrorKind::internal, "store_sql",
                  "route_flow_rows names label " + std::to_string(id) + ", not in route_labels");
    }
    return it->second;
  };
  std::map<std::tuple<std::string, std::string, std::string>, FlowFigure> sums;
  for (const auto& r : rows) {
    const std::string& a = name_of(r.integer(1));
    const std::string& b = name_of(r.integer(2));
    const std::string label = routes::period_label(static_cast<routes::Day>(r.integer(0)), period);
    for (const auto& c : routes::corridors()) {
      if (!c.has_leg(a, b)) continue;
      auto& f = sums[{c.id, a + ">" + b, label}];
      f.corridor = c.id;
      f.leg = a + ">" + b;
      f.period = label;
      f.persons += r.integer(3);
      f.censored = f.censored || r.integer(4) != 0;
    }
  }
  std::vector<FlowFigure> out;
  out.reserve(sums.size());
  for (auto& [key, f] : sums) out.push_back(std::move(f));
  return out;
}

std::vector<IncidentPoint> Monitor::incidents(std::optional<routes::Day> from,
                                              std::optional<routes::Day> to, std::size_t limit) {
  auto conn = db_.connection();
  std::vector<IncidentPoint> out;
  const auto opt_int = [](const store::Row& r, std::size_t i) {
    return r.is_null(i) ? std::nullopt : std::optional<std::int64_t>(r.integer(i));
  };
  const auto opt_real = [](const store::Row& r, std::size_t i) {
    return r.is_null(i) ? std::nullopt : std::optional<double>(r.real(i));
  };
  for (const auto& r : conn->query(
           "SELECT mmp_id, day, date_precision, routes, latitude, longitude, dead, missing, "
           "survivors, cause, country FROM route_incidents WHERE day >= ? AND day <= ? "
           "ORDER BY day, mmp_id LIMIT ?",
           {std::int64_t{from.value_or(std::numeric_limits<routes::Day>::min())},
            std::int64_t{to.value_or(std::numeric_limits<routes::Day>::max())},
            static_cast<std::int64_t>(limit)})) {
    IncidentPoint p;
    p.id = r.text(0);
    p.day = static_cast<routes::Day>(r.integer(1));
    p.precision = r.text(2);
    const std::string& joined = r.text(3);
    for (std::size_t at = 0; at < joined.size();) {
      const auto bar = joined.find('|', at);
      p.routes.push_back(joined.substr(at, bar - at));
      if (bar == std::string::npos) break;
      at = bar + 1;
    }
    p.latitude = opt_real(r, 4);
    p.longitude = opt_real(r, 5);
    p.dead = opt_int(r, 6);
    p.missing = opt_int(r, 7);
    p.survivors = opt_int(r, 8);
    p.cause = r.text(9);
    p.country = r.text(10);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace ctis::monitor
