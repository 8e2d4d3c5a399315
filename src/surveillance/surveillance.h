// surveillance: surge detection over count series (one count per week, month or day).
//
// For each monitored period a method returns the expected count, the upper bound of what is
// normal and an alarm when the observed count exceeds it, or a note saying why no bound could
// be computed. The methods and their defaults follow the R package `surveillance` 1.20.3, and
// the tests check them against its published outputs:
//  - ears():               EARS C1, C2, C3 (R `earsC`);
//  - farrington():         classic Farrington (R `algo.farrington`);
//  - farrington_flexible(): improved Farrington (R `farringtonFlexible`), with noufaily() as the
//                          Noufaily et al. (2013) settings;
//  - cusum():              Poisson CUSUM on Rossi's transformed counts (R `algo.cusum`).
// evaluate() plants synthetic surges into a real series and measures each method.
//
// Plain computation: no I/O, no shared state; every function is safe to call from any thread.
// Inputs are copied or read through const references; results are owned by the caller.
// Errors: ctis::Error(invalid) for a negative or non-finite count, a bad parameter or a range
// outside the series (field() names it: "counts[12]", "range.last", "params.baseline", ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ctis::surveillance {

struct Series {
  std::vector<double> counts;  // one count per period, oldest first
  int periods_per_year = 52;   // 52 (weeks), 12 (months) or 365 (days)
  // Optional start day of each period (days since 1970-01-01). When present, Farrington
  // methods find "the same period b years back" by calendar date, as R does for series that
  // carry dates; when empty, by stepping back periods_per_year periods.
  std::vector<std::int32_t> days;
};

// Periods to monitor: 0-based, both ends included.
struct Range {
  std::size_t first = 0;
  std::size_t last = 0;
};

struct Period {
  std::size_t index = 0;  // 0-based position in the series
  double observed = 0;
  std::optional<double> expected;
  std::optional<double> upper_bound;  // empty where the reference has NA
  bool alarm = false;
  // Empty, or a stable code: why there is no bound ("too_little_history": reference periods
  // before the series start; "count_guard": too few recent cases; "no_convergence": the GLM
  // did not converge; "constant_baseline": EARS C3 on a flat baseline; "too_many_periods":
  // no_periods exceeds the gap between windows by more than 2w + 1, where R stops; "no_bound"),
  // or what applied ("count_guard" with a bound of 0 in classic Farrington; "reset" after a
  // CUSUM alarm).
  std::string note;
};

enum class Method { ears_c1, ears_c2, ears_c3, farrington, farrington_flexible, noufaily, cusum };

struct Result {
  Method method = Method::ears_c1;
  std::vector<Period> periods;  // one per monitored period, in order
};

// Stable codes ("ears_c1", "farrington", "noufaily", ...) for alert rules stored as data.
std::string_view to_string(Method method);
std::optional<Method> parse_method(std::string_view code);

// EARS: the bound is mean + z(1-alpha) * sd of a moving baseline. C1 uses the `baseline`
// periods just before; C2 skips the 2 most recent (the gap); C3 adds the C2 statistics of the
// two previous periods (each above 1). Needs baseline (C1), baseline+2 (C2) or baseline+4 (C3)
// periods before range.first.
struct EarsParams {
  int baseline = 7;  // at least 3
  // One-sided; when empty, R's defaults: 0.001 for C1 and C2, 0.025 for C3.
  std::optional<double> alpha;
  double min_sigma = 0.0;  // floor on the baseline sd, avoiding a zero-width bound
};
Result ears(const Series& series, Range range, Method variant, const EarsParams& params = {});

enum class PowerTransform { none, one_half, two_thirds };

