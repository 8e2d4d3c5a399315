// The route monitor through the API, on small generated data: corridors, flows per leg, a
// series whose planted surge alarms, incidents as points, running the rules now, and bad query
// parameters answered 400 naming the parameter.
#include <sstream>

#include "fixture.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

class RouteApiTest : public ApiTest {
 protected:
  void load() {
    // 36 months of Tunisian detections on the Central Mediterranean route, flat with a small
    // wobble, and a surge in the last month.
    std::ostringstream frontex;
    frontex << "\"route\",\"type\",\"nat\",\"t\",\"n\"\n";
    for (int i = 0; i < 36; ++i) {
      const int year = 2023 + i / 12;
      const int month = 1 + i % 12;
      const int n = i == 35 ? 400 : 100 + (i % 3) * 5;
      char line[128];
      std::snprintf(line, sizeof line,
                    "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"%04d-%02d-01\",%d\n", year,
                    month, n);
      frontex << line;
    }
    std::istringstream in(frontex.str());
    monitor_->import(auth::operator_principal(), in, "frontex_test.csv");

    std::istringstream dtm(
        "\"t\",\"route\",\"fmp\",\"fmp_country\",\"from\",\"to\",\"n\",\"reason_seasonal\","
        "\"reason_disaster\",\"reason_conflict\",\"reason_economic\"\n"
        "\"2025-11-03\",NA,\"Zuwara\",\"LBY\",\"LBY\",\"ITA\",40,0,0,0,1\n"
        "\"2025-11-20\",NA,\"Zuwara\",\"LBY\",\"LBY\",\"ITA\",2,0,0,0,1\n"
        "\"2025-12-01\",NA,\"Zuwara\",\"LBY\",\"LBY\",\"ITA\",7,0,0,0,1\n"
        "\"2025-12-01\",NA,\"Agadez\",\"NER\",\"NER\",\"FRA\",9,0,0,0,1\n");
    monitor_->import(auth::operator_principal(), dtm, "dtm_test.csv");

    routes::Incidents incidents;
    incidents.format = routes::Format::mmp_export;
    routes::Incident a;
    a.id = "T1";
    a.date = routes::make_day(2025, 6, 14);
    a.routes = {"Central Mediterranean"};
    a.latitude = 34.1;
    a.longitude = 12.5;
    a.dead = routes::Count{3, false};
    a.missing = routes::Count{5, true};
    a.cause = "Drowning";
    incidents.rows.push_back(a);
    routes::Incident b = a;
    b.id = "T2";
    b.date = routes::make_day(2024, 1, 2);
    b.latitude.reset();
    b.longitude.reset();
    incidents.rows.push_back(b);
    monitor_->store(auth::operator_principal(), incidents, "mmp_test.csv",
                    routes::Format::mmp_export);
  }

  static std::string field_of(const http::Response& r) {
    return json_of(r)["error"].value("field", std::string());
  }
};

