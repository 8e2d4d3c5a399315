// Building blocks of the policy table (private to the api module): the role sets endpoints are
// granted to, small JSON-schema helpers for the OpenAPI description, and the row builder. Each
// module's endpoints are added by a function of its own (add_route_endpoints, ...), called once
// from endpoints.cc while the table is built.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/api.h"

namespace ctis::api {

inline const std::set<auth::Role> kPublic = {auth::Role::anonymous,   auth::Role::admin,
                                             auth::Role::coordinator, auth::Role::caseworker,
                                             auth::Role::analyst,     auth::Role::fiu_analyst,
                                             auth::Role::partner,     auth::Role::law_enforcement};
inline const std::set<auth::Role> kStaff = {auth::Role::admin,          auth::Role::coordinator,
                                            auth::Role::caseworker,     auth::Role::analyst,
                                            auth::Role::fiu_analyst,    auth::Role::partner,
                                            auth::Role::law_enforcement};
inline const std::set<auth::Role> kAdmin = {auth::Role::admin};
inline const std::set<auth::Role> kManagers = {auth::Role::admin, auth::Role::coordinator};
// Case work: the people who identify and assist victims; analysts read pseudonymous profiles.
inline const std::set<auth::Role> kCaseWork = {auth::Role::coordinator, auth::Role::caseworker};
// Law enforcement reads the cases of its organisation and those referred to it with consent,
// without the immigration status (cases.h); it reads the legal classification too.
inline const std::set<auth::Role> kCaseReaders = {auth::Role::coordinator, auth::Role::caseworker,
                                                  auth::Role::analyst, auth::Role::law_enforcement};
inline const std::set<auth::Role> kCaseWorkAndEnforcement = {
    auth::Role::coordinator, auth::Role::caseworker, auth::Role::law_enforcement};

inline nlohmann::json ref(const std::string& name) {
  return {{"$ref", "#/components/schemas/" + name}};
}
inline nlohmann::json object(nlohmann::json properties,
                             nlohmann::json required = nlohmann::json::array()) {
  return {{"type", "object"},
          {"additionalProperties", false},
          {"properties", std::move(properties)},
          {"required", std::move(required)}};
}
inline nlohmann::json list_of(const std::string& key, const std::string& item) {
  return object({{key, {{"type", "array"}, {"items", ref(item)}}}}, {key});
}
inline const nlohmann::json kString = {{"type", "string"}};
inline const nlohmann::json any_object = {{"type", "object"}};
inline const nlohmann::json list_any = {{"type", "array"}, {"items", any_object}};

// add(method, pattern, roles, summary, handler, request schema, success status, response schema)
struct TableBuilder {
  std::vector<Endpoint>& table;
  void operator()(std::string method, std::string pattern, std::set<auth::Role> roles,
                  std::string summary, EndpointHandler handler, nlohmann::json request = nullptr,
                  int status = 200, nlohmann::json response = nullptr) const {
    table.push_back({std::move(method), std::move(pattern), std::move(roles), std::move(summary),
                     std::move(handler), std::move(request), status, std::move(response)});
  }
};

// The route monitor's endpoints (route_endpoints.cc) and the linkage exchange's
// (exchange_endpoints.cc).
void add_route_endpoints(std::vector<Endpoint>& table);
void add_exchange_endpoints(std::vector<Endpoint>& table);
// Possible duplicates among cases (duplicate_endpoints.cc).
void add_duplicate_endpoints(std::vector<Endpoint>& table);
// The FIU finance desk's (finance_endpoints.cc).
void add_finance_endpoints(std::vector<Endpoint>& table);

}  // namespace ctis::api
