// Aggregation: periods, known totals of the real data, corridors equal to the sum of their
// parts, coverage and lag, zero-filled series.
#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>

#include <gtest/gtest.h>

#include "core/core.h"
#include "real_data.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

using testing::dtm;
using testing::frontex;
using testing::mmp_europe;

const Figure* find(const std::vector<Figure>& figures, std::string_view key,
                   std::string_view period) {
  for (const auto& f : figures)
    if (f.key == key && f.period == period) return &f;
  return nullptr;
}

std::int64_t total(const std::vector<Figure>& figures, std::string_view key = {}) {
  std::int64_t sum = 0;
  for (const auto& f : figures)
    if (key.empty() || f.key == key) sum += f.value;
  return sum;
}

TEST(Periods, Labels) {
  EXPECT_EQ(period_label(make_day(2024, 3, 31), Period::month), "2024-03");
  EXPECT_EQ(period_label(make_day(2024, 3, 31), Period::quarter), "2024-Q1");
  EXPECT_EQ(period_label(make_day(2024, 10, 1), Period::quarter), "2024-Q4");
  // ISO weeks: 2021-01-03 (a Sunday) is in 2020-W53; 2021-01-04 starts 2021-W01.
  EXPECT_EQ(period_label(make_day(2021, 1, 3), Period::week), "2020-W53");
  EXPECT_EQ(period_label(make_day(2021, 1, 4), Period::week), "2021-W01");
  EXPECT_EQ(period_label(make_day(2024, 12, 30), Period::week), "2025-W01");
}

Detections small_detections() {
  std::istringstream in(
      "route,type,nat,t,n\n"
      "Central Mediterranean Route,Sea,NGA,2020-01-01,10\n"
      "Central Mediterranean Route,Sea,ERI,2020-01-01,<5\n"
      "Central Mediterranean Route,Sea,NGA,2020-03-01,4\n"
      "Western Balkan Route,Land,SYR,2020-02-01,7\n");
  return read_frontex(in);
}

TEST(Aggregate, CensoredPartsMakeAnUpperBoundAndCoverageCountsSources) {
  const auto figures = aggregate(small_detections(), {GroupBy::corridor, Period::month, {}});
  const Figure* jan = find(figures, "central_mediterranean", "2020-01");
  ASSERT_NE(jan, nullptr);
  EXPECT_EQ(jan->value, 15);
  EXPECT_TRUE(jan->censored);
  EXPECT_EQ(jan->coverage.reporting, 1u);
  EXPECT_EQ(jan->coverage.known, 1u);
  // February: the Central Mediterranean route sent nothing, so it has no figure ...
  EXPECT_EQ(find(figures, "central_mediterranean", "2020-02"), nullptr);
  // ... and the zero-filled series shows the gap; data run to the end of March.
  const auto series = corridor_series(figures, Period::month);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].key, "central_mediterranean");
  EXPECT_EQ(series[0].periods, (std::vector<std::string>{"2020-01", "2020-02", "2020-03"}));
  EXPECT_EQ(series[0].counts, (std::vector<std::int64_t>{15, 0, 4}));
  EXPECT_EQ(jan->lag_days, 60);  // 2020-01-31 -> 2020-03-31
  const Figure* mar = find(figures, "central_mediterranean", "2020-03");
  EXPECT_EQ(mar->lag_days, 0);
  EXPECT_FALSE(mar->censored);
  // By quarter, one figure holds all three months.
  const auto quarters = aggregate(small_detections(), {GroupBy::corridor, Period::quarter, {}});
  EXPECT_EQ(find(quarters, "central_mediterranean", "2020-Q1")->value, 19);
}

TEST(Aggregate, UnsupportedGroupingsAndUnknownCorridorsAreErrors) {
  EXPECT_THROW(aggregate(small_detections(), {GroupBy::leg, Period::month, {}}), Error);
  EXPECT_THROW(aggregate(small_detections(), {GroupBy::route, Period::month, "atlantis"}), Error);
}

