// The route monitor (monitor/monitor.h) endpoints of the policy table: corridors, flows per
// leg, series with their bounds and alarms, incidents as points, and running the rules now.
// The figures are aggregate, never personal, so every staff role reads them.
#include <chrono>
#include <cstdio>

#include "api/table.h"
#include "monitor/monitor.h"

namespace ctis::api {
namespace {

using nlohmann::json;

monitor::Monitor& monitor_of(Call& call) {
  if (!call.services.monitor) {
    throw Error(ErrorKind::unavailable, "monitor_unavailable",
                "the route monitor is not set up here");
  }
  return *call.services.monitor;
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json optional_number(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

// "YYYY-MM" (a month: its first day, or its last with end_of_month) or "YYYY-MM-DD".
std::optional<routes::Day> date_param(Call& call, const char* name, bool end_of_month) {
  const auto text = call.request.query_param(name);
  if (!text || text->empty()) return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  const std::string& s = *text;
  const bool month_only = s.size() == 7 && std::sscanf(s.c_str(), "%4d-%2u%c", &y, &m, &tail) == 2;
  const bool full = !month_only && s.size() == 10 &&
                    std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) == 3;
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{m}, day{month_only ? 1u : d}};
  if ((!month_only && !full) || !ymd.ok()) {
    fail_invalid(name, std::string(name) + " must be a month YYYY-MM or a day YYYY-MM-DD");
  }
  routes::Day first = routes::make_day(y, m, month_only ? 1 : d);
  if (month_only && end_of_month) {
    const year_month_day last{year{y} / month{m} / std::chrono::last};
    first = routes::make_day(y, m, static_cast<unsigned>(last.day()));
  }
  return first;
}

void check_range(const std::optional<routes::Day>& from, const std::optional<routes::Day>& to) {
  if (from && to && *from > *to) fail_invalid("from", "from comes after to");
}

// The methods a series can be watched with (as alert rules name them).
const std::vector<std::string> kSeriesMethods = {"ears_c1",    "ears_c2",  "ears_c3",
                                                 "farrington", "noufaily", "cusum"};

http::Response list_corridors(Call& call) {
  auto& monitor = monitor_of(call);
  json out = json::array();
  for (const auto& c : monitor.corridors()) {
    out.push_back({{"id", c.id},
                   {"name", c.name},
                   {"countries", c.countries},
                   {"latest_period", c.latest_period},
                   {"latest_total", c.latest_total},
                   {"nationalities", c.nationalities}});
  }
  const auto months = monitor.data_months();
  return http::Response::json(200, {{"corridors", out},
                                    {"months", {{"first", months.first}, {"last", months.last}}},
                                    {"methods", kSeriesMethods}});
}

http::Response list_flows(Call& call) {
  routes::Period period = routes::Period::month;
  if (const auto p = call.request.query_param("period")) {
    if (*p == "week") {
      period = routes::Period::week;
    } else if (*p == "quarter") {
      period = routes::Period::quarter;
    } else if (*p != "month") {
      fail_invalid("period", "period must be week, month or quarter");
    }
  }
  const auto from = date_param(call, "from", false);
  const auto to = date_param(call, "to", true);
  check_range(from, to);
  json out = json::array();
  for (const auto& f : monitor_of(call).flows(period, from, to)) {
    out.push_back({{"corridor", f.corridor},
                   {"leg", f.leg},
                   {"period", f.period},
                   {"persons", f.persons},
                   {"censored", f.censored}});
  }
  return http::Response::json(200, {{"flows", out}});
}

http::Response get_series(Call& call) {
  const auto corridor = call.request.query_param("corridor");
  if (!corridor || corridor->empty()) fail_invalid("corridor", "corridor is required");
  if (routes::find_corridor(*corridor) == nullptr) {
    fail_invalid("corridor", "unknown corridor \"" + corridor->substr(0, 64) + "\"");
  }
  const std::string nationality = call.request.query_param("nationality").value_or("");
  if (!nationality.empty() &&
      (nationality.size() != 3 ||
       nationality.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)) {
    fail_invalid("nationality", "nationality must be an ISO 3166 alpha-3 code such as NGA");
  }
  const std::string method = call.request.query_param("method").value_or("");
  monitor::SeriesView view;
  try {
    view = monitor_of(call).series(*corridor, nationality, method);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::invalid) fail_invalid("method", e.what());
    throw;
  }
  json points = json::array();
  for (const auto& p : view.points) {
    points.push_back(
        {{"period", p.period},
         {"count", p.count},
         {"censored", p.censored},
         {"expected", optional_number(p.expected)},
         {"upper_bound", optional_number(p.upper_bound)},
         {"alarm", p.alarm},
         {"note", p.note},
         {"coverage", {{"reporting", p.coverage.reporting}, {"known", p.coverage.known}}},
         {"lag_days", p.lag_days}});
  }
  return http::Response::json(200, {{"corridor", view.corridor},
                                    {"nationality", view.nationality},
                                    {"method", view.method},
                                    {"points", points}});
}

http::Response list_incidents(Call& call) {
  const auto from = date_param(call, "from", false);
  const auto to = date_param(call, "to", true);
  check_range(from, to);
  json out = json::array();
  for (const auto& i : monitor_of(call).incidents(from, to)) {
    out.push_back({{"id", i.id},
                   {"date", routes::format_day(i.day)},
                   {"precision", i.precision},
                   {"routes", i.routes},
                   {"lat", optional_number(i.latitude)},
                   {"lon", optional_number(i.longitude)},
                   {"dead", optional_number(i.dead)},
                   {"missing", optional_number(i.missing)},
                   {"cause", i.cause}});
  }
  return http::Response::json(200, {{"incidents", out}});
}

http::Response evaluate_rules(Call& call) {
  auto& monitor = monitor_of(call);
  if (!call.services.alerts) {
    throw Error(ErrorKind::unavailable, "alerts_unavailable", "alerts are not set up here");
  }
  const auto r = monitor.evaluate(*call.services.alerts);
  auto entry = call.who.audit("route.evaluate", "");
  entry.detail = std::to_string(r.alert_ids.size()) + " alerts raised";
  call.services.audit.append(entry);
  return http::Response::json(200, {{"rules", r.rules},
                                    {"series", r.series},
                                    {"alarms", r.alarms},
                                    {"already_raised", r.already_raised},
                                    {"below_min_count", r.below_min_count},
                                    {"failed", r.failed},
                                    {"alerts_raised", r.alert_ids}});
}

}  // namespace

