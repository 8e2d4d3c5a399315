// `ctis routes detect` and `ctis routes evaluate`: surge detection on count series (arrivals
// on a route, detections per nationality, referrals per week). `ctis routes import` stores a
// route data file in the database and `ctis routes check` runs the alert rules over it.
//
// A series is a CSV with a header: a period column ("period", else "date", else the first
// column) holding dates (YYYY-MM-DD) or labels, and a count column ("count", else "observed",
// else the last column). When every period is a date the Farrington methods find "the same
// week in past years" by calendar, as R's surveillance package does. --from and --to name a
// period by its label, or by its 1-based row number.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/ctdc_csv.h"
#include "cli/runtime.h"
#include "core/core.h"
#include "monitor/monitor.h"
#include "surveillance/surveillance.h"

namespace ctis::cli {
namespace {

namespace sv = ctis::surveillance;

struct LoadedSeries {
  sv::Series series;
  std::vector<std::string> labels;
};

// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days algorithm inverted).
std::int32_t days_from_date(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<std::int32_t> parse_date(const std::string& s) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return days_from_date(y, m, d);
}

std::size_t column_of(const std::vector<std::string>& header,
                      std::initializer_list<const char*> names, std::size_t fallback) {
  for (const char* name : names) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
  }
  return fallback;
}

struct CloseFile {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

LoadedSeries load_series(const Options& o) {
  std::unique_ptr<std::FILE, CloseFile> file(std::fopen(o.input.c_str(), "rb"));
  if (!file) fail_invalid("input", "cannot read " + o.input + ": " + std::strerror(errno));
  CsvReader csv(file.get(), o.input);
  const auto& header = csv.header();
  if (header.size() < 2) {
    fail_invalid(o.input + ": header", "a series needs a period column and a count column");
  }
  const std::size_t period = column_of(header, {"period", "date"}, 0);
  const std::size_t count = column_of(header, {"count", "observed"}, header.size() - 1);
  LoadedSeries out;
  out.series.periods_per_year = o.periods_per_year;
  bool all_dates = true;
  std::vector<std::string> row;
  while (csv.next(row)) {
    const std::string where =
        o.input + ": row " + std::to_string(csv.row_number()) + ", column " + header[count];
    if (row.size() <= std::max(period, count)) {
      fail_invalid(where, "the row has " + std::to_string(row.size()) + " cells");
    }
    const std::string& cell = row[count];
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(cell.c_str(), &end);
    if (cell.empty() || end != cell.c_str() + cell.size() || errno != 0 || !std::isfinite(value) ||
        value < 0) {
      fail_invalid(where, "\"" + cell + "\" is not a count (a number of at least 0)");
    }
    out.series.counts.push_back(value);
    out.labels.push_back(row[period]);
    const auto day = parse_date(row[period]);
    if (day) out.series.days.push_back(*day);
    all_dates = all_dates && day.has_value();
  }
  if (out.series.counts.empty()) fail_invalid("input", o.input + " holds no periods");
  if (!all_dates) out.series.days.clear();
  return out;
}

// A period given by its label, or by its 1-based row number.
std::size_t period_index(const LoadedSeries& s, const std::string& text, const char* flag) {
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    if (s.labels[i] == text) return i;
  }
  char* end = nullptr;
  const long long row = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size() || row < 1 ||
      static_cast<unsigned long long>(row) > s.labels.size()) {
    fail_invalid(flag, "\"" + text +
                           "\" is neither a period of the series nor a row number from 1 to " +
                           std::to_string(s.labels.size()));
  }
  return static_cast<std::size_t>(row - 1);
}

// Default range: everything after the first year (which serves as history).
sv::Range range_of(const Options& o, const LoadedSeries& s) {
  const std::size_t n = s.series.counts.size();
  sv::Range r;
  r.first = o.range_from.empty()
                ? std::min(n - 1, static_cast<std::size_t>(std::max(o.periods_per_year, 1)))
                : period_index(s, o.range_from, "--from");
  r.last = o.range_to.empty() ? n - 1 : period_index(s, o.range_to, "--to");
  if (r.first > r.last) fail_invalid("--from", "--from comes after --to");
  return r;
}

sv::Method method_of(const std::string& code) {
  if (code == "c1") return sv::Method::ears_c1;
  if (code == "c2") return sv::Method::ears_c2;
  if (code == "c3") return sv::Method::ears_c3;
  if (code == "flexible") return sv::Method::farrington_flexible;
  if (auto m = sv::parse_method(code)) return *m;
  fail_invalid("--method", "unknown method \"" + code +
                               "\": c1, c2, c3, farrington, flexible, noufaily or cusum");
}

