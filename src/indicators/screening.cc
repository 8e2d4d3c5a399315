// Screenings (answers with their source and note) and the JSON forms of screenings and
// evaluations, for storage and for the API.
#include <algorithm>

#include "core/core.h"
#include "indicators/indicators.h"

namespace ctis::indicators {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxSourceBytes = 200;
constexpr std::size_t kMaxNoteBytes = 4000;

std::string bounded_text(const json& v, const std::string& at, std::size_t max_bytes) {
  if (!v.is_string()) fail_invalid(at, "must be a string");
  std::string s = v.get<std::string>();
  if (s.size() > max_bytes) {
    fail_invalid(at, "longer than " + std::to_string(max_bytes) + " bytes");
  }
  return s;
}

}  // namespace

Screening Screening::start(const Catalogue& catalogue) {
  Screening s;
  s.catalogue_id = catalogue.id();
  s.catalogue_version = catalogue.version();
  s.answers.assign(catalogue.size(), Answer::not_asked);
  return s;
}

void Screening::set(const Catalogue& catalogue, std::string_view indicator_id, Answer answer,
                    std::string source, std::string note) {
  const IndicatorIndex i = catalogue.index_of(indicator_id);
  if (answers.size() != catalogue.size()) answers.resize(catalogue.size(), Answer::not_asked);
  answers[i] = answer;
  const auto it = std::find_if(details.begin(), details.end(),
                               [i](const AnswerDetail& d) { return d.indicator == i; });
  if (source.empty() && note.empty()) {
    if (it != details.end()) details.erase(it);
  } else if (it != details.end()) {
    it->source = std::move(source);
    it->note = std::move(note);
  } else {
    details.push_back({i, std::move(source), std::move(note)});
  }
}

const AnswerDetail* Screening::detail(IndicatorIndex i) const {
  const auto it = std::find_if(details.begin(), details.end(),
                               [i](const AnswerDetail& d) { return d.indicator == i; });
  return it == details.end() ? nullptr : &*it;
}

json screening_to_json(const Catalogue& catalogue, const Screening& screening) {
  json answers = json::object();
  for (std::size_t i = 0; i < screening.answers.size() && i < catalogue.size(); ++i) {
    const auto index = static_cast<IndicatorIndex>(i);
    const AnswerDetail* d = screening.detail(index);
    if (screening.answers[i] == Answer::not_asked && d == nullptr) continue;
    json entry = {{"answer", to_string(screening.answers[i])}};
    if (d && !d->source.empty()) entry["source"] = d->source;
    if (d && !d->note.empty()) entry["note"] = d->note;
    answers[catalogue.indicators()[i].id] = std::move(entry);
  }
  return {{"catalogue", screening.catalogue_id},
          {"version", screening.catalogue_version},
          {"answers", std::move(answers)}};
}

Screening screening_from_json(const Catalogue& catalogue, const json& j, const std::string& at) {
  if (!j.is_object()) fail_invalid(at, "must be an object");
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (key != "catalogue" && key != "version" && key != "answers") {
      fail_invalid(at + "/" + key, "unknown field");
    }
  }
  const auto required_string = [&](const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) fail_invalid(at + "/" + key, "missing");
    return bounded_text(*it, at + "/" + key, 64);
  };
  Screening s = Screening::start(catalogue);
  const std::string id = required_string("catalogue");
  if (id != catalogue.id()) {
    fail_invalid(at + "/catalogue", "expected \"" + catalogue.id() + "\", got \"" + id + "\"");
  }
  s.catalogue_version = required_string("version");
  const auto it = j.find("answers");
  if (it == j.end()) fail_invalid(at + "/answers", "missing");
  if (!it->is_object()) fail_invalid(at + "/answers", "must be an object keyed by indicator id");
  for (const auto& [key, entry] : it->items()) {
    const std::string here = at + "/answers/" + key;  // ids never hold '/' or '~'
    const auto index = catalogue.find(key);
    if (!index)
      fail_invalid(here, "unknown indicator in " + catalogue.id() + " " + catalogue.version());
    if (!entry.is_object()) fail_invalid(here, "must be an object");
    std::string source, note;
    std::optional<Answer> answer;
    for (const auto& [field, value] : entry.items()) {
      if (field == "answer") {
        if (!value.is_string() || !(answer = parse_answer(value.get<std::string>()))) {
          fail_invalid(here + "/answer", "must be yes, no, unknown or not_asked");
        }
      } else if (field == "source") {
        source = bounded_text(value, here + "/source", kMaxSourceBytes);
      } else if (field == "note") {
        note = bounded_text(value, here + "/note", kMaxNoteBytes);
      } else {
        fail_invalid(here + "/" + field, "unknown field");
      }
    }
    if (!answer) fail_invalid(here + "/answer", "missing");
    s.answers[*index] = *answer;
    if (!source.empty() || !note.empty()) s.details.push_back({*index, source, note});
  }
  return s;
}

json evaluation_to_json(const Catalogue& catalogue, const Evaluation& ev) {
  const auto ids = [&](std::span<const IndicatorIndex> list) {
    json out = json::array();
    for (const IndicatorIndex i : list) out.push_back(catalogue.indicators()[i].id);
    return out;
  };
  const auto tally = [](const Tally& t) {
    return json{{"yes", t.yes}, {"no", t.no}, {"unknown", t.unknown}, {"not_asked", t.not_asked}};
  };
  json elements = json::array();
  for (std::size_t e = 0; e < ev.elements.size() && e < catalogue.elements().size(); ++e) {
    const ElementResult& r = ev.elements[e];
    const auto ei = static_cast<ElementIndex>(e);
    json item = {{"id", catalogue.elements()[e].id},
                 {"status", to_string(r.status)},
                 {"tally", tally(r.tally)},
                 {"drivers", ids(ev.drivers_of(ei))},
                 {"open", ids(ev.open_of(ei))}};
    if (r.clause >= 0) item["clause"] = r.clause;
    if (!catalogue.element_rule().empty()) {
      item["yes_by_strength"] = {{"strong", r.yes_by_strength[3]},
                                 {"medium", r.yes_by_strength[2]},
                                 {"weak", r.yes_by_strength[1]}};
    }
    elements.push_back(std::move(item));
  }
  json out = {{"catalogue", catalogue.id()},
              {"version", catalogue.version()},
              {"outcome", to_string(ev.outcome)},
              {"tally", tally(ev.tally)},
              {"elements", std::move(elements)}};
  if (const auto& victim = catalogue.victim_rules()) {
    const auto rule_ids = [&](const std::vector<std::uint8_t>& list) {
      json a = json::array();
      for (const auto k : list) a.push_back(victim->rules.at(k).id);
      return a;
    };
    out["applies_to"] = victim->applies_to == VictimGroup::adults ? "adults" : "children";
    out["fired"] = rule_ids(ev.fired);
    out["possible"] = rule_ids(ev.possible);
  }
  return out;
}

}  // namespace ctis::indicators
