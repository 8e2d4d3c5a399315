// Farrington (classic) and the improved, flexible Farrington with Noufaily's settings.
//
// Both fit a quasi-Poisson GLM to counts from comparable periods of past years, optionally
// with a linear trend and with past outbreaks down-weighted through Anscombe residuals, then
// turn the prediction into an upper bound. The two differ in details that change the
// published numbers, and each detail below follows the reference implementation.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/core.h"
#include "surveillance/detail.h"
#include "surveillance/glm.h"
#include "surveillance/surveillance.h"

namespace ctis::surveillance {
namespace {

using detail::Design;
using detail::GlmFit;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Engine {
  int b = 5;
  int w = 3;
  bool reweight = true;
  double weights_threshold = 1;
  bool trend = true;
  double trend_p = 0.05;
  PowerTransform power = PowerTransform::two_thirds;
  int no_periods = 1;
  int excluded = 3;
  Threshold threshold = Threshold::delta;
  double z = 0;  // normal quantile for the delta bound
  double alpha = 0.05;
  int limit_cases = 5;
  int limit_periods = 4;
  // Classic algo.farrington: drops reference periods before the series, keeps going without
  // convergence, scales the prediction error by phi (farringtonFlexible uses the estimated
  // dispersion there), reports a bound of 0 when the count guard fails, and alarms on zeros.
  bool classic = false;
};

// The reference data of one monitored period.
struct Reference {
  std::vector<std::size_t> index;  // periods used in the fit, increasing
  std::vector<double> wtime;
  std::vector<int> group;  // seasonal group per period (no_periods when in a window)
  double wtime_now = 0;
  const char* problem = nullptr;  // why no reference set could be built
};

// ---- calendar ---------------------------------------------------------------------------

// Days since 1970-01-01 of a proleptic Gregorian date; the day may overflow the month, which
// rolls into the next one as in R's date arithmetic.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468 + (d - 1);
}

void civil_from_days(std::int64_t z, std::int64_t& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

int weekday(std::int64_t days) { return static_cast<int>(((days + 4) % 7 + 7) % 7); }

// The period index of each reference point, the current period first, then 1..b years back.
// Empty when one does not exist in the series.
std::vector<std::size_t> reference_points(const Series& series, std::size_t t, int b) {
  std::vector<std::size_t> points{t};
  for (int i = 1; i <= b; ++i) {
    if (series.days.empty()) {
      const std::size_t back = static_cast<std::size_t>(series.periods_per_year) * i;
      if (back > t) return {};
      points.push_back(t - back);
      continue;
    }
    const std::int64_t now = series.days[t];
    std::int64_t y = 0;
    int m = 0;
    int d = 0;
    civil_from_days(now, y, m, d);
    std::int64_t target = days_from_civil(y - i, m, d);
    if (series.periods_per_year == 52) {
      // Move to the same weekday, on whichever side is closer (ties: the first candidate).
      const std::int64_t a = target - (weekday(target) - weekday(now));
      const std::int64_t other = a + (a > target ? -7 : 7);
      target = std::llabs(a - target) > std::llabs(other - target) ? other : a;
    }
    const auto it = std::lower_bound(series.days.begin(), series.days.end(), target);
    if (it == series.days.end() || *it != target) return {};
    points.push_back(static_cast<std::size_t>(it - series.days.begin()));
  }
  return points;
}

// Classic Farrington on dated series: the period d steps from the same date i years back,
// moved to the weekday of period t for weekly data (to the nearer side, backward on a tie);
// -1 when the series has no such period.
std::int64_t dated_window_index(const Series& series, std::size_t t, int i, int d) {
  const std::int64_t now = series.days[t];
  std::int64_t y = 0;
  int m = 0;
  int day = 0;
  civil_from_days(now, y, m, day);
  std::int64_t target = days_from_civil(y - i, m, day);
  std::int64_t step = 1;
  if (series.periods_per_year == 52) {
    step = 7;
    const int forward = ((weekday(now) - weekday(target)) % 7 + 7) % 7;
    const int backward = ((weekday(target) - weekday(now)) % 7 + 7) % 7;
    target += forward < backward ? forward : -backward;
  } else if (series.periods_per_year == 12) {
    // One month per step, on the same day of the month.
    std::int64_t ty = 0;
    int tm = 0;
    int td = 0;
    civil_from_days(target, ty, tm, td);
    const std::int64_t months = ty * 12 + (tm - 1) + d;
    target = days_from_civil(months / 12, static_cast<int>(months % 12) + 1, day);
    d = 0;
  }
  target += step * d;
  const auto it = std::lower_bound(series.days.begin(), series.days.end(), target);
  if (it == series.days.end() || *it != target) return -1;
  return it - series.days.begin();
}

Reference classic_reference(const Series& series, std::size_t t, const Engine& e) {
  Reference ref;
  const auto freq = static_cast<std::int64_t>(series.periods_per_year);
  for (int i = e.b; i >= 1; --i) {
    for (int d = -e.w; d <= e.w; ++d) {
      std::int64_t idx = static_cast<std::int64_t>(t) - freq * i + d;
      if (!series.days.empty()) idx = dated_window_index(series, t, i, d);
      if (idx < 0) continue;  // R drops them with a warning
      ref.index.push_back(static_cast<std::size_t>(idx));
      ref.wtime.push_back(static_cast<double>(idx + 1));
      ref.group.push_back(1);
    }
  }
  ref.wtime_now = static_cast<double>(t + 1);
  if (ref.index.empty()) ref.problem = "too_little_history";
  return ref;
}

Reference flexible_reference(const Series& series, std::size_t t, const Engine& e) {
  Reference ref;
  const std::vector<std::size_t> points = reference_points(series, t, e.b);
  const auto w = static_cast<std::size_t>(e.w);
  if (points.empty() || points.back() < w) {
    ref.problem = "too_little_history";
    return ref;
  }
  const int p = e.no_periods;
  std::vector<int> label(t + 1, 0);  // 0: not used
  for (std::size_t i = t - std::min(t, w); i <= t; ++i) label[i] = p;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const std::size_t week = points[i];
    for (std::size_t j = week - w; j <= std::min(week + w, t); ++j) label[j] = p;
    if (p == 1) continue;
    // The periods between this window and the next one, in p-1 nearly equal blocks. R refuses
    // only when the gap is shorter than p - (2w + 1); a shorter gap than p - 1 leaves empty
    // blocks, and R's `from:to` then counts down, labelling the periods `from` and `from - 1`.
    // Monthly series with Noufaily's 10 groups take that path, so it is kept as R has it.
    const auto gap = static_cast<std::int64_t>(points[i - 1]) - 2 * static_cast<std::int64_t>(e.w) -
                     1 - static_cast<std::int64_t>(week);
    if (gap < p - (2 * e.w + 1)) {
      ref.problem = "too_many_periods";
      return ref;
    }
    const std::int64_t length = gap / (p - 1);
    const std::int64_t rest = gap % (p - 1);
    const auto start = static_cast<std::int64_t>(week + w + 1);
    std::int64_t offset = 0;  // periods in the blocks before block j
    const auto set = [&](std::int64_t at, int j) {
      if (at >= 0 && at <= static_cast<std::int64_t>(t)) label[static_cast<std::size_t>(at)] = j;
    };
    for (int j = 1; j < p; ++j) {
      const std::int64_t len = length + (j <= rest ? 1 : 0);
      if (len == 0) {
        set(start + offset, j);
        set(start + offset - 1, j);
      }
      for (std::int64_t k = 0; k < len; ++k) set(start + offset + k, j);
      offset += len;
    }
  }
  const std::size_t excluded = std::min(t, static_cast<std::size_t>(e.excluded));
  for (std::size_t i = t - excluded; i <= t; ++i) label[i] = 0;

  const bool dated = !series.days.empty();
  std::size_t first = t + 1;
  for (std::size_t i = 0; i <= t; ++i) {
    if (label[i] == 0) continue;
    if (first > t) first = i;
    ref.index.push_back(i);
    ref.group.push_back(label[i]);
    if (dated) {
      const double step = series.days.size() > 1 ? series.days[1] - series.days[0] : 1;
      ref.wtime.push_back((series.days[i] - series.days[first]) / step);
    } else {
      ref.wtime.push_back(static_cast<double>(i + 1));
    }
  }
  if (ref.index.empty()) {
    ref.problem = "too_little_history";
  } else if (dated) {
    const double step = series.days.size() > 1 ? series.days[1] - series.days[0] : 1;
    ref.wtime_now = (series.days[t] - series.days[first]) / step;
  } else {
    ref.wtime_now = static_cast<double>(t + 1);
  }
  return ref;
}

// The GLM design: intercept, optional wtime, then one dummy per seasonal group but the first.
struct Model {
  bool with_trend = false;
  std::vector<int> levels;  // sorted groups present
  GlmFit fit;
  double phi = 1;
  // The dispersion that later summaries of the model see. farringtonFlexible stores the
  // outbreak weights in place of the working weights, so it becomes sum(omega r^2) / df with
  // r the working residuals; the classic fit keeps the Pearson estimate.
  double summary_dispersion = 1;
};

Design make_design(const Reference& ref, bool with_trend, const std::vector<int>& levels) {
  Design d;
  d.rows = ref.index.size();
  d.cols = 1 + (with_trend ? 1 : 0) + (levels.empty() ? 0 : levels.size() - 1);
  d.x.reserve(d.rows * d.cols);
  for (std::size_t r = 0; r < d.rows; ++r) {
    d.x.push_back(1.0);
    if (with_trend) d.x.push_back(ref.wtime[r]);
    for (std::size_t l = 1; l < levels.size(); ++l) {
      d.x.push_back(ref.group[r] == levels[l] ? 1.0 : 0.0);
    }
  }
  return d;
}

std::vector<double> predictor_now(const Reference& ref, const Model& m, int group) {
  std::vector<double> x0{1.0};
  if (m.with_trend) x0.push_back(ref.wtime_now);
  for (std::size_t l = 1; l < m.levels.size(); ++l) x0.push_back(group == m.levels[l] ? 1 : 0);
  return x0;
}

// One fit as the reference's fitting function: with trend if asked (falling back to none when
// that does not converge), then a refit with weights that damp outlying past counts.
std::optional<Model> fit_model(const Reference& ref, const std::vector<double>& y, bool trend,
                               const std::vector<int>& levels, const Engine& e) {
  Model m;
  m.levels = levels;
  m.with_trend = trend;
  m.fit = detail::fit_quasi_poisson(make_design(ref, m.with_trend, levels), y, {});
  if ((!m.fit.ok || !m.fit.converged) && m.with_trend) {
    m.with_trend = false;
    m.fit = detail::fit_quasi_poisson(make_design(ref, false, levels), y, {});
  }
  if (!m.fit.ok || (!m.fit.converged && !e.classic)) return std::nullopt;
  m.phi = std::max(m.fit.dispersion, 1.0);
  m.summary_dispersion = m.fit.dispersion;
  if (e.reweight) {
    const std::size_t n = y.size();
    std::vector<double> s(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double mu = m.fit.mu[i];
      const double raw =
          1.5 * (std::pow(y[i], 2.0 / 3.0) * std::pow(mu, -1.0 / 6.0) - std::sqrt(mu));
      s[i] = raw / std::sqrt(m.phi * (1 - m.fit.hat[i]));
    }
    double denominator = 0;
    for (const double si : s) denominator += si > e.weights_threshold ? 1 / (si * si) : 1.0;
    const double gamma = static_cast<double>(n) / denominator;
    std::vector<double> omega(n);
    for (std::size_t i = 0; i < n; ++i) {
      omega[i] = s[i] > e.weights_threshold ? gamma / (s[i] * s[i]) : gamma;
    }
    m.fit = detail::fit_quasi_poisson(make_design(ref, m.with_trend, levels), y, omega);
    if (!m.fit.ok) return std::nullopt;
    m.phi = std::max(m.fit.dispersion, 1.0);
    m.summary_dispersion = m.fit.dispersion;
    if (!e.classic) {
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double r = (y[i] - m.fit.mu[i]) / m.fit.mu[i];
        sum += omega[i] * r * r;
      }
      m.summary_dispersion = sum / m.fit.df_residual;
    }
  }
  if (!std::isfinite(m.phi)) return std::nullopt;
  return m;
}

