// EARS C1/C2/C3, Rossi CUSUM, method names and the run() dispatcher.
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "core/core.h"
#include "surveillance/detail.h"
#include "surveillance/surveillance.h"

namespace ctis::surveillance {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr std::array<std::pair<Method, std::string_view>, 7> kMethodNames = {{
    {Method::ears_c1, "ears_c1"},
    {Method::ears_c2, "ears_c2"},
    {Method::ears_c3, "ears_c3"},
    {Method::farrington, "farrington"},
    {Method::farrington_flexible, "farrington_flexible"},
    {Method::noufaily, "noufaily"},
    {Method::cusum, "cusum"},
}};

struct MeanSd {
  double mean = 0;
  double sd = 0;
};

// Mean and sample sd of counts[from .. from+n-1].
MeanSd mean_sd(const std::vector<double>& counts, std::size_t from, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += counts[from + i];
  const double mean = sum / static_cast<double>(n);
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) ss += (counts[from + i] - mean) * (counts[from + i] - mean);
  return {mean, std::sqrt(ss / static_cast<double>(n - 1))};
}

// max(0, x) that keeps NaN, as R's pmax does.
double floor_zero(double x) { return std::isnan(x) ? x : std::max(0.0, x); }

void finish(Period& period, double expected, double bound, const char* note_when_missing) {
  period.expected = expected;
  if (std::isfinite(bound)) {
    period.upper_bound = bound;
    period.alarm = period.observed > bound;
  } else {
    period.note = note_when_missing;
  }
}

}  // namespace

std::string_view to_string(Method method) {
  for (const auto& [m, name] : kMethodNames) {
    if (m == method) return name;
  }
  return "unknown";
}

std::optional<Method> parse_method(std::string_view code) {
  for (const auto& [m, name] : kMethodNames) {
    if (name == code) return m;
  }
  return std::nullopt;
}

Result ears(const Series& series, Range range, Method variant, const EarsParams& params) {
  detail::validate(series, range);
  if (variant != Method::ears_c1 && variant != Method::ears_c2 && variant != Method::ears_c3) {
    fail_invalid("method",
                 "ears() runs ears_c1, ears_c2 or ears_c3, not " + std::string(to_string(variant)));
  }
  if (params.baseline < 3) fail_invalid("params.baseline", "baseline must be at least 3");
  const double alpha = params.alpha.value_or(variant == Method::ears_c3 ? 0.025 : 0.001);
  if (!(alpha > 0 && alpha < 1)) {
    fail_invalid("params.alpha", "alpha must be between 0 and 1");
  }
  if (!(params.min_sigma >= 0)) fail_invalid("params.min_sigma", "min_sigma must be >= 0");

  const auto baseline = static_cast<std::size_t>(params.baseline);
  // C2 and C3 leave a gap of 2 periods; C3 also needs the C2 statistics of 2 earlier periods.
  const std::size_t gap = variant == Method::ears_c1 ? 0 : 2;
  const std::size_t history = baseline + gap + (variant == Method::ears_c3 ? 2 : 0);
  if (range.first < history) {
    fail_invalid("range.first",
                 std::string(to_string(variant)) + " needs " + std::to_string(history) +
                     " periods before the first monitored one, got " + std::to_string(range.first));
  }
  const double z = detail::normal_quantile(1 - alpha);
  const auto& y = series.counts;

  Result result{variant, {}};
  // C2 statistic at period t: how many sds the count lies above the lagged baseline.
  auto c2_statistic = [&](std::size_t t) {
    const MeanSd ms = mean_sd(y, t - gap - baseline, baseline);
    return (y[t] - ms.mean) / std::max(ms.sd, params.min_sigma);
  };
  for (std::size_t t = range.first; t <= range.last; ++t) {
    Period period{t, y[t], {}, {}, false, {}};
    const MeanSd ms = mean_sd(y, t - gap - baseline, baseline);
    const double sigma = std::max(ms.sd, params.min_sigma);
    if (variant != Method::ears_c3) {
      finish(period, ms.mean, ms.mean + z * sigma, "constant_baseline");
    } else {
      const double lag2 = floor_zero(c2_statistic(t - 2) - 1);
      const double lag1 = floor_zero(c2_statistic(t - 1) - 1);
      const double bound = floor_zero(y[t] + sigma * (z - (lag2 + lag1)));
      finish(period, ms.mean, std::isnan(lag1) || std::isnan(lag2) ? kNaN : bound,
             "constant_baseline");
    }
    result.periods.push_back(std::move(period));
  }
  return result;
}

