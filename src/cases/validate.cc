// Validation of case input: every field checked against the CTDC vocabulary (data/ctdc),
// ISO 3166 and the calendar, errors naming the JSON pointer of the field.
#include <algorithm>
#include <ctime>
#include <set>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/refdata.h"

namespace ctis::cases {
namespace {

using nlohmann::json;

const std::set<std::string> kPersonFields = {"given_name",      "family_name", "birth_date",
                                             "document_number", "contact",     "address"};
const std::set<std::string> kTransport = {"air",  "sea",   "land_vehicle", "foot",
                                          "rail", "other", "unknown"};

void expect_object(const json& v, const std::string& where, const std::set<std::string>& allowed) {
  if (!v.is_object()) fail_invalid(where, where + " must be an object");
  for (const auto& [key, value] : v.items()) {
    if (!allowed.count(key)) fail_invalid(where + "/" + key, "unknown field \"" + key + "\"");
  }
}

std::string text(const json& v, const std::string& where, std::size_t max) {
  if (!v.is_string()) fail_invalid(where, where + " must be a string");
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > max)
    fail_invalid(where, where + " is longer than " + std::to_string(max) + " bytes");
  if (!valid_utf8(s)) fail_invalid(where, where + " is not valid UTF-8");
  return s;
}

std::string country(const json& v, const std::string& where) {
  const std::string code = text(v, where, 3);
  const Country* c = code.size() == 3 ? find_country(code) : nullptr;
  if (!c) fail_invalid(where, "\"" + code + "\" is not an ISO 3166-1 alpha-3 country code");
  return c->alpha3;
}

std::string code_of(const json& v, const std::string& where, const json& vocabulary) {
  std::string s = text(v, where, 64);
  if (!vocabulary.contains(s)) {
    std::string allowed;
    for (const auto& [k, ignored] : vocabulary.items())
      allowed += (allowed.empty() ? "" : ", ") + k;
    fail_invalid(where, "\"" + s + "\" is not one of: " + allowed);
  }
  return s;
}

json code_list(const json& v, const std::string& where, const json& vocabulary) {
  if (!v.is_array()) fail_invalid(where, where + " must be a list");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    seen.insert(code_of(v[i], where + "/" + std::to_string(i), vocabulary));
  }
  return json(std::vector<std::string>(seen.begin(), seen.end()));
}

int current_year() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

json validate_person(const json& p) {
  expect_object(p, "/person", kPersonFields);
  json out = json::object();
  for (const auto& [key, value] : p.items()) {
    if (value.is_null()) continue;
    const std::string where = "/person/" + key;
    if (key == "birth_date") {
      const Date d = parse_date(value, where);
      if (d > today()) fail_invalid(where, "birth_date is in the future");
      if (d.year < 1900) fail_invalid(where, "birth_date is before 1900");
      out[key] = d.iso();
    } else {
      const std::size_t max = key == "address" ? 500 : key == "document_number" ? 64 : 200;
      const std::string s = text(value, where, max);
      if (!s.empty()) out[key] = s;
    }
  }
  return out;
}

json validate_profile(const json& p, const json& person) {
  const json& std_ = ctdc_standard();
  const json& flags = std_["flags"];
  std::set<std::string> allowed = {"gender",
                                   "age_band",
                                   "citizenship",
                                   "country_of_exploitation",
                                   "year_of_registration",
                                   "traffick_months"};
  for (const auto& [group, ignored] : flags.items()) allowed.insert(group);
  expect_object(p, "/profile", allowed);
  json out = json::object();
  for (const auto& [key, value] : p.items()) {
    if (value.is_null()) continue;
    const std::string where = "/profile/" + key;
    if (key == "gender" || key == "age_band" || key == "traffick_months") {
      out[key] = code_of(value, where, std_[key]);
    } else if (key == "citizenship" || key == "country_of_exploitation") {
      out[key] = country(value, where);
    } else if (key == "year_of_registration") {
      if (!value.is_number_integer()) fail_invalid(where, "year_of_registration must be a year");
      const auto y = value.get<std::int64_t>();
      if (y < 1990 || y > current_year()) {
        fail_invalid(where, "year_of_registration must be between 1990 and this year");
      }
      out[key] = y;
    } else {
      out[key] = code_list(value, where, flags[key]);
    }
  }
  // The age band follows from the birth date when there is one: at registration (or today).
  if (person.contains("birth_date")) {
    const Date born = Date::parse(person["birth_date"].get<std::string>());
    const int year = out.contains("year_of_registration")
                         ? static_cast<int>(out["year_of_registration"].get<std::int64_t>())
                         : today().year;
    // Age some time in that year: between these two, depending on the day.
    const int oldest = year - born.year, youngest = oldest - 1;
    if (out.contains("age_band")) {
      const std::string band = out["age_band"];
      if (!band_contains(band, oldest) && !band_contains(band, youngest)) {
        fail_invalid("/profile/age_band", "age band " + band + " contradicts the birth date " +
                                              born.iso() + " (aged " + std::to_string(youngest) +
                                              " or " + std::to_string(oldest) + " in " +
                                              std::to_string(year) + ")");
      }
    } else if (youngest >= 0) {
      out["age_band"] = band_for(year == today().year ? age_on(born, today()) : youngest);
    }
  }
  return out;
}

