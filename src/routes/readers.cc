// The format readers: Frontex, both Missing Migrants Project exports, IOM DTM; and read_file.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <streambuf>
#include <unordered_map>
#include <unordered_set>

#include "core/core.h"
#include "core/refdata.h"
#include "routes/csv.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

using detail::CsvReader;
using detail::Header;
using detail::IssueSink;
using detail::trim;

std::string normalise_header(std::string_view header) {
  std::string out;
  for (const char c : header)
    if (c != '"' && c != '\r' && c != '\n') out += c;
  if (out.starts_with("\xEF\xBB\xBF")) out.erase(0, 3);
  return out;
}

// Codes the data sets use beside ISO 3166-1: Kosovo (user-assigned), stateless, not specified,
// other / unknown.
bool special_nationality(std::string_view code) {
  return code == "XKX" || code == "STL" || code == "OOS" || code == "OOO";
}

// find_country() scans the list; readers check millions of codes, so they use a set.
bool iso_alpha3(std::string_view code) {
  static const std::unordered_set<std::string> codes = [] {
    std::unordered_set<std::string> all;
    for (const auto& c : countries()) all.insert(c.alpha3);
    return all;
  }();
  return codes.count(std::string(code)) != 0;
}

// A three-letter code, upper-cased; an error when it is not three letters, a warning when it is
// neither ISO nor one of the special codes.
bool read_code(IssueSink& sink, std::string_view column, std::string_view text, std::string& out,
               bool* iso = nullptr) {
  text = trim(text);
  if (text.size() != 3) {
    sink.error(column, "not a three-letter country code: \"" + std::string(text) + "\"");
    return false;
  }
  out.assign(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') {
      sink.error(column, "not a three-letter country code: \"" + std::string(text) + "\"");
      return false;
    }
  }
  const bool is_iso = iso_alpha3(out);
  if (iso) *iso = is_iso;
  if (!is_iso && !special_nationality(out)) sink.warning(column, "unknown country code " + out);
  return true;
}

std::optional<Count> read_count(IssueSink& sink, std::string_view column, std::string_view text,
                                bool required, bool allow_negative = false) {
  std::optional<Count> count;
  if (!detail::parse_count(text, count, allow_negative))
    sink.error(column, "not a whole number: \"" + std::string(trim(text)) + "\"");
  else if (!count && required)
    sink.error(column, "missing");
  else if (count && count->value < 0)
    sink.warning(column, "negative count " + std::to_string(count->value) +
                             " kept as published (a correction of another count)");
  return count;
}

// The Missing Migrants Project publishes a few negative counts that correct another field of
// the same incident (dead 15, missing -2, dead/missing 13): kept as published, with a warning.
std::optional<Count> read_mmp_count(IssueSink& sink, std::string_view column,
                                    std::string_view text) {
  return read_count(sink, column, text, false, true);
}

Day read_date(IssueSink& sink, std::string_view column, std::string_view text) {
  if (const auto day = detail::parse_iso_date(text)) return *day;
  sink.error(column, "not a date YYYY-MM-DD: \"" + std::string(trim(text)) + "\"");
  return 0;
}

// "Thu, 01/01/2026 - 12:00": month/day/year; the weekday is checked, the time ignored.
Day read_export_date(IssueSink& sink, std::string_view column, std::string_view text) {
  text = trim(text);
  const auto comma = text.find(", ");
  const auto dash = text.find(" - ");
  std::string_view date = text;
  if (comma != std::string_view::npos) date = text.substr(comma + 2, dash - comma - 2);
  unsigned m = 0, d = 0;
  int y = 0;
  if (date.size() == 10 && date[2] == '/' && date[5] == '/' &&
      std::sscanf(std::string(date).c_str(), "%2u/%2u/%4d", &m, &d, &y) == 3) {
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (ymd.ok()) {
      const Day day = make_day(y, m, d);
      static constexpr std::array<std::string_view, 7> names{"Sun", "Mon", "Tue", "Wed",
                                                             "Thu", "Fri", "Sat"};
      const std::chrono::weekday wd{std::chrono::sys_days{ymd}};
      if (comma != std::string_view::npos && text.substr(0, comma) != names[wd.c_encoding()])
        sink.warning(column, "weekday does not match the date \"" + std::string(text) + "\"");
      return day;
    }
  }
  sink.error(column, "not a date like \"Thu, 01/01/2026 - 12:00\": \"" + std::string(text) + "\"");
  return 0;
}

