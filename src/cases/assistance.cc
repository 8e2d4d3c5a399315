// Protection and assistance: services, consented referrals, dated procedures and reminders.
#include <algorithm>
#include <map>
#include <set>

#include "cases/internal.h"

namespace ctis::cases {
namespace {

using auth::Role;
using nlohmann::json;

const std::set<std::string> kServiceKinds = {"shelter",    "medical",          "psychological",
                                             "legal_aid",  "interpretation",   "education",
                                             "livelihood", "voluntary_return", "reintegration"};

// Each procedure kind with its statuses; the first is where it starts, and `closed` ones need
// no reminder.
struct ProcedureKind {
  std::vector<std::string> statuses;
  std::set<std::string> closed;
};
const std::map<std::string, ProcedureKind>& procedure_kinds() {
  static const std::map<std::string, ProcedureKind> kinds = {
      {"reflection_period", {{"active", "ended"}, {"ended"}}},
      {"residence_permit",
       {{"applied", "granted", "refused", "appealed", "withdrawn"},
        {"granted", "refused", "withdrawn"}}},
      {"compensation_claim",
       {{"filed", "awarded", "rejected", "paid", "withdrawn"}, {"rejected", "paid", "withdrawn"}}},
  };
  return kinds;
}

void only_fields(const json& in, const std::set<std::string>& allowed) {
  if (!in.is_object()) fail_invalid("", "the body must be a JSON object");
  for (const auto& [k, v] : in.items()) {
    if (!allowed.count(k)) fail_invalid("/" + k, "unknown field \"" + k + "\"");
  }
}

std::optional<std::string> opt_text(const json& in, const std::string& key, std::size_t max) {
  if (!in.contains(key) || in[key].is_null()) return std::nullopt;
  if (!in[key].is_string()) fail_invalid("/" + key, key + " must be a string");
  const auto& s = in[key].get_ref<const std::string&>();
  if (s.size() > max || !valid_utf8(s)) {
    fail_invalid("/" + key, key + " must be at most " + std::to_string(max) + " bytes of UTF-8");
  }
  return s;
}

std::string req_text(const json& in, const std::string& key, std::size_t max) {
  auto v = opt_text(in, key, max);
  if (!v || v->empty()) fail_invalid("/" + key, key + " is required");
  return *v;
}

std::optional<std::string> opt_date(const json& in, const std::string& key) {
  if (!in.contains(key) || in[key].is_null()) return std::nullopt;
  return parse_date(in[key], "/" + key).iso();
}

store::Value value_of(const std::optional<std::string>& s) {
  return s ? store::Value(*s) : store::Value(nullptr);
}

void check_order(const std::optional<std::string>& from, const std::optional<std::string>& to,
                 const std::string& to_field) {
  if (from && to && *to < *from) fail_invalid("/" + to_field, to_field + " is before the start");
}

}  // namespace

json Cases::services(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  json out = json::array();
  for (const auto& r :
       c->query("SELECT id, kind, provider, start_date, end_date, outcome, note_enc, created_by, "
                "outcome_enc FROM case_services WHERE case_id = ? ORDER BY id",
                {id})) {
    // Outcomes written before they were encrypted are read from the clear column.
    const json outcome = !r.is_null(8)   ? json(keys_->decrypt(r.blob(8), "cases.service_outcome"))
                         : r.opt_text(5) ? json(*r.opt_text(5))
                                         : json();
    out.push_back(
        {{"id", r.integer(0)},
         {"kind", r.text(1)},
         {"provider", r.text(2)},
         {"start_date", r.opt_text(3) ? json(*r.opt_text(3)) : json()},
         {"end_date", r.opt_text(4) ? json(*r.opt_text(4)) : json()},
         {"outcome", outcome},
         {"note", r.is_null(6) ? json() : json(keys_->decrypt(r.blob(6), "cases.service"))},
         {"created_by", r.text(7)}});
  }
  audit_.append(by.audit("case.services.read", "case:" + std::to_string(id)));
  return {{"services", out}};
}

json Cases::add_service(const auth::Principal& by, std::int64_t id, const json& in) {
  only_fields(in, {"kind", "provider", "start_date", "end_date", "outcome", "note"});
  const std::string kind = req_text(in, "kind", 32);
  if (!kServiceKinds.count(kind)) {
    fail_invalid("/kind",
                 "kind must be shelter, medical, psychological, legal_aid, interpretation, "
                 "education, livelihood, voluntary_return or reintegration");
  }
  const std::string provider = req_text(in, "provider", 200);
  const auto start = opt_date(in, "start_date"), end = opt_date(in, "end_date");
  check_order(start, end, "end_date");
  const auto outcome = opt_text(in, "outcome", 500), note = opt_text(in, "note", 5000);
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    c.execute(
        "INSERT INTO case_services (case_id, kind, provider, start_date, end_date, outcome_enc, "
        "note_enc, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {id, kind, provider, value_of(start), value_of(end),
         outcome ? store::Value(keys_->encrypt(*outcome, "cases.service_outcome"))
                 : store::Value(nullptr),
         note ? store::Value(keys_->encrypt(*note, "cases.service")) : store::Value(nullptr),
         by.username, now_millis()});
    auto entry = by.audit("case.service.create", "case:" + std::to_string(id));
    entry.detail = kind;
    audit_.append(c, entry);
  });
  return services(by, id);
}

