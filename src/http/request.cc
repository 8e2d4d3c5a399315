// Request helpers and Response constructors.
#include <string>

#include "http/http.h"
#include "http/internal.h"

namespace ctis::http {
namespace detail {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> split_target(Request& req) {
  std::string_view target = req.target;
  if (target.empty() || target[0] != '/') return "request target must be an absolute path";
  std::string_view raw_path = target;
  req.query.clear();
  if (auto q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    req.query.assign(target.substr(q + 1));
  }
  if (auto hash = req.query.find('#'); hash != std::string::npos) req.query.resize(hash);
  // Fast path: most paths carry no escapes, so skip the decoding copy.
  if (raw_path.find('%') == std::string_view::npos) {
    req.path.assign(raw_path);
  } else {
    auto decoded = percent_decode(raw_path, false);
    if (!decoded) return "malformed percent-encoding in path";
    req.path = std::move(*decoded);
  }
  std::string_view path = req.path;
  if (path.find('\0') != std::string_view::npos) return "path contains NUL";
  // Reject ".." segments outright rather than normalising them: nothing legitimate needs them.
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return "path contains a '..' segment";
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace detail

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (detail::iequals(key, name)) return value;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    // Undecodable escapes are kept as written rather than failing the whole query.
    auto key = detail::percent_decode(raw_key, true);
    if ((key ? std::string_view(*key) : raw_key) != name) continue;
    auto value = detail::percent_decode(raw_value, true);
    return value ? std::move(*value) : std::string(raw_value);
  }
  return std::nullopt;
}

std::string Request::cookie(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      std::size_t semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      std::size_t eq = item.find('=');
      if (eq == std::string_view::npos || item.substr(0, eq) != name) continue;
      std::string_view v = item.substr(eq + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
  }
  return {};
}

nlohmann::json Request::json() const {
  if (!valid_utf8(body)) {
    throw Error(ErrorKind::invalid, "invalid_json", "request body is not valid UTF-8");
  }
  // Deep nesting is never legitimate input and only costs stack and time downstream.
  constexpr int kMaxDepth = 64;
  auto limit_depth = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxDepth) {
      throw Error(ErrorKind::invalid, "invalid_json", "JSON nested deeper than 64 levels");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(body, limit_depth);
  } catch (const nlohmann::json::parse_error& e) {
    // what() reads "[json.exception.parse_error.101] parse error at line 1, column 2: <why>;
    // last read: '<input>'"; keep only <why> so the message does not echo the body.
    std::string_view what = e.what();
    std::string_view why;
    if (auto colon = what.find(": "); colon != std::string_view::npos) {
      why = what.substr(colon + 2);
      if (auto last = why.find("; last read"); last != std::string_view::npos) {
        why = why.substr(0, last);
      }
    }
    std::string message = "malformed JSON at byte " + std::to_string(e.byte);
    if (!why.empty()) message.append(": ").append(why);
    throw Error(ErrorKind::invalid, "invalid_json", std::move(message));
  }
}

Response Response::json(int status, const nlohmann::json& body) {
  Response res;
  res.status = status;
  // Replace rather than throw on invalid UTF-8 in data we echo back.
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

Response Response::no_content() {
  Response res;
  res.status = 204;
  res.content_type.clear();
  return res;
}

Response Response::error(const ctis::Error& error) {
  return Response::error(http_status(error.kind()), error.code(), error.what(), error.field());
}

Response Response::error(int status, std::string_view code, std::string_view message,
                         std::string_view field) {
  nlohmann::json inner = {{"code", code}, {"message", message}};
  if (!field.empty()) inner["field"] = field;
  return Response::json(status, {{"error", std::move(inner)}});
}

}  // namespace ctis::http
