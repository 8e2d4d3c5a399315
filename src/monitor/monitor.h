// monitor: the route monitor as a running service — route data stored in the database, monthly
// series per corridor and nationality, and alert rules evaluated over them.
//
// Import: a file of any format routes:: reads (Frontex detections, both Missing Migrants
// exports, DTM flow monitoring; .gz accepted) is read, then stored in one transaction with its
// `route_imports` row and a `route.import` audit entry: all or nothing. A DTM file (867,580
// rows) is parsed on a second thread while the calling thread stores the rows already read,
// in the same single transaction, rolled back if a bad row turns up later. A file with
// a bad row stores nothing and the Error lists every bad row as "row N, column X: reason";
// with skip_invalid the bad rows are left out and counted. A source is its format and file
// name (".gz" ignored): importing the same source again replaces the rows of its previous
// import in the same transaction, so counts never double.
//
// Series: Frontex detections per corridor (routes::corridors(), a row counts in every corridor
// of its route) and nationality, per month, zero-filled from the first to the latest stored
// month, with coverage (the corridor's routes reporting that month) and lag (days from the end
// of the month to the latest data date).
//
// Evaluation: for every enabled rule, the rule's method runs over the last monitored_periods
// months of each matching corridor x nationality series. An alarm in the last alert_periods
// months whose count reaches min_count raises one alert (source "routes", kind "surge") unless
// this rule already raised one for that series and period (table route_alarms), so evaluating
// again never repeats an alert.
//
// Ownership: Monitor keeps references to the database and audit log, which must outlive it.
// Threads: Monitor is thread-safe (no mutable state of its own; the database serialises writes).
// A DTM import runs its reader on a thread of its own, joined before import() returns;
// on_progress is always called on the calling thread.
// Errors: ctis::Error — invalid for bad input (the field names the row or parameter), not_found
// for an unknown corridor, unavailable for an unreadable file or database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "routes/routes.h"
#include "store/store.h"

namespace ctis::monitor {

struct Options {
  int monitored_periods = 36;  // months each method watches
  int alert_periods = 3;       // alarms this recent raise alerts; older ones are history
  std::function<Millis()> clock = now_millis;
};

struct ImportProgress {
  const char* stage = "reading";  // "reading", then "storing"
  std::size_t rows = 0;           // rows read, or rows stored so far
  std::size_t total = 0;          // storing: rows to store; 0 while unknown (reading, DTM storing)
};

struct ImportOptions {
  bool skip_invalid = false;
  std::size_t max_issues = 100;  // bad rows listed in the error or the result
  std::function<void(const ImportProgress&)> on_progress;
};

struct ImportResult {
  std::int64_t import_id = 0;
  routes::Format format = routes::Format::unknown;
  std::string file_name;  // the source: base name without ".gz"
  std::size_t rows_read = 0, rows_stored = 0, rows_skipped = 0;
  std::size_t rows_replaced = 0;  // rows of the previous import of the same source, removed
  std::vector<routes::Issue> errors, warnings;
  std::size_t error_count = 0, warning_count = 0;
};

struct ImportInfo {
  std::int64_t id = 0;
  std::string file_name, format;  // format: "frontex", "mmp_europe", "mmp_export", "dtm"
  std::int64_t rows_stored = 0, rows_skipped = 0;
  std::string imported_by;
  Millis imported_at = 0;
};

// "frontex", "mmp_europe", "mmp_export", "dtm".
std::string format_code(routes::Format format);

struct SeriesPoint {
  std::string period;  // "2025-09"
  routes::Day start = 0;
  std::int64_t count = 0;
  bool censored = false;
  std::optional<double> expected, upper_bound;  // only for monitored periods with a method
  bool alarm = false;
  std::string note;  // the method's reason for no bound, "" otherwise
  routes::Coverage coverage;
  std::int32_t lag_days = 0;
};

struct SeriesView {
  std::string corridor, nationality;  // nationality "" : every nationality summed
  std::string method;                 // "" : counts only
  std::vector<SeriesPoint> points;    // oldest first
};

struct SeriesKey {
  std::string corridor, nationality;
  std::int64_t total = 0;  // detections over the whole series
};

struct CorridorSummary {
  std::string id, name;
  std::vector<std::string> countries;
  std::string latest_period;  // latest stored month, "" without detections
  std::int64_t latest_total = 0;
  std::vector<std::string> nationalities;  // with detections here, most detections first
};

// The months any stored table covers (detections, flows, incidents): "YYYY-MM", "" when empty.
struct DataMonths {
  std::string first, last;
};

struct FlowFigure {
  std::string corridor;
  std::string leg;  // "NER>LBY"
  std::string period;
  std::int64_t persons = 0;
  bool censored = false;  // part of the sum is an upper bound
};

struct IncidentPoint {
  std::string id;
  routes::Day day = 0;
  std::string precision;  // day | month | year
  std::vector<std::string> routes;
  std::optional<double> latitude, longitude;
  std::optional<std::int64_t> dead, missing, survivors;
  std::string cause, country;
};

struct EvaluationReport {
  std::size_t rules = 0;
  std::size_t series = 0;               // (rule, series) pairs evaluated
  std::size_t alarms = 0;               // alarms in the alert window
  std::size_t below_min_count = 0;      // alarms left out by the rule's min_count
  std::size_t already_raised = 0;       // alarms raised by an earlier evaluation
  std::size_t failed = 0;               // series the method refused (logged)
  std::vector<std::int64_t> alert_ids;  // alerts raised now
};

class Monitor {
 public:
  Monitor(store::Database& db, audit::AuditLog& audit, Options options = {});

