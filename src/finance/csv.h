// Internal: a streaming CSV record reader (RFC 4180 quoting, CRLF tolerant) shared by the
// generic and AMLSim ingest paths.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace ctis::finance::detail {

class CsvReader {
 public:
  CsvReader(std::istream& in, char delimiter) : in_(in), delimiter_(delimiter) {}
  // Reads the next record into fields; false at end of input. Throws Error(invalid) for an
  // unterminated quote.
  bool next(std::vector<std::string>& fields);
  std::size_t line() const { return record_line_; }  // first line of the last record, 1-based
  std::size_t bytes() const { return bytes_; }

 private:
  std::istream& in_;
  char delimiter_;
  std::string buffer_;
  std::size_t next_line_ = 1;
  std::size_t record_line_ = 0;
  std::size_t bytes_ = 0;
};

// Index of each wanted header in the header row; throws Error(invalid) naming a missing one.
std::size_t header_index(const std::vector<std::string>& header, const std::string& name,
                         const std::string& file);

}  // namespace ctis::finance::detail
