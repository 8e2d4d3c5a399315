#include "surveillance/glm.h"

#include <cmath>
#include <limits>

namespace ctis::surveillance::detail {
namespace {

constexpr double kEpsilon = 1e-8;  // relative change of deviance that ends the iteration
constexpr int kMaxIterations = 25;
constexpr double kMachineEps = std::numeric_limits<double>::epsilon();

double deviance(const std::vector<double>& y, const std::vector<double>& mu,
                const std::vector<double>& prior) {
  double sum = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double term = y[i] > 0 ? y[i] * std::log(y[i] / mu[i]) - (y[i] - mu[i]) : mu[i];
    sum += 2 * prior[i] * term;
  }
  return sum;
}

// Weighted least squares by Householder QR of the scaled design. Returns false when the
// design is rank deficient. On success `beta` holds the solution and `r` the p x p triangle.
// a (n x p, column-major so that the inner loops run down contiguous columns) and b are
// overwritten: the caller rebuilds them every iteration.
bool least_squares(std::vector<double>& a, std::vector<double>& b, std::size_t n, std::size_t p,
                   std::vector<double>& beta, std::vector<double>& r) {
  for (std::size_t j = 0; j < p; ++j) {
    double* col = a.data() + j * n;
    double norm = 0;
    for (std::size_t i = j; i < n; ++i) norm += col[i] * col[i];
    norm = std::sqrt(norm);
    double scale = 0;  // column norms guard the rank test
    for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::fabs(col[i]));
    if (norm <= 1e-11 * std::max(scale, 1e-300) || norm == 0) return false;
    const double alpha = col[j] > 0 ? -norm : norm;
    // v = a_j - alpha e_j, stored in place below the diagonal.
    col[j] -= alpha;
    double vnorm2 = 0;
    for (std::size_t i = j; i < n; ++i) vnorm2 += col[i] * col[i];
    for (std::size_t c = j + 1; c < p; ++c) {
      double* other = a.data() + c * n;
      double dot = 0;
      for (std::size_t i = j; i < n; ++i) dot += col[i] * other[i];
      const double f = 2 * dot / vnorm2;
      for (std::size_t i = j; i < n; ++i) other[i] -= f * col[i];
    }
    double dot = 0;
    for (std::size_t i = j; i < n; ++i) dot += col[i] * b[i];
    const double f = 2 * dot / vnorm2;
    for (std::size_t i = j; i < n; ++i) b[i] -= f * col[i];
    col[j] = alpha;
  }
  r.assign(p * p, 0.0);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = i; j < p; ++j) r[i * p + j] = a[j * n + i];
  }
  beta.assign(p, 0.0);
  for (std::size_t i = p; i-- > 0;) {
    double s = b[i];
    for (std::size_t j = i + 1; j < p; ++j) s -= r[i * p + j] * beta[j];
    beta[i] = s / r[i * p + i];
  }
  return true;
}

// (R'R)^-1 from the upper triangle R.
std::vector<double> inverse_gram(const std::vector<double>& r, std::size_t p) {
  std::vector<double> rinv(p * p, 0.0);  // upper triangular inverse of R
  for (std::size_t j = 0; j < p; ++j) {
    rinv[j * p + j] = 1.0 / r[j * p + j];
    for (std::size_t i = j; i-- > 0;) {
      double s = 0;
      for (std::size_t k = i + 1; k <= j; ++k) s += r[i * p + k] * rinv[k * p + j];
      rinv[i * p + j] = -s / r[i * p + i];
    }
  }
  std::vector<double> out(p * p, 0.0);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) {
      double s = 0;
      for (std::size_t k = std::max(i, j); k < p; ++k) s += rinv[i * p + k] * rinv[j * p + k];
      out[i * p + j] = s;
    }
  }
  return out;
}

bool all_zero_with_intercept(const Design& design, const std::vector<double>& y) {
  for (const double v : y)
    if (v != 0) return false;
  for (std::size_t i = 0; i < design.rows; ++i)
    if (design.at(i, 0) != 1.0) return false;
  return design.rows > 0;
}

}  // namespace

double GlmFit::linear_predictor(const std::vector<double>& x0) const {
  double eta = 0;
  for (std::size_t j = 0; j < beta.size(); ++j) eta += x0[j] * beta[j];
  return eta;
}

double GlmFit::variance_unscaled(const std::vector<double>& x0) const {
  const std::size_t p = beta.size();
  double v = 0;
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) v += x0[i] * cov_unscaled[i * p + j] * x0[j];
  }
  return v;
}