  // Reads the file (format from its header, .gz decompressed) and stores it; see above.
  ImportResult import(const auth::Principal& by, const std::string& path,
                      const ImportOptions& options = {});
  // The same from a seekable stream (the header is read, then the stream rewound).
  ImportResult import(const auth::Principal& by, std::istream& in, const std::string& file_name,
                      const ImportOptions& options = {});
  // Stores an already read data set as the source `file_name` (demo data, tests).
  ImportResult store(const auth::Principal& by, const routes::Dataset& data,
                     const std::string& file_name, routes::Format format,
                     const ImportOptions& options = {});
  std::vector<ImportInfo> imports();

  std::vector<CorridorSummary> corridors();
  std::vector<SeriesKey> series_keys();  // corridor x nationality with detections
  DataMonths data_months();
  // method: "" or a rule method code; parameters as in an alert rule. Error(not_found) for an
  // unknown corridor, Error(invalid, "method"/"parameters") for a bad method.
  SeriesView series(const std::string& corridor, const std::string& nationality,
                    const std::string& method = "",
                    const nlohmann::json& parameters = nlohmann::json::object());
  std::vector<FlowFigure> flows(routes::Period period, std::optional<routes::Day> from,
                                std::optional<routes::Day> to);
  std::vector<IncidentPoint> incidents(std::optional<routes::Day> from,
                                       std::optional<routes::Day> to, std::size_t limit = 5000);

  EvaluationReport evaluate(alerts::Raiser& raiser, const std::vector<alerts::AlertRule>& rules);
  // The enabled rules of alerts.rules_for("routes").
  EvaluationReport evaluate(alerts::Alerts& alerts);

 private:
  using ChunkSink = std::function<void(routes::FlowChunk&&)>;
  using FlowReader =
      std::function<void(const ChunkSink&, const routes::ReadOptions&, routes::ReadReport*)>;
  // A DTM file: parsed on a second thread while this one stores the rows it has read.
  ImportResult import_flows(const auth::Principal& by, const FlowReader& read,
                            const std::string& path, const std::string& file_name,
                            const ImportOptions& options);
  ImportResult store_rows(const auth::Principal& by, const routes::Dataset& data,
                          const std::string& file_name, routes::Format format,
                          const ImportOptions& options, std::size_t skipped);

  store::Database& db_;
  audit::AuditLog& audit_;
  Options options_;
};

// Reports (report.cc): CSV lines of a series (after series_csv_header()), and an SVG chart of
// its last `last` months with count, expected count, upper bound and alarms marked.
std::string series_csv_header();
std::string series_csv_rows(const SeriesView& view);
std::string series_svg(const SeriesView& view, const std::string& title, std::size_t last = 36);

// Demo data (demo.cc): generated detections, flows along every corridor leg and incidents with
// the shape of the real sets — corridors, a few nationalities each, seasonality, noise, surges
// planted in the last months — and two alert rules. Never real data. Returns the rows stored.
std::size_t load_demo(Monitor& monitor, alerts::Alerts& alerts, const auth::Principal& by,
                      std::uint64_t seed = 7);

}  // namespace ctis::monitor
