// CTDC files (Counter Trafficking Data Collaborative, IOM, 2024 standard): its column names and
// codings as data/ctdc/ctdc-2024.json maps them to CTIS codes, and the translation of one CSV
// row into the case input cases::validate() takes, and of a stored profile back into a row.
//
// Columns: yearOfRegistration, gender, ageBroad, citizenship, CountryOfExploitation,
// traffickMonths, then the flag columns (1 or empty) in the order of the mapping file. An
// import may add the CTIS identifier columns given_name, family_name, birth_date and
// document_number (never exported) and an `error` column (as in a reject file; ignored).
// Cells are trimmed of surrounding spaces; codings are the CTDC ones ("Woman", "18--20") or
// the CTIS codes ("woman", "18-20").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/cases.h"

namespace ctis::cli::ctdc {

// One cell at fault.
struct CellError {
  std::string column;  // CSV column name; empty when the error is about the whole row
  std::string reason;
};

// The exported columns, in order.
const std::vector<std::string>& columns();

// A file's header, checked (unknown or repeated columns are Error(invalid) naming the column),
// and the plan for reading its rows.
class RowReader {
 public:
  explicit RowReader(const std::vector<std::string>& header);

  // One data row: the case input for cases::validate(), or nullopt with every bad cell of the
  // row in `errors` (a cell whose coding is unknown, a flag not 1 or empty, anything
  // validate() rejects — it is run again without each field it rejected, so that one row's
  // bad cells are all found).
  std::optional<cases::Record> read(const std::vector<std::string>& row,
                                    std::vector<CellError>& errors) const;

  // The CSV column for a validation error's JSON pointer ("/profile/citizenship").
  std::string column_of(const std::string& pointer) const;

  struct Spec;  // one column of the standard (ctdc.cc)

 private:
  std::vector<const Spec*> plan_;  // per header column; nullptr: ignored
  std::vector<std::string> names_;
  std::size_t width_ = 0;
};

// A stored profile as a row of columns().
std::vector<std::string> profile_row(const nlohmann::json& profile);

}  // namespace ctis::cli::ctdc
