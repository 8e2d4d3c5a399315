// Demo route data, generated: detections with seasonality, noise and a few planted surges,
// flows counted along every corridor leg, and incidents placed between corridor countries. Invented
// numbers with the shape of the real sets; no real data is copied.
#include <cmath>
#include <map>
#include <numbers>
#include <random>

#include "monitor/internal.h"
#include "monitor/monitor.h"

namespace ctis::monitor {
namespace {

struct DemoSeries {
  const char* corridor;
  const char* nationality;
  double level;  // mean monthly detections
  double surge;  // multiple applied to the last months (1: none)
  int surge_months;
};

// Rough country centres (degrees), enough to place generated incidents along a corridor.
const std::map<std::string, std::pair<double, double>>& centres() {
  static const std::map<std::string, std::pair<double, double>> c = {
      {"LBY", {31.5, 17.0}},  {"TUN", {35.5, 10.0}},  {"MLT", {35.9, 14.4}},
      {"ITA", {38.0, 15.0}},  {"DZA", {35.0, 2.0}},   {"MAR", {34.0, -5.0}},
      {"ESP", {36.5, -4.5}},  {"TUR", {37.5, 27.5}},  {"GRC", {38.5, 25.0}},
      {"CYP", {35.0, 33.0}},  {"SYR", {35.0, 37.0}},  {"BGR", {42.5, 26.5}},
      {"SEN", {14.7, -17.0}}, {"MRT", {20.5, -16.5}}, {"ESH", {25.0, -14.5}},
      {"GMB", {13.4, -16.5}}};
  return c;
}

alerts::AlertRule demo_rule(const std::string& name, std::vector<std::string> corridors,
                            const std::string& method, std::int64_t min_count) {
  alerts::AlertRule r;
  r.name = name;
  r.corridors = std::move(corridors);
  r.method = method;
  r.min_count = min_count;
  r.severity = "warning";
  return r;
}

}  // namespace

std::size_t load_demo(Monitor& monitor, alerts::Alerts& alerts, const auth::Principal& by,
                      std::uint64_t seed) {
  using detail::civil;
  using detail::next_month;
  std::mt19937_64 rng(seed);
  // Six years of months ending with the last complete month.
  const auto today = civil(static_cast<routes::Day>(now_millis() / 86'400'000));
  const routes::Day this_month = detail::to_day(today.year() / today.month() / 1);
  routes::Day start = this_month;
  for (int i = 0; i < 72; ++i)
    start = detail::to_day(civil(start - 1).year() / civil(start - 1).month() / 1);
  const std::vector<DemoSeries> plan = {{"central_mediterranean", "BGD", 900, 1, 0},
                                        {"central_mediterranean", "TUN", 600, 3.2, 1},
                                        {"central_mediterranean", "EGY", 350, 1, 0},
                                        {"central_mediterranean", "ERI", 180, 1, 0},
                                        {"western_mediterranean", "MAR", 700, 1, 0},
                                        {"western_mediterranean", "DZA", 450, 1, 0},
                                        {"eastern_mediterranean", "SYR", 800, 1, 0},
                                        {"eastern_mediterranean", "AFG", 500, 2.8, 2},
                                        {"western_african_atlantic", "SEN", 400, 1, 0},
                                        {"western_african_atlantic", "MLI", 300, 1, 0}};

  routes::Detections detections;
  for (const auto& s : plan) {
    const auto* corridor = routes::find_corridor(s.corridor);
    if (corridor == nullptr || corridor->frontex_routes.empty()) continue;
    std::size_t k = 0;
    for (routes::Day m = start; m < this_month; m = next_month(m), ++k) {
      const double month = static_cast<double>(static_cast<unsigned>(civil(m).month()));
      // Crossings peak in late summer; a slow trend and noise on top.
      const double seasonal = 1 + 0.45 * std::sin(2 * std::numbers::pi * (month - 5) / 12);
      double mean = s.level * seasonal * (1 + 0.002 * static_cast<double>(k));
      const bool surge_month = next_month(m) >= this_month ||
                               (s.surge_months > 1 && next_month(next_month(m)) >= this_month);
      if (surge_month && s.surge_months > 0) mean *= s.surge;
      std::gamma_distribution<double> overdispersion(20.0, 1.0 / 20.0);
      std::poisson_distribution<std::int64_t> noise(mean * overdispersion(rng));
      routes::Detection d;
      d.route = corridor->frontex_routes.front();
      d.sea = true;
      d.nationality = s.nationality;
      d.nationality_iso = true;
      d.month = m;
      d.detections = {noise(rng), false};
      detections.rows.push_back(std::move(d));
    }
  }
  std::size_t stored =
      monitor.store(by, detections, "demo_detections.csv", routes::Format::frontex).rows_stored;

  // Flow monitoring along every leg of every corridor (DTM style), so the map has a flow per leg
  // and month: a level per leg, the same seasonality, noise.
  routes::Flows flows;
  std::map<std::string, std::uint32_t> labels;
  const auto label = [&](const std::string& text) {
    const auto [it, added] = labels.emplace(text, static_cast<std::uint32_t>(flows.labels.size()));
    if (added) flows.labels.push_back(text);
    return it->second;
  };
  std::uniform_real_distribution<double> leg_level(80, 1500);
  for (const auto& corridor : routes::corridors()) {
    const auto route = label(corridor.dtm_routes.empty() ? "NA" : corridor.dtm_routes.front());
    for (std::size_t i = 0; i + 1 < corridor.countries.size(); ++i) {
      const auto& a = corridor.countries[i];
      const auto& b = corridor.countries[i + 1];
      const double level = leg_level(rng);
      const auto point = label("Demo point " + a + "-" + b);
      for (routes::Day m = start; m < this_month; m = next_month(m)) {
        const double month = static_cast<double>(static_cast<unsigned>(civil(m).month()));
        const double seasonal = 1 + 0.35 * std::sin(2 * std::numbers::pi * (month - 5) / 12);
        std::poisson_distribution<std::int64_t> noise(level * seasonal);
        routes::Flow f;
        f.date = m + 14;
        f.route = route;
        f.point = point;
        f.point_country = label(a);
        f.from = label(a);
        f.to = label(b);
        f.persons = {noise(rng), false};
        f.reasons = {0, 0, 0, 1};
        flows.rows.push_back(f);
      }
    }
  }
  stored += monitor.store(by, flows, "demo_flows.csv", routes::Format::dtm).rows_stored;

  routes::Incidents incidents;
  incidents.format = routes::Format::mmp_export;
  std::uniform_real_distribution<double> along(0.1, 0.9);
  std::uniform_int_distribution<int> day_in_range(0, 720);
  std::poisson_distribution<std::int64_t> victims(4.0);
  const std::vector<std::pair<const char*, const char*>> legs = {
      {"LBY", "ITA"}, {"TUN", "ITA"}, {"MAR", "ESP"}, {"TUR", "GRC"}, {"SEN", "ESP"}};
  const char* causes[] = {"Drowning", "Harsh environmental conditions / lack of adequate shelter",
                          "Vehicle accident / death linked to hazardous transport"};
  for (int i = 0; i < 60; ++i) {
    const auto& [a, b] = legs[static_cast<std::size_t>(i) % legs.size()];
    const auto& pa = centres().at(a);
    const auto& pb = centres().at(b);
    const double f = along(rng);
    routes::Incident inc;
    inc.id = "DEMO" + std::to_string(1000 + i);
    inc.incident_id = inc.id;
    inc.date = this_month - 1 - day_in_range(rng);
    inc.precision = routes::DatePrecision::day;
    inc.latitude = pa.first + f * (pb.first - pa.first);
    inc.longitude = pa.second + f * (pb.second - pa.second);
    inc.dead = routes::Count{victims(rng), false};
    inc.missing = routes::Count{victims(rng) / 2, false};
    inc.cause = causes[static_cast<std::size_t>(i) % 3];
    inc.incident_country = b;
    inc.source_quality = "3";
    for (const auto& c : routes::corridors()) {
      if (c.has_leg(a, b) && !c.mmp_routes.empty()) inc.routes.push_back(c.mmp_routes.front());
    }
    incidents.rows.push_back(std::move(inc));
  }
  stored +=
      monitor.store(by, incidents, "demo_incidents.csv", routes::Format::mmp_export).rows_stored;

  for (const auto& rule : {demo_rule("Demo: surges on any corridor (EARS C2)", {}, "ears_c2", 50),
                           demo_rule("Demo: Central Mediterranean (Noufaily)",
                                     {"central_mediterranean"}, "noufaily", 20)}) {
    try {
      alerts.create_rule(by, rule);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::conflict) throw;  // already there from an earlier demo
    }
  }
  // Analysts and coordinators see route alerts in the app.
  for (const char* role : {"analyst", "coordinator"}) {
    alerts::NewSubscription sub;
    sub.role = role;
    sub.channel = "app";
    sub.source = "routes";
    alerts.subscribe(by, sub);
  }
  return stored;
}

}  // namespace ctis::monitor
