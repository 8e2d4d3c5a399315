// Helpers shared by the clk sources; not part of the public contract.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "clk/clk.h"

namespace ctis::clk::detail {

// Code points of valid UTF-8 (callers check validity first).
std::vector<char32_t> decode_utf8(std::string_view text);
void append_utf8(std::string& out, char32_t cp);

// The bytes Python's str.encode(codec) gives: utf-16/utf-32 start with a little-endian byte
// order mark, as on the x86-64 host the reference was made on. `text` is valid UTF-8.
void encode_text(std::string_view text, TextEncoding encoding, std::string& out);

// Whether format_value() can read dates in this strptime-style format.
bool valid_date_format(const std::string& format);

}  // namespace ctis::clk::detail