json Cases::referrals(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  json out = json::array();
  for (const auto& r :
       c->query("SELECT r.id, r.to_organisation_id, o.name, r.purpose, r.consent_recorded_at, "
                "r.consent_withdrawn_at, r.created_by, r.purpose_enc FROM case_referrals r "
                "JOIN organisations o ON "
                "o.id = r.to_organisation_id WHERE r.case_id = ? ORDER BY r.id",
                {id})) {
    out.push_back(
        {{"id", r.integer(0)},
         {"to_organisation", {{"id", r.integer(1)}, {"name", r.text(2)}}},
         {"purpose",
          r.is_null(7) ? r.text(3) : keys_->decrypt(r.blob(7), "cases.referral_purpose")},
         {"consent_recorded_at", format_iso8601(r.integer(4))},
         {"consent_withdrawn_at", r.is_null(5) ? json() : json(format_iso8601(r.integer(5)))},
         {"active", r.is_null(5)},
         {"created_by", r.text(6)}});
  }
  audit_.append(by.audit("case.referrals.read", "case:" + std::to_string(id)));
  return {{"referrals", out}};
}

json Cases::refer(const auth::Principal& by, std::int64_t id, const json& in) {
  only_fields(in, {"to_organisation", "purpose", "consent"});
  if (!in.contains("to_organisation") || !in["to_organisation"].is_number_integer()) {
    fail_invalid("/to_organisation", "to_organisation must be an organisation id");
  }
  const auto to = in["to_organisation"].get<std::int64_t>();
  const std::string purpose = req_text(in, "purpose", 500);
  // Sharing a person's case needs their informed consent, recorded here; never implied.
  if (!in.contains("consent") || in["consent"] != true) {
    fail_invalid("/consent", "a referral needs the person's consent (consent: true)");
  }
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded& l) {
    if (!c.query_one("SELECT 1 FROM organisations WHERE id = ?", {to})) {
      fail_invalid("/to_organisation", "no organisation " + std::to_string(to));
    }
    if (by.organisation_id != l.placement.organisation_id) {
      throw Error(ErrorKind::forbidden, "forbidden",
                  "only the organisation that holds the case refers it onward");
    }
    if (to == l.placement.organisation_id) {
      fail_invalid("/to_organisation", "the case already belongs to that organisation");
    }
    const Millis now = now_millis();
    c.execute(
        "INSERT INTO case_referrals (case_id, to_organisation_id, purpose, purpose_enc, "
        "consent_recorded_at, created_by, created_at) VALUES (?, ?, '', ?, ?, ?, ?)",
        {id, to, keys_->encrypt(purpose, "cases.referral_purpose"), now, by.username, now});
    auto entry = by.audit("case.refer", "case:" + std::to_string(id));
    entry.detail = "to organisation " + std::to_string(to);
    audit_.append(c, entry);
  });
  return referrals(by, id);
}

