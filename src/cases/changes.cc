// Reading, changing and listing cases: history, notes, status workflow, bulk insert, export.
#include <algorithm>
#include <map>
#include <set>

#include "cases/cases.h"
#include "cases/internal.h"

namespace ctis::cases {
namespace {

using auth::Role;
using nlohmann::json;

const std::vector<std::string> kStatuses = {"identified", "referred", "assisted", "closed"};

int status_rank(const std::string& s) {
  const auto it = std::find(kStatuses.begin(), kStatuses.end(), s);
  return it == kStatuses.end() ? -1 : static_cast<int>(it - kStatuses.begin());
}

// The fields a change can touch, flattened ("person.given_name", "profile.gender", "legs").
std::map<std::string, json> flatten(const Record& r) {
  std::map<std::string, json> f;
  for (const auto& [k, v] : r.person.items()) f["person." + k] = v;
  for (const auto& [k, v] : r.profile.items()) f["profile." + k] = v;
  f["legs"] = r.legs;
  f["immigration_status"] = r.immigration_status ? json(*r.immigration_status) : json();
  f["non_punishment"] = r.non_punishment;
  f["assigned_to"] = r.assigned_to ? json(*r.assigned_to) : json();
  return f;
}

}  // namespace

void Cases::check_assignee(store::Connection& c, std::int64_t organisation_id,
                           std::int64_t user_id) {
  auto u = c.query_one("SELECT role, organisation_id, disabled FROM users WHERE id = ?", {user_id});
  if (!u || u->text(0) != "caseworker" || u->integer(1) != organisation_id || u->integer(2) != 0) {
    fail_invalid("/assigned_to", "assigned_to must be an active caseworker of the organisation");
  }
}

json Cases::get(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  const Loaded l = require(by, *c, id, Access::profile);
  audit_.append(by.audit("case.read", "case:" + std::to_string(id)));
  json v = view(by, l, *c);
  // Cases of the same person (duplicates.cc): for those who read identifiers only.
  if (access(by, l.placement) >= Access::enforcement) v["linked_cases"] = linked_cases(by, *c, id);
  return v;
}

void Cases::write(store::Connection& c, std::int64_t id, const Record& r) {
  const auto& p = r.person;
  const PersonIndexes ix = person_indexes(p, *keys_);
  c.execute(
      "UPDATE cases SET assigned_to = ?, person_enc = ?, name_index = ?, family_name_index = ?, "
      "document_index = ?, immigration_status_enc = ?, non_punishment = ?, profile = ?, legs = ?, "
      "legs_enc = ?, citizenship = ?, exploitation = ?, updated_at = ? WHERE id = ?",
      {r.assigned_to ? store::Value(*r.assigned_to) : store::Value(nullptr),
       keys_->encrypt(p.dump(), "cases.person"), ix.name, ix.family_name, ix.document,
       r.immigration_status
           ? store::Value(keys_->encrypt(*r.immigration_status, "cases.immigration_status"))
           : store::Value(nullptr),
       std::int64_t{r.non_punishment}, r.profile.dump(), route_in_clear(r.legs).dump(),
       keys_->encrypt(r.legs.dump(), "cases.legs"),
       r.profile.contains("citizenship") ? store::Value(r.profile["citizenship"].get<std::string>())
                                         : store::Value(nullptr),
       join_codes(r.profile.value("exploitation", json::array())), now_millis(), id});
}

json Cases::update(const auth::Principal& by, std::int64_t id, const json& patch) {
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded& l) {
    if (patch.contains("immigration_status") && !sees_immigration_status(by, l.placement)) {
      throw Error(ErrorKind::forbidden, "forbidden",
                  "only the assigned caseworker and coordinators record immigration status",
                  "/immigration_status");
    }
    const Record next = validate(patch, &l.record);
    if (next.assigned_to != l.record.assigned_to && by.role != Role::coordinator) {
      throw Error(ErrorKind::forbidden, "forbidden",
                  "only coordinators change who a case is "
                  "assigned to",
                  "/assigned_to");
    }
    if (next.assigned_to && next.assigned_to != l.record.assigned_to) {
      check_assignee(c, l.placement.organisation_id, *next.assigned_to);
    }
    const auto before = flatten(l.record), after = flatten(next);
    std::vector<std::string> changed;
    const Millis now = now_millis();
    auto enc = [&](const json& v) {
      return v.is_null() ? store::Value(nullptr)
                         : store::Value(keys_->encrypt(v.dump(), "cases.history"));
    };
    std::set<std::string> fields;
    for (const auto& [k, v] : before) fields.insert(k);
    for (const auto& [k, v] : after) fields.insert(k);
    for (const auto& f : fields) {
      const json old_v = before.count(f) ? before.at(f) : json();
      const json new_v = after.count(f) ? after.at(f) : json();
      if (old_v == new_v) continue;
      changed.push_back(f);
      c.execute(
          "INSERT INTO case_history (case_id, at, actor_id, actor, field, old_enc, new_enc) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)",
          {id, now, by.user_id, by.username, f, enc(old_v), enc(new_v)});
    }
    if (changed.empty()) return;
    write(c, id, next);
    auto entry = by.audit("case.update", "case:" + std::to_string(id));
    for (const auto& f : changed) entry.detail += (entry.detail.empty() ? "" : ",") + f;
    audit_.append(c, entry);
  });
  return get(by, id);
}

