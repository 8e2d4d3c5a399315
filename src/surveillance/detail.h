// Internal helpers shared by the surveillance methods.
#pragma once

#include <string>

#include "surveillance/surveillance.h"

namespace ctis::surveillance::detail {

// Error(invalid) for a bad count, a bad periods_per_year, dates of the wrong length or a range
// outside the series.
void validate(const Series& series, Range range);

// The count guard: at least `cases` counts in the `periods` periods ending at k (included).
// Periods before the start of the series count as 0.
bool enough_cases(const Series& series, std::size_t k, int cases, int periods);

// Standard normal quantile.
double normal_quantile(double p);

// Smallest x with P(X <= x) >= p, for a negative binomial of real size and probability prob,
// or a Poisson of mean `mean` (as R's qnbinom and qpois).
double negative_binomial_quantile(double p, double size, double prob);
double poisson_quantile(double p, double mean);

// Two-sided p-value of a t statistic with df degrees of freedom.
double t_test_p_value(double t, double df);

std::string index_field(const char* name, std::size_t i);

}  // namespace ctis::surveillance::detail
