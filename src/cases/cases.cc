#include "cases/cases.h"

#include <algorithm>

#include "cases/internal.h"

namespace ctis::cases {
namespace {

using auth::Role;
using nlohmann::json;

constexpr std::string_view kColumns =
    "id, reference, organisation_id, assigned_to, status, person_enc, immigration_status_enc, "
    "non_punishment, profile, legs, created_at, updated_at, legs_enc";

store::Value opt_text(const std::optional<std::string>& s) {
  return s ? store::Value(*s) : store::Value(nullptr);
}
store::Value opt_int(const std::optional<std::int64_t>& v) {
  return v ? store::Value(*v) : store::Value(nullptr);
}

[[noreturn]] void no_such_case(std::int64_t id) {
  throw Error(ErrorKind::not_found, "not_found", "no case " + std::to_string(id));
}

}  // namespace

PersonIndexes person_indexes(const json& p, const vault::Keyring& keys) {
  auto index = [&](const char* field, const std::string& value) {
    return value.empty() ? store::Value(nullptr) : store::Value(keys.blind_index(value, field));
  };
  const std::string given = p.value("given_name", ""), family = p.value("family_name", "");
  const std::string full = given.empty() || family.empty() ? given + family : given + " " + family;
  return {index("cases.name", full), index("cases.family_name", family),
          index("cases.document", p.value("document_number", ""))};
}

json route_in_clear(const json& legs) {
  json out = json::array();
  for (const auto& leg : legs) out.push_back({{"country", leg["country"]}});
  return out;
}

std::string join_codes(const json& codes) {
  std::string out;
  for (const auto& c : codes) {
    out += ' ';
    out += c.get<std::string>();
  }
  return out.empty() ? "" : out + " ";
}

Access access(const auth::Principal& who, const Placement& where) {
  const bool same_org = who.organisation_id == where.organisation_id;
  const bool referred = std::find(where.shared_with.begin(), where.shared_with.end(),
                                  who.organisation_id) != where.shared_with.end();
  if ((who.role == Role::coordinator || who.role == Role::caseworker) && referred) {
    return Access::full;
  }
  switch (who.role) {
    case Role::coordinator:
      return same_org ? Access::full : Access::none;
    case Role::caseworker:
      return same_org || where.assigned_to == who.user_id ? Access::full : Access::none;
    case Role::analyst:
      return same_org ? Access::profile : Access::none;
    case Role::law_enforcement:
      return same_org || referred ? Access::enforcement : Access::none;
    default:
      return Access::none;
  }
}

std::string visible_cases(const auth::Principal& by, std::vector<store::Value>& params) {
  const std::string referred =
      "cases.id IN (SELECT case_id FROM case_referrals WHERE to_organisation_id = ? AND "
      "consent_withdrawn_at IS NULL)";
  switch (by.role) {
    case Role::coordinator:
    case Role::law_enforcement:
      params.insert(params.end(), {by.organisation_id, by.organisation_id});
      return "(cases.organisation_id = ? OR " + referred + ")";
    case Role::caseworker:
      params.insert(params.end(), {by.organisation_id, by.user_id, by.organisation_id});
      return "(cases.organisation_id = ? OR cases.assigned_to = ? OR " + referred + ")";
    case Role::analyst:
      params.emplace_back(by.organisation_id);
      return "(cases.organisation_id = ?)";
    default:
      return "";
  }
}

bool sees_immigration_status(const auth::Principal& who, const Placement& where) {
  if (who.role == Role::coordinator) return who.organisation_id == where.organisation_id;
  if (who.role == Role::caseworker) return where.assigned_to == who.user_id;
  return false;
}

Cases::Cases(store::Database& db, std::shared_ptr<const vault::Keyring> keys,
             audit::AuditLog& audit)
    : db_(db),
      keys_(std::move(keys)),
      audit_(audit),
      duplicate_cache_(std::make_unique<DuplicateCache>()) {}

Cases::~Cases() = default;

Cases::Loaded Cases::load(store::Connection& c, std::int64_t id) {
  auto r = c.query_one("SELECT " + std::string(kColumns) + " FROM cases WHERE id = ?", {id});
  if (!r) no_such_case(id);
  Loaded l;
  l.id = r->integer(0);
  l.reference = r->text(1);
  l.placement = {r->integer(2), r->opt_integer(3), {}};
  for (const auto& s : c.query("SELECT to_organisation_id FROM case_referrals WHERE case_id = ? "
                               "AND consent_withdrawn_at IS NULL",
                               {id})) {
    l.placement.shared_with.push_back(s.integer(0));
  }
  l.status = r->text(4);
  l.record.person = json::parse(keys_->decrypt(r->blob(5), "cases.person"));
  if (!r->is_null(6)) {
    l.record.immigration_status = keys_->decrypt(r->blob(6), "cases.immigration_status");
  }
  l.record.non_punishment = r->integer(7) != 0;
  l.record.profile = json::parse(r->text(8));
  // Routes written before they were encrypted are read from the clear column.
  l.record.legs = r->is_null(12) ? json::parse(r->text(9))
                                 : json::parse(keys_->decrypt(r->blob(12), "cases.legs"));
  l.record.assigned_to = l.placement.assigned_to;
  l.created_at = r->integer(10);
  l.updated_at = r->integer(11);
  return l;
}

Cases::Loaded Cases::require(const auth::Principal& by, store::Connection& c, std::int64_t id,
                             Access needed, bool audit_refusal) {
  std::optional<Loaded> l;
  try {
    l = load(c, id);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::not_found) throw;
  }
  const Access have = l ? access(by, l->placement) : Access::none;
  if (!l || have == Access::none || have < needed) {
    // Cases the caller may not see do not exist as far as they can tell; the attempt is kept.
    if (audit_refusal) {
      audit_.append(by.audit("case.read", "case:" + std::to_string(id), "not_found"));
    }
    no_such_case(id);
  }
  return *l;
}

