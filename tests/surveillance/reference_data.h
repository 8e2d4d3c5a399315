// Reading the published reference tables of the R package `surveillance` from the shared data
// folder (CTIS_SHARED_DATA). A missing file fails the test with the path in the message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ctis::surveillance::testing {

// A CSV table with a header row; cells keep their text without quotes.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const;  // throws when absent
  std::string cell(std::size_t row, const std::string& name) const;
  double number(std::size_t row, const std::string& name) const;
  std::optional<double> number_or_na(std::size_t row, const std::string& name) const;
  bool flag(std::size_t row, const std::string& name) const;  // TRUE/FALSE or 1/0
};

// Full path of a file under CTIS_SHARED_DATA/routes/surveillance-reference/.
std::string reference_path(const std::string& file);
Table read_table(const std::string& path);

// Days since 1970-01-01 of "YYYY-MM-DD".
int day_number(const std::string& iso_date);

}  // namespace ctis::surveillance::testing
