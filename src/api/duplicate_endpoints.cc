// Possible duplicates among cases (Cases::duplicates() in cases/cases.h): the endpoints of the
// policy table and their handlers. The cases module decides who sees which pair.
#include "api/input.h"
#include "api/table.h"
#include "cases/cases.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

http::Response case_duplicates(Call& call) {
  return http::Response::json(
      200, call.services.cases.duplicates(call.who, path_id(call.request.params, "id")));
}

http::Response duplicate_pair(Call& call) {
  return http::Response::json(
      200, call.services.cases.duplicate_pair(call.who, path_id(call.request.params, "id"),
                                              path_id(call.request.params, "other")));
}

http::Response duplicate_queue(Call& call) {
  int limit = 50;
  if (auto text = call.request.query_param("limit")) {
    limit = static_cast<int>(std::min<std::int64_t>(path_id({{"limit", *text}}, "limit"), 500));
  }
  return http::Response::json(200, call.services.cases.duplicate_queue(call.who, limit));
}

http::Response decide_duplicate(Call& call) {
  Input in(call.request.json(), {"decision"});
  return http::Response::json(
      200, call.services.cases.decide_duplicate(call.who, path_id(call.request.params, "id"),
                                                path_id(call.request.params, "other"),
                                                in.text("decision", 32)));
}

}  // namespace

void add_duplicate_endpoints(std::vector<Endpoint>& table) {
  const TableBuilder add{table};
  // Comparing identifiers needs identifiers: analysts (profiles only) are not among them.
  const std::set<Role> kReaders = kCaseWorkAndEnforcement;
  const json reason =
      object({{"field", kString}, {"level", kString}, {"weight", {{"type", "number"}}}},
             {"field", "level", "weight"});
  const json reasons = {{"type", "array"}, {"items", reason}};
  const json summary = object({{"id", {{"type", "integer"}}},
                               {"reference", kString},
                               {"status", kString},
                               {"organisation_id", {{"type", "integer"}}},
                               {"organisation", kString},
                               {"person", any_object},
                               {"gender", kString},
                               {"citizenship", kString}},
                              {"id", "reference", "person"});
  const json candidate = object({{"case_id", {{"type", "integer"}}},
                                 {"case", summary},
                                 {"probability", {{"type", "number"}}},
                                 {"weight", {{"type", "number"}}},
                                 {"reasons", reasons}},
                                {"case_id", "case", "probability", "weight", "reasons"});
  const json pair = object({{"case", summary},
                            {"other", summary},
                            {"probability", {{"type", {"number", "null"}}}},
                            {"weight", {{"type", {"number", "null"}}}},
                            {"reasons", reasons}},
                           {"case", "other", "probability", "weight", "reasons"});
  const json decision =
      object({{"case_a", {{"type", "integer"}}},
              {"case_b", {{"type", "integer"}}},
              {"decision", {{"type", "string"}, {"enum", {"not_duplicate", "same_person"}}}},
              {"decided_by", {{"type", "integer"}}},
              {"decided_at", kString},
              {"linked", {{"type", "boolean"}}}},
             {"case_a", "case_b", "decision", "decided_at"});
  json pair_with_decision = pair;
  pair_with_decision["properties"]["decision"] = {{"oneOf", {decision, {{"type", "null"}}}}};
  pair_with_decision["properties"]["may_decide"] = {{"type", "boolean"}};
  // A "same_person" decision links the cases until a "not_duplicate" one ends the link.
  pair_with_decision["properties"]["link"] = {
      {"oneOf",
       {object({{"linked_by", {{"type", {"integer", "null"}}}}, {"linked_at", kString}},
               {"linked_at"}),
        {{"type", "null"}}}}};
  // Learned from the stored persons (from 200) or the fixed priors.
  const json model = object({{"source", {{"type", "string"}, {"enum", {"learned", "priors"}}}},
                             {"persons", {{"type", "integer"}}}},
                            {"source", "persons"});

  add("GET", "/api/v1/cases/duplicates", kReaders,
      "Open possible duplicates among the cases the caller may read (both of each pair), best "
      "first.",
      duplicate_queue, nullptr, 200,
      object({{"threshold", {{"type", "number"}}},
              {"model", model},
              {"candidates", {{"type", "array"}, {"items", pair}}}},
             {"threshold", "candidates"}));
  add("GET", "/api/v1/cases/{id}/duplicates", kReaders,
      "Possible duplicates of a case's person among the cases the caller may read, with the "
      "match probability and the comparisons that decided it.",
      case_duplicates, nullptr, 200,
      object({{"case", summary},
              {"threshold", {{"type", "number"}}},
              {"model", model},
              {"candidates", {{"type", "array"}, {"items", candidate}}}},
             {"case", "threshold", "candidates"}));
  add("GET", "/api/v1/cases/{id}/duplicates/{other}", kReaders,
      "Two cases side by side, with their comparisons and any decision on the pair.",
      duplicate_pair, nullptr, 200, pair_with_decision);
  add("POST", "/api/v1/cases/{id}/duplicates/{other}/decision", kCaseWork,
      "Decide on a possible duplicate: not_duplicate or same_person (not proposed again); "
      "same_person links the cases, not_duplicate ends such a link.",
      decide_duplicate,
      object({{"decision", {{"type", "string"}, {"enum", {"not_duplicate", "same_person"}}}}},
             {"decision"}),
      200, decision);
}

}  // namespace ctis::api