double power_of(PowerTransform p) {
  switch (p) {
    case PowerTransform::none:
      return 1.0;
    case PowerTransform::one_half:
      return 0.5;
    case PowerTransform::two_thirds:
      return 2.0 / 3.0;
  }
  return 1.0;
}

Period monitor(const Series& series, std::size_t t, const Engine& e) {
  Period period{t, series.counts[t], {}, {}, false, {}};
  const Reference ref =
      e.classic ? classic_reference(series, t, e) : flexible_reference(series, t, e);
  if (ref.problem != nullptr) {
    period.note = ref.problem;
    return period;
  }
  const bool enough = detail::enough_cases(series, t, e.limit_cases, e.limit_periods);
  if (!e.classic && !enough) {
    // The flexible methods give no bound here whatever the fit: skip it (most periods of
    // sparse series end here, and the fits are nearly all of the time).
    period.note = "count_guard";
    return period;
  }
  std::vector<double> y(ref.index.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = series.counts[ref.index[i]];
  std::vector<int> levels;
  if (!e.classic && e.no_periods != 1) {
    levels = ref.group;
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  }
  const int group_now = e.no_periods;

  std::optional<Model> model = fit_model(ref, y, e.trend, levels, e);
  if (model && model->with_trend) {
    // Keep the trend only when significant, over at least 3 years, and not extrapolating
    // beyond the largest past count.
    const std::vector<double> x0 = predictor_now(ref, *model, group_now);
    const double mu_now = std::exp(model->fit.linear_predictor(x0));
    const double se =
        std::sqrt(model->summary_dispersion * model->fit.cov_unscaled[1 * x0.size() + 1]);
    const double p = detail::t_test_p_value(model->fit.beta[1] / se, model->fit.df_residual);
    const bool keep = e.b >= 3 && p < e.trend_p && mu_now <= *std::max_element(y.begin(), y.end());
    if (!keep) model = fit_model(ref, y, false, levels, e);
  }
  if (!model) {
    period.note = "no_convergence";
    return period;
  }

  const std::vector<double> x0 = predictor_now(ref, *model, group_now);
  const double eta = model->fit.linear_predictor(x0);
  const double mu0 = std::exp(eta);
  const double scale = e.classic ? model->phi : model->summary_dispersion;
  const double se_link = std::sqrt(model->fit.variance_unscaled(x0) * scale);
  const double phi = model->phi;
  const double observed = period.observed;

  double upper = kNaN;
  double score = kNaN;
  if (e.threshold == Threshold::delta) {
    const double se_response = se_link * mu0;
    const double tau = phi + se_response * se_response / mu0;
    const double ex = power_of(e.power);
    double se = std::sqrt(mu0 * tau);
    if (e.power == PowerTransform::one_half) se = std::sqrt(tau / 4);
    if (e.power == PowerTransform::two_thirds) se = std::sqrt(4.0 / 9.0 * std::cbrt(mu0) * tau);
    upper = std::pow(std::pow(mu0, ex) + e.z * se, 1 / ex);
    score = (observed - mu0) / (upper - mu0);
  } else {
    upper = phi > 1 ? detail::negative_binomial_quantile(1 - e.alpha, mu0 / (phi - 1), 1 / phi)
                    : detail::poisson_quantile(1 - e.alpha, mu0);
    // The reference scores against the linear predictor here; kept for the same alarms.
    score = (observed - eta) / (upper - eta);
  }

  if (e.classic) {
    period.expected = mu0;
    period.upper_bound = enough ? upper : 0.0;
    period.alarm = enough && score > 1;
    if (!enough) period.note = "count_guard";
    return period;
  }
  if (!std::isfinite(upper)) {
    period.note = "no_bound";
    return period;
  }
  period.expected = mu0;
  period.upper_bound = upper;
  period.alarm = !std::isnan(score) && score > 1 && observed != 0;
  return period;
}

void check_common(int b, int w, double alpha, int limit_cases, int limit_periods) {
  if (b < 1) fail_invalid("params.years_back", "years_back must be at least 1");
  if (w < 0) fail_invalid("params.half_window", "half_window must be >= 0");
  if (!(alpha > 0 && alpha < 1)) fail_invalid("params.alpha", "alpha must be between 0 and 1");
  if (limit_cases < 0) fail_invalid("params.limit_cases", "limit_cases must be >= 0");
  if (limit_periods < 1) fail_invalid("params.limit_periods", "limit_periods must be >= 1");
}

}  // namespace