// Classic Farrington (1996): quasi-Poisson GLM over windows of 2w+1 periods around the same
// period in each of the b previous years, optional linear trend, down-weighting of past
// outbreaks, and a two-sided (1-alpha) prediction interval on the power-transformed scale.
// When fewer than limit_cases counts fall in the last limit_periods periods (current one
// included) the bound is 0 and there is no alarm, as in R.
struct FarringtonParams {
  int years_back = 5;   // b
  int half_window = 3;  // w
  bool reweight = true;
  double alpha = 0.05;  // two-sided
  bool trend = true;
  double trend_p_value = 0.05;
  int limit_cases = 5;
  int limit_periods = 4;
  PowerTransform power = PowerTransform::two_thirds;
};
Result farrington(const Series& series, Range range, const FarringtonParams& params = {});

// Improved Farrington (farringtonFlexible): as above, plus the periods between the windows in
// `no_periods` seasonal groups (a factor in the GLM), the last `past_periods_excluded`
// periods left out of the fit, a one-sided alpha, and either the delta-method bound or the
// negative-binomial plug-in quantile (Noufaily). Periods failing the count guard, or whose
// model does not converge, get no bound (NA in R).
enum class Threshold { delta, nb_plugin };
struct FlexibleParams {
  int years_back = 5;
  int half_window = 3;
  bool reweight = true;
  double weights_threshold = 2.58;
  double alpha = 0.05;  // one-sided
  bool trend = true;
  double trend_p_value = 0.05;
  int limit_cases = 5;
  int limit_periods = 4;
  PowerTransform power = PowerTransform::two_thirds;
  int no_periods = 1;
  int past_periods_excluded = -1;  // -1: half_window
  Threshold threshold = Threshold::delta;

  // Noufaily et al. (2013): 10 seasonal groups, 26 past periods left out, trend kept whatever
  // its p-value, negative-binomial quantile.
  static FlexibleParams noufaily_defaults();
};
Result farrington_flexible(const Series& series, Range range, const FlexibleParams& params = {});
Result noufaily(const Series& series, Range range,
                const FlexibleParams& params = FlexibleParams::noufaily_defaults());

// CUSUM of Rossi's transformed counts z = (x - 3m + 2 sqrt(x m)) / (2 sqrt m), where m is the
// mean of all periods before range.first unless given. Alarm when the sum reaches h. R keeps
// summing after an alarm; reset_after_alarm restarts the sum at 0 instead.
struct CusumParams {
  double k = 1.04;
  double h = 2.26;
  std::optional<double> mean;  // m; default: mean of the periods before range.first
  bool reset_after_alarm = false;
};
Result cusum(const Series& series, Range range, const CusumParams& params = {});

// One entry point for alert rules that name their method in data.
using Params =
    std::variant<std::monostate, EarsParams, FarringtonParams, FlexibleParams, CusumParams>;
// monostate means the method's defaults; params of the wrong kind are Error(invalid, "params").
Result run(Method method, const Series& series, Range range, const Params& params = {});

// Evaluation by planted surges. Each surge adds round(multiple * baseline) cases to each of
// `length` consecutive periods, where baseline is the mean count of the periods_per_year
// periods before range.first (at least 1). Surges are planted one at a time, at positions
// drawn with `seed` inside the range; a surge is detected when an alarm falls in it, after
// `delay` periods from its start. The false-positive rate is the share of monitored periods of
// the unplanted series that alarm.
struct SurgePlan {
  double multiple = 3.0;
  int length = 3;
  int surges = 20;
  std::uint64_t seed = 1;
};
struct MethodSpec {
  Method method = Method::ears_c1;
  Params params;
};
struct MethodScore {
  Method method = Method::ears_c1;
  int surges = 0;
  int detected = 0;
  double probability_of_detection = 0;
  double false_positive_rate = 0;
  std::optional<double> median_delay;  // periods; empty when nothing was detected
  // Monitored periods of the unplanted series where the method gave no bound (too little
  // history, count guard, ...): a surge there cannot be detected.
  int periods_without_bound = 0;
};
std::vector<MethodScore> evaluate(const Series& series, Range range, const SurgePlan& plan,
                                  std::span<const MethodSpec> methods);

}  // namespace ctis::surveillance
