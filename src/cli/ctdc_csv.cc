#include "cli/ctdc_csv.h"

#include <cstring>

#include "core/core.h"

namespace ctis::cli {

CsvReader::CsvReader(std::FILE* in, std::string name, CsvLimits limits)
    : in_(in), name_(std::move(name)), limits_(limits), buffer_(1 << 16) {
  // A byte-order mark, as spreadsheet programs write, is not part of the first column's name.
  if (peek() == 0xEF && end_ - pos_ >= 3 &&
      std::memcmp(buffer_.data() + pos_, "\xEF\xBB\xBF", 3) == 0) {
    pos_ += 3;
    consumed_ += 3;
  }
  if (!read_record(header_))
    fail_invalid(name_, name_ + " is empty: a CSV file starts with a header row");
  in_header_ = false;
}

int CsvReader::peek() {
  if (pos_ == end_) {
    if (std::ferror(in_) || std::feof(in_)) return EOF;
    end_ = std::fread(buffer_.data(), 1, buffer_.size(), in_);
    pos_ = 0;
    if (end_ == 0) {
      if (std::ferror(in_)) fail_invalid(name_, "cannot read " + name_);
      return EOF;
    }
  }
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::get() {
  const int c = pos_ < end_ ? static_cast<unsigned char>(buffer_[pos_]) : peek();
  if (c != EOF) {
    ++pos_;
    if (++consumed_ > limits_.max_bytes) {
      fail_invalid(name_, name_ + " is larger than " +
                              std::to_string(limits_.max_bytes / (std::size_t{1024} * 1024)) +
                              " MiB: split it into several imports");
    }
  }
  return c;
}

void CsvReader::fail(std::size_t field, const std::string& reason) const {
  std::string where;
  if (in_header_) {
    where = "header, column " + std::to_string(field + 1);
  } else {
    where = "row " + std::to_string(rows_ + 1) + ", column " +
            (field < header_.size() ? header_[field] : std::to_string(field + 1));
  }
  fail_invalid(where, where + ": " + reason);
}

bool CsvReader::read_record(std::vector<std::string>& fields) {
  int c = get();
  if (c == EOF) return false;
  std::size_t n = 0;
  for (;;) {  // one cell per turn; c is its first byte
    if (n >= limits_.max_fields) {
      fail(n, "more than " + std::to_string(limits_.max_fields) + " cells in one row");
    }
    if (n == fields.size()) fields.emplace_back();
    std::string& cell = fields[n];
    cell.clear();
    auto push = [&](int ch) {
      if (cell.size() >= limits_.max_cell) {
        fail(n, "cell longer than " + std::to_string(limits_.max_cell) +
                    " bytes (an unbalanced quote?)");
      }
      cell.push_back(static_cast<char>(ch));
    };
    if (c == '"') {
      for (;;) {
        c = get();
        if (c == EOF) fail(n, "quoted cell not closed before the end of the file");
        if (c == '"') {
          c = get();
          if (c != '"') break;  // the closing quote; c follows it
        }
        push(c);
      }
      if (c != ',' && c != '\n' && c != '\r' && c != EOF) {
        fail(n, "text after the closing quote (double a quote inside a quoted cell)");
      }
    } else {
      while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
        if (c == '"') {
          fail(n, "a quote inside an unquoted cell (quote the whole cell and double the quote)");
        }
        push(c);
        c = get();
      }
    }
    ++n;
    if (c == ',') {
      c = get();
      continue;
    }
    if (c == '\r' && peek() == '\n') get();
    break;
  }
  fields.resize(n);
  return true;
}

bool CsvReader::next(std::vector<std::string>& row) {
  for (;;) {
    if (!read_record(row)) return false;
    if (row.size() == 1 && row[0].empty()) continue;  // a blank line
    if (rows_ == limits_.max_rows) {
      fail_invalid(name_, name_ + " has more than " + std::to_string(limits_.max_rows) +
                              " rows: split it into several imports");
    }
    ++rows_;
    return true;
  }
}

void append_csv_line(std::string& out, const std::vector<std::string>& cells) {
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    const std::string& s = cells[i];
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
      out += s;
      continue;
    }
    out += '"';
    for (char ch : s) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  }
  out += "\r\n";
}

}  // namespace ctis::cli
