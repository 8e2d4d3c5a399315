// The linkage exchange (exchange/exchange.h) endpoints of the policy table and their handlers.
// The exchange module applies need-to-know (parties see their own results only).
#include "api/input.h"
#include "api/table.h"
#include "exchange/exchange.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

exchange::Exchange& exchange_of(Call& call) {
  if (!call.services.exchange) {
    throw Error(ErrorKind::unavailable, "exchange_unavailable",
                "the linkage exchange is not set up here");
  }
  return *call.services.exchange;
}

json project_json(const exchange::Project& p) {
  json parties = json::array();
  for (const auto& party : p.parties) {
    parties.push_back({{"organisation_id", party.organisation_id},
                       {"organisation", party.organisation},
                       {"uploaded", party.uploaded},
                       {"uploaded_at", party.uploaded_at ? json(format_iso8601(*party.uploaded_at))
                                                         : json(nullptr)},
                       {"records", party.records},
                       {"matched", party.matched}});
  }
  return {{"id", p.id},
          {"name", p.name},
          {"schema", json::parse(p.schema_json, nullptr, false)},
          {"clk_bits", p.clk_bits},
          {"threshold", p.threshold},
          {"status", p.status},
          {"groups", p.groups},
          {"parties", parties},
          {"created_at", format_iso8601(p.created_at)},
          {"matched_at", p.matched_at ? json(format_iso8601(*p.matched_at)) : json(nullptr)}};
}

http::Response list_projects(Call& call) {
  json out = json::array();
  for (const auto& p : exchange_of(call).projects(call.who)) out.push_back(project_json(p));
  return http::Response::json(200, {{"projects", out}});
}

http::Response create_project(Call& call) {
  const json body = call.request.json();
  Input in(body, {"name", "schema", "threshold", "parties"});
  exchange::NewProject np;
  np.name = in.text("name", 200);
  if (!body.contains("schema") || !body["schema"].is_object()) {
    fail_invalid("/schema", "schema is a clkhash linkage schema v3 (a JSON object)");
  }
  np.schema_json = body["schema"].dump();
  if (body.contains("threshold")) {
    if (!body["threshold"].is_number()) fail_invalid("/threshold", "threshold is a number");
    np.threshold = body["threshold"].get<double>();
  }
  np.parties = in.text_list("parties", 64, 200);
  return http::Response::json(201, project_json(exchange_of(call).create_project(call.who, np)));
}

http::Response get_project(Call& call) {
  return http::Response::json(
      200, project_json(exchange_of(call).project(call.who, path_id(call.request.params, "id"))));
}

// {"clks": [{"id": "rec-1", "clk": "<base64>"}, ...]}
http::Response upload_clks(Call& call) {
  const auto id = path_id(call.request.params, "id");
  const json body = call.request.json();
  Input in(body, {"clks"});
  if (!body.contains("clks") || !body["clks"].is_array()) {
    fail_invalid("/clks", "clks is a list of {\"id\", \"clk\"} objects");
  }
  exchange::Upload upload;
  upload.rows.reserve(body["clks"].size());
  for (std::size_t i = 0; i < body["clks"].size(); ++i) {
    const auto& row = body["clks"][i];
    const std::string at = "/clks/" + std::to_string(i);
    if (!row.is_object() || row.size() != 2 || !row.contains("id") || !row.contains("clk")) {
      fail_invalid(at, "each row is an object with exactly \"id\" and \"clk\"");
    }
    if (!row["id"].is_string()) fail_invalid(at + "/id", "id is a string");
    if (!row["clk"].is_string()) fail_invalid(at + "/clk", "clk is a base64 string");
    upload.rows.push_back({row["id"].get<std::string>(), row["clk"].get<std::string>()});
  }
  return http::Response::json(200, project_json(exchange_of(call).upload(call.who, id, upload)));
}

http::Response project_results(Call& call) {
  const auto r = exchange_of(call).results(call.who, path_id(call.request.params, "id"));
  json matches = json::array();
  for (const auto& m : r.matches) matches.push_back({{"id", m.record_id}, {"group", m.group}});
  return http::Response::json(
      200, {{"project_id", r.project_id}, {"organisation", r.organisation}, {"matches", matches}});
}

}  // namespace

void add_exchange_endpoints(std::vector<Endpoint>& table) {
  const TableBuilder add{table};
  // Projects are set up by managers; parties act through partners, coordinators and analysts.
  const std::set<Role> kParties = {Role::partner, Role::coordinator, Role::analyst};
  const std::set<Role> kConcerned = {Role::admin, Role::partner, Role::coordinator, Role::analyst};
  const json party = object({{"organisation_id", {{"type", "integer"}}},
                             {"organisation", kString},
                             {"uploaded", {{"type", "boolean"}}},
                             {"uploaded_at", {{"type", {"string", "null"}}}},
                             {"records", {{"type", "integer"}}},
                             {"matched", {{"type", "integer"}}}});
  const json project = object({{"id", {{"type", "integer"}}},
                               {"name", kString},
                               {"schema", any_object},
                               {"clk_bits", {{"type", "integer"}}},
                               {"threshold", {{"type", "number"}}},
                               {"status", {{"type", "string"}, {"enum", {"waiting", "matched"}}}},
                               {"groups", {{"type", "integer"}}},
                               {"parties", {{"type", "array"}, {"items", party}}},
                               {"created_at", kString},
                               {"matched_at", {{"type", {"string", "null"}}}}});
  add("GET", "/api/v1/linkage/projects", kConcerned,
      "Linkage projects the caller's organisation is a party to (administrators: all).",
      list_projects, nullptr, 200,
      object({{"projects", {{"type", "array"}, {"items", project}}}}, {"projects"}));
  add("POST", "/api/v1/linkage/projects", kManagers,
      "Create a linkage project: a clkhash schema v3, a Dice threshold and the parties "
      "(organisation names).",
      create_project,
      object({{"name", kString},
              {"schema", any_object},
              {"threshold", {{"type", "number"}}},
              {"parties", {{"type", "array"}, {"items", kString}}}},
             {"name", "schema", "parties"}),
      201, project);
  add("GET", "/api/v1/linkage/projects/{id}", kConcerned,
      "A linkage project's status: which parties have uploaded, counts, matched or not.",
      get_project, nullptr, 200, project);
  add("POST", "/api/v1/linkage/projects/{id}/clks", kParties,
      "Upload one's party's CLKs (once); the last upload triggers matching.", upload_clks,
      object({{"clks",
               {{"type", "array"},
                {"items", object({{"id", kString}, {"clk", kString}}, {"id", "clk"})}}}},
             {"clks"}),
      200, project);
  add("GET", "/api/v1/linkage/projects/{id}/results", kParties,
      "One's own matched record ids with their group numbers (never scores or others' ids).",
      project_results, nullptr, 200,
      object({{"project_id", {{"type", "integer"}}},
              {"organisation", kString},
              {"matches",
               {{"type", "array"},
                {"items",
                 object({{"id", kString}, {"group", {{"type", "integer"}}}}, {"id", "group"})}}}},
             {"project_id", "organisation", "matches"}));
}

}  // namespace ctis::api