void add_route_endpoints(std::vector<Endpoint>& table) {
  const TableBuilder add{table};
  const std::set<auth::Role> kRouteWatchers = {auth::Role::admin, auth::Role::coordinator,
                                               auth::Role::analyst};
  add("GET", "/api/v1/routes/corridors", kStaff,
      "Corridors: id, name, countries in order, the latest month's detections, nationalities "
      "(most detections first); the months the stored data covers; the series methods.",
      list_corridors, nullptr, 200,
      object({{"corridors", list_any},
              {"months", object({{"first", kString}, {"last", kString}}, {"first", "last"})},
              {"methods", {{"type", "array"}, {"items", kString}}}},
             {"corridors", "months", "methods"}));
  add("GET", "/api/v1/routes/flows", kStaff,
      "Persons counted per corridor, leg and period (?period=week|month|quarter&from=YYYY-MM"
      "&to=YYYY-MM), for arcs on a map.",
      list_flows, nullptr, 200, object({{"flows", list_any}}, {"flows"}));
  add("GET", "/api/v1/routes/series", kStaff,
      "Monthly detections of a corridor (?corridor=&nationality=&method=): count, expected, "
      "upper bound, alarm, coverage, lag.",
      get_series, nullptr, 200, any_object);
  add("GET", "/api/v1/routes/incidents", kStaff,
      "Incidents as points (?from=&to=): date, precision, coordinates, dead, missing, cause.",
      list_incidents, nullptr, 200, object({{"incidents", list_any}}, {"incidents"}));
  add("POST", "/api/v1/routes/evaluate", kRouteWatchers,
      "Run the route alert rules now; returns the alerts raised.", evaluate_rules, nullptr, 200,
      any_object);
}

}  // namespace ctis::api
