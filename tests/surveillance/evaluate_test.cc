// Evaluation by planted surges, on a real series (hepatitis A, Berlin) with a fixed seed.
#include <gtest/gtest.h>

#include <iostream>

#include "core/core.h"
#include "reference_data.h"
#include "surveillance/surveillance.h"

namespace ctis::surveillance {
namespace {

Series hepatitis_a() {
  const testing::Table t =
      testing::read_table(testing::reference_path("ha_berlin_weekly_aggregated.csv"));
  Series s;
  for (std::size_t r = 0; r < t.rows.size(); ++r) s.counts.push_back(t.number(r, "observed"));
  return s;
}

TEST(Evaluate, LargeSurgesAreFoundByEveryMethodAndDeterministic) {
  const Series s = hepatitis_a();
  const Range range{208, 289};
  SurgePlan plan;
  plan.multiple = 10;  // ten times the usual weekly count on top of it
  plan.length = 3;
  plan.surges = 12;
  plan.seed = 42;
  const std::vector<MethodSpec> methods = {{Method::ears_c1, {}},
                                           {Method::ears_c3, {}},
                                           {Method::farrington, {}},
                                           {Method::noufaily, {}},
                                           {Method::cusum, {}}};
  const std::vector<MethodScore> scores = evaluate(s, range, plan, methods);
  ASSERT_EQ(scores.size(), methods.size());
  for (const MethodScore& m : scores) {
    SCOPED_TRACE(std::string(to_string(m.method)));
    std::cout << "  " << to_string(m.method) << ": detection " << m.probability_of_detection
              << ", false positives " << m.false_positive_rate << ", median delay "
              << (m.median_delay ? std::to_string(*m.median_delay) : "none")
              << ", periods without bound " << m.periods_without_bound << "\n";
    EXPECT_EQ(m.surges, 12);
    EXPECT_GE(m.probability_of_detection, 0.0);
    EXPECT_LE(m.probability_of_detection, 1.0);
    EXPECT_GE(m.false_positive_rate, 0.0);
    EXPECT_LT(m.false_positive_rate, 0.5);
  }
  // Noufaily's default 5 years of history (plus the half window) exist only from index 263
  // on; before, no bound. Some later weeks also fail the count guard.
  int short_history = 0;
  for (const Period& p : noufaily(s, range).periods) {
    short_history += p.note == "too_little_history" ? 1 : 0;
    EXPECT_EQ(p.note == "too_little_history", p.index < 263) << p.index;
  }
  EXPECT_EQ(short_history, 263 - 208);
  EXPECT_GE(scores[3].periods_without_bound, short_history);
  EXPECT_EQ(scores[0].periods_without_bound, 0);
  // C1 must find every surge this large, on its first period.
  EXPECT_EQ(scores[0].detected, 12);
  EXPECT_DOUBLE_EQ(scores[0].probability_of_detection, 1.0);
  ASSERT_TRUE(scores[0].median_delay.has_value());
  EXPECT_DOUBLE_EQ(*scores[0].median_delay, 0.0);

  // The same seed gives the same figures.
  const std::vector<MethodScore> again = evaluate(s, range, plan, methods);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    EXPECT_EQ(again[i].detected, scores[i].detected);
    EXPECT_EQ(again[i].median_delay, scores[i].median_delay);
  }
}

TEST(Evaluate, TinySurgesAreMissedAndFalsePositivesAreCountedOnTheCleanSeries) {
  const Series s = hepatitis_a();
  const Range range{208, 289};
  SurgePlan plan;
  plan.multiple = 0.1;  // rounds to no added case at all
  plan.length = 2;
  plan.surges = 5;
  const std::vector<MethodSpec> methods = {{Method::cusum, CusumParams{}}};
  const std::vector<MethodScore> scores = evaluate(s, range, plan, methods);
  // The CUSUM reference alarms on 5 of the 82 monitored weeks (286..290, 1-based).
  EXPECT_NEAR(scores[0].false_positive_rate, 5.0 / 82.0, 1e-12);
  // Surges that add nothing are found only where the clean series alarms anyway.
  EXPECT_LE(scores[0].probability_of_detection, 1.0);
}

TEST(Evaluate, RejectsBadPlans) {
  const Series s = hepatitis_a();
  const std::vector<MethodSpec> methods = {{Method::ears_c1, {}}};
  SurgePlan plan;
  plan.length = 0;
  EXPECT_THROW(evaluate(s, {208, 289}, plan, methods), Error);
  plan = SurgePlan{};
  plan.multiple = -1;
  EXPECT_THROW(evaluate(s, {208, 289}, plan, methods), Error);
  plan = SurgePlan{};
  plan.surges = 0;
  EXPECT_THROW(evaluate(s, {208, 289}, plan, methods), Error);
}

}  // namespace
}  // namespace ctis::surveillance
