#include "reference_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ctis::surveillance::testing {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(cell);
  return cells;
}

}  // namespace

std::size_t Table::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw std::runtime_error("no column " + name);
}

std::string Table::cell(std::size_t row, const std::string& name) const {
  return rows.at(row).at(column(name));
}

double Table::number(std::size_t row, const std::string& name) const {
  return std::stod(cell(row, name));
}

std::optional<double> Table::number_or_na(std::size_t row, const std::string& name) const {
  const std::string text = cell(row, name);
  if (text == "NA") return std::nullopt;
  return std::stod(text);
}

bool Table::flag(std::size_t row, const std::string& name) const {
  const std::string text = cell(row, name);
  if (text == "TRUE" || text == "1") return true;
  if (text == "FALSE" || text == "0") return false;
  throw std::runtime_error("row " + std::to_string(row) + ", column " + name +
                           ": not a flag: " + text);
}

std::string reference_path(const std::string& file) {
  const char* shared = std::getenv("CTIS_SHARED_DATA");
  const std::string root = shared != nullptr ? shared : "../shared/data";
  return root + "/routes/surveillance-reference/" + file;
}

Table read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read reference data " + path +
                             " (set CTIS_SHARED_DATA to the shared data folder)");
  }
  Table table;
  std::string line;
  std::getline(in, line);
  table.columns = split(line);
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    table.rows.push_back(split(line));
    if (table.rows.back().size() != table.columns.size()) {
      throw std::runtime_error(path + ": row " + std::to_string(table.rows.size()) +
                               " has the wrong number of cells");
    }
  }
  return table;
}

int day_number(const std::string& iso_date) {
  int y = std::stoi(iso_date.substr(0, 4));
  const int m = std::stoi(iso_date.substr(5, 2));
  const int d = std::stoi(iso_date.substr(8, 2));
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace ctis::surveillance::testing
