// The OpenAPI 3.1 description, generated from the policy table so it cannot drift from it.
#include "api/api.h"

namespace ctis::api {
namespace {

using nlohmann::json;

json ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

json schemas() {
  const json text = {{"type", "string"}};
  const json integer = {{"type", "integer"}};
  auto object = [](json props, json required) {
    return json{{"type", "object"}, {"properties", props}, {"required", required}};
  };
  json s;
  s["Role"] = {{"type", "string"},
               {"enum",
                {"admin", "coordinator", "caseworker", "analyst", "fiu_analyst", "partner",
                 "law_enforcement"}}};
  s["Organisation"] = object({{"id", integer}, {"name", text}}, {"id", "name"});
  s["User"] = object({{"id", integer},
                      {"username", text},
                      {"display_name", text},
                      {"email", text},
                      {"role", ref("Role")},
                      {"organisation", ref("Organisation")},
                      {"disabled", {{"type", "boolean"}}},
                      {"created_at", {{"type", "string"}, {"format", "date-time"}}}},
                     {"id", "username", "role", "organisation", "disabled", "created_at"});
  s["Session"] = object(
      {{"user", ref("User")}, {"csrf_token", text}, {"report_recipient", {{"type", "boolean"}}}},
      {"user", "csrf_token"});
  const json nullable_time = {{"type", {"string", "null"}}, {"format", "date-time"}};
  s["Token"] = object({{"id", integer},
                       {"user_id", integer},
                       {"name", text},
                       {"scopes", {{"type", "array"}, {"items", text}}},
                       {"created_at", {{"type", "string"}, {"format", "date-time"}}},
                       {"expires_at", nullable_time},
                       {"revoked_at", nullable_time},
                       {"token", {{"type", "string"}, {"description", "only when created"}}}},
                      {"id", "user_id", "name", "scopes", "created_at"});
  s["AuditEntry"] = object({{"seq", integer},
                            {"at", {{"type", "string"}, {"format", "date-time"}}},
                            {"actor", text},
                            {"actor_id", {{"type", {"integer", "null"}}}},
                            {"role", text},
                            {"action", text},
                            {"record", text},
                            {"outcome", text},
                            {"detail", text},
                            {"hash", text}},
                           {"seq", "at", "actor", "role", "action", "record", "outcome", "hash"});
  s["CaseInput"] = {
      {"type", "object"},
      {"description",
       "person: given_name, family_name, birth_date (YYYY-MM-DD), document_number, contact, "
       "address; profile: CTDC variables (gender, age_band, citizenship and "
       "country_of_exploitation as ISO 3166-1 alpha-3, year_of_registration, traffick_months, "
       "means, exploitation, labour_sectors, sexual_types, recruiter_relations); legs: ordered "
       "route legs (country, place, date_from, date_to, transport, regular_crossing); "
       "immigration_status; non_punishment; assigned_to (a caseworker's user id)."},
      {"properties",
       {{"person", {{"type", "object"}}},
        {"profile", {{"type", "object"}}},
        {"legs", {{"type", "array"}, {"items", {{"type", "object"}}}}},
        {"immigration_status", {{"type", {"string", "null"}}}},
        {"non_punishment", {{"type", "boolean"}}},
        {"assigned_to", {{"type", {"integer", "null"}}}}}}};
  s["Case"] =
      object({{"id", integer},
              {"reference", text},
              {"status", {{"enum", {"identified", "referred", "assisted", "closed"}}}},
              {"organisation_id", integer},
              {"profile", {{"type", "object"}}},
              {"non_punishment", {{"type", "boolean"}}},
              {"person", {{"type", "object"}, {"description", "full access only"}}},
              {"legs", {{"type", "array"}, {"description", "full access only"}}},
              {"route_countries", {{"type", "array"}, {"description", "pseudonymous view only"}}},
              {"immigration_status",
               {{"type", {"string", "null"}},
                {"description", "assigned caseworker and coordinators only"}}}},
             {"id", "reference", "status", "organisation_id", "profile", "non_punishment"});
  s["Screening"] = object({{"id", integer},
                           {"catalogue", text},
                           {"version", text},
                           {"status", {{"enum", {"in_progress", "complete"}}}},
                           {"answers", {{"type", "object"}}},
                           {"evaluation", {{"type", {"object", "null"}}}},
                           {"updated_by", text},
                           {"updated_at", text}},
                          {"id", "catalogue", "version", "status", "answers", "evaluation"});
  s["Classification"] = object({{"facts", {{"type", "object"}}},
                                {"result", {{"type", "object"}}},
                                {"rule_set", {{"type", "object"}}},
                                {"decided_by", text},
                                {"decided_at", text}},
                               {"facts", "result", "rule_set", "decided_by", "decided_at"});
  s["ReportView"] =
      object({{"id", integer},
              {"status", {{"enum", {"new", "in_review", "linked", "closed"}}}},
              {"messaging", {{"enum", {"two_way", "one_way", "off"}}}},
              {"day", text},
              {"expires_day", text},
              {"case_id", {{"type", {"integer", "null"}}}},
              {"close_reason", text},
              {"submission", {{"type", "object"}}},
              {"attachments", {{"type", "array"}, {"items", {{"type", "object"}}}}},
              {"messages", {{"type", "array"}, {"items", {{"type", "object"}}}}}},
             {"id", "status", "messaging", "day", "submission", "attachments", "messages"});
  s["Alert"] = object({{"id", integer},
                       {"source", text},
                       {"kind", text},
                       {"severity", {{"enum", {"info", "warning", "critical"}}}},
                       {"title", text},
                       {"summary", text},
                       {"detail", {{"type", "object"}}},
                       {"tags", {{"type", "object"}}},
                       {"record", text},
                       {"organisation_id", {{"type", {"integer", "null"}}}},
                       {"repeats", integer},
                       {"raised_at", text},
                       {"delivered_at", text},
                       {"acknowledged_at", {{"type", {"string", "null"}}}},
                       {"note", text}},
                      {"id", "source", "kind", "severity", "title", "raised_at"});
  s["Error"] = object({{"error", object({{"code", text}, {"message", text}, {"field", text}},
                                        {"code", "message"})}},
                      {"error"});
  return s;
}

json error_response(const std::string& why) {
  return {{"description", why}, {"content", {{"application/json", {{"schema", ref("Error")}}}}}};
}

}  // namespace

json openapi_document() {
  json paths = json::object();
  for (const auto& e : endpoints()) {
    json op;
    op["summary"] = e.summary;
    json roles = json::array();
    for (auto r : e.roles) roles.push_back(std::string(auth::role_name(r)));
    op["x-ctis-roles"] = roles;
    if (!e.roles.count(auth::Role::anonymous)) {
      op["security"] = json::array({{{"session", json::array()}}, {{"bearer", json::array()}}});
    } else {
      op["security"] = json::array({json::object()});
    }
    json params = json::array();
    for (std::size_t open = e.pattern.find('{'); open != std::string::npos;
         open = e.pattern.find('{', open + 1)) {
      const auto close = e.pattern.find('}', open);
      params.push_back({{"name", e.pattern.substr(open + 1, close - open - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "integer"}, {"minimum", 1}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (!e.request_schema.is_null()) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", e.request_schema}}}}}};
    }
    json ok = {{"description", "success"}};
    if (!e.response_schema.is_null()) {
      ok["content"] = {{"application/json", {{"schema", e.response_schema}}}};
    }
    op["responses"][std::to_string(e.success_status)] = ok;
    if (!e.request_schema.is_null() || !params.empty()) {
      op["responses"]["400"] = error_response("bad input; error.field names the field");
    }
    if (!e.roles.count(auth::Role::anonymous)) {
      op["responses"]["401"] = error_response("not signed in");
      op["responses"]["403"] = error_response("role, scope or CSRF token does not allow this");
    }
    if (!params.empty()) op["responses"]["404"] = error_response("no such record");
    std::string method = e.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[e.pattern][method] = op;
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "CTIS API"},
            {"version", CTIS_VERSION},
            {"description",
             "Counter-trafficking information system. JSON in and out; errors are "
             "{\"error\":{\"code\",\"message\",\"field\"?}}."}}},
          {"paths", paths},
          {"components",
           {{"schemas", schemas()},
            {"securitySchemes",
             {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "ctis_session"}}},
              {"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace ctis::api
