#include "routes/csv.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/core.h"

namespace ctis::routes {

Day make_day(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  return static_cast<Day>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

std::string format_day(Day day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  char buf[16];
  const auto n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return {buf, static_cast<std::size_t>(n)};
}

std::string Issue::text() const {
  return "row " + std::to_string(row) + ", column " + column + ": " + reason;
}

namespace detail {

bool CsvReader::next() {
  fields_.clear();
  text_.clear();
  if (!std::getline(in_, line_)) return false;
  ++record_;
  bool quoted = false;
  std::size_t start = 0;
  for (;;) {
    bytes_ += line_.size() + 1;
    std::string_view line = line_;
    if (!quoted && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    // Runs of plain text are copied at once, up to the next quote (inside quotes) or the next
    // separator or quote (outside).
    for (std::size_t i = 0; i < line.size();) {
      if (quoted) {
        const auto q = line.find('"', i);
        if (q == std::string_view::npos) {
          text_.append(line.substr(i));
          break;
        }
        text_.append(line.substr(i, q - i));
        if (q + 1 < line.size() && line[q + 1] == '"') {
          text_ += '"';
          i = q + 2;
        } else {
          quoted = false;
          i = q + 1;
        }
      } else if (line[i] == '"') {
        quoted = true;
        ++i;
      } else if (line[i] == ',') {
        fields_.emplace_back(start, text_.size() - start);
        start = text_.size();
        ++i;
      } else {
        auto stop = line.find_first_of(",\"", i);
        if (stop == std::string_view::npos) stop = line.size();
        text_.append(line.substr(i, stop - i));
        i = stop;
      }
    }
    if (!quoted) break;
    // A line break inside quotes belongs to the field; an unterminated quote ends at EOF.
    if (!std::getline(in_, line_)) break;
    text_ += '\n';
  }
  fields_.emplace_back(start, text_.size() - start);
  return true;
}

std::string_view CsvReader::field(std::size_t i) const {
  if (i >= fields_.size()) return {};
  return std::string_view(text_).substr(fields_[i].first, fields_[i].second);
}

void IssueSink::error(std::string_view column, std::string reason) {
  row_bad_ = true;
  ++report_.error_count;
  if (report_.errors.size() < options_.max_issues)
    report_.errors.push_back({row_, std::string(column), std::move(reason)});
}

void IssueSink::warning(std::string_view column, std::string reason) {
  ++report_.warning_count;
  if (report_.warnings.size() < options_.max_issues)
    report_.warnings.push_back({row_, std::string(column), std::move(reason)});
}

void IssueSink::unknown_country(std::string_view column, std::string_view name) {
  ++report_.unknown_country_names[std::string(name)];
  warning(column, "unknown country name \"" + std::string(name) + "\"");
}

void IssueSink::end_row(const CsvReader& csv) {
  ++report_.rows_read;
  if (row_bad_)
    ++report_.rows_skipped;
  else
    ++report_.rows_accepted;
  if (options_.on_progress && options_.progress_every_rows > 0 &&
      report_.rows_read % options_.progress_every_rows == 0)
    options_.on_progress(Progress{report_.rows_read, csv.bytes()});
}

void IssueSink::finish(const CsvReader& csv, std::string_view what) {
  if (options_.on_progress) options_.on_progress(Progress{report_.rows_read, csv.bytes()});
  if (report_.error_count == 0 || options_.skip_invalid) return;
  const Issue& first = report_.errors.front();
  std::string message = std::string(what) + ": " + std::to_string(report_.error_count) +
                        " bad row(s) (first " + first.text() + ")";
  fail_invalid("row " + std::to_string(first.row) + ", column " + first.column, message);
}

Header::Header(const CsvReader& csv) {
  for (std::size_t i = 0; i < csv.size(); ++i) {
    std::string_view name = trim(csv.field(i));
    if (i == 0 && name.starts_with("\xEF\xBB\xBF")) name.remove_prefix(3);  // UTF-8 BOM
    names_.emplace_back(name);
  }
}

std::optional<std::size_t> Header::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return i;
  return std::nullopt;
}

std::size_t Header::require(std::string_view name) const {
  if (const auto i = find(name)) return *i;
  fail_invalid("row 1, column " + std::string(name),
               "row 1: the header lacks the column \"" + std::string(name) + "\"");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool is_na(std::string_view s) {
  s = trim(s);
  return s.empty() || s == "NA" || s == "N/A";
}

bool parse_count(std::string_view text, std::optional<Count>& out, bool allow_negative) {
  text = trim(text);
  out.reset();
  if (is_na(text)) return true;
  Count count;
  if (text.front() == '<') {
    count.censored = true;
    text = trim(text.substr(1));
  }
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, count.value);
  if (ec != std::errc{} || ptr != end || (count.value < 0 && (!allow_negative || count.censored)))
    return false;
  out = count;
  return true;
}

std::optional<Day> parse_iso_date(std::string_view text) {
  text = trim(text);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  const char* s = text.data();
  if (std::from_chars(s, s + 4, y).ptr != s + 4 || std::from_chars(s + 5, s + 7, m).ptr != s + 7 ||
      std::from_chars(s + 8, s + 10, d).ptr != s + 10)
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return make_day(y, m, d);
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_list(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  while (!text.empty()) {
    const auto at = text.find(sep);
    const auto part = trim(text.substr(0, at));
    if (!part.empty()) parts.push_back(part);
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

}  // namespace detail
}  // namespace ctis::routes
