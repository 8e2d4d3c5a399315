// Screenings and legal classifications of a case.
#include "cases/internal.h"
#include "indicators/indicators.h"
#include "legal/legal.h"

namespace ctis::cases {
namespace {

using nlohmann::json;

const indicators::Catalogues& catalogues() {
  static const indicators::Catalogues all = indicators::Catalogues::builtin();
  return all;
}

const legal::RuleLibrary& rules() {
  static const legal::RuleLibrary all = legal::RuleLibrary::builtin();
  return all;
}

constexpr std::string_view kRuleSet = "palermo-2000";
constexpr std::string_view kScreeningColumns =
    "id, catalogue, version, status, answers_enc, updated_by, updated_at";

}  // namespace

json Cases::screenings(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  json out = json::array();
  for (const auto& r : c->query("SELECT " + std::string(kScreeningColumns) +
                                    " FROM screenings WHERE case_id = ? ORDER BY id",
                                {id})) {
    out.push_back(screening_view(r));
  }
  audit_.append(by.audit("case.screening.read", "case:" + std::to_string(id)));
  return {{"screenings", out}};
}

json Cases::screening_view(const store::Row& r) const {
  const auto& catalogue = catalogues().get(r.text(1));
  const json stored = json::parse(keys_->decrypt(r.blob(4), "screenings.answers"));
  json v = {{"id", r.integer(0)},
            {"catalogue", r.text(1)},
            {"version", r.text(2)},
            {"status", r.text(3)},
            {"answers", stored["answers"]},
            {"updated_by", r.text(5)},
            {"updated_at", format_iso8601(r.integer(6))}};
  if (r.text(2) == catalogue.version()) {
    const auto s = indicators::screening_from_json(catalogue, stored);
    v["evaluation"] = indicators::evaluation_to_json(catalogue, indicators::evaluate(catalogue, s));
  } else {
    v["evaluation"] = nullptr;  // recorded under another version of the catalogue
  }
  return v;
}

json Cases::start_screening(const auth::Principal& by, std::int64_t id,
                            const std::string& catalogue_id) {
  const auto* catalogue = catalogues().find(catalogue_id);
  if (!catalogue) fail_invalid("/catalogue", "no indicator catalogue \"" + catalogue_id + "\"");
  std::int64_t sid = 0;
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    const auto s = indicators::Screening::start(*catalogue);
    const auto ev = indicators::evaluate(*catalogue, s);
    const Millis now = now_millis();
    sid = c.query(
               "INSERT INTO screenings (case_id, catalogue, version, status, answers_enc, outcome, "
               "created_by, created_at, updated_by, updated_at) "
               "VALUES (?, ?, ?, 'in_progress', ?, ?, ?, ?, ?, ?) RETURNING id",
               {id, catalogue->id(), catalogue->version(),
                keys_->encrypt(indicators::screening_to_json(*catalogue, s).dump(),
                               "screenings.answers"),
                std::string(indicators::to_string(ev.outcome)), by.username, now, by.username, now})
              .at(0)
              .integer(0);
    audit_.append(c, by.audit("case.screening.create", "case:" + std::to_string(id)));
  });
  auto c = db_.connection();
  return screening_view(*c->query_one(
      "SELECT " + std::string(kScreeningColumns) + " FROM screenings WHERE id = ?", {sid}));
}

json Cases::update_screening(const auth::Principal& by, std::int64_t id, std::int64_t sid,
                             const json& patch) {
  if (!patch.is_object()) fail_invalid("", "the body must be a JSON object");
  for (const auto& [key, value] : patch.items()) {
    if (key != "answers" && key != "complete") fail_invalid("/" + key, "unknown field");
  }
  if (patch.contains("complete") && !patch["complete"].is_boolean()) {
    fail_invalid("/complete", "complete must be true or false");
  }
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    auto row = c.query_one("SELECT " + std::string(kScreeningColumns) +
                               " FROM screenings WHERE id = ? AND case_id = ?",
                           {sid, id});
    if (!row) {
      throw Error(ErrorKind::not_found, "not_found", "no screening " + std::to_string(sid));
    }
    if (row->text(3) == "complete") {
      throw Error(ErrorKind::conflict, "screening_complete",
                  "this screening is complete; start a new one to record other answers");
    }
    const auto& catalogue = catalogues().get(row->text(1));
    if (row->text(2) != catalogue.version()) {
      throw Error(ErrorKind::conflict, "catalogue_version",
                  "this screening used another version of the catalogue; start a new one");
    }
    auto current = indicators::screening_from_json(
        catalogue, json::parse(keys_->decrypt(row->blob(4), "screenings.answers")));
    if (patch.contains("answers")) {
      // Validated on its own first, so an error names the field as the client sent it.
      const auto changes = indicators::screening_from_json(catalogue,
                                                           {{"catalogue", catalogue.id()},
                                                            {"version", catalogue.version()},
                                                            {"answers", patch["answers"]}},
                                                           "");
      for (const auto& [indicator, ignored] : patch["answers"].items()) {
        const auto i = catalogue.index_of(indicator);
        const auto* d = changes.detail(i);
        current.set(catalogue, indicator, changes.answers[i], d ? d->source : "", d ? d->note : "");
      }
    }
    const bool complete = patch.value("complete", false);
    const auto ev = indicators::evaluate(catalogue, current);
    c.execute(
        "UPDATE screenings SET answers_enc = ?, outcome = ?, status = ?, updated_by = ?, "
        "updated_at = ? WHERE id = ?",
        {keys_->encrypt(indicators::screening_to_json(catalogue, current).dump(),
                        "screenings.answers"),
         std::string(indicators::to_string(ev.outcome)), complete ? "complete" : "in_progress",
         by.username, now_millis(), sid});
    auto entry = by.audit("case.screening.update", "case:" + std::to_string(id));
    entry.detail = "screening " + std::to_string(sid) + (complete ? ", complete" : "");
    audit_.append(c, entry);
  });
  auto c = db_.connection();
  return screening_view(*c->query_one(
      "SELECT " + std::string(kScreeningColumns) + " FROM screenings WHERE id = ?", {sid}));
}

