// api: the CTIS HTTP API — one table of endpoints that says, for each, who may call it, and
// the application that authenticates every request, applies that table and runs the handler.
//
// Authentication: a session cookie ("ctis_session", from POST /api/v1/auth/login) or a bearer
// API token. Browser writes must echo the session's CSRF token in X-CSRF-Token; token
// requests are limited by scope ("read": GET/HEAD only; "write": everything). Policy: an
// endpoint lists the roles that may call it (Role::anonymous for the public); anything else is
// 401 (not signed in) or 403 (signed in, not allowed). Finer need-to-know rules (a caseworker
// sees only their organisation's records) are applied by handlers on top of the table.
//
// Threads: App::handle is called concurrently from the server's workers; App holds no
// per-request state. Errors: handlers throw ctis::Error; App turns it into the JSON error.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/cases.h"
#include "core/config.h"
#include "http/http.h"
#include "reports/reports.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::monitor {
class Monitor;
}
namespace ctis::exchange {
class Exchange;
}
namespace ctis::fiu {
class Desk;
}

namespace ctis::api {

// What a handler gets: the request, who is calling, and the services.
struct Services {
  Config config;
  store::Database& db;
  std::shared_ptr<const vault::Keyring> keys;
  audit::AuditLog& audit;
  auth::Auth& auth;
  cases::Cases& cases;
  http::Metrics& metrics;
  reports::Reports* reports = nullptr;     // safe reporting; null: its endpoints answer 503
  alerts::Alerts* alerts = nullptr;        // alerts; null: its endpoints answer 503
  monitor::Monitor* monitor = nullptr;     // stored route data; null: its endpoints answer 503
  exchange::Exchange* exchange = nullptr;  // linkage exchange; null: its endpoints answer 503
  fiu::Desk* fiu = nullptr;                // FIU finance desk; null: its endpoints answer 503
};

struct Call {
  http::Request& request;
  const auth::Principal& who;
  Services& services;
};

using EndpointHandler = std::function<http::Response(Call&)>;

struct Endpoint {
  std::string method;
  std::string pattern;  // "/api/v1/users/{id}"
  std::set<auth::Role> roles;
  std::string summary;  // one line for the API reference
  EndpointHandler handler;
  // OpenAPI fragments: the request body schema (null: none) and the 2xx response.
  nlohmann::json request_schema = nullptr;
  int success_status = 200;
  nlohmann::json response_schema = nullptr;
};

// The policy table: every endpoint CTIS serves, in one place.
const std::vector<Endpoint>& endpoints();

// The OpenAPI 3 description generated from the table.
nlohmann::json openapi_document();

class App {
 public:
  explicit App(Services services);
  http::Response handle(http::Request& request);

 private:
  http::Response handle_api(http::Request& request, std::string* route);
  auth::Principal authenticate(const http::Request& request);

  Services services_;
  http::Router router_;
  std::vector<const Endpoint*> by_route_;  // parallel to router_.routes()
  std::unique_ptr<http::StaticFiles> web_;
};

// Where the built web app is: config server.web_root if set, else next to the program
// (<prefix>/share/ctis/web) or the source tree's web/dist.
std::string find_web_root(const Config& config);

}  // namespace ctis::api