// The method's defaults, with --alpha where the method has one.
sv::Params params_of(sv::Method m, double alpha) {
  const bool given = alpha >= 0;
  switch (m) {
    case sv::Method::ears_c1:
    case sv::Method::ears_c2:
    case sv::Method::ears_c3: {
      sv::EarsParams p;
      if (given) p.alpha = alpha;
      return p;
    }
    case sv::Method::farrington: {
      sv::FarringtonParams p;
      if (given) p.alpha = alpha;
      return p;
    }
    case sv::Method::farrington_flexible:
    case sv::Method::noufaily: {
      sv::FlexibleParams p = m == sv::Method::noufaily ? sv::FlexibleParams::noufaily_defaults()
                                                       : sv::FlexibleParams{};
      if (given) p.alpha = alpha;
      return p;
    }
    case sv::Method::cusum:
      return sv::CusumParams{};
  }
  return {};
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

int cmd_routes_detect(const Options& o) {
  const sv::Method method = method_of(o.method);
  if (method == sv::Method::cusum && o.alpha >= 0) {
    fail_invalid("--alpha", "cusum has no alpha (its limits are k and h)");
  }
  const LoadedSeries s = load_series(o);
  const sv::Range range = range_of(o, s);
  const sv::Result result = sv::run(method, s.series, range, params_of(method, o.alpha));
  std::string text;
  append_csv_line(text, {"period", "observed", "expected", "upper_bound", "alarm", "note"});
  std::size_t alarms = 0;
  for (const auto& p : result.periods) {
    alarms += p.alarm ? 1 : 0;
    append_csv_line(text,
                    {s.labels[p.index], number(p.observed), p.expected ? number(*p.expected) : "",
                     p.upper_bound ? number(*p.upper_bound) : "", p.alarm ? "1" : "0", p.note});
  }
  emit(o, text);
  std::cerr << "ctis: " << sv::to_string(method) << " over " << result.periods.size()
            << " periods (" << s.labels[range.first] << " to " << s.labels[range.last]
            << "): " << alarms << " alarms" << std::endl;
  return 0;
}

int cmd_routes_evaluate(const Options& o) {
  std::vector<std::string> codes = o.methods;
  if (codes.empty()) codes = {"c1", "c2", "c3", "farrington", "flexible", "noufaily", "cusum"};
  std::vector<sv::MethodSpec> specs;
  for (const auto& code : codes) {
    const sv::Method m = method_of(code);
    specs.push_back({m, params_of(m, o.alpha)});
  }
  if (o.surges < 1) fail_invalid("--surges", "plant at least one surge");
  if (o.surge_length < 1) fail_invalid("--length", "a surge lasts at least one period");
  if (!(o.multiple > 0)) fail_invalid("--multiple", "the surge size must be positive");
  const LoadedSeries s = load_series(o);
  const sv::Range range = range_of(o, s);
  sv::SurgePlan plan;
  plan.multiple = o.multiple;
  plan.length = o.surge_length;
  plan.surges = o.surges;
  plan.seed = o.seed;
  const auto scores = sv::evaluate(s.series, range, plan, specs);
  std::string text;
  append_csv_line(text, {"method", "surges", "detected", "probability_of_detection",
                         "false_positive_rate", "median_delay", "periods_without_bound"});
  for (const auto& sc : scores) {
    append_csv_line(
        text, {std::string(sv::to_string(sc.method)), std::to_string(sc.surges),
               std::to_string(sc.detected), number(sc.probability_of_detection),
               number(sc.false_positive_rate), sc.median_delay ? number(*sc.median_delay) : "",
               std::to_string(sc.periods_without_bound)});
  }
  emit(o, text);
  std::cerr << "ctis: " << plan.surges << " surges of " << plan.length << " periods at "
            << number(plan.multiple) << " x baseline planted one at a time in "
            << s.labels[range.first] << " to " << s.labels[range.last] << " (seed " << plan.seed
            << ")" << std::endl;
  return 0;
}

int cmd_routes_import(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  monitor::ImportOptions options;
  options.skip_invalid = o.skip_invalid;
  options.on_progress = [](const monitor::ImportProgress& p) {
    std::cerr << "ctis: " << p.stage << " " << p.rows;
    if (p.total > 0) std::cerr << " of " << p.total;
    std::cerr << " rows" << std::endl;
  };
  const auto start = std::chrono::steady_clock::now();
  const auto r = rt.monitor->import(auth::operator_principal(), o.input, options);
  for (const auto& w : r.warnings) std::cerr << "ctis: warning: " << w.text() << "\n";
  if (r.warning_count > r.warnings.size()) {
    std::cerr << "ctis: ... and " << (r.warning_count - r.warnings.size()) << " more warnings\n";
  }
  for (const auto& e : r.errors) std::cerr << "ctis: skipped: " << e.text() << "\n";
  std::cout << "stored " << r.rows_stored << " rows of " << routes::format_name(r.format) << " ("
            << monitor::format_code(r.format) << ") from " << r.file_name << " as import "
            << r.import_id << "; skipped " << r.rows_skipped << ", replaced " << r.rows_replaced
            << " rows of the previous import of this file, " << r.warning_count << " warnings, "
            << number(seconds_since(start)) << " s" << std::endl;
  return 0;
}

int cmd_routes_check(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const auto r = rt.monitor->evaluate(*rt.alerts);
  std::cout << r.rules << " rules over " << r.series << " series: " << r.alarms
            << " recent alarms, " << r.alert_ids.size() << " alerts raised, " << r.already_raised
            << " raised before, " << r.below_min_count << " below the minimum count, " << r.failed
            << " failed" << std::endl;
  return 0;
}

// The corridor totals and each corridor x nationality series as one CSV; an SVG chart of each
// corridor's total beside it ("<out without .csv>-<corridor>.svg").
int cmd_routes_report(const Options& o) {
  if (o.out.empty()) fail_invalid("--out", "name the CSV file to write");
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const std::string method = o.method.empty() ? "ears_c2" : o.method;
  std::string csv = monitor::series_csv_header();
  std::string stem = o.out;
  if (stem.size() > 4 && stem.ends_with(".csv")) stem.resize(stem.size() - 4);
  std::size_t charts = 0;
  const auto keys = rt.monitor->series_keys();
  for (const auto& c : rt.monitor->corridors()) {
    if (c.latest_period.empty()) continue;
    const auto total = rt.monitor->series(c.id, "", method);
    if (std::all_of(total.points.begin(), total.points.end(),
                    [](const auto& p) { return p.count == 0; })) {
      continue;
    }
    csv += monitor::series_csv_rows(total);
    for (const auto& k : keys) {
      if (k.corridor == c.id)
        csv += monitor::series_csv_rows(rt.monitor->series(c.id, k.nationality, method));
    }
    auto svg = open_private_output(stem + "-" + c.id + ".svg");
    svg << monitor::series_svg(total, c.name + ": detections per month (" + method + ")");
    ++charts;
  }
  auto out = open_private_output(o.out);
  out << csv;
  std::cerr << "ctis: wrote " << o.out << " and " << charts << " charts " << stem
            << "-<corridor>.svg" << std::endl;
  return 0;
}

void add_series_flags(CLI::App* cmd, Options& o) {
  cmd->add_option("series", o.input, "Count series CSV (period,count)")->required();
  cmd->add_option("--periods-per-year", o.periods_per_year,
                  "52 for weeks (default), 12 for months, 365 for days");
  cmd->add_option("--from", o.range_from,
                  "First period to monitor: a period label or a row number (default: after "
                  "the first year)");
  cmd->add_option("--to", o.range_to, "Last period to monitor (default: the last)");
  cmd->add_option("--alpha", o.alpha,
                  "Significance level (default: the method's own; EARS 0.001, C3 0.025, "
                  "Farrington 0.05)");
  cmd->add_option("--out", o.out, "CSV file to write (default stdout)");
}

}  // namespace

