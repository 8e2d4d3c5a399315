// Internal: quasi-Poisson log-link GLM fitted by iteratively reweighted least squares.
//
// The iteration mirrors the classic IRLS of R's glm.fit (start at mu = y + 0.1, stop when the
// relative change of deviance is below 1e-8, at most 25 iterations) so that fitted values,
// covariance and dispersion agree with the reference to many digits: the covariance and the
// hat values come from the last weighted least-squares step, as in R.
#pragma once

#include <cstddef>
#include <vector>

namespace ctis::surveillance::detail {

// Row-major design matrix.
struct Design {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> x;
  double at(std::size_t r, std::size_t c) const { return x[r * cols + c]; }
};

struct GlmFit {
  bool ok = false;  // false: rank deficient or non-finite
  bool converged = false;
  std::vector<double> beta;
  std::vector<double> cov_unscaled;  // cols x cols, (X'WX)^-1
  std::vector<double> mu;            // fitted means
  std::vector<double> hat;           // leverages
  double dispersion = 1;             // Pearson chi-square / residual df
  double df_residual = 0;

  double linear_predictor(const std::vector<double>& x0) const;
  // Variance of x0'beta without the dispersion factor.
  double variance_unscaled(const std::vector<double>& x0) const;
};

// `prior` may be empty (all weights 1).
GlmFit fit_quasi_poisson(const Design& design, const std::vector<double>& y,
                         const std::vector<double>& prior);

}  // namespace ctis::surveillance::detail