TEST(Aggregate, CoverageCountsPointsThatReportedAnythingOutOfThoseKnownForTheKey) {
  std::istringstream in(
      "t,route,fmp,fmp_country,from,to,n\n"
      "2020-01-10,NA,Arlit,NER,NER,DZA,5\n"
      "2020-01-11,NA,Assamaka,NER,NER,DZA,7\n"
      "2020-02-10,NA,Arlit,NER,NER,DZA,3\n"  // Assamaka sent nothing in February
      "2020-03-10,NA,Arlit,NER,NER,DZA,2\n"
      "2020-03-12,NA,Assamaka,NER,DZA,NER,4\n");  // Assamaka reported, but another leg
  const auto table = read_dtm(in);
  const auto legs = aggregate(table, {GroupBy::leg, Period::month, {}});
  const Figure* jan = find(legs, "NER>DZA", "2020-01");
  const Figure* feb = find(legs, "NER>DZA", "2020-02");
  const Figure* mar = find(legs, "NER>DZA", "2020-03");
  ASSERT_TRUE(jan && feb && mar);
  EXPECT_EQ(jan->value, 12);
  EXPECT_EQ(jan->coverage.reporting, 2u);
  EXPECT_EQ(jan->coverage.known, 2u);
  EXPECT_EQ(feb->value, 3);
  EXPECT_EQ(feb->coverage.reporting, 1u);  // a gap in monitoring, not necessarily fewer people
  EXPECT_EQ(feb->coverage.known, 2u);
  EXPECT_EQ(mar->coverage.reporting, 2u);  // Assamaka saw no one going north: a real zero
  EXPECT_EQ(mar->lag_days, -19);           // latest data 2020-03-12: March is still open
  EXPECT_EQ(find(legs, "DZA>NER", "2020-03")->coverage.known, 1u);
  // Both legs join corridor countries in order only one way round.
  const auto sahara = aggregate(table, {GroupBy::corridor, Period::quarter, "central_sahara"});
  ASSERT_EQ(sahara.size(), 1u);
  EXPECT_EQ(sahara[0].value, 17);  // NER>DZA only
}

TEST(Aggregate, AnIncidentOnTwoRoutesCountsInBothCorridors) {
  std::istringstream in(
      "\"Main ID\",\"Incident ID\",Region,\"Incident Date\",Year,\"Reported Month\",\"Number "
      "Dead\",\"Minimum Estimated Number of Missing\",\"Number of Survivors\",\"Number of "
      "Females\",\"Number of Males\",\"Number of Children\",\"Region of Origin\",\"Cause of "
      "Death\",\"Country of Origin\",\"Location of death\",\"Information Source\",Coordinates,"
      "\"Migration route\",URL,\"UNSD Geographical Grouping\",\"Source Quality\"\n"
      "A,A,R,\"Wed, 01/07/2026 - 12:00\",2026,January,2,3,,,,,U,D,Mali,L,S,,"
      "\"Central Mediterranean,Sahara Desert crossing\",,U,3\n"
      "B,B,R,\"Thu, 01/08/2026 - 12:00\",2026,January,1,0,,,,,U,D,Unknown,L,S,,"
      "\"Western Mediterranean\",,U,3\n");
  const auto table = read_missing_migrants(in);
  const auto figures = aggregate(table, {GroupBy::corridor, Period::week, {}});
  EXPECT_EQ(find(figures, "central_mediterranean", "2026-W02")->value, 5);
  EXPECT_EQ(find(figures, "central_sahara", "2026-W02")->value, 5);
  EXPECT_EQ(find(figures, "western_mediterranean", "2026-W02")->value, 1);
  const auto by_origin = aggregate(table, {GroupBy::nationality, Period::month, {}});
  EXPECT_EQ(find(by_origin, "MLI", "2026-01")->value, 5);
  EXPECT_EQ(find(by_origin, "unknown", "2026-01")->value, 1);
  EXPECT_EQ(total(aggregate(table, {GroupBy::total, Period::quarter, {}})), 6);
}

TEST(Aggregate, FrontexKnownTotals) {
  const auto& table = std::get<Detections>(frontex().data);
  const auto all = aggregate(table, {GroupBy::total, Period::month, {}});
  EXPECT_EQ(total(all), 4966869);  // sum of the file's n column
  const auto by_route = aggregate(table, {GroupBy::route, Period::quarter, {}});
  EXPECT_EQ(total(by_route), total(all));
  EXPECT_EQ(total(by_route, "Central Mediterranean Route"), 1252298);
  const auto months = aggregate(table, {GroupBy::corridor, Period::month, {}});
  const Figure* oct = find(months, "central_mediterranean", "2016-10");
  ASSERT_NE(oct, nullptr);
  EXPECT_EQ(oct->value, 27390);
  EXPECT_EQ(oct->coverage.known, 1u);
  EXPECT_EQ(oct->coverage.reporting, 1u);
  // Data end with April 2025: the period ended 3,104 days before its latest day.
  EXPECT_EQ(oct->lag_days, make_day(2025, 4, 30) - make_day(2016, 10, 31));
  const auto years = aggregate(table, {GroupBy::nationality, Period::quarter, {}});
  std::int64_t syria_oct_2015 = 0;
  for (const auto& f : aggregate(table, {GroupBy::nationality, Period::month, {}}))
    if (f.key == "SYR" && f.period == "2015-10") syria_oct_2015 = f.value;
  EXPECT_EQ(syria_oct_2015, 111348);
  EXPECT_EQ(total(years), total(all));
}

