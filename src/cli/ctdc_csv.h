// RFC 4180 CSV for case import and export: a streaming reader (quoted fields with embedded
// commas, doubled quotes and line breaks; CRLF or LF line ends; a UTF-8 byte-order mark is
// skipped) with limits per cell and per file, and the matching writer.
//
// Errors: malformed input (an unterminated quote, text after a closing quote, a quote inside
// an unquoted field, a cell, row or file over its limit) is Error(invalid) whose field names the
// place, "row N, column X" (N the 1-based data row, X the header's name for the column) or
// "header, column N"; the reader cannot go on after one. Cell contents are not checked here
// (UTF-8 is the caller's business, per cell).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace ctis::cli {

struct CsvLimits {
  std::size_t max_cell = std::size_t{64} * 1024;   // bytes in one cell
  std::uint64_t max_bytes = 256ull * 1024 * 1024;  // bytes in the file
  std::size_t max_fields = 256;                    // cells in one row
  std::size_t max_rows = 500000;                   // data rows in the file
};

class CsvReader {
 public:
  // Reads from `in` (not owned, not closed); `name` is used in messages. Reads the header row.
  CsvReader(std::FILE* in, std::string name, CsvLimits limits = {});

  const std::vector<std::string>& header() const { return header_; }
  // The next data row (blank lines are skipped); false at the end of the file.
  bool next(std::vector<std::string>& row);
  // 1-based number of the row last returned by next().
  std::size_t row_number() const { return rows_; }
  std::uint64_t bytes_read() const { return consumed_; }

 private:
  int get();  // next byte or EOF
  int peek();
  bool read_record(std::vector<std::string>& fields);
  [[noreturn]] void fail(std::size_t field, const std::string& reason) const;

  std::FILE* in_;
  std::string name_;
  CsvLimits limits_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t consumed_ = 0;
  bool in_header_ = true;
  std::size_t rows_ = 0;
  std::vector<std::string> header_;
};

// One CSV line (CRLF-terminated), quoting the cells that need it.
void append_csv_line(std::string& out, const std::vector<std::string>& cells);

}  // namespace ctis::cli