void add_routes_commands(CLI::App& app, Options& o) {
  auto* routes = app.add_subcommand("routes", "Route data, alert rules and surge detection");
  routes->require_subcommand(1);

  auto* detect =
      add_leaf(routes, "detect", "Expected count, upper bound and alarm for each monitored period",
               o, cmd_routes_detect);
  detect->add_option("--method", o.method, "c1, c2, c3, farrington, flexible, noufaily or cusum")
      ->required();
  add_series_flags(detect, o);

  auto* import = add_leaf(routes, "import",
                          "Store a route data file (Frontex, Missing Migrants, DTM; .gz "
                          "accepted), replacing an earlier import of the same file",
                          o, cmd_routes_import);
  import->add_option("file", o.input, "Route data file")->required();
  import->add_flag("--skip-invalid", o.skip_invalid,
                   "Store the good rows and leave out the bad ones (default: a file with a bad "
                   "row stores nothing)");
  add_leaf(routes, "check", "Run the route alert rules over the stored data now", o,
           cmd_routes_check);
  auto* report =
      add_leaf(routes, "report", "Write the stored series as CSV and an SVG chart per corridor", o,
               cmd_routes_report);
  report->add_option("--out", o.out, "CSV file to write; charts go beside it")->required();
  report->add_option("--method", o.method,
                     "ears_c1, ears_c2 (default), ears_c3, farrington, noufaily or cusum");

  auto* evaluate =
      add_leaf(routes, "evaluate", "Plant synthetic surges into a series and score each method", o,
               cmd_routes_evaluate);
  add_series_flags(evaluate, o);
  evaluate->add_option("--methods", o.methods, "Methods to score (default: all)")->delimiter(',');
  evaluate->add_option("--multiple", o.multiple,
                       "Cases added per surge period, as a multiple of the baseline (default 3)");
  evaluate->add_option("--length", o.surge_length, "Periods per surge (default 3)");
  evaluate->add_option("--surges", o.surges, "Surges planted, one at a time (default 20)");
  evaluate->add_option("--seed", o.seed, "Seed of the surge positions (default 1)");
}

}  // namespace ctis::cli