json validate_legs(const json& legs) {
  if (!legs.is_array()) fail_invalid("/legs", "legs must be a list");
  if (legs.size() > 50) fail_invalid("/legs", "a route has at most 50 legs");
  json out = json::array();
  std::optional<Date> previous_entry;
  for (std::size_t i = 0; i < legs.size(); ++i) {
    const std::string where = "/legs/" + std::to_string(i);
    const json& leg = legs[i];
    expect_object(leg, where,
                  {"country", "place", "date_from", "date_to", "transport", "regular_crossing"});
    if (!leg.contains("country")) fail_invalid(where + "/country", "country is required");
    json o = {{"country", country(leg["country"], where + "/country")}};
    if (leg.contains("place") && !leg["place"].is_null()) {
      o["place"] = text(leg["place"], where + "/place", 200);
    }
    std::optional<Date> from, to;
    if (leg.contains("date_from") && !leg["date_from"].is_null()) {
      from = parse_date(leg["date_from"], where + "/date_from");
      o["date_from"] = from->iso();
    }
    if (leg.contains("date_to") && !leg["date_to"].is_null()) {
      to = parse_date(leg["date_to"], where + "/date_to");
      o["date_to"] = to->iso();
    }
    if (from && to && *to < *from) {
      fail_invalid(where + "/date_to", "left " + o["country"].get<std::string>() + " on " +
                                           to->iso() + ", before arriving on " + from->iso());
    }
    for (const auto& d : {from, to}) {
      if (d && *d > today()) fail_invalid(where, "leg dates cannot be in the future");
    }
    if (from && previous_entry && *from < *previous_entry) {
      fail_invalid(where + "/date_from", "legs must be in the order travelled");
    }
    if (from) previous_entry = from;
    if (leg.contains("transport") && !leg["transport"].is_null()) {
      const std::string t = text(leg["transport"], where + "/transport", 32);
      if (!kTransport.count(t)) {
        fail_invalid(where + "/transport",
                     "transport must be air, sea, land_vehicle, foot, rail, other or unknown");
      }
      o["transport"] = t;
    }
    if (leg.contains("regular_crossing") && !leg["regular_crossing"].is_null()) {
      if (!leg["regular_crossing"].is_boolean()) {
        fail_invalid(where + "/regular_crossing", "regular_crossing must be true or false");
      }
      o["regular_crossing"] = leg["regular_crossing"];
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

Record validate(const json& input, const Record* base) {
  expect_object(
      input, "",
      {"person", "profile", "legs", "immigration_status", "non_punishment", "assigned_to"});
  Record r = base ? *base : Record{};
  json person = r.person;
  if (input.contains("person")) {
    if (!input["person"].is_object()) fail_invalid("/person", "person must be an object");
    // Partial updates merge field by field; null removes a field.
    for (const auto& [k, v] : input["person"].items()) person[k] = v;
  }
  r.person = validate_person(person);
  json profile = r.profile;
  if (input.contains("profile")) {
    if (!input["profile"].is_object()) fail_invalid("/profile", "profile must be an object");
    for (const auto& [k, v] : input["profile"].items()) profile[k] = v;
  }
  // A new birth date re-derives the band unless one is given alongside it.
  const bool band_given = input.contains("profile") && input["profile"].contains("age_band");
  if (base && !band_given && input.contains("person") && input["person"].contains("birth_date")) {
    profile.erase("age_band");
  }
  r.profile = validate_profile(profile, r.person);
  if (input.contains("legs")) r.legs = validate_legs(input["legs"]);
  if (input.contains("immigration_status")) {
    const json& v = input["immigration_status"];
    if (v.is_null()) {
      r.immigration_status.reset();
    } else {
      r.immigration_status = text(v, "/immigration_status", 200);
    }
  }
  if (input.contains("non_punishment")) {
    if (!input["non_punishment"].is_boolean()) {
      fail_invalid("/non_punishment", "non_punishment must be true or false");
    }
    r.non_punishment = input["non_punishment"].get<bool>();
  }
  if (input.contains("assigned_to")) {
    const json& v = input["assigned_to"];
    if (v.is_null()) {
      r.assigned_to.reset();
    } else if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) {
      fail_invalid("/assigned_to", "assigned_to must be a user id");
    } else {
      r.assigned_to = v.get<std::int64_t>();
    }
  }
  return r;
}

}  // namespace ctis::cases
