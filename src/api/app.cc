#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "api/api.h"
#include "api/platform.h"

namespace ctis::api {
namespace {

bool is_safe_method(const std::string& m) { return m == "GET" || m == "HEAD"; }

std::string bearer_token(const http::Request& req) {
  const std::string h = req.header("authorization");
  constexpr std::string_view prefix = "Bearer ";
  if (h.size() > prefix.size() && h.compare(0, prefix.size(), prefix) == 0) {
    return h.substr(prefix.size());
  }
  return {};
}

}  // namespace

std::string find_web_root(const Config& config) {
  namespace fs = std::filesystem;
  if (!config.server.web_root.empty()) return config.server.web_root;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate :
         {exe.parent_path().parent_path() / "share/ctis/web", fs::path(CTIS_SOURCE_WEB_DIST)}) {
      if (fs::exists(candidate / "index.html", ec)) return candidate.string();
    }
  }
  return CTIS_SOURCE_WEB_DIST;
}

App::App(Services services) : services_(std::move(services)) {
  for (const auto& e : endpoints()) {
    router_.add(e.method, e.pattern, nullptr);
    by_route_.push_back(&e);
  }
  const std::string root = find_web_root(services_.config);
  if (std::filesystem::exists(root + "/index.html")) {
    web_ = std::make_unique<http::StaticFiles>(root);
  } else {
    log_warn("web app not found in " + root + "; serving the API only");
  }
}

auth::Principal App::authenticate(const http::Request& req) {
  if (const std::string token = bearer_token(req); !token.empty()) {
    if (auto p = services_.auth.token_principal(token)) return *p;
    throw Error(ErrorKind::unauthorized, "invalid_token", "the API token is not valid");
  }
  if (const std::string cookie = req.cookie("ctis_session"); !cookie.empty()) {
    if (auto p = services_.auth.session_principal(cookie)) return *p;
  }
  return auth::Principal{};
}

http::Response App::handle_api(http::Request& req, std::string* route) {
  int status = 0;
  std::string allow;
  const auto* matched = router_.match(req, &status, &allow);
  if (!matched) {
    *route = "unmatched";
    auto r = http::Response::error(status, status == 405 ? "method_not_allowed" : "not_found",
                                   status == 405 ? "method not allowed" : "no such endpoint");
    if (status == 405) r.headers.emplace_back("Allow", allow);
    return r;
  }
  const Endpoint& endpoint =
      *by_route_[static_cast<std::size_t>(matched - router_.routes().data())];
  *route = endpoint.method + " " + endpoint.pattern;

  const auth::Principal who = authenticate(req);
  if (!endpoint.roles.count(who.role)) {
    if (!who.signed_in()) {
      throw Error(ErrorKind::unauthorized, "unauthorized", "sign in to use this endpoint");
    }
    services_.audit.append(
        who.audit("access.denied", endpoint.method + " " + endpoint.pattern, "denied"));
    throw Error(ErrorKind::forbidden, "forbidden", "your role may not use this endpoint");
  }
  // Public endpoints (sign-in) act on no session's authority, so they need no CSRF token.
  const bool is_public = endpoint.roles.count(auth::Role::anonymous) > 0;
  if (who.signed_in() && !is_public && !is_safe_method(req.method)) {
    if (who.via_token) {
      if (std::find(who.scopes.begin(), who.scopes.end(), "write") == who.scopes.end()) {
        throw Error(ErrorKind::forbidden, "scope", "this API token may only read");
      }
    } else if (!equal_secret(req.header("x-csrf-token"), who.csrf_token)) {
      throw Error(ErrorKind::forbidden, "csrf", "missing or wrong X-CSRF-Token header");
    }
  }
  // Bodies are JSON only: an HTML form on another site cannot send that without a CORS
  // preflight, which this server never grants.
  if (!req.body.empty() && req.header("content-type").rfind("application/json", 0) != 0) {
    throw Error(ErrorKind::invalid, "unsupported_media_type",
                "the request body must be sent as application/json");
  }
  Call call{req, who, services_};
  try {
    return endpoint.handler(call);
  } catch (const Error& e) {
    // Lower layers name fields plainly ("email"); the API speaks JSON pointers ("/email").
    if (!e.field().empty() && e.field()[0] != '/') {
      throw Error(e.kind(), e.code(), e.what(), "/" + e.field());
    }
    throw;
  }
}

http::Response App::handle(http::Request& req) {
  const auto start = std::chrono::steady_clock::now();
  std::string route = "static";
  http::Response response;
  const bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/api" ||
                   req.path == "/healthz" || req.path == "/readyz" || req.path == "/metrics";
  try {
    if (api) {
      response = handle_api(req, &route);
    } else if (is_public_report_path(req.path)) {
      response = public_report(req, services_, &route);
    } else if (auto file = web_ ? web_->serve(req) : std::nullopt) {
      response = std::move(*file);
    } else {
      route = "unmatched";
      response = http::Response::error(404, "not_found", "not found");
    }
  } catch (const Error& e) {
    response = http::Response::error(e);
  } catch (const std::exception& e) {
    log_error(std::string("internal error on ") + route + ": " + e.what());
    response = http::Response::error(500, "internal", "internal error");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  services_.metrics.observe(route, response.status, seconds);
  return response;
}

}  // namespace ctis::api
