// routes: the public route data sets read into typed in-memory tables, and counts over them
// per corridor, leg, nationality, monitoring point and period.
//
// Formats (detected from the header line): Frontex detections of illegal border crossing
// (route x nationality x month; detections, not persons), the IOM Missing Migrants Project
// incident exports (the older Europe extract and the newer global export) and IOM DTM flow
// monitoring (flows counted at a flow monitoring point). .gz files are decompressed as a stream,
// line by line, never read whole.
//
// Validation: every bad row is an Issue "row N, column X: reason" (row 1 is the header). Issues
// are collected up to ReadOptions::max_issues; by default a file with any bad row is rejected
// whole (Error invalid, field() naming the first bad row and column), with skip_invalid the bad
// rows are left out and counted. Censored counts such as "<5" are kept as a bound and a flag,
// never guessed. Doubtful but usable values are warnings, the row kept and reported: a country
// name not in data/routes/country-names.tsv, coordinates outside their country's box (widened by
// box_tolerance_degrees), a negative count the Missing Migrants Project publishes as a correction.
//
// Corridors are data (data/routes/corridors.json): countries in order and the route labels each
// data set uses. A row counts in every corridor it belongs to, so corridors may overlap.
//
// Threads: loaded tables and the corridor catalogue are immutable and safe to share; readers and
// aggregations keep no shared state. Errors: ctis::Error(invalid) for bad input, (unavailable)
// for a file that cannot be opened or decompressed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ctis::routes {

enum class Format { unknown, frontex, mmp_europe, mmp_export, dtm };
std::string_view format_name(Format format);
// Recognises a format by its header line (quotes and a trailing '\r' are ignored).
Format detect_format(std::string_view header);

// A calendar day as days since 1970-01-01 (UTC); comparable and cheap to store.
using Day = std::int32_t;
Day make_day(int year, unsigned month, unsigned day);
std::string format_day(Day day);  // "2024-03-31"

// A count as published. censored: the source gave only an upper bound ("<5" -> value 5,
// censored: the true count is below 5).
struct Count {
  std::int64_t value = 0;
  bool censored = false;
  bool operator==(const Count&) const = default;
};

// --- Frontex ---------------------------------------------------------------------------------
struct Detection {
  std::string route;        // "Central Mediterranean Route"
  bool sea = false;         // type "Sea" (else "Land")
  std::string nationality;  // ISO alpha-3, or a Frontex code ("XKX", "STL", "OOS", "OOO")
  bool nationality_iso = false;
  Day month = 0;  // first day of the month
  Count detections;
};
struct Detections {
  std::vector<Detection> rows;
};

// --- Missing Migrants Project ----------------------------------------------------------------
enum class DatePrecision { day, month, year };
struct Incident {
  std::string id;  // "Main ID"; split incidents share it
  std::string incident_id;
  Day date = 0;
  DatePrecision precision = DatePrecision::day;
  std::vector<std::string> routes;  // MMP route names, comma-joined in the source
  std::optional<double> latitude, longitude;
  std::optional<Count> dead, missing, survivors, females, males, children;
  std::string cause;
  std::string incident_country_name;          // as written (older export only)
  std::string incident_country;               // ISO alpha-3 when the name is known, else empty
  std::vector<std::string> origin_countries;  // ISO alpha-3 of the known origin names
  std::string source_quality;                 // MMP grade(s) 1..5, digits as published
  std::int64_t dead_and_missing() const;      // censored bounds count at their bound
};
struct Incidents {
  Format format = Format::unknown;
  std::vector<Incident> rows;
};

// --- IOM DTM flow monitoring -----------------------------------------------------------------
// 867,580 rows: names and codes are interned (indices into Flows::labels) to keep rows small.
struct Flow {
  Day date = 0;
  std::uint32_t route = 0;  // "NA" and "Domestic" are labels too
  std::uint32_t point = 0;  // flow monitoring point
  // ISO alpha-3 codes, "OOO" for other / unknown.
  std::uint32_t point_country = 0, from = 0, to = 0;
  Count persons;
  // reason_seasonal, reason_disaster, reason_conflict, reason_economic: 1, 0, or -1 for NA.
  std::array<std::int8_t, 4> reasons{};
};
struct Flows {
  std::vector<std::string> labels;  // interned routes, points and country codes
  std::vector<Flow> rows;
  const std::string& label(std::uint32_t i) const { return labels.at(i); }
};

// --- Reading ---------------------------------------------------------------------------------
struct Issue {
  std::size_t row = 0;  // 1 is the header line
  std::string column;
  std::string reason;
  std::string text() const;  // "row 12, column n: not a whole number"
};
struct Progress {
  std::size_t rows = 0;
  std::size_t bytes = 0;  // bytes of the (decompressed) text parsed so far
};
struct ReadOptions {
  bool skip_invalid = false;
  std::size_t max_issues = 100;  // errors and warnings kept each; the totals keep counting
  std::function<void(const Progress&)> on_progress;
  std::size_t progress_every_rows = 100000;
  std::size_t max_rows = 0;  // read only the first rows (a preview, a streamed prefix); 0: all
};
struct ReadReport {
  Format format = Format::unknown;
  std::size_t rows_read = 0, rows_accepted = 0, rows_skipped = 0;
  std::vector<Issue> errors, warnings;
  std::size_t error_count = 0, warning_count = 0;
  std::map<std::string, std::size_t> unknown_country_names;  // name -> rows
  Day latest_date = 0;
};