TEST_P(RouteApiTest, CorridorsFlowsSeriesAndIncidents) {
  load();
  const auto corridors = call("GET", "/api/v1/routes/corridors", "", Role::caseworker);
  ASSERT_EQ(corridors.status, 200) << corridors.body;
  bool found = false;
  const json corridor_list = json_of(corridors)["corridors"];
  for (const auto& c : corridor_list) {
    if (c["id"] != "central_mediterranean") continue;
    found = true;
    EXPECT_EQ(c["latest_period"], "2025-12");
    EXPECT_EQ(c["latest_total"], 400);
    EXPECT_EQ(c["countries"][0], "LBY");
  }
  EXPECT_TRUE(found);

  const auto flows =
      call("GET", "/api/v1/routes/flows?period=month&from=2025-11&to=2025-12", "", Role::partner);
  ASSERT_EQ(flows.status, 200) << flows.body;
  std::map<std::string, std::int64_t> by_period;
  const json flow_list = json_of(flows)["flows"];
  for (const auto& f : flow_list) {
    if (f["corridor"] == "central_mediterranean" && f["leg"] == "LBY>ITA") {
      by_period[f["period"]] = f["persons"];
    }
  }
  EXPECT_EQ(by_period["2025-11"], 42);
  EXPECT_EQ(by_period["2025-12"], 7);
  const auto november = json_of(
      call("GET", "/api/v1/routes/flows?from=2025-11&to=2025-11", "", Role::analyst))["flows"];
  for (const auto& f : november) EXPECT_EQ(f["period"], "2025-11");

  const auto series = call("GET",
                           "/api/v1/routes/series?corridor=central_mediterranean&nationality=TUN"
                           "&method=ears_c1",
                           "", Role::law_enforcement);
  ASSERT_EQ(series.status, 200) << series.body;
  const auto points = json_of(series)["points"];
  ASSERT_EQ(points.size(), 36u);
  EXPECT_EQ(points[35]["period"], "2025-12");
  EXPECT_EQ(points[35]["count"], 400);
  EXPECT_TRUE(points[35]["alarm"].get<bool>());
  EXPECT_LT(points[35]["upper_bound"].get<double>(), 400.0);
  EXPECT_FALSE(points[34]["alarm"].get<bool>());
  EXPECT_EQ(points[35]["coverage"]["reporting"], 1);
  EXPECT_EQ(points[35]["lag_days"], 0);
  EXPECT_EQ(points[0]["lag_days"], 1065);  // 2023-01-31 to 2025-12-31

  const auto incidents =
      call("GET", "/api/v1/routes/incidents?from=2025-01-01&to=2025-12", "", Role::coordinator);
  ASSERT_EQ(incidents.status, 200) << incidents.body;
  const auto points_on_map = json_of(incidents)["incidents"];
  ASSERT_EQ(points_on_map.size(), 1u);
  EXPECT_EQ(points_on_map[0]["id"], "T1");
  EXPECT_EQ(points_on_map[0]["date"], "2025-06-14");
  EXPECT_DOUBLE_EQ(points_on_map[0]["lat"].get<double>(), 34.1);
  EXPECT_EQ(points_on_map[0]["dead"], 3);
  EXPECT_EQ(points_on_map[0]["missing"], 5);
}

TEST_P(RouteApiTest, BadParametersAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"/api/v1/routes/flows?period=fortnight", "period"},
      {"/api/v1/routes/flows?from=2025-13", "from"},
      {"/api/v1/routes/flows?from=2025-12&to=2025-01", "from"},
      {"/api/v1/routes/incidents?to=yesterday", "to"},
      {"/api/v1/routes/series", "corridor"},
      {"/api/v1/routes/series?corridor=atlantis", "corridor"},
      {"/api/v1/routes/series?corridor=central_mediterranean&nationality=tunisia", "nationality"},
      {"/api/v1/routes/series?corridor=central_mediterranean&method=c9", "method"}};
  for (const auto& [target, field] : cases) {
    const auto r = call("GET", target, "", Role::analyst);
    EXPECT_EQ(r.status, 400) << target << " " << r.body;
    EXPECT_EQ(field_of(r), std::string("/") + field) << target << " " << r.body;
  }
}

TEST_P(RouteApiTest, RunningTheRulesRaisesTheSurgeOnce) {
  load();
  const auto rule = call("POST", "/api/v1/alert-rules",
                         R"({"name":"Tunisians on the Central Mediterranean","method":"ears_c1",
                             "corridors":["central_mediterranean"],"nationalities":["TUN"],
                             "min_count":50})",
                         Role::analyst);
  ASSERT_EQ(rule.status, 201) << rule.body;
  EXPECT_EQ(call("POST", "/api/v1/routes/evaluate", "", Role::caseworker).status, 403);
  const auto first = call("POST", "/api/v1/routes/evaluate", "", Role::coordinator);
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(json_of(first)["alerts_raised"].size(), 1u);
  const auto second = call("POST", "/api/v1/routes/evaluate", "", Role::admin);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(json_of(second)["alerts_raised"].size(), 0u);
  EXPECT_EQ(json_of(second)["already_raised"], 1);
}

INSTANTIATE_TEST_SUITE_P(Db, RouteApiTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::api