std::optional<double> read_coordinate(IssueSink& sink, std::string_view column,
                                      std::string_view text, double limit) {
  if (detail::is_na(text)) return std::nullopt;
  const auto value = detail::parse_double(text);
  if (!value) {
    sink.error(column, "not a number: \"" + std::string(trim(text)) + "\"");
    return std::nullopt;
  }
  if (*value < -limit || *value > limit) {
    sink.error(column, "out of range [-" + std::to_string(static_cast<int>(limit)) + ", " +
                           std::to_string(static_cast<int>(limit)) + "]: " + std::string(text));
    return std::nullopt;
  }
  return value;
}

// A free-text country name: the whole name, else the part before an annotation
// ("Libya - presumed departure on 12-14 April", "Morocco (en route to Ceuta)").
std::optional<std::string> lookup_name(std::string_view name) {
  if (auto code = country_from_name(name)) return code;
  for (const std::string_view cut : {" - ", " ("}) {
    const auto at = name.find(cut);
    if (at != std::string_view::npos)
      if (auto code = country_from_name(trim(name.substr(0, at)))) return code;
  }
  return std::nullopt;
}

void update_latest(ReadReport& report, Day day) {
  if (report.rows_accepted == 0 || day > report.latest_date) report.latest_date = day;
}

}  // namespace

std::string_view format_name(Format format) {
  switch (format) {
    case Format::frontex:
      return "Frontex detections";
    case Format::mmp_europe:
      return "Missing Migrants Project (Europe extract)";
    case Format::mmp_export:
      return "Missing Migrants Project (export)";
    case Format::dtm:
      return "IOM DTM flow monitoring";
    case Format::unknown:
      break;
  }
  return "unknown";
}

Format detect_format(std::string_view header) {
  const std::string h = normalise_header(header);
  if (h.starts_with("route,type,nat,t,n")) return Format::frontex;
  if (h.starts_with("t,route,fmp,fmp_country,from,to,n")) return Format::dtm;
  if (h.starts_with("Main ID,Incident ID,Incident Type,") && h.find(",Latitude,") != h.npos)
    return Format::mmp_europe;
  if (h.starts_with("Main ID,Incident ID,") && h.find(",Incident Date,") != h.npos &&
      h.find(",Coordinates,") != h.npos)
    return Format::mmp_export;
  return Format::unknown;
}

std::int64_t Incident::dead_and_missing() const {
  return (dead ? dead->value : 0) + (missing ? missing->value : 0);
}

Detections read_frontex(std::istream& in, const ReadOptions& options, ReadReport* report) {
  ReadReport local;
  ReadReport& rep = report ? *report : local;
  rep = ReadReport{};
  rep.format = Format::frontex;
  CsvReader csv(in);
  if (!csv.next()) fail_invalid("row 1", "Frontex data: the file is empty");
  const Header header(csv);
  const std::size_t c_route = header.require("route"), c_type = header.require("type"),
                    c_nat = header.require("nat"), c_t = header.require("t"),
                    c_n = header.require("n");
  IssueSink sink(options, rep);
  Detections out;
  while (!sink.should_stop() && csv.next()) {
    sink.start_row(csv.record());
    Detection d;
    d.route = trim(csv.field(c_route));
    if (d.route.empty()) sink.error("route", "missing");
    const auto type = trim(csv.field(c_type));
    if (type == "Sea")
      d.sea = true;
    else if (type != "Land")
      sink.error("type", "neither Sea nor Land: \"" + std::string(type) + "\"");
    read_code(sink, "nat", csv.field(c_nat), d.nationality, &d.nationality_iso);
    d.month = read_date(sink, "t", csv.field(c_t));
    if (const auto n = read_count(sink, "n", csv.field(c_n), true)) d.detections = *n;
    if (!sink.row_bad()) {
      update_latest(rep, d.month);
      out.rows.push_back(std::move(d));
    }
    sink.end_row(csv);
  }
  sink.finish(csv, "Frontex data");
  return out;
}