json Cases::withdraw_consent(const auth::Principal& by, std::int64_t id, std::int64_t rid) {
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    if (c.execute("UPDATE case_referrals SET consent_withdrawn_at = ? WHERE id = ? AND "
                  "case_id = ? AND consent_withdrawn_at IS NULL",
                  {now_millis(), rid, id}) == 0) {
      throw Error(ErrorKind::not_found, "not_found", "no active referral " + std::to_string(rid));
    }
    audit_.append(c, by.audit("case.refer.withdraw", "case:" + std::to_string(id)));
  });
  return referrals(by, id);
}

namespace {
json procedure_json(const store::Row& r, const vault::Keyring& keys) {
  return {{"id", r.integer(0)},
          {"kind", r.text(1)},
          {"status", r.text(2)},
          {"start_date", r.opt_text(3) ? json(*r.opt_text(3)) : json()},
          {"due_date", r.opt_text(4) ? json(*r.opt_text(4)) : json()},
          {"decided_date", r.opt_text(5) ? json(*r.opt_text(5)) : json()},
          {"amount", r.opt_integer(6) ? json(*r.opt_integer(6)) : json()},
          {"currency", r.opt_text(7) ? json(*r.opt_text(7)) : json()},
          {"note", r.is_null(8) ? json() : json(keys.decrypt(r.blob(8), "cases.procedure"))}};
}
constexpr std::string_view kProcedureColumns =
    "id, kind, status, start_date, due_date, decided_date, amount, currency, note_enc";
}  // namespace

json Cases::procedures(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  json out = json::array();
  for (const auto& r : c->query("SELECT " + std::string(kProcedureColumns) +
                                    " FROM case_procedures WHERE case_id = ? ORDER BY id",
                                {id})) {
    out.push_back(procedure_json(r, *keys_));
  }
  audit_.append(by.audit("case.procedures.read", "case:" + std::to_string(id)));
  return {{"procedures", out}};
}

json Cases::add_procedure(const auth::Principal& by, std::int64_t id, const json& in) {
  only_fields(in, {"kind", "status", "start_date", "due_date", "decided_date", "amount", "currency",
                   "note"});
  const std::string kind = req_text(in, "kind", 32);
  const auto it = procedure_kinds().find(kind);
  if (it == procedure_kinds().end()) {
    fail_invalid("/kind", "kind must be reflection_period, residence_permit or compensation_claim");
  }
  json details = in;
  details.erase("kind");
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    const Millis now = now_millis();
    const std::int64_t pid =
        c.query(
             "INSERT INTO case_procedures (case_id, kind, status, created_by, created_at, "
             "updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
             {id, kind, it->second.statuses.front(), by.username, now, now})
            .at(0)
            .integer(0);
    // Same transaction: a procedure whose details are refused leaves nothing behind.
    write_procedure(c, by, id, pid, details);
  });
  return procedures(by, id);
}

json Cases::update_procedure(const auth::Principal& by, std::int64_t id, std::int64_t pid,
                             const json& in) {
  in_case(by, id, Access::full,
          [&](store::Connection& c, const Loaded&) { write_procedure(c, by, id, pid, in); });
  return procedures(by, id);
}