void Cases::in_case(const auth::Principal& by, std::int64_t id, Access needed,
                    const std::function<void(store::Connection&, const Loaded&)>& fn) {
  {
    auto c = db_.connection();
    require(by, *c, id, needed);
  }
  db_.transaction([&](store::Connection& c) { fn(c, require(by, c, id, needed, false)); });
}

json Cases::view(const auth::Principal& by, const Loaded& l, store::Connection& c) {
  json v = {{"id", l.id},
            {"reference", l.reference},
            {"status", l.status},
            {"organisation_id", l.placement.organisation_id},
            {"assigned_to", l.placement.assigned_to ? json(*l.placement.assigned_to) : json()},
            {"profile", l.record.profile},
            // Shown to everyone who sees the case at all, law enforcement above all.
            {"non_punishment", l.record.non_punishment},
            {"created_at", format_iso8601(l.created_at)},
            {"updated_at", format_iso8601(l.updated_at)}};
  const Access have = access(by, l.placement);
  if (have >= Access::enforcement) {
    v["person"] = l.record.person;
    v["legs"] = l.record.legs;
  }
  if (have == Access::full) {
    if (sees_immigration_status(by, l.placement)) {
      v["immigration_status"] =
          l.record.immigration_status ? json(*l.record.immigration_status) : json();
    }
    if (l.placement.assigned_to) {
      if (auto u =
              c.query_one("SELECT username FROM users WHERE id = ?", {*l.placement.assigned_to})) {
        v["assigned_username"] = u->text(0);
      }
    }
  } else if (have == Access::profile) {
    // The pseudonymous view keeps the route's countries, not its places and dates.
    json countries = json::array();
    for (const auto& leg : l.record.legs) countries.push_back(leg["country"]);
    v["route_countries"] = countries;
  }
  return v;
}

json Cases::create(const auth::Principal& by, const json& input) {
  Record r = validate(input);
  // A caseworker who opens a case is its caseworker; assigning it to someone else is a
  // coordinator's decision (assignment decides who sees the immigration status).
  if (by.role == Role::caseworker) {
    if (r.assigned_to && *r.assigned_to != by.user_id) {
      throw Error(ErrorKind::forbidden, "forbidden", "only coordinators assign cases to others",
                  "/assigned_to");
    }
    r.assigned_to = by.user_id;
  }
  std::int64_t id = 0;
  db_.transaction([&](store::Connection& c) { id = insert(by, c, by.organisation_id, r); });
  return get(by, id);
}

std::int64_t Cases::insert(const auth::Principal& by, store::Connection& c,
                           std::int64_t organisation_id, const Record& r) {
  if (access(by, {organisation_id, r.assigned_to, {}}) != Access::full) {
    throw Error(ErrorKind::forbidden, "forbidden",
                "only coordinators and caseworkers of the organisation create its cases");
  }
  if (r.assigned_to) check_assignee(c, organisation_id, *r.assigned_to);
  const Millis now = now_millis();
  const auto& p = r.person;
  const PersonIndexes ix = person_indexes(p, *keys_);
  const std::int64_t id =
      c.query(
           "INSERT INTO cases (reference, organisation_id, assigned_to, status, person_enc, "
           "name_index, family_name_index, document_index, immigration_status_enc, "
           "non_punishment, profile, legs, legs_enc, citizenship, exploitation, created_by, "
           "created_at, updated_at) "
           "VALUES (?, ?, ?, 'identified', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
           {"CT-" + to_hex(random_bytes(5)), organisation_id, opt_int(r.assigned_to),
            keys_->encrypt(p.dump(), "cases.person"), ix.name, ix.family_name, ix.document,
            r.immigration_status
                ? store::Value(keys_->encrypt(*r.immigration_status, "cases.immigration_status"))
                : store::Value(nullptr),
            std::int64_t{r.non_punishment}, r.profile.dump(), route_in_clear(r.legs).dump(),
            keys_->encrypt(r.legs.dump(), "cases.legs"),
            opt_text(r.profile.contains("citizenship")
                         ? std::optional<std::string>(r.profile["citizenship"].get<std::string>())
                         : std::nullopt),
            join_codes(r.profile.value("exploitation", json::array())),
            by.user_id ? store::Value(by.user_id) : store::Value(nullptr), now, now})
          .at(0)
          .integer(0);
  audit_.append(c, by.audit("case.create", "case:" + std::to_string(id)));
  return id;
}

}  // namespace ctis::cases
