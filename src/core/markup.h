// markup: escaping text for HTML and XML, the one rule both the public pages and the goAML
// writer use. Escapes & < > " ' (as &#39;, valid in both) and CR (as &#13;, which XML parsers
// would otherwise normalise away). Thread-safe; never fails.
#pragma once

#include <string>
#include <string_view>

namespace ctis {

void append_markup_escaped(std::string& out, std::string_view text);

inline std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_markup_escaped(out, text);
  return out;
}

}  // namespace ctis
