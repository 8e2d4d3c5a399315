// What the web map and corridor pages read, on both stores: the nationalities of each corridor
// (most detections first), the months the stored tables cover, and the demo's flows on every
// corridor leg.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.h"
#include "monitor/internal.h"

namespace ctis::monitor::testing {
namespace {

using store::Dialect;

class MonitorViewsTest : public MonitorFixture {};

routes::Detection detection(const std::string& route, const std::string& nationality,
                            routes::Day month, std::int64_t n) {
  routes::Detection d;
  d.route = route;
  d.sea = true;
  d.nationality = nationality;
  d.nationality_iso = true;
  d.month = month;
  d.detections = {n, false};
  return d;
}

const CorridorSummary& find(const std::vector<CorridorSummary>& all, const std::string& id) {
  for (const auto& c : all) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no corridor " + id);
}

TEST_P(MonitorViewsTest, NothingStoredHasNoMonthsAndNoNationalities) {
  const auto months = monitor_->data_months();
  EXPECT_EQ(months.first, "");
  EXPECT_EQ(months.last, "");
  for (const auto& c : monitor_->corridors()) EXPECT_TRUE(c.nationalities.empty()) << c.id;
}

TEST_P(MonitorViewsTest, NationalitiesComeMostDetectionsFirstAndMonthsSpanEveryTable) {
  routes::Detections d;
  const auto jan = routes::make_day(2024, 1, 1);
  const auto feb = routes::make_day(2024, 2, 1);
  d.rows = {detection("Central Mediterranean Route", "EGY", jan, 40),
            detection("Central Mediterranean Route", "EGY", feb, 45),
            detection("Central Mediterranean Route", "TUN", jan, 10),
            detection("Central Mediterranean Route", "TUN", feb, 90),
            detection("Central Mediterranean Route", "ERI", feb, 0),
            detection("Western Mediterranean Route", "MAR", feb, 7)};
  monitor_->store(admin_, d, "views_detections.csv", routes::Format::frontex);
  auto months = monitor_->data_months();
  EXPECT_EQ(months.first, "2024-01");
  EXPECT_EQ(months.last, "2024-02");

  const auto all = monitor_->corridors();
  // TUN 100 > EGY 85; ERI has a row but no detection, so it is not offered.
  EXPECT_EQ(find(all, "central_mediterranean").nationalities,
            (std::vector<std::string>{"TUN", "EGY"}));
  EXPECT_EQ(find(all, "western_mediterranean").nationalities, std::vector<std::string>{"MAR"});
  EXPECT_TRUE(find(all, "black_sea").nationalities.empty());

  // A flow in an earlier month and an incident in a later one widen the span.
  routes::Flows flows;
  flows.labels = {"NA", "Demo point", "LBY", "ITA"};
  routes::Flow f;
  f.date = routes::make_day(2023, 11, 20);
  f.route = 0;
  f.point = 1;
  f.point_country = 2;
  f.from = 2;
  f.to = 3;
  f.persons = {120, false};
  flows.rows.push_back(f);
  monitor_->store(admin_, flows, "views_flows.csv", routes::Format::dtm);
  routes::Incidents incidents;
  incidents.format = routes::Format::mmp_export;
  routes::Incident inc;
  inc.id = "V1";
  inc.incident_id = "V1";
  inc.date = routes::make_day(2024, 5, 3);
  inc.dead = routes::Count{2, false};
  inc.routes = {"Central Mediterranean"};
  incidents.rows.push_back(inc);
  monitor_->store(admin_, incidents, "views_incidents.csv", routes::Format::mmp_export);
  months = monitor_->data_months();
  EXPECT_EQ(months.first, "2023-11");
  EXPECT_EQ(months.last, "2024-05");
}

TEST_P(MonitorViewsTest, TheDemoCountsFlowsOnEveryCorridorLeg) {
  const auto stored = load_demo(*monitor_, *alerts_, admin_);
  EXPECT_GT(stored, 0u);
  const auto months = monitor_->data_months();
  ASSERT_EQ(months.last.size(), 7u);
  // The last complete month has a flow on every leg of every corridor.
  const int year = std::stoi(months.last.substr(0, 4));
  const auto month = static_cast<unsigned>(std::stoi(months.last.substr(5, 2)));
  const auto first = routes::make_day(year, month, 1);
  std::set<std::string> legs;
  for (const auto& f : monitor_->flows(routes::Period::month, first, first + 27)) {
    EXPECT_GT(f.persons, 0) << f.corridor << " " << f.leg;
    EXPECT_EQ(f.period, months.last);
    legs.insert(f.corridor + " " + f.leg);
  }
  for (const auto& c : routes::corridors()) {
    for (std::size_t i = 0; i + 1 < c.countries.size(); ++i) {
      EXPECT_TRUE(legs.contains(c.id + " " + c.countries[i] + ">" + c.countries[i + 1]))
          << c.id << " " << c.countries[i] << ">" << c.countries[i + 1];
    }
  }
  // Corridors with demo detections offer their nationalities, the surging one among them.
  const auto central = find(monitor_->corridors(), "central_mediterranean");
  EXPECT_EQ(central.nationalities.size(), 4u);
  EXPECT_NE(std::find(central.nationalities.begin(), central.nationalities.end(), "TUN"),
            central.nationalities.end());
}

TEST_P(MonitorViewsTest, ACusumRuleOverAnAllZeroSeriesStaysQuiet) {
  // Two years of months: Tunisians every month, Eritreans never (rows of 0, as Frontex
  // publishes them).
  routes::Detections d;
  routes::Day month = routes::make_day(2023, 1, 1);
  for (int i = 0; i < 24; ++i) {
    d.rows.push_back(detection("Central Mediterranean Route", "TUN", month, 50 + (i % 5)));
    d.rows.push_back(detection("Central Mediterranean Route", "ERI", month, 0));
    month = detail::next_month(month);
  }
  monitor_->store(admin_, d, "zero.csv", routes::Format::frontex);
  alerts::AlertRule rule;
  rule.name = "CUSUM on the Central Mediterranean";
  rule.corridors = {"central_mediterranean"};
  rule.method = "cusum";
  rule.min_count = 1;
  rule.severity = "warning";
  alerts_->create_rule(admin_, rule);

  const auto report = monitor_->evaluate(*alerts_);
  EXPECT_EQ(report.rules, 1u);
  EXPECT_EQ(report.series, 2u);
  EXPECT_EQ(report.failed, 0u) << "an all-zero series is not a failure";
  const auto zero = monitor_->series("central_mediterranean", "ERI", "cusum");
  ASSERT_EQ(zero.points.size(), 24u);
  EXPECT_EQ(zero.points.back().note, "zero_baseline");
  EXPECT_FALSE(zero.points.back().upper_bound.has_value());
  EXPECT_FALSE(zero.points.back().alarm);
  EXPECT_EQ(zero.points.front().note, "") << "the history months are not monitored";
  // The series with a baseline still gets its bounds.
  const auto tun = monitor_->series("central_mediterranean", "TUN", "cusum");
  EXPECT_TRUE(tun.points.back().upper_bound.has_value());
  EXPECT_EQ(tun.points.back().note.find("zero"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Db, MonitorViewsTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::monitor::testing