Incidents read_missing_migrants(std::istream& in, const ReadOptions& options, ReadReport* report) {
  ReadReport local;
  ReadReport& rep = report ? *report : local;
  rep = ReadReport{};
  CsvReader csv(in);
  if (!csv.next()) fail_invalid("row 1", "Missing Migrants data: the file is empty");
  std::string raw_header;
  for (std::size_t i = 0; i < csv.size(); ++i) {
    if (i) raw_header += ',';
    raw_header += csv.field(i);
  }
  const Format format = detect_format(raw_header);
  if (format != Format::mmp_europe && format != Format::mmp_export)
    fail_invalid("row 1", "not a Missing Migrants Project header");
  rep.format = format;
  const bool europe = format == Format::mmp_europe;
  const Header header(csv);
  // Column names of the two exports for the same fields.
  const auto col = [&](std::string_view old_name, std::string_view new_name) {
    return header.require(europe ? old_name : new_name);
  };
  const std::size_t c_main = header.require("Main ID"), c_id = header.require("Incident ID"),
                    c_date = col("Incident date", "Incident Date"),
                    c_dead = col("No. dead", "Number Dead"),
                    c_missing = col("No. missing", "Minimum Estimated Number of Missing"),
                    c_surv = col("No. survivors", "Number of Survivors"),
                    c_fem = col("No. Female", "Number of Females"),
                    c_male = col("No. Male", "Number of Males"),
                    c_child = col("No. minors", "Number of Children"),
                    c_origin = col("Country of Origin", "Country of Origin"),
                    c_cause = col("Cause of death (category)", "Cause of Death"),
                    c_route = col("Route", "Migration route"),
                    c_quality = col("Source Quality", "Source Quality");
  const auto c_precision = header.find("incident_date_precision");
  const auto c_country = header.find("Country of Incident");
  std::size_t c_lat = 0, c_lon = 0, c_coord = 0;
  if (europe) {
    c_lat = header.require("Latitude");
    c_lon = header.require("Longitude");
  } else {
    c_coord = header.require("Coordinates");
  }
  IssueSink sink(options, rep);
  Incidents out;
  out.format = format;
  while (!sink.should_stop() && csv.next()) {
    sink.start_row(csv.record());
    Incident x;
    x.id = trim(csv.field(c_main));
    x.incident_id = trim(csv.field(c_id));
    if (x.id.empty()) sink.error("Main ID", "missing");
    const std::string_view date_column = europe ? "Incident date" : "Incident Date";
    x.date = europe ? read_date(sink, date_column, csv.field(c_date))
                    : read_export_date(sink, date_column, csv.field(c_date));
    if (c_precision) {
      const auto p = trim(csv.field(*c_precision));
      if (p == "month")
        x.precision = DatePrecision::month;
      else if (p == "year")
        x.precision = DatePrecision::year;
      else if (p != "day" && !p.empty())
        sink.error("incident_date_precision", "not day, month or year: \"" + std::string(p) + "\"");
    }
    x.dead = read_mmp_count(sink, europe ? "No. dead" : "Number Dead", csv.field(c_dead));
    x.missing = read_mmp_count(sink, europe ? "No. missing" : "Minimum Estimated Number of Missing",
                               csv.field(c_missing));
    x.survivors =
        read_mmp_count(sink, europe ? "No. survivors" : "Number of Survivors", csv.field(c_surv));
    x.females = read_mmp_count(sink, europe ? "No. Female" : "Number of Females", csv.field(c_fem));
    x.males = read_mmp_count(sink, europe ? "No. Male" : "Number of Males", csv.field(c_male));
    x.children =
        read_mmp_count(sink, europe ? "No. minors" : "Number of Children", csv.field(c_child));
    for (const auto r : detail::split_list(csv.field(c_route))) x.routes.emplace_back(r);
    x.cause = trim(csv.field(c_cause));
    x.source_quality = trim(csv.field(c_quality));
    for (const char c : x.source_quality)
      if (c < '1' || c > '5') {
        sink.error("Source Quality", "not grades 1 to 5: \"" + x.source_quality + "\"");
        break;
      }
    for (const auto name : detail::split_list(csv.field(c_origin))) {
      if (const auto code = lookup_name(name)) {
        if (!code->empty()) x.origin_countries.push_back(*code);
      } else {
        sink.unknown_country("Country of Origin", name);
      }
    }
    if (c_country) {
      x.incident_country_name = trim(csv.field(*c_country));
      if (!detail::is_na(x.incident_country_name)) {
        if (const auto code = lookup_name(x.incident_country_name))
          x.incident_country = *code;
        else
          sink.unknown_country("Country of Incident", x.incident_country_name);
      }
    }
    if (europe) {
      x.latitude = read_coordinate(sink, "Latitude", csv.field(c_lat), 90);
      x.longitude = read_coordinate(sink, "Longitude", csv.field(c_lon), 180);
    } else if (const auto coord = trim(csv.field(c_coord)); !detail::is_na(coord)) {
      const auto parts = detail::split_list(coord);
      if (parts.size() != 2) {
        sink.error("Coordinates", "not \"lat, lon\": \"" + std::string(coord) + "\"");
      } else {
        x.latitude = read_coordinate(sink, "Coordinates", parts[0], 90);
        x.longitude = read_coordinate(sink, "Coordinates", parts[1], 180);
      }
    }
    if (x.latitude.has_value() != x.longitude.has_value()) {
      x.latitude.reset();
      x.longitude.reset();
    }
    if (x.latitude && !x.incident_country.empty() &&
        near_country(x.incident_country, *x.latitude, *x.longitude) == false)
      sink.warning(europe ? "Latitude" : "Coordinates",
                   "outside " + x.incident_country + " (box widened by " +
                       std::to_string(static_cast<int>(box_tolerance_degrees)) + " degrees)");
    if (!sink.row_bad()) {
      update_latest(rep, x.date);
      out.rows.push_back(std::move(x));
    }
    sink.end_row(csv);
  }
  sink.finish(csv, "Missing Migrants data");
  return out;
}

