// Hand-made series: the arithmetic of each method, its guards, resets and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "core/core.h"
#include "reference_data.h"
#include "surveillance/surveillance.h"

namespace ctis::surveillance {
namespace {

constexpr std::size_t kYear = 52;  // weeks

Series weekly(std::vector<double> counts) { return Series{std::move(counts), 52, {}}; }

// A seasonal weekly series without outbreaks: 2 + 1.5 sin, rounded, over `years` years.
Series seasonal(int years) {
  Series s;
  for (int i = 0; i < years * 52; ++i) {
    s.counts.push_back(std::round(4 + 2 * std::sin(2 * std::numbers::pi * i / 52.0) + (i % 3)));
  }
  return s;
}

TEST(Ears, C1IsMeanPlusZTimesSdOfTheLastSevenPeriods) {
  // Baseline 1..7: mean 4, sd sqrt(14/3).
  const Series s = weekly({1, 2, 3, 4, 5, 6, 7, 20});
  const Result r = ears(s, {7, 7}, Method::ears_c1);
  ASSERT_EQ(r.periods.size(), 1U);
  const double z = 3.090232306167813;  // qnorm(0.999)
  EXPECT_NEAR(*r.periods[0].expected, 4.0, 1e-12);
  EXPECT_NEAR(*r.periods[0].upper_bound, 4 + z * std::sqrt(14.0 / 3.0), 1e-9);
  EXPECT_TRUE(r.periods[0].alarm);
  EXPECT_EQ(r.periods[0].index, 7U);
}

TEST(Ears, C2SkipsTheTwoMostRecentPeriods) {
  // The two periods before t are huge; C2 ignores them, C1 does not.
  const Series s = weekly({2, 2, 2, 2, 2, 2, 3, 90, 90, 10});
  EarsParams p;
  p.alpha = 0.05;
  const Result c2 = ears(s, {9, 9}, Method::ears_c2, p);
  EXPECT_TRUE(c2.periods[0].alarm);
  EXPECT_NEAR(*c2.periods[0].expected, 15.0 / 7.0, 1e-12);
  const Result c1 = ears(s, {9, 9}, Method::ears_c1, p);
  EXPECT_FALSE(c1.periods[0].alarm);
}

TEST(Ears, MinSigmaKeepsAFlatBaselineFromAlarmingOnEveryCase) {
  const Series s = weekly({3, 3, 3, 3, 3, 3, 3, 4});
  EXPECT_TRUE(ears(s, {7, 7}, Method::ears_c1).periods[0].alarm);  // sd 0: bound = mean
  EarsParams p;
  p.min_sigma = 1;
  const Result r = ears(s, {7, 7}, Method::ears_c1, p);
  EXPECT_FALSE(r.periods[0].alarm);
  EXPECT_NEAR(*r.periods[0].upper_bound, 3 + 3.090232306167813, 1e-9);
}

TEST(Ears, C3WithAFlatBaselineHasNoBound) {
  // A constant history makes the C2 statistics 0/0: R reports NA, so do we, with a note.
  const Series s = weekly(std::vector<double>(14, 2.0));
  const Result r = ears(s, {11, 13}, Method::ears_c3);
  for (const Period& p : r.periods) {
    EXPECT_FALSE(p.upper_bound.has_value());
    EXPECT_FALSE(p.alarm);
    EXPECT_EQ(p.note, "constant_baseline");
  }
}

TEST(Ears, DefaultAlphaFollowsTheReferencePerVariant) {
  Series s = weekly({1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7, 20});
  // C3 defaults to alpha 0.025 (z = 1.96), C1 and C2 to 0.001 (z = 3.09).
  EarsParams explicit_c3;
  explicit_c3.alpha = 0.025;
  EXPECT_DOUBLE_EQ(*ears(s, {14, 14}, Method::ears_c3).periods[0].upper_bound,
                   *ears(s, {14, 14}, Method::ears_c3, explicit_c3).periods[0].upper_bound);
  EarsParams explicit_c1;
  explicit_c1.alpha = 0.001;
  EXPECT_DOUBLE_EQ(*ears(s, {14, 14}, Method::ears_c1).periods[0].upper_bound,
                   *ears(s, {14, 14}, Method::ears_c1, explicit_c1).periods[0].upper_bound);
  EXPECT_NE(*ears(s, {14, 14}, Method::ears_c3).periods[0].upper_bound,
            *ears(s, {14, 14}, Method::ears_c3, explicit_c1).periods[0].upper_bound);
}

TEST(Ears, ShortHistoryIsAnErrorNamingTheRange) {
  const Series s = weekly(std::vector<double>(20, 1.0));
  struct Case {
    Method method;
    std::size_t first;
    bool ok;
  };
  const std::vector<Case> cases = {
      {Method::ears_c1, 6, false}, {Method::ears_c1, 7, true},   {Method::ears_c2, 8, false},
      {Method::ears_c2, 9, true},  {Method::ears_c3, 10, false}, {Method::ears_c3, 11, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(to_string(c.method)) + " from " + std::to_string(c.first));
    if (c.ok) {
      EXPECT_EQ(ears(s, {c.first, 19}, c.method).periods.size(), 20 - c.first);
    } else {
      try {
        ears(s, {c.first, 19}, c.method);
        ADD_FAILURE() << "expected an error";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::invalid);
        EXPECT_EQ(e.field(), "range.first");
      }
    }
  }
}

TEST(Validation, BadInputsNameTheField) {
  const Series good = weekly(std::vector<double>(30, 1.0));
  struct Case {
    std::string name;
    std::function<void()> call;
    std::string field;
  };
  Series negative = good;
  negative.counts[12] = -1;
  Series nan = good;
  nan.counts[3] = std::nan("");
  Series days = good;
  days.days = {1, 2, 3};
  const std::vector<Case> cases = {
      {"negative count",
       [&] {
         ears(negative, {10, 20}, Method::ears_c1);
       },
       "counts[12]"},
      {"NaN count",
       [&] {
         cusum(nan, {10, 20});
       },
       "counts[3]"},
      {"range past the end",
       [&] {
         ears(good, {10, 30}, Method::ears_c1);
       },
       "range.last"},
      {"range reversed",
       [&] {
         ears(good, {20, 10}, Method::ears_c1);
       },
       "range.first"},
      {"dates of the wrong length",
       [&] {
         farrington(days, {10, 20});
       },
       "days"},
      {"baseline too small",
       [&] {
         ears(good, {10, 20}, Method::ears_c1, EarsParams{2, 0.001, 0.0});
       },
       "params.baseline"},
      {"alpha out of range",
       [&] {
         farrington(good, {10, 20}, FarringtonParams{5, 3, true, 1.5});
       },
       "params.alpha"},
      {"wrong params for the method",
       [&] {
         run(Method::cusum, good, {10, 20}, EarsParams{});
       },
       "params"},
      {"ears with a non-EARS method",
       [&] {
         ears(good, {10, 20}, Method::cusum);
       },
       "method"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    try {
      c.call();
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid);
      EXPECT_EQ(e.field(), c.field);
      EXPECT_FALSE(std::string(e.what()).empty());
    }
  }
}

TEST(Cusum, RossiStatisticAccumulatesAndAlarmsAtH) {
  // m = 1: z(x) = (x - 3 + 2 sqrt(x)) / 2, so z(4) = 2.5 and z(1) = 0.
  const Series s = weekly({1, 1, 1, 1, 4, 4, 4, 1});
  CusumParams p;
  p.k = 0.5;
  p.h = 3.0;
  const Result r = cusum(s, {4, 7}, p);
  // Sums: 2.0, 4.0 (alarm), 6.0 (alarm), 5.5 (alarm: R keeps summing).
  EXPECT_FALSE(r.periods[0].alarm);
  EXPECT_TRUE(r.periods[1].alarm);
  EXPECT_TRUE(r.periods[2].alarm);
  EXPECT_TRUE(r.periods[3].alarm);
  EXPECT_NEAR(*r.periods[0].expected, 1.0, 1e-12);
  // The bound is the count that brings the sum from 0 to h: z(x) = h + k, x = (sqrt(11) - 1)^2.
  EXPECT_NEAR(*r.periods[0].upper_bound, std::pow(std::sqrt(11.0) - 1, 2), 1e-9);
  // From a sum of 2: z(x) = 1.5, x + 2 sqrt(x) - 6 = 0, x = (sqrt(7) - 1)^2.
  EXPECT_NEAR(*r.periods[1].upper_bound, std::pow(std::sqrt(7.0) - 1, 2), 1e-9);
}

TEST(Cusum, ResetAfterAlarmRestartsTheSum) {
  const Series s = weekly({1, 1, 1, 1, 4, 4, 4, 1});
  CusumParams p;
  p.k = 0.5;
  p.h = 3.0;
  p.reset_after_alarm = true;
  const Result r = cusum(s, {4, 7}, p);
  // Sums: 2.0, 4.0 (alarm, reset to 0), 2.0, 1.5.
  EXPECT_FALSE(r.periods[0].alarm);
  EXPECT_TRUE(r.periods[1].alarm);
  EXPECT_EQ(r.periods[1].note, "reset");
  EXPECT_FALSE(r.periods[2].alarm);
  EXPECT_FALSE(r.periods[3].alarm);
  // After the reset the bound is again the one from a zero sum.
  EXPECT_NEAR(*r.periods[2].upper_bound, *r.periods[0].upper_bound, 1e-12);
}

TEST(Cusum, NeedsAPositiveMean) {
  const Series s = weekly({0, 0, 0, 3});
  EXPECT_THROW(cusum(s, {3, 3}), Error);
  EXPECT_THROW(cusum(s, {0, 3}), Error);
  CusumParams p;
  p.mean = 0.5;
  EXPECT_EQ(cusum(s, {0, 3}, p).periods.size(), 4U);
}

TEST(Farrington, StableSeasonalSeriesGivesBoundsAboveTheMeanAndNoAlarms) {
  const Series s = seasonal(6);
  const Result r = farrington(s, {5 * kYear, 6 * kYear - 1});
  ASSERT_EQ(r.periods.size(), 52U);
  int alarms = 0;
  for (const Period& p : r.periods) {
    ASSERT_TRUE(p.upper_bound.has_value());
    EXPECT_GT(*p.upper_bound, *p.expected);
    alarms += p.alarm ? 1 : 0;
  }
  EXPECT_EQ(alarms, 0);
}

TEST(Farrington, OutbreakAlarmsAndTheCountGuardSilencesSmallCounts) {
  Series s = seasonal(6);
  const std::size_t t = 5 * kYear + 20;
  s.counts[t] = 40;
  const Result r = farrington(s, {t, t});
  EXPECT_TRUE(r.periods[0].alarm);

  // Fewer than 5 cases in the last 4 weeks: bound 0 (as R), no alarm, a note.
  Series quiet = weekly(std::vector<double>(6 * kYear, 0.0));
  for (std::size_t i = 0; i < quiet.counts.size(); i += 9) quiet.counts[i] = 1;
  quiet.counts[t] = 3;
  const Result g = farrington(quiet, {t, t});
  EXPECT_FALSE(g.periods[0].alarm);
  EXPECT_EQ(*g.periods[0].upper_bound, 0.0);
  EXPECT_EQ(g.periods[0].note, "count_guard");
}

TEST(Flexible, MissingHistoryIsANotePerPeriod) {
  const Series s = seasonal(3);
  // With b = 5 the reference years do not exist; no bound, and a reason.
  const Result r = noufaily(s, {2 * kYear, 2 * kYear + 3});
  for (const Period& p : r.periods) {
    EXPECT_FALSE(p.upper_bound.has_value());
    EXPECT_EQ(p.note, "too_little_history");
  }
  FlexibleParams p = FlexibleParams::noufaily_defaults();
  p.years_back = 1;
  p.half_window = 1;
  p.no_periods = 3;
  const Result ok = noufaily(s, {2 * kYear, 2 * kYear + 3}, p);
  for (const Period& q : ok.periods) EXPECT_TRUE(q.upper_bound.has_value()) << q.note;
}

TEST(Flexible, NoufailyBoundIsAWholeCountAndAlarmsOnASurge) {
  Series s = seasonal(6);
  const std::size_t t = 5 * kYear + 30;
  s.counts[t] = 30;
  const Result r = noufaily(s, {t - 1, t});
  ASSERT_TRUE(r.periods[0].upper_bound.has_value());
  EXPECT_EQ(*r.periods[0].upper_bound, std::floor(*r.periods[0].upper_bound));
  EXPECT_FALSE(r.periods[0].alarm);
  EXPECT_TRUE(r.periods[1].alarm);
}

TEST(Flexible, CountGuardLeavesNoBoundWhereRHasNA) {
  Series quiet = weekly(std::vector<double>(6 * kYear, 0.0));
  for (std::size_t i = 0; i < quiet.counts.size(); i += 5) quiet.counts[i] = 1;
  const std::size_t t = 5 * kYear + 10;
  quiet.counts[t] = 4;  // 4 + at most 1 earlier in the last 4 weeks: below 5 or just at it
  FlexibleParams p;
  p.limit_cases = 6;
  const Result guarded = farrington_flexible(quiet, {t, t}, p);
  EXPECT_FALSE(guarded.periods[0].upper_bound.has_value());
  EXPECT_FALSE(guarded.periods[0].expected.has_value());
  EXPECT_FALSE(guarded.periods[0].alarm);
  EXPECT_EQ(guarded.periods[0].note, "count_guard");
  // With the guard off, the same period has a bound and alarms.
  p.limit_cases = 0;
  const Result open = farrington_flexible(quiet, {t, t}, p);
  ASSERT_TRUE(open.periods[0].upper_bound.has_value());
  EXPECT_TRUE(open.periods[0].alarm);
  EXPECT_TRUE(open.periods[0].note.empty());
}

TEST(Flexible, AllZeroHistoryGivesAFiniteBoundOrANote) {
  Series zeros = weekly(std::vector<double>(6 * kYear, 0.0));
  const std::size_t t = 5 * kYear + 10;
  zeros.counts[t] = 3;
  FlexibleParams flexible;
  flexible.limit_cases = 0;
  FlexibleParams nb = FlexibleParams::noufaily_defaults();
  nb.limit_cases = 0;
  FarringtonParams classic;
  classic.limit_cases = 0;
  for (const Result& r :
       {farrington(zeros, {t - 1, t}, classic), farrington_flexible(zeros, {t - 1, t}, flexible),
        noufaily(zeros, {t - 1, t}, nb)}) {
    SCOPED_TRACE(std::string(to_string(r.method)));
    for (const Period& p : r.periods) {
      if (p.upper_bound) {
        EXPECT_TRUE(std::isfinite(*p.upper_bound));
        EXPECT_GE(*p.upper_bound, 0.0);
        EXPECT_EQ(p.alarm, p.observed > 0);  // anything above a zero history alarms
      } else {
        EXPECT_FALSE(p.note.empty());
        EXPECT_FALSE(p.alarm);
      }
    }
  }
}

TEST(Flexible, DatedSeriesFindTheSameWeekByCalendar) {
  // Mondays from 2004-01-05. Two years back, the nearest Monday is exactly 104 weeks back, so
  // dates and period counting agree; five years back the calendar is 261 weeks away, not 260.
  Series undated = seasonal(7);
  undated.counts[3 * kYear + 5] = 25;  // an outbreak that only the 261-weeks-back fit sees
  Series dated = undated;
  const int first = testing::day_number("2004-01-05");
  for (std::size_t i = 0; i < dated.counts.size(); ++i) {
    dated.days.push_back(first + static_cast<int>(7 * i));
  }
  FlexibleParams two_years;
  two_years.years_back = 2;
  const Range range{6 * kYear, 6 * kYear + 8};
  const Result a = farrington_flexible(undated, range, two_years);
  const Result b = farrington_flexible(dated, range, two_years);
  for (std::size_t i = 0; i < a.periods.size(); ++i) {
    ASSERT_TRUE(a.periods[i].upper_bound && b.periods[i].upper_bound) << i;
    // The trend variable is counted differently (index vs weeks since the first), so only
    // rounding may differ.
    EXPECT_NEAR(*a.periods[i].upper_bound, *b.periods[i].upper_bound, 1e-9) << i;
  }
  const Result c = farrington_flexible(undated, range, FlexibleParams{});
  const Result d = farrington_flexible(dated, range, FlexibleParams{});
  int differ = 0;
  for (std::size_t i = 0; i < c.periods.size(); ++i) {
    differ += std::fabs(c.periods[i].upper_bound.value_or(-1) -
                        d.periods[i].upper_bound.value_or(-1)) > 1e-6
                  ? 1
                  : 0;
  }
  EXPECT_GT(differ, 0);
}

TEST(Flexible, MonthlyDatedAndUndatedAgree) {
  Series undated;
  undated.periods_per_year = 12;
  for (int i = 0; i < 8 * 12; ++i)
    undated.counts.push_back(20 + 8 * ((i % 12) < 6 ? 1 : 0) + i % 5);
  Series dated = undated;
  for (int i = 0; i < 8 * 12; ++i) {
    const std::string month = std::to_string(1 + i % 12);
    dated.days.push_back(testing::day_number(std::to_string(2010 + i / 12) + "-" +
                                             (month.size() == 1 ? "0" : "") + month + "-01"));
  }
  FlexibleParams p = FlexibleParams::noufaily_defaults();
  p.no_periods = 4;
  p.past_periods_excluded = 6;
  constexpr std::size_t kMonths = 12;
  const Range range{7 * kMonths, 8 * kMonths - 1};
  const Result a = noufaily(undated, range, p);
  const Result b = noufaily(dated, range, p);
  for (std::size_t i = 0; i < a.periods.size(); ++i) {
    ASSERT_TRUE(a.periods[i].upper_bound.has_value()) << a.periods[i].note;
    EXPECT_EQ(a.periods[i].upper_bound, b.periods[i].upper_bound) << i;
  }
}

TEST(Run, DispatchesByNameWithDefaults) {
  const Series s = seasonal(6);
  const Range range{5 * kYear, 5 * kYear + 10};
  for (const char* name : {"ears_c1", "ears_c2", "ears_c3", "farrington", "farrington_flexible",
                           "noufaily", "cusum"}) {
    SCOPED_TRACE(name);
    const std::optional<Method> m = parse_method(name);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(to_string(*m), name);
    const Result r = run(*m, s, range);
    EXPECT_EQ(r.method, *m);
    EXPECT_EQ(r.periods.size(), 11U);
  }
  EXPECT_FALSE(parse_method("bayes").has_value());
  // Parameters given through run() are used.
  EarsParams loose;
  loose.alpha = 0.4;
  EXPECT_LT(*run(Method::ears_c1, s, range, loose).periods[0].upper_bound,
            *run(Method::ears_c1, s, range).periods[0].upper_bound);
}

}  // namespace
}  // namespace ctis::surveillance
