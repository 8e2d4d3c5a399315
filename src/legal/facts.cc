// The fact catalogue and the JSON forms of facts and results.
#include <cstdint>
#include <string>

#include "core/core.h"
#include "legal/legal.h"
#include "legal/rule_set_impl.h"

namespace ctis::legal {

namespace {

// Append only: stored cases and published rule files refer to these names.
constexpr FactInfo kCatalogue[] = {
    {"act_recruitment", FactKind::flag},
    {"act_transportation", FactKind::flag},
    {"act_transfer", FactKind::flag},
    {"act_harbouring", FactKind::flag},
    {"act_receipt", FactKind::flag},
    {"means_threat", FactKind::flag},
    {"means_force", FactKind::flag},
    {"means_other_coercion", FactKind::flag},
    {"means_abduction", FactKind::flag},
    {"means_fraud", FactKind::flag},
    {"means_deception", FactKind::flag},
    {"means_abuse_of_power", FactKind::flag},
    {"means_abuse_of_vulnerability", FactKind::flag},
    {"means_payments_to_controller", FactKind::flag},
    {"purpose_prostitution_of_others", FactKind::flag},
    {"purpose_other_sexual_exploitation", FactKind::flag},
    {"purpose_forced_labour", FactKind::flag},
    {"purpose_slavery", FactKind::flag},
    {"purpose_servitude", FactKind::flag},
    {"purpose_organ_removal", FactKind::flag},
    {"purpose_other_exploitation", FactKind::flag},
    {"age_at_act", FactKind::age},
    {"consent_given", FactKind::flag},
    {"crossed_border", FactKind::flag},
    {"entry_irregular", FactKind::flag},
    {"benefit_to_facilitator", FactKind::flag},
    {"control_after_arrival", FactKind::flag},
    {"national_or_resident_of_destination", FactKind::flag},
    {"labour_exploitation_indicators", FactKind::flag},
};

constexpr int kMaxAge = 130;
constexpr std::size_t kMaxTextBytes = 4000;

using nlohmann::json;

std::string read_text(const json& j, const std::string& at) {
  if (!j.is_string()) fail_invalid(at, "must be a string");
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() > kMaxTextBytes) {
    fail_invalid(at, "is longer than " + std::to_string(kMaxTextBytes) + " bytes");
  }
  if (!valid_utf8(s)) fail_invalid(at, "is not valid UTF-8");
  return s;
}

int read_age(const json& j, const std::string& at) {
  if (!j.is_number_integer()) fail_invalid(at, "must be a whole number of years");
  const auto v = j.get<std::int64_t>();
  if (v < 0 || v > kMaxAge) {
    fail_invalid(at, "must be between 0 and " + std::to_string(kMaxAge));
  }
  return static_cast<int>(v);
}

AgeBand read_band(const json& j, const std::string& at) {
  if (!j.is_object()) fail_invalid(at, "must be an object with min and, optionally, max");
  AgeBand band;
  bool has_min = false;
  for (const auto& [key, value] : j.items()) {
    const std::string p = at + "/" + pointer_token(key);
    if (key == "min") {
      band.min = read_age(value, p);
      has_min = true;
    } else if (key == "max") {
      if (!value.is_null()) band.max = read_age(value, p);
    } else {
      fail_invalid(p, "unknown key \"" + key + "\" (expected min, max)");
    }
  }
  if (!has_min) fail_invalid(at + "/min", "is required");
  if (band.max && *band.max < band.min) fail_invalid(at + "/max", "is below min");
  return band;
}

Fact read_fact(const FactInfo& info, const json& j, const std::string& at) {
  if (!j.is_object()) {
    fail_invalid(at, "must be an object such as {\"value\": true, \"note\": \"...\"}");
  }
  Fact fact;
  bool has_value = false;
  bool has_band = false;
  for (const auto& [key, value] : j.items()) {
    const std::string p = at + "/" + pointer_token(key);
    if (key == "note") {
      fact.note = read_text(value, p);
    } else if (key == "source") {
      fact.source = read_text(value, p);
    } else if (key == "value" && info.kind == FactKind::flag) {
      has_value = true;
      if (value.is_boolean()) {
        fact.value = value.get<bool>() ? Tri::yes : Tri::no;
      } else if (value != "unknown") {
        fail_invalid(p, "must be true, false or \"unknown\"");
      }
    } else if (key == "value") {
      has_value = true;
      if (value.is_string() && value == "unknown") continue;
      if (!value.is_number_integer()) {
        fail_invalid(p, "must be a whole number of years or \"unknown\"");
      }
      const int years = read_age(value, p);
      fact.age = AgeBand{years, years};
    } else if (key == "band" && info.kind == FactKind::age) {
      has_band = true;
      fact.age = read_band(value, p);
    } else {
      fail_invalid(p, "unknown key \"" + key + "\" (expected " +
                          (info.kind == FactKind::flag ? "value" : "value or band") +
                          ", note, source)");
    }
  }
  if (has_value && has_band) fail_invalid(at + "/band", "give either value or band, not both");
  if (!has_value && !has_band) fail_invalid(at + "/value", "is required");
  return fact;
}

json fact_json(const FactInfo& info, const Fact& fact) {
  json j = json::object();
  if (info.kind == FactKind::flag) {
    j["value"] = fact.value == Tri::unknown ? json("unknown") : json(fact.value == Tri::yes);
  } else if (!fact.age) {
    j["value"] = "unknown";
  } else if (fact.age->max && *fact.age->max == fact.age->min) {
    j["value"] = fact.age->min;
  } else {
    j["band"] = {{"min", fact.age->min}};
    if (fact.age->max) j["band"]["max"] = *fact.age->max;
  }
  if (!fact.note.empty()) j["note"] = fact.note;
  if (!fact.source.empty()) j["source"] = fact.source;
  return j;
}

const FactInfo& known_fact(const std::string& name) {
  const FactInfo* info = find_fact(name);
  if (info == nullptr) fail_invalid("/" + pointer_token(name), "unknown fact \"" + name + "\"");
  return *info;
}

json text_json(const Text& text) { return json(text); }

}  // namespace

