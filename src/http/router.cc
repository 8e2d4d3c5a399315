// Method + pattern routing with "{name}" captures.
#include <algorithm>
#include <cstdint>

#include "http/http.h"
#include "http/internal.h"

namespace ctis::http {
namespace {

bool is_capture(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

std::vector<std::string> split_pattern(std::string_view pattern) {
  std::vector<std::string> out;
  if (pattern.empty() || pattern[0] != '/') {
    throw Error(ErrorKind::internal, "bad_route", "route pattern must start with '/'");
  }
  std::size_t start = 1;
  while (true) {
    std::size_t end = pattern.find('/', start);
    out.emplace_back(pattern.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// Matches path segments against a split pattern without allocating. On success returns a rank
// in which a capture in an earlier segment weighs more, so lower ranks are more literal.
std::optional<std::uint64_t> match_segments(const std::vector<std::string>& pattern,
                                            std::string_view path) {
  if (path.empty() || path[0] != '/') return std::nullopt;
  std::uint64_t rank = 0;
  std::size_t start = 1;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (start > path.size()) return std::nullopt;  // path has fewer segments
    std::size_t end = path.find('/', start);
    bool last = end == std::string_view::npos;
    if (last) end = path.size();
    if (last != (i + 1 == pattern.size())) return std::nullopt;  // segment count differs
    std::string_view seg = path.substr(start, end - start);
    const std::string& p = pattern[i];
    if (is_capture(p)) {
      if (seg.empty()) return std::nullopt;
      if (i < 64) rank |= std::uint64_t{1} << (63 - i);
    } else if (seg != p) {
      return std::nullopt;
    }
    start = end + 1;
  }
  return rank;
}

void fill_params(Request& req, const std::vector<std::string>& pattern) {
  req.params.clear();
  std::string_view path = req.path;
  std::size_t start = 1;
  for (const auto& p : pattern) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (is_capture(p)) {
      req.params.emplace(p.substr(1, p.size() - 2), path.substr(start, end - start));
    }
    start = end + 1;
  }
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  segments_.push_back(split_pattern(pattern));
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler)});
}

const Router::Route* Router::match(Request& req, int* status, std::string* allow) const {
  const bool head = req.method == "HEAD";
  std::size_t best = routes_.size();
  std::uint64_t best_rank = 0;
  bool best_exact = false;  // HEAD served by an explicit HEAD route beats the GET fallback
  bool path_known = false;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    auto rank = match_segments(segments_[i], req.path);
    if (!rank) continue;
    path_known = true;
    bool exact = routes_[i].method == req.method;
    if (!exact && !(head && routes_[i].method == "GET")) continue;
    if (best == routes_.size() || *rank < best_rank ||
        (*rank == best_rank && exact && !best_exact)) {
      best = i;
      best_rank = *rank;
      best_exact = exact;
    }
  }
  if (best != routes_.size()) {
    fill_params(req, segments_[best]);
    return &routes_[best];
  }
  if (status) *status = path_known ? 405 : 404;
  if (allow) {
    allow->clear();
    if (path_known) {
      // Methods of every route whose pattern matches, in registration order, without repeats.
      std::vector<std::string_view> methods;
      bool has_get = false, has_head = false;
      for (std::size_t i = 0; i < routes_.size(); ++i) {
        if (!match_segments(segments_[i], req.path)) continue;
        std::string_view m = routes_[i].method;
        if (std::find(methods.begin(), methods.end(), m) != methods.end()) continue;
        methods.push_back(m);
        has_get = has_get || m == "GET";
        has_head = has_head || m == "HEAD";
      }
      if (has_get && !has_head) methods.push_back("HEAD");
      for (auto m : methods) {
        if (!allow->empty()) allow->append(", ");
        allow->append(m);
      }
    }
  }
  return nullptr;
}

Response Router::dispatch(Request& req) const {
  int status = 404;
  std::string allow;
  if (const Route* route = match(req, &status, &allow)) return route->handler(req);
  if (status == 405) {
    Response res = Response::error(405, "method_not_allowed", "method not allowed");
    res.headers.emplace_back("Allow", std::move(allow));
    return res;
  }
  return Response::error(404, "not_found", "not found");
}

}  // namespace ctis::http