void read_dtm_chunks(std::istream& in, const std::function<void(FlowChunk&&)>& on_chunk,
                     const ReadOptions& options, ReadReport* report, std::size_t chunk_rows) {
  ReadReport local;
  ReadReport& rep = report ? *report : local;
  rep = ReadReport{};
  rep.format = Format::dtm;
  CsvReader csv(in);
  if (!csv.next()) fail_invalid("row 1", "DTM data: the file is empty");
  const Header header(csv);
  const std::size_t c_t = header.require("t"), c_route = header.require("route"),
                    c_fmp = header.require("fmp"), c_fmpc = header.require("fmp_country"),
                    c_from = header.require("from"), c_to = header.require("to"),
                    c_n = header.require("n");
  static constexpr std::array<std::string_view, 4> reason_names{
      "reason_seasonal", "reason_disaster", "reason_conflict", "reason_economic"};
  std::array<std::optional<std::size_t>, 4> c_reason;
  for (std::size_t i = 0; i < 4; ++i) c_reason[i] = header.find(reason_names[i]);
  chunk_rows = std::max<std::size_t>(chunk_rows, 1);

  FlowChunk chunk;
  chunk.rows.reserve(chunk_rows);
  std::vector<std::string> labels;  // every label so far, by index
  // Labels repeat in long runs: remember the last one of each column before hashing.
  std::unordered_map<std::string, std::uint32_t> ids;
  const auto intern = [&](std::string_view label, std::uint32_t& last) {
    if (last < labels.size() && labels[last] == label) return last;
    const auto [it, added] =
        ids.try_emplace(std::string(label), static_cast<std::uint32_t>(labels.size()));
    if (added) {
      labels.emplace_back(label);
      chunk.new_labels.emplace_back(label);
    }
    return last = it->second;
  };
  // Country codes repeat too: the last spelling of each column is checked once; its warning, if
  // any, is given again for every row that repeats it.
  struct CodeColumn {
    std::string_view name;
    std::size_t index = 0;
    std::string text;  // last spelling, as written
    bool valid = false, warned = false;
    std::uint32_t id = UINT32_MAX;
  };
  std::array<CodeColumn, 3> codes;
  codes[0].name = "fmp_country";
  codes[0].index = c_fmpc;
  codes[1].name = "from";
  codes[1].index = c_from;
  codes[2].name = "to";
  codes[2].index = c_to;
  std::string code;
  IssueSink sink(options, rep);
  const auto country = [&](CodeColumn& col) -> std::uint32_t {
    const std::string_view text = trim(csv.field(col.index));
    if (col.valid && text == col.text) {
      if (col.warned) sink.warning(col.name, "unknown country code " + labels[col.id]);
      return col.id;
    }
    const std::size_t warnings = rep.warning_count;
    if (!read_code(sink, col.name, text, code)) {
      col.valid = false;
      return 0;
    }
    col.id = intern(code, col.id);
    col.text.assign(text);
    col.valid = true;
    col.warned = rep.warning_count != warnings;
    return col.id;
  };
  const auto hand_over = [&] {
    chunk.rows_read = rep.rows_read;
    // A read that will be rejected stores nothing: stop handing rows over at the first error.
    if (options.skip_invalid || rep.error_count == 0) on_chunk(std::move(chunk));
    chunk = FlowChunk{};
    chunk.rows.reserve(chunk_rows);
  };
  std::uint32_t last_route = UINT32_MAX, last_point = UINT32_MAX;
  while (!sink.should_stop() && csv.next()) {
    sink.start_row(csv.record());
    Flow f;
    f.date = read_date(sink, "t", csv.field(c_t));
    f.route = intern(trim(csv.field(c_route)), last_route);
    const auto point = trim(csv.field(c_fmp));
    if (point.empty()) sink.error("fmp", "missing");
    f.point = intern(point, last_point);
    f.point_country = country(codes[0]);
    f.from = country(codes[1]);
    f.to = country(codes[2]);
    if (const auto n = read_count(sink, "n", csv.field(c_n), true)) f.persons = *n;
    for (std::size_t i = 0; i < 4; ++i) {
      if (!c_reason[i]) {
        f.reasons[i] = -1;
        continue;
      }
      const auto v = trim(csv.field(*c_reason[i]));
      if (v == "1" || v == "0")
        f.reasons[i] = static_cast<std::int8_t>(v[0] - '0');
      else if (detail::is_na(v))
        f.reasons[i] = -1;
      else
        sink.error(reason_names[i], "not 0, 1 or NA: \"" + std::string(v) + "\"");
    }
    if (!sink.row_bad()) {
      update_latest(rep, f.date);
      chunk.rows.push_back(f);
    }
    sink.end_row(csv);
    if (chunk.rows.size() >= chunk_rows) hand_over();
  }
  hand_over();
  sink.finish(csv, "DTM data");
}

