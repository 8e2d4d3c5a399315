// Import: a route data file read by routes:: and stored in one transaction, replacing the
// previous import of the same source.
#include <algorithm>
#include <filesystem>
#include <istream>
#include <limits>
#include <optional>
#include <type_traits>

#include "monitor/import_internal.h"
#include "monitor/internal.h"
#include "monitor/monitor.h"

namespace ctis::monitor {

namespace detail {

[[noreturn]] void fail_with_issues(const routes::ReadReport& report, const std::string& file) {
  std::string message = file + ": " + std::to_string(report.error_count) +
                        (report.error_count == 1 ? " bad row" : " bad rows") +
                        ", nothing stored (--skip-invalid leaves them out):";
  for (const auto& issue : report.errors) message += "\n  " + issue.text();
  if (report.error_count > report.errors.size()) {
    message += "\n  ... and " + std::to_string(report.error_count - report.errors.size()) + " more";
  }
  throw Error(ErrorKind::invalid, "invalid", message,
              report.errors.empty() ? std::string() : report.errors.front().text());
}

routes::ReadOptions read_options(const ImportOptions& options) {
  routes::ReadOptions ro;
  ro.skip_invalid = options.skip_invalid;
  ro.max_issues = options.max_issues;
  if (options.on_progress) {
    ro.on_progress = [cb = options.on_progress](const routes::Progress& p) {
      cb(ImportProgress{"reading", p.rows, 0});
    };
  }
  return ro;
}

void copy_report(const routes::ReadReport& report, ImportResult& result) {
  result.rows_read = report.rows_read;
  result.rows_skipped = report.rows_skipped;
  result.errors = report.errors;
  result.warnings = report.warnings;
  result.error_count = report.error_count;
  result.warning_count = report.warning_count;
}

}  // namespace detail

namespace {

using detail::add_days;
using detail::BatchInserter;
using detail::copy_report;
using detail::fail_with_issues;
using detail::flag;
using detail::FlowWriter;
using detail::kChunkRows;
using detail::read_options;
using detail::remove_earlier_imports;
using detail::Rows;
using store::Connection;
using store::Value;

std::string source_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
  return name;
}

const char* table_of(routes::Format format) {
  switch (format) {
    case routes::Format::frontex:
      return "route_detections";
    case routes::Format::dtm:
      return "route_flow_rows";
    case routes::Format::mmp_europe:
    case routes::Format::mmp_export:
      return "route_incidents";
    case routes::Format::unknown:
      break;
  }
  fail_invalid("format", "unknown route data format");
}

const char* precision_code(routes::DatePrecision p) {
  switch (p) {
    case routes::DatePrecision::day:
      return "day";
    case routes::DatePrecision::month:
      return "month";
    case routes::DatePrecision::year:
      return "year";
  }
  return "day";
}

Value opt_count(const std::optional<routes::Count>& c) {
  return c ? Value{c->value} : Value{nullptr};
}
Value opt_real(const std::optional<double>& v) { return v ? Value{*v} : Value{nullptr}; }

template <class T>
Rows span_of(const T& table) {
  Rows r;
  r.count = table.rows.size();
  for (const auto& row : table.rows) {
    if constexpr (std::is_same_v<T, routes::Detections>) {
      r.see(row.month);
    } else {
      r.see(row.date);
    }
  }
  return r;
}

// Stores one table's rows; `tick` is called after each row for progress.
template <class Tick>
void insert_rows(Connection& c, std::int64_t import_id, const routes::Detections& t, Tick tick) {
  BatchInserter ins(c,
                    "INSERT INTO route_detections (import_id, route, sea, nationality, month, "
                    "detections, censored)",
                    7);
  for (const auto& r : t.rows) {
    ins.add(import_id, r.route, flag(r.sea), r.nationality, std::int64_t{r.month},
            r.detections.value, flag(r.detections.censored));
    tick();
  }
  ins.flush();
}

template <class Tick>
void insert_rows(Connection& c, std::int64_t import_id, const routes::Flows& t, Tick tick) {
  FlowWriter writer(c, import_id);
  writer.add_labels(t.labels);
  for (const auto& r : t.rows) {
    writer.add(r);
    tick();
  }
  writer.flush();
}

template <class Tick>
void insert_rows(Connection& c, std::int64_t import_id, const routes::Incidents& t, Tick tick) {
  BatchInserter ins(c,
                    "INSERT INTO route_incidents (import_id, mmp_id, day, date_precision, routes, "
                    "latitude, longitude, dead, missing, survivors, censored, cause, country, "
                    "source_quality)",
                    14);
  for (const auto& r : t.rows) {
    std::string joined;
    for (const auto& route : r.routes) {
      if (!joined.empty()) joined += "|";
      joined += route;
    }
    const bool censored = (r.dead && r.dead->censored) || (r.missing && r.missing->censored) ||
                          (r.survivors && r.survivors->censored);
    ins.add(import_id, r.id, std::int64_t{r.date}, std::string(precision_code(r.precision)),
            std::move(joined), opt_real(r.latitude), opt_real(r.longitude), opt_count(r.dead),
            opt_count(r.missing), opt_count(r.survivors), flag(censored), r.cause,
            r.incident_country, r.source_quality);
    tick();
  }
  ins.flush();
}

}  // namespace

std::string format_code(routes::Format format) {
  switch (format) {
    case routes::Format::frontex:
      return "frontex";
    case routes::Format::mmp_europe:
      return "mmp_europe";
    case routes::Format::mmp_export:
      return "mmp_export";
    case routes::Format::dtm:
      return "dtm";
    case routes::Format::unknown:
      break;
  }
  return "unknown";
}