TEST(Aggregate, CorridorTotalsEqualTheSumOfTheirParts) {
  const auto& table = std::get<Detections>(frontex().data);
  const auto whole = aggregate(table, {GroupBy::corridor, Period::month, {}});
  for (const auto& c : corridors()) {
    if (c.frontex_routes.empty()) continue;
    const auto parts = aggregate(table, {GroupBy::nationality, Period::month, c.id});
    std::map<std::string, std::int64_t> by_period;
    for (const auto& f : parts) by_period[f.period] += f.value;
    for (const auto& f : whole) {
      if (f.key != c.id) continue;
      EXPECT_EQ(f.value, by_period[f.period]) << c.id << " " << f.period;
      by_period.erase(f.period);
    }
    EXPECT_TRUE(by_period.empty()) << c.id;
    // Coverage of a nationality counts the corridor's routes that ever reported it.
    for (const auto& f : parts) EXPECT_LE(f.coverage.reporting, f.coverage.known);
  }
  const auto cm = aggregate(table, {GroupBy::corridor, Period::quarter, "central_mediterranean"});
  const auto cm_2016 =
      std::accumulate(cm.begin(), cm.end(), std::int64_t{0}, [](std::int64_t s, const Figure& f) {
        return f.period.starts_with("2016") ? s + f.value : s;
      });
  EXPECT_EQ(cm_2016, 181376);
}

TEST(Aggregate, MissingMigrantsDeadAndMissingPerCorridor) {
  const auto& table = std::get<Incidents>(mmp_europe().data);
  const auto figures = aggregate(table, {GroupBy::corridor, Period::quarter, {}});
  std::int64_t cm_2023 = 0;
  for (const auto& f : figures)
    if (f.key == "central_mediterranean" && f.period.starts_with("2023")) cm_2023 += f.value;
  EXPECT_EQ(cm_2023, 2526);
  EXPECT_EQ(total(aggregate(table, {GroupBy::total, Period::month, {}})), 49989);
  EXPECT_THROW(aggregate(table, {GroupBy::point, Period::month, {}}), Error);
}

TEST(Aggregate, DtmLegsPointsCoverageAndSeries) {
  const auto& table = std::get<Flows>(dtm().data);
  // Known answers over the streamed prefix (the first 200,000 rows, 2018-2019).
  const auto legs = aggregate(table, {GroupBy::leg, Period::quarter, {}});
  std::int64_t nga_ner = 0;
  for (const auto& f : legs)
    if (f.key == "NGA>NER") nga_ner += f.value;
  EXPECT_EQ(nga_ner, 376659);
  EXPECT_EQ(total(legs), 2514954);
  const auto points = aggregate(table, {GroupBy::point, Period::month, {}});
  const Figure* kano = find(points, "Kano", "2018-12");
  ASSERT_NE(kano, nullptr);
  EXPECT_EQ(kano->value, 33966);
  EXPECT_EQ(kano->coverage.known, 1u);
  EXPECT_EQ(kano->coverage.reporting, 1u);
  EXPECT_EQ(kano->lag_days, 365);  // 2018-12-31 to the end of the prefix, 2019-12-31
  // The Central Sahara corridor equals the sum of its legs, and its coverage counts the
  // monitoring points that ever saw a corridor flow.
  const auto sahara = aggregate(table, {GroupBy::corridor, Period::month, "central_sahara"});
  const auto sahara_legs = aggregate(table, {GroupBy::leg, Period::month, "central_sahara"});
  std::int64_t sahara_total = 0;
  for (const auto& f : sahara)
    if (f.key == "central_sahara") {
      sahara_total += f.value;
      EXPECT_LE(f.coverage.reporting, f.coverage.known);
      EXPECT_GT(f.coverage.known, 1u);
    }
  EXPECT_GT(sahara_total, 0);
  EXPECT_EQ(sahara_total, total(sahara_legs));
  const auto series = corridor_series(sahara, Period::month);
  const auto it = std::find_if(series.begin(), series.end(),
                               [](const Series& s) { return s.key == "central_sahara"; });
  ASSERT_NE(it, series.end());
  EXPECT_EQ(it->counts.size(), it->periods.size());
  EXPECT_EQ(std::accumulate(it->counts.begin(), it->counts.end(), std::int64_t{0}), sahara_total);
}

}  // namespace
}  // namespace ctis::routes
