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

}  // namespace
}  // namespace ctis::surveillance::detail
