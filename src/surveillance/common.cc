#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

#include "core/core.h"
#include "surveillance/detail.h"

namespace ctis::surveillance::detail {
namespace {

// R nudges p down by 64 ulp before searching, so a cdf equal to p up to rounding counts.
constexpr double kQuantileFuzz = 1 - 64 * std::numeric_limits<double>::epsilon();

template <class Cdf>
double discrete_quantile(double p, double start, Cdf cdf) {
  const double target = p * kQuantileFuzz;
  double x = std::max(0.0, std::floor(start));
  if (cdf(x) >= target) {
    while (x > 0 && cdf(x - 1) >= target) --x;
    return x;
  }
  // Grow in doubling steps, then bisect, so heavy tails stay cheap.
  double step = 1;
  double lo = x;
  double hi = x + step;
  while (cdf(hi) < target) {
    lo = hi;
    step *= 2;
    hi = x + step;
    if (!std::isfinite(hi)) return std::numeric_limits<double>::infinity();
  }
  while (hi - lo > 1) {
    const double mid = std::floor((lo + hi) / 2);
    if (cdf(mid) >= target) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

}  // namespace

std::string index_field(const char* name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

void validate(const Series& series, Range range) {
  if (series.periods_per_year < 1) {
    fail_invalid("periods_per_year", "periods_per_year must be at least 1, got " +
                                         std::to_string(series.periods_per_year));
  }
  for (std::size_t i = 0; i < series.counts.size(); ++i) {
    const double c = series.counts[i];
    if (!std::isfinite(c)) fail_invalid(index_field("counts", i), "count is not a finite number");
    if (c < 0) fail_invalid(index_field("counts", i), "count is negative");
  }
  if (!series.days.empty() && series.days.size() != series.counts.size()) {
    fail_invalid("days", "days has " + std::to_string(series.days.size()) + " entries for " +
                             std::to_string(series.counts.size()) + " counts");
  }
  for (std::size_t i = 1; i < series.days.size(); ++i) {
    if (series.days[i] <= series.days[i - 1]) {
      fail_invalid(index_field("days", i), "days must increase");
    }
  }
  if (series.counts.empty()) fail_invalid("counts", "the series is empty");
  if (range.last >= series.counts.size()) {
    fail_invalid("range.last", "range ends at " + std::to_string(range.last) +
                                   " but the series has " + std::to_string(series.counts.size()) +
                                   " periods");
  }
  if (range.first > range.last) {
    fail_invalid("range.first", "range starts after it ends");
  }
}

bool enough_cases(const Series& series, std::size_t k, int cases, int periods) {
  double sum = 0;
  for (int i = 0; i < periods; ++i) {
    if (k < static_cast<std::size_t>(i)) break;
    sum += series.counts[k - static_cast<std::size_t>(i)];
  }
  return sum >= cases;
}

// Boost computes double distributions in long double by default; double is accurate far
// beyond the 1e-6 the reference asks, and several times faster (these run once per period).
using Fast = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double, Fast>(0.0, 1.0), p);
}

double negative_binomial_quantile(double p, double size, double prob) {
  const boost::math::negative_binomial_distribution<double, Fast> nb(size, prob);
  const double mean = size * (1 - prob) / prob;
  return discrete_quantile(p, mean, [&](double x) { return boost::math::cdf(nb, x); });
}

double poisson_quantile(double p, double mean) {
  if (mean <= 0) return 0;
  const boost::math::poisson_distribution<double, Fast> pois(mean);
  return discrete_quantile(p, mean, [&](double x) { return boost::math::cdf(pois, x); });
}

double t_test_p_value(double t, double df) {
  if (!std::isfinite(t)) return 0;
  const boost::math::students_t_distribution<double, Fast> dist(df);
  return 2 * boost::math::cdf(dist, -std::fabs(t));
}

}  // namespace ctis::surveillance::detail
