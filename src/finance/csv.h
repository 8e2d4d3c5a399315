// Internal: the streaming CSV record readers (RFC 4180 quoting, CRLF tolerant) and the small
// cell helpers shared by the ingest paths.
#pragma once

#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
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

// The same records as CsvReader, read in large blocks and returned as views: into the block for
// plain fields, into scratch storage for quoted ones. Views are valid until the next call.
class BlockCsvReader {
 public:
  BlockCsvReader(std::istream& in, char delimiter) : in_(in), delimiter_(delimiter) {}
  bool next(std::vector<std::string_view>& fields);
  std::size_t line() const { return record_line_; }
  std::size_t bytes() const { return consumed_; }
  // Called before views of earlier records become invalid (a refill, a quoted record), so
  // that a caller holding a batch of them can use it first.
  std::function<void()> before_invalidate;

 private:
  bool refill();  // keeps [pos_, end) and reads more; false at end of input
  // The general record parser (quotes, fields across lines); false when the block ends first.
  bool parse_quoted(std::vector<std::string_view>& fields, std::size_t& lines, std::size_t& end);
  std::istream& in_;
  char delimiter_;
  std::string block_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::vector<std::string> scratch_;
  std::size_t next_line_ = 1;
  std::size_t record_line_ = 0;
  std::size_t consumed_ = 0;
};

// The transaction fields a column mapping can name, in this order (ingest indexes them so).
inline constexpr std::array<std::string_view, 10> kMappedFields = {
    "id", "time", "from", "to", "amount", "currency", "channel", "mcc", "location", "purpose"};

// The C locale's white space, inline: this runs for every cell.
inline bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}
inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
// The whole of s as an integer, nothing else.
template <typename T>
bool parse_int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// The ISO 4217 code for a currency cell (any letter case), as a view of static storage; empty
// for a value that is not one.
std::string_view known_currency(std::string_view code);

// Index of each wanted header in the header row; throws Error(invalid) naming a missing one.
std::size_t header_index(const std::vector<std::string>& header, const std::string& name,
                         const std::string& file);

}  // namespace ctis::finance::detail