Detections read_frontex(std::istream& in, const ReadOptions& options = {},
                        ReadReport* report = nullptr);
Incidents read_missing_migrants(std::istream& in, const ReadOptions& options = {},
                                ReadReport* report = nullptr);  // either MMP export
Flows read_dtm(std::istream& in, const ReadOptions& options = {}, ReadReport* report = nullptr);

// DTM rows handed over in chunks while the file is read, so that they can be stored while the
// rest is parsed. A chunk holds the labels first interned in it (indices continue from the
// previous chunks, as in Flows::labels) and its accepted rows.
struct FlowChunk {
  std::vector<std::string> new_labels;
  std::vector<Flow> rows;
  std::size_t rows_read = 0;  // rows read from the start of the file to the end of this chunk
};
// Reads as read_dtm() does (same checks, report and errors) but calls on_chunk, on the calling
// thread, every chunk_rows rows and at the end. When a bad row makes the read fail (no
// skip_invalid), no chunk is handed over after that row: the file is rejected anyway.
void read_dtm_chunks(std::istream& in, const std::function<void(FlowChunk&&)>& on_chunk,
                     const ReadOptions& options = {}, ReadReport* report = nullptr,
                     std::size_t chunk_rows = 16384);

using Dataset = std::variant<Detections, Incidents, Flows>;
// Opens a file (.gz decompressed as a stream), detects its format and reads it.
Dataset read_file(const std::string& path, const ReadOptions& options = {},
                  ReadReport* report = nullptr);
// The format of a file from its header line (unknown when none matches).
Format file_format(const std::string& path);
// read_dtm_chunks() over a file (.gz decompressed as a stream).
void read_dtm_file_chunks(const std::string& path, const std::function<void(FlowChunk&&)>& on_chunk,
                          const ReadOptions& options = {}, ReadReport* report = nullptr,
                          std::size_t chunk_rows = 16384);

// --- Reference tables (data/routes/) ---------------------------------------------------------
// A free-text country name as the data sets write it -> ISO alpha-3; "" for names known to mean
// no country ("Unknown", "Mixed"); nullopt when the name is unknown.
std::optional<std::string> country_from_name(std::string_view name);
// Whether a point lies in the country's bounding box widened by box_tolerance_degrees; nullopt
// when the country has no box.
inline constexpr double box_tolerance_degrees = 2.0;
std::optional<bool> near_country(std::string_view alpha3, double latitude, double longitude);

struct Corridor {
  std::string id;                           // "central_mediterranean"
  std::string name;                         // "Central Mediterranean"
  std::vector<std::string> countries;       // ISO alpha-3, origin -> transit -> destination
  std::vector<std::string> frontex_routes;  // Frontex route names
  std::vector<std::string> mmp_routes;      // MMP route names
  std::vector<std::string> dtm_routes;      // DTM route labels
  // A DTM leg belongs when both ends are corridor countries, in the corridor's order.
  bool has_leg(std::string_view from, std::string_view to) const;
};
using Corridors = std::vector<Corridor>;
const Corridors& corridors();
const Corridor* find_corridor(std::string_view id);

// --- Aggregation -----------------------------------------------------------------------------
enum class Period { week, month, quarter };  // ISO weeks ("2024-W05"), "2024-03", "2024-Q1"
enum class GroupBy { total, corridor, route, nationality, leg, point };

struct Coverage {
  std::size_t reporting = 0;  // sources of this key that reported anything in the period
  std::size_t known = 0;      // sources that ever reported for this key
};
struct Figure {
  std::string key;     // corridor id, route, nationality, "NER>LBY", point name, or "total"
  std::string period;  // label as in Period
  Day period_start = 0;
  std::int64_t value = 0;
  bool censored = false;  // some part was a censored bound, so value is an upper bound
  Coverage coverage;
  std::int32_t lag_days = 0;  // latest data date - period end; negative: period still open
};

struct Query {
  GroupBy by = GroupBy::corridor;
  Period period = Period::month;
  std::string corridor;  // when set, only rows of this corridor
};
// Sources: Frontex routes, DTM flow monitoring points; an MMP export is one source. Incidents
// count dead + missing, by nationality meaning their countries of origin. The latest data date
// is the last day a table covers (a Frontex month counts to its end). Sorted by key, then
// period. Error(invalid) for a grouping the table lacks (legs of Frontex data, nationalities of
// DTM flows) or an unknown corridor.
std::vector<Figure> aggregate(const Detections& table, const Query& query);
std::vector<Figure> aggregate(const Incidents& table, const Query& query);
std::vector<Figure> aggregate(const Flows& table, const Query& query);

// Counts per consecutive period for one key, zero-filled, ready for surge detection.
struct Series {
  std::string key;
  Period period = Period::month;
  std::vector<std::string> periods;
  std::vector<std::int64_t> counts;
};
std::vector<Series> corridor_series(const std::vector<Figure>& figures, Period period);

std::string period_label(Day day, Period period);

}  // namespace ctis::routes