Flows read_dtm(std::istream& in, const ReadOptions& options, ReadReport* report) {
  Flows out;
  read_dtm_chunks(
      in,
      [&](FlowChunk&& chunk) {
        for (auto& label : chunk.new_labels) out.labels.push_back(std::move(label));
        out.rows.insert(out.rows.end(), chunk.rows.begin(), chunk.rows.end());
      },
      options, report, 1 << 16);
  return out;
}

namespace {

// Reads a file through zlib, which passes plain files through unchanged.
class GzipBuffer : public std::streambuf {
 public:
  explicit GzipBuffer(const std::string& path) : file_(gzopen(path.c_str(), "rb")) {
    if (!file_) fail_unavailable("file_unreadable", "cannot open " + path);
    gzbuffer(file_, 1 << 17);
  }
  GzipBuffer(const GzipBuffer&) = delete;
  GzipBuffer& operator=(const GzipBuffer&) = delete;
  ~GzipBuffer() override { gzclose(file_); }

 protected:
  int_type underflow() override {
    const int n = gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
    if (n < 0) {
      int code = 0;
      throw Error(ErrorKind::unavailable, "file_unreadable",
                  std::string("cannot decompress: ") + gzerror(file_, &code));
    }
    if (n == 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(buffer_[0]);
  }

 private:
  gzFile file_;
  std::array<char, 1 << 16> buffer_{};
};

}  // namespace

Format file_format(const std::string& path) {
  GzipBuffer buffer(path);
  std::istream in(&buffer);
  in.exceptions(std::ios::badbit);  // a decompression error surfaces as itself
  std::string header;
  std::getline(in, header);
  return detect_format(header);
}

void read_dtm_file_chunks(const std::string& path, const std::function<void(FlowChunk&&)>& on_chunk,
                          const ReadOptions& options, ReadReport* report, std::size_t chunk_rows) {
  GzipBuffer buffer(path);
  std::istream in(&buffer);
  in.exceptions(std::ios::badbit);
  read_dtm_chunks(in, on_chunk, options, report, chunk_rows);
}

Dataset read_file(const std::string& path, const ReadOptions& options, ReadReport* report) {
  const Format format = file_format(path);
  if (format == Format::unknown)
    fail_invalid("row 1", path + ": the header matches no known route data format");
  GzipBuffer buffer(path);
  std::istream in(&buffer);
  in.exceptions(std::ios::badbit);
  switch (format) {
    case Format::frontex:
      return read_frontex(in, options, report);
    case Format::dtm:
      return read_dtm(in, options, report);
    default:
      return read_missing_migrants(in, options, report);
  }
}

}  // namespace ctis::routes
