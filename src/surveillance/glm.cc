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
bool least_squares(std::vector<double> a, std::vector<double> b, std::size_t n, std::size_t p,
                   std::vector<double>& beta, std::vector<double>& r) {
  // a is n x p row-major; column norms guard the rank test.
  for (std::size_t j = 0; j < p; ++j) {
    double norm = 0;
    for (std::size_t i = j; i < n; ++i) norm += a[i * p + j] * a[i * p + j];
    norm = std::sqrt(norm);
    double scale = 0;
    for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::fabs(a[i * p + j]));
    if (norm <= 1e-11 * std::max(scale, 1e-300) || norm == 0) return false;
    const double alpha = a[j * p + j] > 0 ? -norm : norm;
    // v = a_j - alpha e_j, stored in place below the diagonal.
    a[j * p + j] -= alpha;
    double vnorm2 = 0;
    for (std::size_t i = j; i < n; ++i) vnorm2 += a[i * p + j] * a[i * p + j];
    for (std::size_t c = j + 1; c < p; ++c) {
      double dot = 0;
      for (std::size_t i = j; i < n; ++i) dot += a[i * p + j] * a[i * p + c];
      const double f = 2 * dot / vnorm2;
      for (std::size_t i = j; i < n; ++i) a[i * p + c] -= f * a[i * p + j];
    }
    double dot = 0;
    for (std::size_t i = j; i < n; ++i) dot += a[i * p + j] * b[i];
    const double f = 2 * dot / vnorm2;
    for (std::size_t i = j; i < n; ++i) b[i] -= f * a[i * p + j];
    a[j * p + j] = alpha;
  }
  r.assign(p * p, 0.0);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = i; j < p; ++j) r[i * p + j] = a[i * p + j];
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
  std::vector<double> w(n);
  std::vector<double> r;
  std::vector<double> beta;
  std::vector<double> a(n * p);
  std::vector<double> z(n);
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    for (std::size_t i = 0; i < n; ++i) {
      const double mu_eta = std::max(std::exp(eta[i]), kMachineEps);
      w[i] = std::sqrt(prior[i] * mu_eta * mu_eta / mu[i]);
      z[i] = (eta[i] + (y[i] - mu[i]) / mu_eta) * w[i];
      for (std::size_t j = 0; j < p; ++j) a[i * p + j] = design.at(i, j) * w[i];
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

  fit.ok = true;
  fit.beta = beta;
  fit.cov_unscaled = inverse_gram(r, p);
  fit.mu = mu;
  fit.hat.resize(n);
  double pearson = 0;
  std::size_t positive = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> xi(design.x.begin() + static_cast<std::ptrdiff_t>(i * p),
                           design.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * p));
    const double working_weight = w[i] * w[i];  // from the last least-squares step, as R keeps
    fit.hat[i] = working_weight * fit.variance_unscaled(xi);
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