FlexibleParams FlexibleParams::noufaily_defaults() {
  FlexibleParams p;
  p.no_periods = 10;
  p.past_periods_excluded = 26;
  p.trend_p_value = 1.0;
  p.weights_threshold = 2.58;
  p.threshold = Threshold::nb_plugin;
  return p;
}

Result farrington(const Series& series, Range range, const FarringtonParams& params) {
  detail::validate(series, range);
  check_common(params.years_back, params.half_window, params.alpha, params.limit_cases,
               params.limit_periods);
  Engine e;
  e.classic = true;
  e.b = params.years_back;
  e.w = params.half_window;
  e.reweight = params.reweight;
  e.weights_threshold = 1.0;
  e.trend = params.trend;
  e.trend_p = params.trend_p_value;
  e.power = params.power;
  e.z = detail::normal_quantile(1 - params.alpha / 2);  // two-sided interval
  e.alpha = params.alpha;
  e.limit_cases = params.limit_cases;
  e.limit_periods = params.limit_periods;
  Result result{Method::farrington, {}};
  for (std::size_t t = range.first; t <= range.last; ++t) {
    result.periods.push_back(monitor(series, t, e));
  }
  return result;
}

Result farrington_flexible(const Series& series, Range range, const FlexibleParams& params) {
  detail::validate(series, range);
  check_common(params.years_back, params.half_window, params.alpha, params.limit_cases,
               params.limit_periods);
  if (params.no_periods < 1) fail_invalid("params.no_periods", "no_periods must be >= 1");
  if (!(params.weights_threshold > 0)) {
    fail_invalid("params.weights_threshold", "weights_threshold must be > 0");
  }
  Engine e;
  e.b = params.years_back;
  e.w = params.half_window;
  e.reweight = params.reweight;
  e.weights_threshold = params.weights_threshold;
  e.trend = params.trend;
  e.trend_p = params.trend_p_value;
  e.power = params.power;
  e.no_periods = params.no_periods;
  e.excluded = params.past_periods_excluded < 0 ? params.half_window : params.past_periods_excluded;
  e.threshold = params.threshold;
  e.z = detail::normal_quantile(1 - params.alpha);
  e.alpha = params.alpha;
  e.limit_cases = params.limit_cases;
  e.limit_periods = params.limit_periods;
  Result result{Method::farrington_flexible, {}};
  for (std::size_t t = range.first; t <= range.last; ++t) {
    result.periods.push_back(monitor(series, t, e));
  }
  return result;
}

Result noufaily(const Series& series, Range range, const FlexibleParams& params) {
  Result r = farrington_flexible(series, range, params);
  r.method = Method::noufaily;
  return r;
}

}  // namespace ctis::surveillance