json Cases::set_status(const auth::Principal& by, std::int64_t id, const std::string& status,
                       const std::string& reason) {
  const int to = status_rank(status);
  if (to < 0) fail_invalid("/status", "status must be identified, referred, assisted or closed");
  if (reason.size() > 1000 || !valid_utf8(reason)) {
    fail_invalid("/reason", "reason must be at most 1000 bytes of UTF-8");
  }
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded& l) {
    const int from = status_rank(l.status);
    const bool reopen = l.status == "closed" && status == "identified";
    if (to <= from && !reopen) {
      fail_invalid("/status", "a case moves from " + l.status +
                                  " only forward (identified, referred, assisted, closed) or, "
                                  "once closed, back to identified");
    }
    if ((status == "closed" || reopen) && reason.empty()) {
      fail_invalid("/reason", "closing or reopening a case needs a reason");
    }
    c.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?",
              {status, now_millis(), id});
    c.execute(
        "INSERT INTO case_history (case_id, at, actor_id, actor, field, old_enc, new_enc) "
        "VALUES (?, ?, ?, ?, 'status', ?, ?)",
        {id, now_millis(), by.user_id, by.username,
         keys_->encrypt(json(l.status).dump(), "cases.history"),
         keys_->encrypt(json({{"status", status}, {"reason", reason}}).dump(), "cases.history")});
    auto entry = by.audit("case.status", "case:" + std::to_string(id));
    entry.detail = l.status + "->" + status;
    audit_.append(c, entry);
  });
  return get(by, id);
}

json Cases::history(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  const Loaded l = require(by, *c, id, Access::full);
  const bool immigration = sees_immigration_status(by, l.placement);
  json out = json::array();
  for (const auto& r :
       c->query("SELECT at, actor, field, old_enc, new_enc FROM case_history WHERE case_id = ? "
                "ORDER BY id",
                {id})) {
    auto open = [&](std::size_t i) {
      return r.is_null(i) ? json() : json::parse(keys_->decrypt(r.blob(i), "cases.history"));
    };
    json e = {{"at", format_iso8601(r.integer(0))}, {"actor", r.text(1)}, {"field", r.text(2)}};
    if (r.text(2) == "immigration_status" && !immigration) {
      e["hidden"] = true;
    } else {
      e["old"] = open(3);
      e["new"] = open(4);
    }
    out.push_back(std::move(e));
  }
  audit_.append(by.audit("case.history.read", "case:" + std::to_string(id)));
  return {{"history", out}};
}

