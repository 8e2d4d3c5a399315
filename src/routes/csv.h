// Internal to routes: a streaming CSV record reader and the per-row issue bookkeeping shared by
// the format readers.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "routes/routes.h"

namespace ctis::routes::detail {

// Reads RFC 4180 records one at a time (quoted fields, "" escapes, line breaks inside quotes).
// Field views stay valid until the next call to next().
class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}
  bool next();
  std::size_t record() const { return record_; }  // 1 for the header
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return fields_.size(); }
  std::string_view field(std::size_t i) const;

 private:
  std::istream& in_;
  std::string line_, text_;
  std::vector<std::pair<std::size_t, std::size_t>> fields_;  // offset, length in text_
  std::size_t record_ = 0, bytes_ = 0;
};

// Collects the issues of one read, row by row, and decides when to stop.
class IssueSink {
 public:
  IssueSink(const ReadOptions& options, ReadReport& report) : options_(options), report_(report) {}
  void start_row(std::size_t row) {
    row_ = row;
    row_bad_ = false;
  }
  void error(std::string_view column, std::string reason);
  void warning(std::string_view column, std::string reason);
  void unknown_country(std::string_view column, std::string_view name);
  bool row_bad() const { return row_bad_; }
  // All-or-nothing reads stop once the cap is reached: the file is rejected anyway.
  bool should_stop() const {
    return (!options_.skip_invalid && report_.error_count >= options_.max_issues) ||
           (options_.max_rows > 0 && report_.rows_read >= options_.max_rows);
  }
  // Counts the row, reports progress, and throws at the end of a rejected read.
  void end_row(const CsvReader& csv);
  void finish(const CsvReader& csv, std::string_view what);

 private:
  const ReadOptions& options_;
  ReadReport& report_;
  std::size_t row_ = 0;
  bool row_bad_ = false;
};

// Column positions by header name; throws Error(invalid) naming a missing column.
class Header {
 public:
  explicit Header(const CsvReader& csv);
  std::size_t require(std::string_view name) const;
  std::optional<std::size_t> find(std::string_view name) const;

 private:
  std::vector<std::string> names_;
};

std::string_view trim(std::string_view s);
bool is_na(std::string_view s);  // "", "NA", "N/A"
// Whole counts: nullopt for NA / empty, "<5" censored; false when the text is no count (or is
// negative, unless allowed).
bool parse_count(std::string_view text, std::optional<Count>& out, bool allow_negative = false);
std::optional<Day> parse_iso_date(std::string_view text);
std::optional<double> parse_double(std::string_view text);
std::vector<std::string_view> split_list(std::string_view text, char sep = ',');

}  // namespace ctis::routes::detail
