// Private helpers shared by the http sources; not part of the module's contract.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http.h"

namespace ctis::http::detail {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Percent-decodes `in`; '+' becomes a space when `plus_is_space` (query strings). Returns nullopt
// for a malformed escape so callers can choose to reject or keep the text.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// Splits req.target into req.path (decoded) and req.query. Returns an error message when the
// target is not an acceptable origin-form path (bad escape, NUL, ".." segment).
std::optional<std::string> split_target(Request& req);

// The fixed header block every response carries (Server, CSP and the other security headers,
// HSTS when TLS is on), each line ending in CRLF.
std::string security_headers(const ServerOptions& options, bool tls);

// Appends the status line and headers of `res` to `out`. `body_size` is the Content-Length to
// announce (HEAD announces the size of the body it does not send); `connection` is the value of
// the Connection header, or empty for none.
void serialize_head(std::string& out, const Response& res, std::size_t body_size,
                    std::string_view connection, std::string_view fixed_headers);

// `text` made safe for a one-line log entry: control characters become '?', and long text is
// cut, so a crafted path or exception message cannot forge or flood log lines.
inline std::string loggable(std::string_view text, std::size_t max = 200) {
  std::string out(text.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (text.size() > max) out.append("...");
  return out;
}

// Whether a response with this status may carry a body (not 1xx, 204, 304).
inline bool status_has_body(int status) { return status >= 200 && status != 204 && status != 304; }

}  // namespace ctis::http::detail