std::string pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view element_value_name(Tri t) {
  switch (t) {
    case Tri::yes:
      return "met";
    case Tri::no:
      return "not_met";
    case Tri::unknown:
      break;
  }
  return "unknown";
}

std::span<const FactInfo> fact_catalogue() { return kCatalogue; }

const FactInfo* find_fact(std::string_view name) {
  for (const auto& info : kCatalogue) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

int fact_index(std::string_view name) {
  const FactInfo* info = find_fact(name);
  return info == nullptr ? -1 : static_cast<int>(info - kCatalogue);
}

Fact Fact::flag(bool value, std::string note, std::string source) {
  return Fact{value ? Tri::yes : Tri::no, std::nullopt, std::move(note), std::move(source)};
}
Fact Fact::unknown(std::string note, std::string source) {
  return Fact{Tri::unknown, std::nullopt, std::move(note), std::move(source)};
}
Fact Fact::age_exact(int years, std::string note, std::string source) {
  return Fact{Tri::unknown, AgeBand{years, years}, std::move(note), std::move(source)};
}
Fact Fact::age_band(int min, std::optional<int> max, std::string note, std::string source) {
  return Fact{Tri::unknown, AgeBand{min, max}, std::move(note), std::move(source)};
}

const ElementResult* Result::element(std::string_view id) const {
  for (const auto& e : elements) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

Facts facts_from_json(const json& j, const std::string& at) {
  if (!j.is_object()) fail_invalid(at, "facts must be a JSON object keyed by fact name");
  Facts facts;
  for (const auto& [name, value] : j.items()) {
    const std::string p = at + "/" + pointer_token(name);
    const FactInfo* info = find_fact(name);
    if (info == nullptr) fail_invalid(p, "unknown fact \"" + name + "\"");
    facts.emplace(name, read_fact(*info, value, p));
  }
  return facts;
}

json facts_to_json(const Facts& facts) {
  json j = json::object();
  for (const auto& [name, fact] : facts) j[name] = fact_json(known_fact(name), fact);
  return j;
}

json result_to_json(const Result& r) {
  json elements = json::array();
  for (const auto& e : r.elements) {
    json evidence = json::array();
    for (const auto& ev : e.evidence) {
      json item = fact_json(known_fact(ev.fact), ev.recorded);
      item["fact"] = ev.fact;
      evidence.push_back(std::move(item));
    }
    elements.push_back({{"id", e.id},
                        {"label", text_json(e.label)},
                        {"value", element_value_name(e.value)},
                        {"decided_by", e.decided_by},
                        {"evidence", std::move(evidence)},
                        {"sources", e.sources}});
  }
  json notes = json::array();
  for (const auto& n : r.notes) {
    notes.push_back({{"id", n.id}, {"text", text_json(n.text)}, {"sources", n.sources}});
  }
  json needed = json::array();
  for (const auto& n : r.to_establish) {
    needed.push_back({{"id", n.id},
                      {"kind", n.is_element ? "element" : "fact"},
                      {"label", text_json(n.label)},
                      {"facts", n.facts}});
  }
  return {{"rule_set", {{"id", r.rule_set_id}, {"version", r.rule_set_version}}},
          {"outcome", r.outcome},
          {"determined", r.determined},
          {"possible_outcomes", r.possible_outcomes},
          {"outcome_label", text_json(r.outcome_label)},
          {"explanation", text_json(r.explanation)},
          {"elements", std::move(elements)},
          {"notes", std::move(notes)},
          {"to_establish", std::move(needed)}};
}

}  // namespace ctis::legal