json Cases::add_note(const auth::Principal& by, std::int64_t id, const std::string& text) {
  if (text.empty() || text.size() > 20000 || !valid_utf8(text)) {
    fail_invalid("/text", "a note is 1 to 20000 bytes of UTF-8");
  }
  std::int64_t note_id = 0;
  const Millis at = now_millis();
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    note_id = c.query(
                   "INSERT INTO case_notes (case_id, at, author_id, author, text_enc) "
                   "VALUES (?, ?, ?, ?, ?) RETURNING id",
                   {id, at, by.user_id, by.username, keys_->encrypt(text, "cases.note")})
                  .at(0)
                  .integer(0);
    audit_.append(c, by.audit("case.note.create", "case:" + std::to_string(id)));
  });
  return {{"id", note_id}, {"at", format_iso8601(at)}, {"author", by.username}, {"text", text}};
}

json Cases::notes(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  json out = json::array();
  for (const auto& r : c->query(
           "SELECT id, at, author, text_enc FROM case_notes WHERE case_id = ? ORDER BY id", {id})) {
    out.push_back({{"id", r.integer(0)},
                   {"at", format_iso8601(r.integer(1))},
                   {"author", r.text(2)},
                   {"text", keys_->decrypt(r.blob(3), "cases.note")}});
  }
  audit_.append(by.audit("case.notes.read", "case:" + std::to_string(id)));
  return {{"notes", out}};
}

json Cases::list(const auth::Principal& by, const Filter& f) {
  std::vector<store::Value> params;
  const std::string visible = visible_cases(by, params);
  if (visible.empty()) return {{"cases", json::array()}};
  std::string sql = "SELECT id FROM cases WHERE " + visible;
  auto add = [&](const std::string& clause, store::Value v) {
    sql += " AND " + clause;
    params.push_back(std::move(v));
  };
  if (f.status) add("status = ?", *f.status);
  if (f.citizenship) add("citizenship = ?", *f.citizenship);
  if (f.exploitation) add("exploitation LIKE ?", "% " + *f.exploitation + " %");
  // Name and document searches need full access: analysts never match on identifiers.
  const bool identifiers = by.role != Role::analyst;
  if (f.name) {
    if (!identifiers) return {{"cases", json::array()}};
    sql += " AND (name_index = ? OR family_name_index = ?)";
    params.emplace_back(keys_->blind_index(*f.name, "cases.name"));
    params.emplace_back(keys_->blind_index(*f.name, "cases.family_name"));
  }
  if (f.document_number) {
    if (!identifiers) return {{"cases", json::array()}};
    add("document_index = ?", keys_->blind_index(*f.document_number, "cases.document"));
  }
  if (f.before_id > 0) add("id < ?", f.before_id);
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(std::int64_t{std::clamp(f.limit, 1, 200)});
  auto c = db_.connection();
  json out = json::array();
  for (const auto& r : c->query(sql, params)) out.push_back(view(by, load(*c, r.integer(0)), *c));
  auto entry = by.audit("case.list", "cases");
  entry.detail = std::to_string(out.size()) + " cases";
  audit_.append(entry);
  return {{"cases", out}};
}

std::vector<std::int64_t> Cases::insert_many(const auth::Principal& by,
                                             std::int64_t organisation_id,
                                             const std::vector<Record>& records) {
  std::vector<std::int64_t> ids;
  ids.reserve(records.size());
  std::size_t next = 0;
  insert_stream(
      by, organisation_id,
      [&](Record& out) {
        if (next == records.size()) return false;
        out = records[next++];
        return true;
      },
      &ids);
  return ids;
}

std::size_t Cases::insert_stream(const auth::Principal& by, std::int64_t organisation_id,
                                 const RecordSource& next, std::vector<std::int64_t>* ids) {
  bool consumed = false;
  std::size_t written = 0;
  db_.transaction([&](store::Connection& c) {
    if (consumed) {
      throw Error(ErrorKind::unavailable, "database_busy",
                  "the database asked to retry the import after it had begun; nothing was "
                  "written, run it again");
    }
    Record r;
    while (next(r)) {
      consumed = true;
      const std::int64_t id = insert(by, c, organisation_id, r);
      if (ids) ids->push_back(id);
      ++written;
    }
    auto entry = by.audit("case.import", "organisation:" + std::to_string(organisation_id));
    entry.detail = std::to_string(written) + " cases";
    audit_.append(c, entry);
  });
  return written;
}

