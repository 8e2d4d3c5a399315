// The quasi-Poisson fit on cases whose answer is known in closed form.
#include "surveillance/glm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ctis::surveillance::detail {
namespace {

Design intercept_only(std::size_t n) { return Design{n, 1, std::vector<double>(n, 1.0)}; }

TEST(Glm, InterceptOnlyFitsTheMeanWithPearsonDispersion) {
  const std::vector<double> y = {1, 4, 2, 0, 3, 8, 2};
  const GlmFit fit = fit_quasi_poisson(intercept_only(y.size()), y, {});
  ASSERT_TRUE(fit.ok);
  EXPECT_TRUE(fit.converged);
  const double mean = 20.0 / 7.0;
  EXPECT_NEAR(std::exp(fit.beta[0]), mean, 1e-7);
  double pearson = 0;
  for (const double v : y) pearson += (v - mean) * (v - mean) / mean;
  // Within the stopping tolerance: like R, the working weights are those of the last step.
  EXPECT_NEAR(fit.dispersion, pearson / 6, 1e-5);
  EXPECT_EQ(fit.df_residual, 6);
  // Var(beta) = 1 / (n mean) for the log-mean; leverages are 1/n.
  EXPECT_NEAR(fit.cov_unscaled[0], 1 / (7 * mean), 1e-6);
  for (const double h : fit.hat) EXPECT_NEAR(h, 1.0 / 7, 1e-6);
}

TEST(Glm, PriorWeightsGiveTheWeightedMean) {
  const std::vector<double> y = {2, 10};
  const GlmFit fit = fit_quasi_poisson(intercept_only(2), y, {3, 1});
  ASSERT_TRUE(fit.ok);
  EXPECT_NEAR(std::exp(fit.beta[0]), (3 * 2 + 10) / 4.0, 1e-7);
}

TEST(Glm, TwoGroupsFitTheirOwnMeans) {
  // Intercept + indicator of the second group: exp(b0) and exp(b0 + b1) are the group means.
  const Design d{6, 2, {1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1}};
  const std::vector<double> y = {1, 2, 3, 10, 12, 14};
  const GlmFit fit = fit_quasi_poisson(d, y, {});
  ASSERT_TRUE(fit.ok);
  EXPECT_NEAR(std::exp(fit.beta[0]), 2.0, 1e-7);
  EXPECT_NEAR(std::exp(fit.beta[0] + fit.beta[1]), 12.0, 1e-7);
}

TEST(Glm, CollinearDesignIsRefused) {
  const Design d{3, 2, {1, 2, 1, 2, 1, 2}};
  EXPECT_FALSE(fit_quasi_poisson(d, {1, 2, 3}, {}).ok);
}

// No count at all: the log-mean falls by 1 per step until the deviance stops changing. R 4.2's
// glm(y ~ ..., family = quasipoisson) on 50 zeros: intercept -26.302585092994 (log 0.1 - 24)
// after 24 steps, slope ~1e-15 with a trend; with prior weights summing to 95, 25 steps.
TEST(Glm, AllZeroCountsStopWhereRStops) {
  const std::vector<double> zeros(50, 0.0);
  const GlmFit flat = fit_quasi_poisson(intercept_only(50), zeros, {});
  ASSERT_TRUE(flat.ok);
  EXPECT_TRUE(flat.converged);
  EXPECT_NEAR(flat.beta[0], -26.302585092994068, 1e-9);
  for (const double h : flat.hat) EXPECT_NEAR(h, 1.0 / 50, 1e-9);

  Design trend{50, 2, {}};
  for (int t = 1; t <= 50; ++t) trend.x.insert(trend.x.end(), {1.0, static_cast<double>(t)});
  const GlmFit sloped = fit_quasi_poisson(trend, zeros, {});
  ASSERT_TRUE(sloped.ok);
  EXPECT_TRUE(sloped.converged);
  EXPECT_NEAR(sloped.beta[0], -26.302585092993969, 1e-9);
  EXPECT_NEAR(sloped.beta[1], 0.0, 1e-12);

  std::vector<double> weights(20, 1.0);
  weights.resize(50, 2.5);
  const GlmFit weighted = fit_quasi_poisson(intercept_only(50), zeros, weights);
  ASSERT_TRUE(weighted.ok);
  EXPECT_NEAR(weighted.beta[0], -27.302585092994018, 1e-9);
}

}  // namespace
}  // namespace ctis::surveillance::detail
