// Evaluation of the methods by planting synthetic surges into a real series.
#include <algorithm>
#include <cmath>

#include "core/core.h"
#include "core/random.h"
#include "surveillance/detail.h"
#include "surveillance/surveillance.h"

namespace ctis::surveillance {
namespace {

// The same surges for the same seed on every platform.
using Random = ctis::SplitMix64;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::vector<MethodScore> evaluate(const Series& series, Range range, const SurgePlan& plan,
                                  std::span<const MethodSpec> methods) {
  detail::validate(series, range);
  if (!(plan.multiple > 0) || !std::isfinite(plan.multiple)) {
    fail_invalid("plan.multiple", "multiple must be a positive number");
  }
  const std::size_t monitored = range.last - range.first + 1;
  if (plan.length < 1 || static_cast<std::size_t>(plan.length) > monitored) {
    fail_invalid("plan.length", "surge length must be between 1 and the range length (" +
                                    std::to_string(monitored) + ")");
  }
  if (plan.surges < 1) fail_invalid("plan.surges", "at least one surge is needed");

  // Size of a surge: a multiple of the usual count in the year before the range.
  const std::size_t year = static_cast<std::size_t>(series.periods_per_year);
  const std::size_t from = range.first > year ? range.first - year : 0;
  double baseline = 0;
  for (std::size_t i = from; i < range.first; ++i) baseline += series.counts[i];
  baseline = range.first > from ? baseline / static_cast<double>(range.first - from) : 0;
  const double added = std::round(plan.multiple * std::max(baseline, 1.0));

  const auto length = static_cast<std::size_t>(plan.length);
  Random random{plan.seed};
  std::vector<std::size_t> starts;
  starts.reserve(static_cast<std::size_t>(plan.surges));
  for (int i = 0; i < plan.surges; ++i) {
    starts.push_back(range.first + random.below(monitored - length + 1));
  }

  std::vector<MethodScore> scores;
  for (const MethodSpec& spec : methods) {
    MethodScore score;
    score.method = spec.method;
    const Result clean = run(spec.method, series, range, spec.params);
    std::size_t alarms = 0;
    for (const Period& p : clean.periods) {
      alarms += p.alarm ? 1 : 0;
      score.periods_without_bound += p.upper_bound ? 0 : 1;
    }
    score.false_positive_rate = static_cast<double>(alarms) / static_cast<double>(monitored);

    std::vector<double> delays;
    for (const std::size_t start : starts) {
      Series planted = series;
      const std::size_t end = start + length - 1;
      for (std::size_t t = start; t <= end; ++t) planted.counts[t] += added;
      // CUSUM carries its sum from the range start; the others judge each period alone.
      const Range run_range{spec.method == Method::cusum ? range.first : start, end};
      const Result r = run(spec.method, planted, run_range, spec.params);
      for (const Period& p : r.periods) {
        if (p.index >= start && p.alarm) {
          delays.push_back(static_cast<double>(p.index - start));
          break;
        }
      }
    }
    score.surges = plan.surges;
    score.detected = static_cast<int>(delays.size());
    score.probability_of_detection = static_cast<double>(delays.size()) / plan.surges;
    if (!delays.empty()) score.median_delay = median(delays);
    scores.push_back(score);
  }
  return scores;
}

}  // namespace ctis::surveillance
