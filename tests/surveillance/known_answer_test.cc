// Known answers: the outputs of the R package `surveillance` 1.20.3 on three public series,
// matched to 1e-6 relative, with the same alarms and NA exactly where R has NA.
#include <gtest/gtest.h>

#include <cmath>

#include "reference_data.h"
#include "surveillance/surveillance.h"

namespace ctis::surveillance {
namespace {

using testing::read_table;
using testing::reference_path;
using testing::Table;

Series load_series(const std::string& file, bool with_days) {
  const Table t = read_table(reference_path(file));
  Series s;
  s.periods_per_year = 52;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    EXPECT_EQ(t.number(r, "idx"), static_cast<double>(r + 1)) << file << " row " << r;
    s.counts.push_back(t.number(r, "observed"));
    if (with_days) s.days.push_back(testing::day_number(t.cell(r, "date")));
  }
  return s;
}

Range range_of(const Table& ref) {
  return {static_cast<std::size_t>(ref.number(0, "idx")) - 1,
          static_cast<std::size_t>(ref.number(ref.rows.size() - 1, "idx")) - 1};
}

// Compares every monitored period with the reference columns; returns the mismatches.
int compare(const Result& result, const Table& ref, const std::string& bound_column,
            const std::string& alarm_column) {
  int mismatches = 0;
  EXPECT_EQ(result.periods.size(), ref.rows.size());
  for (std::size_t r = 0; r < ref.rows.size() && r < result.periods.size(); ++r) {
    const Period& p = result.periods[r];
    const std::string where = bound_column + " idx " + ref.cell(r, "idx");
    EXPECT_EQ(static_cast<double>(p.index + 1), ref.number(r, "idx")) << where;
    EXPECT_EQ(p.observed, ref.number(r, "observed")) << where;
    const std::optional<double> expected = ref.number_or_na(r, bound_column);
    bool ok = expected.has_value() == p.upper_bound.has_value();
    if (ok && expected) {
      ok = std::fabs(*p.upper_bound - *expected) <= 1e-6 * std::max(std::fabs(*expected), 1e-3);
    }
    ok = ok && p.alarm == ref.flag(r, alarm_column);
    if (!ok) {
      ++mismatches;
      ADD_FAILURE() << where << ": got " << (p.upper_bound ? std::to_string(*p.upper_bound) : "NA")
                    << " alarm " << p.alarm << " note '" << p.note << "', reference "
                    << ref.cell(r, bound_column) << " alarm " << ref.cell(r, alarm_column);
    }
  }
  return mismatches;
}

const char* kNewport = "salmNewport_germany_weekly.csv";
const char* kNewportReference = "salmNewport_2011_earsC_farrington_reference.csv";

TEST(KnownAnswer, EarsC1C2C3OnSalmonellaNewport2011) {
  const Series s = load_series(kNewport, false);
  const Table ref = read_table(reference_path(kNewportReference));
  const Range range = range_of(ref);
  // The reference was computed with alpha = 0.05 (z = 1.645), not the 0.001 default.
  EarsParams p;
  p.alpha = 0.05;
  EXPECT_EQ(compare(ears(s, range, Method::ears_c1, p), ref, "C1_ub", "C1_alarm"), 0);
  EXPECT_EQ(compare(ears(s, range, Method::ears_c2, p), ref, "C2_ub", "C2_alarm"), 0);
  EXPECT_EQ(compare(ears(s, range, Method::ears_c3, p), ref, "C3_ub", "C3_alarm"), 0);
  // The package's own unit test pins C1's first four bounds.
  const Result c1 = ears(s, range, Method::ears_c1, p);
  EXPECT_NEAR(*c1.periods[0].upper_bound, 3.278854, 1e-6);
  EXPECT_NEAR(*c1.periods[3].upper_bound, 3.855617, 1e-6);
}

TEST(KnownAnswer, FarringtonOnSalmonellaNewport2011) {
  const Series s = load_series(kNewport, true);
  const Table ref = read_table(reference_path(kNewportReference));
  // farringtonFlexible with its defaults (b = 5, w = 3, alpha = 0.05, one-sided, delta-method
  // bound) and the classic outbreak weights (threshold 1); the series carries its dates.
  FlexibleParams p;
  p.weights_threshold = 1;
  EXPECT_EQ(
      compare(farrington_flexible(s, range_of(ref), p), ref, "farrington_ub", "farrington_alarm"),
      0);
}

TEST(KnownAnswer, NoufailyOnSalmonellaNewport2011) {
  const Series s = load_series(kNewport, true);
  const Table ref = read_table(reference_path(kNewportReference));
  // The Noufaily settings on top of farringtonFlexible's defaults (b = 5, w = 3, alpha = 0.05).
  EXPECT_EQ(compare(noufaily(s, range_of(ref)), ref, "noufaily_ub", "noufaily_alarm"), 0);
}

TEST(KnownAnswer, FarringtonClassicOnSalmonellaAgona) {
  const Series s = load_series("salmonella_agona_weekly_1990_1995.csv", false);
  const Table ref =
      read_table(reference_path("salmonella_agona_farrington_b4_w3_alpha0.01_reference.csv"));
  FarringtonParams p;
  p.years_back = 4;
  p.half_window = 3;
  p.alpha = 0.01;
  EXPECT_EQ(compare(farrington(s, range_of(ref), p), ref, "upperbound", "alarm"), 0);
}

TEST(KnownAnswer, RossiCusumOnHepatitisABerlin) {
  const Series s = load_series("ha_berlin_weekly_aggregated.csv", false);
  const Table ref = read_table(reference_path("ha_cusum_rossi_k1.04_h2.26_reference.csv"));
  CusumParams p;
  p.k = 1.04;
  p.h = 2.26;
  EXPECT_EQ(compare(cusum(s, range_of(ref), p), ref, "cusum_upperbound", "cusum_alarm"), 0);
}

// Noufaily's 10 seasonal groups do not fit the 5 months between monthly windows: R then makes
// empty blocks whose `from:to` counts down, relabelling two periods. Reference values from
// R surveillance 1.20.3 on this formula series: farringtonFlexible(sts(x, start = c(2015, 1),
// frequency = 12), range = 73:96, b = 5, w = 3, noPeriods = 10, pastWeeksNotIncluded = 26,
// pThresholdTrend = 1, thresholdMethod = "nbPlugin").
TEST(KnownAnswer, NoufailyOnAMonthlySeriesWithMoreGroupsThanGapPeriods) {
  Series s;
  s.periods_per_year = 12;
  for (int t = 1; t <= 96; ++t)
    s.counts.push_back((t * 7) % 11 + (t % 12 == 5 ? 6 : 0) + (t > 90 ? 12 : 0));
  const std::vector<double> bounds = {14, 19, 15, 12, 12, 12, 10, 11, 12, 11, 13, 14,
                                      15, 15, 13, 13, 13, 11, 12, 12, 11, 13, 14, 15};
  const std::vector<int> alarms = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0};
  const Result r = noufaily(s, {72, 95});
  ASSERT_EQ(r.periods.size(), bounds.size());
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    ASSERT_TRUE(r.periods[i].upper_bound.has_value()) << i << " " << r.periods[i].note;
    EXPECT_EQ(*r.periods[i].upper_bound, bounds[i]) << "month " << 73 + i;
    EXPECT_EQ(r.periods[i].alarm, alarms[i] == 1) << "month " << 73 + i;
  }
}

}  // namespace
}  // namespace ctis::surveillance