namespace {

// Law enforcement reads the legal assessment of what was done to the person, not what was
// recorded about how the person entered the country: that fact, and the note beside it, stay
// with the case's caseworkers (no immigration detail reaches police).
void withhold_entry_facts(json& facts, json& result) {
  constexpr const char* kEntry = "entry_irregular";
  if (facts.contains(kEntry)) facts[kEntry] = {{"withheld", true}};
  for (auto& element : result["elements"]) {
    for (auto& item : element["evidence"]) {
      if (item.value("fact", "") == kEntry) item = {{"fact", kEntry}, {"withheld", true}};
    }
  }
}

}  // namespace

json Cases::classification(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  const Loaded l = require(by, *c, id, Access::enforcement);
  auto r = c->query_one(
      "SELECT rule_set, rule_set_version, facts_enc, decided_by, decided_at FROM classifications "
      "WHERE case_id = ? ORDER BY id DESC LIMIT 1",
      {id});
  if (!r) {
    throw Error(ErrorKind::not_found, "not_found",
                "case " + std::to_string(id) + " has not been classified");
  }
  audit_.append(by.audit("case.classification.read", "case:" + std::to_string(id)));
  // Re-evaluated under the rule set version that decided it, so the result is reproduced.
  const auto& rule_set = rules().find(r->text(0), static_cast<int>(r->integer(1)));
  const auto facts =
      legal::facts_from_json(json::parse(keys_->decrypt(r->blob(2), "classifications.facts")));
  json facts_json = legal::facts_to_json(facts);
  json result = legal::result_to_json(rule_set.evaluate(facts));
  if (access(by, l.placement) != Access::full) withhold_entry_facts(facts_json, result);
  return {{"facts", std::move(facts_json)},
          {"result", std::move(result)},
          {"rule_set", {{"id", rule_set.id()}, {"version", rule_set.version()}}},
          {"decided_by", r->text(3)},
          {"decided_at", format_iso8601(r->integer(4))}};
}

json Cases::classify(const auth::Principal& by, std::int64_t id, const json& body) {
  if (!body.is_object()) fail_invalid("", "the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key != "facts") fail_invalid("/" + key, "unknown field");
  }
  if (!body.contains("facts")) fail_invalid("/facts", "facts is required");
  const auto facts = legal::facts_from_json(body["facts"], "/facts");
  const auto& rule_set = rules().latest(kRuleSet);
  const auto result = rule_set.evaluate(facts);
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    c.execute(
        "INSERT INTO classifications (case_id, rule_set, rule_set_version, facts_enc, outcome, "
        "decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, rule_set.id(), std::int64_t{rule_set.version()},
         keys_->encrypt(legal::facts_to_json(facts).dump(), "classifications.facts"),
         result.outcome, by.username, now_millis()});
    auto entry = by.audit("case.classify", "case:" + std::to_string(id));
    entry.detail = result.outcome;
    audit_.append(c, entry);
  });
  return classification(by, id);
}

nlohmann::json catalogues_json() {
  json out = json::array();
  auto text = [](const indicators::Text& t) {
    json o = json::object();
    for (std::size_t i = 0; i < indicators::kLanguages.size(); ++i) {
      o[std::string(indicators::kLanguages[i])] = t.by_language[i];
    }
    return o;
  };
  for (const auto& info : catalogues().list()) {
    const auto& c = catalogues().get(info.id);
    json elements = json::array(), items = json::array();
    for (const auto& e : c.elements()) elements.push_back({{"id", e.id}, {"label", text(e.label)}});
    for (const auto& i : c.indicators()) {
      items.push_back({{"id", i.id},
                       {"element", c.elements()[i.element].id},
                       {"strength", indicators::to_string(i.strength)},
                       {"text", text(i.text)}});
    }
    out.push_back({{"id", c.id()},
                   {"version", c.version()},
                   {"title", text(c.title())},
                   {"has_victim_rule", info.has_victim_rule},
                   {"elements", elements},
                   {"indicators", items}});
  }
  return {{"catalogues", out}};
}

nlohmann::json rule_sets_json() {
  json out = json::array();
  for (const auto& rs : rules().all()) {
    json facts = json::array();
    for (const auto& f : legal::fact_catalogue()) {
      facts.push_back({{"name", f.name},
                       {"kind", f.kind == legal::FactKind::flag ? "flag" : "age"},
                       {"label", rs.fact_label(f.name)}});
    }
    out.push_back(
        {{"id", rs.id()}, {"version", rs.version()}, {"title", rs.title()}, {"facts", facts}});
  }
  return {{"rule_sets", out}};
}

}  // namespace ctis::cases
