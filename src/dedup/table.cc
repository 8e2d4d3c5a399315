// Reading a table from CSV, and the table's column lookup.
#include <istream>
#include <string>

#include "core/core.h"
#include "dedup/dedup.h"

namespace ctis::dedup {

namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// Splits one logical line (quoted fields may span lines: more is read from `in`).
bool read_row(std::istream& in, std::vector<std::string>& row, std::size_t& line,
              const std::string& source) {
  row.clear();
  std::string text;
  if (!std::getline(in, text)) return false;
  ++line;
  const std::size_t first_line = line;
  std::string field;
  bool in_quotes = false, was_quoted = false;
  for (std::size_t i = 0;; ++i) {
    if (i == text.size()) {
      if (!in_quotes) break;
      std::string more;
      if (!std::getline(in, more)) {
        fail_invalid(
            source + " row " + std::to_string(first_line),
            source + ": row " + std::to_string(first_line) + " ends inside a quoted value");
      }
      ++line;
      field.push_back('\n');
      text = std::move(more);
      i = static_cast<std::size_t>(-1);
      continue;
    }
    const char c = text[i];
    if (in_quotes) {
      if (c != '"') {
        field.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else {
        in_quotes = false;
      }
    } else if (c == '"' && trim(field).empty()) {
      field.clear();
      in_quotes = was_quoted = true;
    } else if (c == ',') {
      row.push_back(was_quoted ? field : trim(field));
      field.clear();
      was_quoted = false;
    } else {
      field.push_back(c);
    }
  }
  row.push_back(was_quoted ? field : trim(field));
  return true;
}

}  // namespace

std::size_t Table::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  fail_invalid(std::string(name), "no column named \"" + std::string(name) + "\" in the table");
}

Table read_csv(std::istream& in, const std::string& source) {
  Table t;
  std::size_t line = 0;
  std::vector<std::string> row;
  if (!read_row(in, row, line, source)) fail_invalid(source, source + ": no header row");
  if (!row.empty() && row[0].starts_with("\xEF\xBB\xBF")) row[0].erase(0, 3);
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::string where = source + " row 1, column " + std::to_string(i + 1);
    if (row[i].empty()) fail_invalid(where, where + ": the column has no name");
    for (std::size_t j = 0; j < i; ++j) {
      if (row[j] == row[i]) fail_invalid(where, where + ": column \"" + row[i] + "\" repeats");
    }
  }
  t.columns = row;
  while (read_row(in, row, line, source)) {
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() != t.columns.size()) {
      const std::string where = source + " row " + std::to_string(line);
      fail_invalid(where, where + ": " + std::to_string(row.size()) + " values, the header has " +
                              std::to_string(t.columns.size()));
    }
    t.rows.push_back(row);
  }
  return t;
}

}  // namespace ctis::dedup
