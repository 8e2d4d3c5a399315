// ClkStore: packed CLK rows and their popcounts, from bytes, base64 or a CSV file.
#include <bit>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/core.h"
#include "linkage/linkage.h"

namespace ctis::linkage {

namespace {

std::string where(std::string_view row_name) {
  return row_name.empty() ? std::string("clk") : std::string(row_name);
}

}  // namespace

ClkStore::ClkStore(std::size_t bits) : bits_(bits), stride_words_((bits + 511) / 512 * 8) {
  if (bits == 0 || bits % 8 != 0) {
    fail_invalid("bits",
                 "a CLK length must be a positive multiple of 8 bits, not " + std::to_string(bits));
  }
}

void ClkStore::add(std::span<const std::uint8_t> clk, std::string id, std::string_view row_name) {
  if (clk.size() * 8 != bits_) {
    fail_invalid(where(row_name), where(row_name) + ": the CLK has " +
                                      std::to_string(clk.size() * 8) + " bits, the store holds " +
                                      std::to_string(bits_) + "-bit CLKs");
  }
  const std::size_t lines_per_row = stride_words_ / 8;
  lines_.resize(lines_.size() + lines_per_row, Line{});  // zero padding
  auto* dest = reinterpret_cast<std::uint8_t*>(lines_.data() + (lines_.size() - lines_per_row));
  // Bytes keep their order, so bit i stays in byte i/8; Dice needs only popcounts.
  std::memcpy(dest, clk.data(), clk.size());
  std::uint32_t count = 0;
  for (std::uint8_t byte : clk) count += static_cast<std::uint32_t>(std::popcount(byte));
  popcounts_.push_back(count);
  ids_.push_back(std::move(id));
}

void ClkStore::add_base64(std::string_view clk_base64, std::string id, std::string_view row_name) {
  std::vector<std::uint8_t> raw;
  try {
    raw = from_base64(clk_base64);
  } catch (const Error&) {
    fail_invalid(where(row_name), where(row_name) + ": the CLK is not valid base64");
  }
  add(raw, std::move(id), row_name);
}

bool ClkStore::bit(std::size_t i, std::size_t position) const {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(row(i));
  return (bytes[position / 8] & (0x80U >> (position % 8))) != 0;
}

std::vector<std::uint8_t> ClkStore::bytes(std::size_t i) const {
  const auto* begin = reinterpret_cast<const std::uint8_t*>(row(i));
  return {begin, begin + bits_ / 8};
}

ClkStore ClkStore::parse_csv(std::string_view text, std::size_t bits, const std::string& name) {
  ClkStore store(bits);
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1) continue;  // header: rec_id,clk_base64
    if (line.empty()) continue;
    const std::string row_name = name + " row " + std::to_string(line_number);
    const std::size_t comma = line.find(',');
    if (comma == std::string_view::npos) {
      fail_invalid(row_name, row_name + ": expected rec_id,clk_base64");
    }
    store.add_base64(line.substr(comma + 1), std::string(line.substr(0, comma)), row_name);
  }
  return store;
}

ClkStore ClkStore::read_csv(const std::string& path, std::size_t bits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_unavailable("clk_file", "cannot read CLK file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), bits, path);
}

}  // namespace ctis::linkage