void Cases::write_procedure(store::Connection& c, const auth::Principal& by, std::int64_t id,
                            std::int64_t pid, const json& in) {
  only_fields(in,
              {"status", "start_date", "due_date", "decided_date", "amount", "currency", "note"});
  {
    auto row = c.query_one("SELECT " + std::string(kProcedureColumns) +
                               " FROM case_procedures WHERE id = ? AND case_id = ?",
                           {pid, id});
    if (!row) throw Error(ErrorKind::not_found, "not_found", "no procedure " + std::to_string(pid));
    json p = procedure_json(*row, *keys_);
    const auto& kind = procedure_kinds().at(p["kind"].get<std::string>());
    if (auto s = opt_text(in, "status", 32)) {
      if (std::find(kind.statuses.begin(), kind.statuses.end(), *s) == kind.statuses.end()) {
        std::string allowed;
        for (const auto& k : kind.statuses) allowed += (allowed.empty() ? "" : ", ") + k;
        fail_invalid("/status",
                     "status of a " + p["kind"].get<std::string>() + " must be one of: " + allowed);
      }
      p["status"] = *s;
    }
    for (const char* d : {"start_date", "due_date", "decided_date"}) {
      if (in.contains(d)) p[d] = in[d].is_null() ? json() : json(*opt_date(in, d));
    }
    auto date = [&](const char* k) {
      return p[k].is_null() ? std::nullopt : std::optional<std::string>(p[k].get<std::string>());
    };
    check_order(date("start_date"), date("due_date"), "due_date");
    check_order(date("start_date"), date("decided_date"), "decided_date");
    if (in.contains("amount")) {
      if (!in["amount"].is_null() && (!in["amount"].is_number_integer() || in["amount"] < 0)) {
        fail_invalid("/amount", "amount is a whole number of the currency's minor unit");
      }
      p["amount"] = in["amount"];
    }
    if (in.contains("currency")) {
      const auto cur = opt_text(in, "currency", 3);
      if (cur && (cur->size() != 3 || !std::all_of(cur->begin(), cur->end(), ::isupper))) {
        fail_invalid("/currency", "currency is an ISO 4217 code such as EUR");
      }
      p["currency"] = cur ? json(*cur) : json();
    }
    if (in.contains("note"))
      p["note"] = in["note"].is_null() ? json() : json(*opt_text(in, "note", 5000));
    c.execute(
        "UPDATE case_procedures SET status = ?, start_date = ?, due_date = ?, decided_date = ?, "
        "amount = ?, currency = ?, note_enc = ?, updated_at = ? WHERE id = ?",
        {p["status"].get<std::string>(), value_of(date("start_date")), value_of(date("due_date")),
         value_of(date("decided_date")),
         p["amount"].is_null() ? store::Value(nullptr)
                               : store::Value(p["amount"].get<std::int64_t>()),
         p["currency"].is_null() ? store::Value(nullptr)
                                 : store::Value(p["currency"].get<std::string>()),
         p["note"].is_null()
             ? store::Value(nullptr)
             : store::Value(keys_->encrypt(p["note"].get<std::string>(), "cases.procedure")),
         now_millis(), pid});
    auto entry = by.audit("case.procedure.update", "case:" + std::to_string(id));
    entry.detail = p["kind"].get<std::string>() + " " + p["status"].get<std::string>();
    audit_.append(c, entry);
  }
}

json Cases::reminders(const auth::Principal& by, int days) {
  if (days < 0 || days > 366) fail_invalid("days", "days must be between 0 and 366");
  if (by.role != Role::coordinator && by.role != Role::caseworker)
    return {{"reminders", json::array()}};
  Date horizon = today();
  for (int i = 0; i < days; ++i) horizon = next_day(horizon);
  // One query: the cases the caller works on (full access for these two roles), nothing
  // decrypted.
  std::vector<store::Value> params = {horizon.iso()};
  const std::string visible = visible_cases(by, params);
  auto c = db_.connection();
  json out = json::array();
  for (const auto& r :
       c->query("SELECT p.case_id, cases.reference, p.id, p.kind, p.status, p.due_date FROM "
                "case_procedures p JOIN cases ON cases.id = p.case_id WHERE p.due_date IS NOT NULL "
                "AND p.due_date <= ? AND " +
                    visible + " ORDER BY p.due_date",
                params)) {
    const auto& kind = procedure_kinds().at(r.text(3));
    if (kind.closed.count(r.text(4))) continue;
    out.push_back({{"case_id", r.integer(0)},
                   {"reference", r.text(1)},
                   {"procedure_id", r.integer(2)},
                   {"kind", r.text(3)},
                   {"status", r.text(4)},
                   {"due_date", r.text(5)},
                   {"overdue", r.text(5) < today().iso()}});
  }
  audit_.append(by.audit("case.reminders.read", "cases"));
  return {{"reminders", out}};
}

}  // namespace ctis::cases