GlmFit fit_quasi_poisson(const Design& design, const std::vector<double>& y,
                         const std::vector<double>& prior_in) {
  const std::size_t n = design.rows;
  const std::size_t p = design.cols;
  const std::vector<double> prior = prior_in.empty() ? std::vector<double>(n, 1.0) : prior_in;
  GlmFit fit;
  if (n < p || p == 0) return fit;

  std::vector<double> eta(n);
  std::vector<double> mu(n);
  for (std::size_t i = 0; i < n; ++i) {
    mu[i] = y[i] + 0.1;
    eta[i] = std::log(mu[i]);
  }
  double dev_old = deviance(y, mu, prior);
  int iterations = kMaxIterations;
  bool known_convergence = false;
  if (all_zero_with_intercept(design, y)) {
    // With no count at all, each step lowers every eta by exactly 1 (z = eta - 1 lies in the
    // intercept's span) and the deviance is 2 * sum(prior) * mu. Sparse route series make a
    // third of all fits like this, each running ~24 steps: walk the steps on that one number
    // and do only the last least-squares step, which gives the covariance and leverages.
    double prior_sum = 0;
    for (const double v : prior) prior_sum += v;
    int step = 0;
    double before_last = eta[0];
    while (step < kMaxIterations) {
      ++step;
      const double dev = 2 * prior_sum * std::exp(eta[0] - step);
      if (std::fabs(dev - dev_old) / (std::fabs(dev) + 0.1) < kEpsilon) {
        known_convergence = true;
        break;
      }
      dev_old = dev;
    }
    before_last = eta[0] - (step - 1);
    for (std::size_t i = 0; i < n; ++i) {
      eta[i] = before_last;
      mu[i] = std::max(std::exp(before_last), kMachineEps);
    }
    iterations = 1;
  }
  std::vector<double> w(n);
  std::vector<double> r;
  std::vector<double> beta;
  std::vector<double> a(n * p);
  std::vector<double> z(n);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    for (std::size_t i = 0; i < n; ++i) {
      const double mu_eta = std::max(std::exp(eta[i]), kMachineEps);
      w[i] = std::sqrt(prior[i] * mu_eta * mu_eta / mu[i]);
      z[i] = (eta[i] + (y[i] - mu[i]) / mu_eta) * w[i];
      for (std::size_t j = 0; j < p; ++j) a[j * n + i] = design.at(i, j) * w[i];
    }
    if (!least_squares(a, z, n, p, beta, r)) return fit;
    for (std::size_t i = 0; i < n; ++i) {
      double e = 0;
      for (std::size_t j = 0; j < p; ++j) e += design.at(i, j) * beta[j];
      eta[i] = e;
      mu[i] = std::max(std::exp(e), kMachineEps);
    }
    const double dev = deviance(y, mu, prior);
    if (!std::isfinite(dev)) return fit;
    if (std::fabs(dev - dev_old) / (std::fabs(dev) + 0.1) < kEpsilon) {
      fit.converged = true;
      break;
    }
    dev_old = dev;
  }
  if (iterations == 1) fit.converged = known_convergence;

  fit.ok = true;
  fit.beta = beta;
  fit.cov_unscaled = inverse_gram(r, p);
  fit.mu = mu;
  fit.hat.resize(n);
  double pearson = 0;
  std::size_t positive = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double* xi = design.x.data() + i * p;
    double v = 0;  // xi' (X'WX)^-1 xi
    for (std::size_t j = 0; j < p; ++j) {
      double row = 0;
      for (std::size_t k = 0; k < p; ++k) row += fit.cov_unscaled[j * p + k] * xi[k];
      v += xi[j] * row;
    }
    const double working_weight = w[i] * w[i];  // from the last least-squares step, as R keeps
    fit.hat[i] = working_weight * v;
    const double mu_eta = std::max(std::exp(eta[i]), kMachineEps);
    const double residual = (y[i] - mu[i]) / mu_eta;
    if (prior[i] > 0) {
      pearson += working_weight * residual * residual;
      ++positive;
    }
  }
  fit.df_residual = static_cast<double>(positive) - static_cast<double>(p);
  fit.dispersion =
      fit.df_residual > 0 ? pearson / fit.df_residual : std::numeric_limits<double>::quiet_NaN();
  return fit;
}

}  // namespace ctis::surveillance::detail