std::vector<json> Cases::export_profiles(const auth::Principal& by) {
  auto c = db_.connection();
  std::vector<json> out;
  const bool everything = by.role == Role::admin;  // the operator at the command line
  for (const auto& r : everything ? c->query("SELECT id FROM cases ORDER BY id")
                                  : c->query("SELECT id FROM cases WHERE organisation_id = ? "
                                             "ORDER BY id",
                                             {by.organisation_id})) {
    const Loaded l = load(*c, r.integer(0));
    if (!everything && access(by, l.placement) == Access::none) continue;
    // Exports carry the pseudonymous profile only: never identifiers or immigration status.
    json p = l.record.profile;
    p["status"] = l.status;
    out.push_back(std::move(p));
  }
  auto entry = by.audit("case.export", "cases");
  entry.detail = std::to_string(out.size()) + " profiles";
  audit_.append(entry);
  return out;
}

std::int64_t Cases::count() {
  auto c = db_.connection();
  return c->query_one("SELECT COUNT(*) FROM cases")->integer(0);
}

std::int64_t Cases::reencrypt(store::Connection& c, const vault::Keyring& keys) {
  std::int64_t fields = 0;
  auto again = [&](const store::Row& r, std::size_t i, const char* field) -> store::Value {
    if (r.is_null(i)) return nullptr;
    ++fields;
    return keys.encrypt(keys.decrypt(r.blob(i), field), field);
  };
  for (const auto& r :
       c.query("SELECT id, person_enc, immigration_status_enc, legs_enc FROM cases")) {
    const PersonIndexes ix =
        person_indexes(json::parse(keys.decrypt(r.blob(1), "cases.person")), keys);
    c.execute(
        "UPDATE cases SET person_enc = ?, immigration_status_enc = ?, legs_enc = ?, "
        "name_index = ?, family_name_index = ?, document_index = ? WHERE id = ?",
        {again(r, 1, "cases.person"), again(r, 2, "cases.immigration_status"),
         again(r, 3, "cases.legs"), ix.name, ix.family_name, ix.document, r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, outcome_enc FROM case_services")) {
    c.execute("UPDATE case_services SET outcome_enc = ? WHERE id = ?",
              {again(r, 1, "cases.service_outcome"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, purpose_enc FROM case_referrals")) {
    c.execute("UPDATE case_referrals SET purpose_enc = ? WHERE id = ?",
              {again(r, 1, "cases.referral_purpose"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, old_enc, new_enc FROM case_history")) {
    c.execute("UPDATE case_history SET old_enc = ?, new_enc = ? WHERE id = ?",
              {again(r, 1, "cases.history"), again(r, 2, "cases.history"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, text_enc FROM case_notes")) {
    c.execute("UPDATE case_notes SET text_enc = ? WHERE id = ?",
              {again(r, 1, "cases.note"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, note_enc FROM case_services")) {
    c.execute("UPDATE case_services SET note_enc = ? WHERE id = ?",
              {again(r, 1, "cases.service"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, note_enc FROM case_procedures")) {
    c.execute("UPDATE case_procedures SET note_enc = ? WHERE id = ?",
              {again(r, 1, "cases.procedure"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, name_enc, content_enc FROM case_attachments")) {
    c.execute(
        "UPDATE case_attachments SET name_enc = ?, content_enc = ? WHERE id = ?",
        {again(r, 1, "cases.attachment_name"), again(r, 2, "cases.attachment"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, answers_enc FROM screenings")) {
    c.execute("UPDATE screenings SET answers_enc = ? WHERE id = ?",
              {again(r, 1, "screenings.answers"), r.integer(0)});
  }
  for (const auto& r : c.query("SELECT id, facts_enc FROM classifications")) {
    c.execute("UPDATE classifications SET facts_enc = ? WHERE id = ?",
              {again(r, 1, "classifications.facts"), r.integer(0)});
  }
  return fields;
}

}  // namespace ctis::cases