Result cusum(const Series& series, Range range, const CusumParams& params) {
  detail::validate(series, range);
  if (!(params.k >= 0) || !std::isfinite(params.k)) fail_invalid("params.k", "k must be >= 0");
  if (!(params.h > 0) || !std::isfinite(params.h)) fail_invalid("params.h", "h must be > 0");
  double m = 0;
  if (params.mean) {
    m = *params.mean;
    if (!(m > 0) || !std::isfinite(m)) fail_invalid("params.mean", "mean must be > 0");
  } else {
    if (range.first == 0) {
      fail_invalid("range.first",
                   "cusum needs at least one period before the range to "
                   "estimate the mean");
    }
    double sum = 0;
    for (std::size_t i = 0; i < range.first; ++i) sum += series.counts[i];
    m = sum / static_cast<double>(range.first);
    if (!(m > 0)) {
      fail_invalid("range.first",
                   "the periods before the range are all 0; cusum needs a "
                   "positive mean (give params.mean)");
    }
  }
  const double root_m = std::sqrt(m);
  Result result{Method::cusum, {}};
  double sum = 0;  // the CUSUM before the current period
  for (std::size_t t = range.first; t <= range.last; ++t) {
    const double x = series.counts[t];
    const double z = (x - 3 * m + 2 * std::sqrt(x * m)) / (2 * root_m);
    // Count that would bring the sum exactly to h: solve z(x) = h + k - sum for x.
    const double c = params.h + params.k - sum;
    double bound = 5 * m + 2 * c * root_m - 2 * std::sqrt(4 * m * m + 2 * c * m * root_m);
    if (!(bound >= 0)) bound = 0;  // no count can, or NaN: R reports 0
    const double next = std::max(0.0, sum + z - params.k);
    Period period{t, x, m, bound, next >= params.h, {}};
    sum = period.alarm && params.reset_after_alarm ? 0.0 : next;
    if (period.alarm && params.reset_after_alarm) period.note = "reset";
    result.periods.push_back(std::move(period));
  }
  return result;
}

namespace {

template <class P>
P params_or_default(const Params& params, Method method) {
  if (std::holds_alternative<std::monostate>(params)) return P{};
  if (const P* p = std::get_if<P>(&params)) return *p;
  fail_invalid("params", "parameters do not fit method " + std::string(to_string(method)));
}

}  // namespace

Result run(Method method, const Series& series, Range range, const Params& params) {
  switch (method) {
    case Method::ears_c1:
    case Method::ears_c2:
    case Method::ears_c3:
      return ears(series, range, method, params_or_default<EarsParams>(params, method));
    case Method::farrington:
      return farrington(series, range, params_or_default<FarringtonParams>(params, method));
    case Method::farrington_flexible:
      return farrington_flexible(series, range, params_or_default<FlexibleParams>(params, method));
    case Method::noufaily: {
      const FlexibleParams p = std::holds_alternative<std::monostate>(params)
                                   ? FlexibleParams::noufaily_defaults()
                                   : params_or_default<FlexibleParams>(params, method);
      Result r = farrington_flexible(series, range, p);
      r.method = Method::noufaily;
      return r;
    }
    case Method::cusum:
      return cusum(series, range, params_or_default<CusumParams>(params, method));
  }
  fail_invalid("method", "unknown method");
}

}  // namespace ctis::surveillance