Monitor::Monitor(store::Database& db, audit::AuditLog& audit, Options options)
    : db_(db), audit_(audit), options_(std::move(options)) {}

ImportResult Monitor::import(const auth::Principal& by, const std::string& path,
                             const ImportOptions& options) {
  if (routes::file_format(path) == routes::Format::dtm) {
    return import_flows(
        by,
        [&](const ChunkSink& sink, const routes::ReadOptions& ro, routes::ReadReport* report) {
          routes::read_dtm_file_chunks(path, sink, ro, report, kChunkRows);
        },
        path, source_name(path), options);
  }
  routes::ReadReport report;
  routes::Dataset data;
  try {
    data = routes::read_file(path, read_options(options), &report);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::invalid && report.error_count > 0) fail_with_issues(report, path);
    throw;
  }
  ImportResult result =
      store_rows(by, data, source_name(path), report.format, options, report.rows_skipped);
  copy_report(report, result);
  return result;
}

ImportResult Monitor::import(const auth::Principal& by, std::istream& in,
                             const std::string& file_name, const ImportOptions& options) {
  std::string header;
  const auto start = in.tellg();
  std::getline(in, header);
  const routes::Format format = routes::detect_format(header);
  if (format == routes::Format::unknown) {
    fail_invalid("row 1", file_name + ": the header matches no known route data format");
  }
  in.clear();
  in.seekg(start);
  if (!in) fail_invalid("input", file_name + ": the stream cannot be rewound");
  if (format == routes::Format::dtm) {
    return import_flows(
        by,
        [&](const ChunkSink& sink, const routes::ReadOptions& ro, routes::ReadReport* report) {
          routes::read_dtm_chunks(in, sink, ro, report, kChunkRows);
        },
        file_name, source_name(file_name), options);
  }
  routes::ReadReport report;
  routes::Dataset data;
  const auto ro = read_options(options);
  try {
    switch (format) {
      case routes::Format::frontex:
        data = routes::read_frontex(in, ro, &report);
        break;
      case routes::Format::dtm:
        data = routes::read_dtm(in, ro, &report);
        break;
      default:
        data = routes::read_missing_migrants(in, ro, &report);
        break;
    }
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::invalid && report.error_count > 0) {
      fail_with_issues(report, file_name);
    }
    throw;
  }
  ImportResult result =
      store_rows(by, data, source_name(file_name), format, options, report.rows_skipped);
  copy_report(report, result);
  return result;
}

ImportResult Monitor::store(const auth::Principal& by, const routes::Dataset& data,
                            const std::string& file_name, routes::Format format,
                            const ImportOptions& options) {
  ImportResult result = store_rows(by, data, file_name, format, options, 0);
  result.rows_read = result.rows_stored;
  return result;
}

ImportResult Monitor::store_rows(const auth::Principal& by, const routes::Dataset& data,
                                 const std::string& file_name, routes::Format format,
                                 const ImportOptions& options, std::size_t skipped) {
  const char* table = table_of(format);
  const bool matches = std::visit(
      [&](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, routes::Detections>)
          return format == routes::Format::frontex;
        if constexpr (std::is_same_v<T, routes::Flows>) return format == routes::Format::dtm;
        return format == routes::Format::mmp_europe || format == routes::Format::mmp_export;
      },
      data);
  if (!matches) fail_invalid("format", "the data set does not have format " + format_code(format));
  if (file_name.empty() || file_name.size() > 500 || !valid_utf8(file_name)) {
    fail_invalid("file_name", "the file name must be 1..500 bytes of UTF-8");
  }
  const Rows span = std::visit([](const auto& t) { return span_of(t); }, data);
  ImportResult result;
  result.format = format;
  result.file_name = file_name;
  const Millis now = options_.clock();
  db_.transaction([&](Connection& c) {
    result.rows_replaced = remove_earlier_imports(c, format_code(format), file_name, table);
    std::vector<Value> params{file_name, format_code(format), static_cast<std::int64_t>(span.count),
                              static_cast<std::int64_t>(skipped)};
    add_days(params, span);
    params.emplace_back(by.username);
    params.emplace_back(now);
    result.import_id = c.query(
                            "INSERT INTO route_imports (file_name, format, rows_stored, "
                            "rows_skipped, first_day, last_day, imported_by, imported_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            store::Params(params))
                           .at(0)
                           .integer(0);
    std::size_t stored = 0;
    const std::size_t every = 100000;
    auto tick = [&] {
      ++stored;
      if (options.on_progress && stored % every == 0) {
        options.on_progress(ImportProgress{"storing", stored, span.count});
      }
    };
    std::visit([&](const auto& t) { insert_rows(c, result.import_id, t, tick); }, data);
    result.rows_stored = stored;
    auto entry = by.audit("route.import", "route_import:" + std::to_string(result.import_id));
    entry.detail = format_code(format) + ", " + std::to_string(stored) + " rows" +
                   (result.rows_replaced ? ", replacing " + std::to_string(result.rows_replaced)
                                         : std::string());
    audit_.append(c, entry);
  });
  if (options.on_progress) {
    options.on_progress(ImportProgress{"storing", result.rows_stored, span.count});
  }
  return result;
}

std::vector<ImportInfo> Monitor::imports() {
  auto conn = db_.connection();
  std::vector<ImportInfo> out;
  for (const auto& r :
       conn->query("SELECT id, file_name, format, rows_stored, rows_skipped, imported_by, "
                   "imported_at FROM route_imports ORDER BY id")) {
    out.push_back(
        {r.integer(0), r.text(1), r.text(2), r.integer(3), r.integer(4), r.text(5), r.integer(6)});
  }
  return out;
}

}  // namespace ctis::monitor
