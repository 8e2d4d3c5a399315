// Response serialisation. Written by hand rather than through beast::http::response because
// this runs for every request and a flat string append is several times cheaper.
#include <boost/beast/http/status.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

#include "http/internal.h"

namespace ctis::http::detail {
namespace {

// The Date header changes once a second; each thread formats it at most that often.
std::string_view http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local char buf[32];
  thread_local std::size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    len = n > 0 ? static_cast<std::size_t>(n) : 0;
    cached_second = now;
  }
  return {buf, len};
}

bool token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Handlers may echo input into headers; refuse anything that could split the response.
bool safe_header(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!token_char(c)) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

void append_uint(std::string& out, std::size_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc{} ? end : buf);
}

}  // namespace

std::string security_headers(const ServerOptions& options, bool tls) {
  std::string out = "Server: ctis\r\n";
  if (!options.content_security_policy.empty()) {
    out.append("Content-Security-Policy: ").append(options.content_security_policy).append("\r\n");
  }
  out.append(
      "X-Content-Type-Options: nosniff\r\n"
      "Referrer-Policy: no-referrer\r\n"
      "X-Frame-Options: DENY\r\n"
      "Cross-Origin-Opener-Policy: same-origin\r\n");
  if (tls) out.append("Strict-Transport-Security: max-age=31536000\r\n");
  return out;
}

void serialize_head(std::string& out, const Response& res, std::size_t body_size,
                    std::string_view connection, std::string_view fixed_headers) {
  namespace bh = boost::beast::http;
  out.append("HTTP/1.1 ");
  append_uint(out, static_cast<std::size_t>(res.status));
  out.push_back(' ');
  auto reason = bh::obsolete_reason(bh::int_to_status(static_cast<unsigned>(res.status)));
  if (reason.empty() || reason.front() == '<') reason = "Unknown";
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  out.append(fixed_headers);
  out.append("Date: ").append(http_date()).append("\r\n");
  const bool has_body = status_has_body(res.status);
  if (has_body) {
    if (!res.content_type.empty() && safe_header("Content-Type", res.content_type)) {
      out.append("Content-Type: ").append(res.content_type).append("\r\n");
    }
    out.append("Content-Length: ");
    append_uint(out, body_size);
    out.append("\r\n");
  }
  if (!connection.empty()) out.append("Connection: ").append(connection).append("\r\n");
  bool cache_control = false;
  for (const auto& [name, value] : res.headers) {
    if (!safe_header(name, value)) continue;
    // Framing is the server's business; a handler cannot override it.
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
        iequals(name, "connection")) {
      continue;
    }
    cache_control = cache_control || iequals(name, "cache-control");
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!cache_control) out.append("Cache-Control: no-store\r\n");
  out.append("\r\n");
}

}  // namespace ctis::http::detail
