// Possible duplicates among cases: the same person identified twice (by two organisations, or
// by one under a misspelt name). See Cases::duplicates() in cases.h for the contract and
// person_match.cc for the model and the index of persons.
#include <algorithm>
#include <set>
#include <unordered_set>

#include "cases/internal.h"

namespace ctis::cases {
namespace {

using auth::Role;
using nlohmann::json;

constexpr std::size_t kCandidatesPerCase = 10;

dedup::RecordPair ordered(std::uint32_t x, std::uint32_t y) {
  return {std::min(x, y), std::max(x, y)};
}

json model_json(const PersonModel& m) {
  return {{"source", m.learned ? "learned" : "priors"},
          {"persons", m.learned ? m.model.training_records : 0}};
}

std::string pair_record(std::int64_t a, std::int64_t b) {
  return "case:" + std::to_string(std::min(a, b)) + ",case:" + std::to_string(std::max(a, b));
}

// Where the given cases sit, fresh from the database (assignments and referrals change).
std::unordered_map<std::int64_t, Placement> placements(store::Connection& c,
                                                       const std::vector<std::int64_t>& ids) {
  std::unordered_map<std::int64_t, Placement> out;
  if (ids.empty()) return out;
  std::string in;
  std::vector<store::Value> params;
  for (const auto id : ids) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  for (const auto& r : c.query(
           "SELECT id, organisation_id, assigned_to FROM cases WHERE id IN (" + in + ")", params)) {
    out[r.integer(0)] = {r.integer(1), r.opt_integer(2), {}};
  }
  for (const auto& r : c.query("SELECT case_id, to_organisation_id FROM case_referrals WHERE "
                               "consent_withdrawn_at IS NULL AND case_id IN (" +
                                   in + ")",
                               params)) {
    out[r.integer(0)].shared_with.push_back(r.integer(1));
  }
  return out;
}

// Pairs (smaller id first) already decided, among those involving the given case (0: all).
std::set<std::pair<std::int64_t, std::int64_t>> decided_pairs(store::Connection& c,
                                                              std::int64_t involving) {
  std::set<std::pair<std::int64_t, std::int64_t>> out;
  const auto rows =
      involving == 0
          ? c.query("SELECT case_a, case_b FROM case_duplicate_decisions")
          : c.query(
                "SELECT case_a, case_b FROM case_duplicate_decisions WHERE case_a = ? OR "
                "case_b = ?",
                {involving, involving});
  for (const auto& r : rows) out.emplace(r.integer(0), r.integer(1));
  return out;
}

bool reads_identifiers(const auth::Principal& by, const Placement& where) {
  return access(by, where) >= Access::enforcement;
}

void require_reviewer_role(const auth::Principal& by) {
  if (by.role != Role::coordinator && by.role != Role::caseworker &&
      by.role != Role::law_enforcement) {
    throw Error(ErrorKind::forbidden, "forbidden",
                "possible duplicates compare identifiers: coordinators, caseworkers and law "
                "enforcement only");
  }
}

}  // namespace

std::shared_ptr<PersonIndex> Cases::build_person_index(store::Connection& c) {
  auto ix = std::make_shared<PersonIndex>();
  ix->table.columns = person_match::columns();
  for (const auto& r : c.query("SELECT id, person_enc, profile FROM cases ORDER BY id")) {
    ix->row_of[r.integer(0)] = static_cast<std::uint32_t>(ix->table.rows.size());
    ix->case_ids.push_back(r.integer(0));
    ix->table.rows.push_back(person_match::row(
        json::parse(keys_->decrypt(r.blob(1), "cases.person")), json::parse(r.text(2))));
  }
  ++duplicate_cache_->stats.full_builds;
  return ix;
}

std::shared_ptr<const PersonIndex> Cases::person_index(store::Connection& c) {
  const auto sig_row =
      c.query_one("SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), 0) FROM cases");
  const PersonIndex::Signature sig{sig_row->integer(0), sig_row->integer(1), sig_row->integer(2)};
  auto& cache = *duplicate_cache_;
  const std::lock_guard lock(cache.mutex);
  if (cache.index && cache.index->signature == sig) return cache.index;
  auto& stats = cache.stats;
  std::shared_ptr<PersonIndex> ix;
  if (cache.index && sig.count >= cache.index->signature.count) {
    // Only the cases created or changed since: those with a later id, or written at or after
    // the last change seen (the same millisecond may hold more than one write).
    const auto rows = c.query(
        "SELECT id, person_enc, profile FROM cases WHERE id > ? OR updated_at >= ? "
        "ORDER BY id",
        {cache.index->signature.max_id, cache.index->signature.max_updated_at});
    // Changed in place when no reader holds it; readers keep the version they have.
    ix = cache.index.use_count() == 1 ? cache.index : std::make_shared<PersonIndex>(*cache.index);
    for (const auto& r : rows) {
      const auto scored = person_match::put(
          *ix, r.integer(0),
          person_match::row(json::parse(keys_->decrypt(r.blob(1), "cases.person")),
                            json::parse(r.text(2))));
      if (!scored) continue;
      stats.pairs_scored_incrementally += static_cast<std::int64_t>(*scored);
      ++stats.persons_reindexed;
    }
    person_match::sort_proposals(*ix);
    // A case committed late with an older id and time is not among the rows: read them all.
    if (static_cast<std::int64_t>(ix->table.size()) < sig.count) {
      ix.reset();
    } else {
      ++stats.incremental_updates;
    }
  }
  const bool full = !ix;
  if (full) ix = build_person_index(c);
  if (full || person_match::needs_new_model(*ix)) {
    if (ix->table.size() >= person_match::kMinPersonsToLearn) ++stats.model_trainings;
    ++stats.model_choices;
    ix->model = person_match::choose_model(ix->table);
    ix->changed_since_model = 0;
    person_match::rebuild(*ix);
  }
  ix->signature = sig;
  stats.learned_model = ix->model->learned;
  stats.model_persons =
      ix->model->learned ? static_cast<std::int64_t>(ix->model->model.training_records) : 0;
  stats.indexed_persons = static_cast<std::int64_t>(ix->table.size());
  cache.index = ix;
  return ix;
}

Cases::DuplicateStats Cases::duplicate_stats() const {
  const std::lock_guard lock(duplicate_cache_->mutex);
  return duplicate_cache_->stats;
}

std::vector<json> Cases::duplicate_candidates(const auth::Principal& by, store::Connection& c,
                                              const Loaded& l, std::int64_t only_other) {
  const auto ix = person_index(c);
  const auto self = ix->row_of.find(l.id);
  if (self == ix->row_of.end()) return {};
  const std::uint32_t row = self->second;
  // Rows sharing a block with this one (or just the one asked about), scored.
  std::vector<dedup::RecordPair> pairs;
  if (only_other != 0) {
    const auto other = ix->row_of.find(only_other);
    if (other != ix->row_of.end()) pairs.push_back(ordered(row, other->second));
  } else {
    std::unordered_set<std::uint32_t> seen;
    for (const auto& key : person_match::block_keys(ix->table.rows[row])) {
      const auto it = ix->blocks.find(key);
      if (it == ix->blocks.end() || it->second.size() > person_match::kMaxBlockSize) continue;
      for (const auto other : it->second) {
        if (other != row && seen.insert(other).second) pairs.push_back(ordered(row, other));
      }
    }
  }
  const auto& model = ix->model->model;
  auto scored = dedup::score_pairs(ix->table, model, pairs);
  if (only_other == 0) {
    std::erase_if(scored, [&](const dedup::ScoredPair& s) {
      return s.probability < model.settings.match_probability;
    });
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.weight > b.weight; });
  // Keep the ones the caller may read and nobody has decided on.
  std::vector<std::int64_t> others;
  others.reserve(scored.size());
  for (const auto& s : scored) {
    others.push_back(ix->case_ids[s.pair.a == row ? s.pair.b : s.pair.a]);
  }
  const auto where = placements(c, others);
  const auto decided = decided_pairs(c, only_other == 0 ? l.id : 0);
  std::vector<json> out;
  for (std::size_t i = 0; i < scored.size() && out.size() < kCandidatesPerCase; ++i) {
    const std::int64_t other = others[i];
    const auto p = where.find(other);
    if (p == where.end() || !reads_identifiers(by, p->second)) continue;
    if (only_other == 0 && decided.contains({std::min(l.id, other), std::max(l.id, other)})) {
      continue;
    }
    out.push_back({{"case_id", other},
                   {"probability", scored[i].probability},
                   {"weight", scored[i].weight},
                   {"reasons", person_match::reasons_json(model, scored[i])}});
  }
  return out;
}

namespace {

// What a reviewer compares: the identifiers and the two profile fields the model uses. Never
// the immigration status, notes or route.
json person_summary(store::Connection& c, std::int64_t id, const json& person, const json& profile,
                    const std::string& reference, const std::string& status,
                    std::int64_t organisation_id) {
  json p = json::object();
  for (const char* key : {"given_name", "family_name", "birth_date", "document_number"}) {
    if (person.contains(key)) p[key] = person[key];
  }
  json out = {{"id", id},
              {"reference", reference},
              {"status", status},
              {"organisation_id", organisation_id},
              {"person", p},
              {"gender", profile.value("gender", "")},
              {"citizenship", profile.value("citizenship", "")}};
  if (auto o = c.query_one("SELECT name FROM organisations WHERE id = ?", {organisation_id})) {
    out["organisation"] = o->text(0);
  }
  return out;
}

}  // namespace

json Cases::duplicates(const auth::Principal& by, std::int64_t id) {
  require_reviewer_role(by);
  auto c = db_.connection();
  const Loaded l = require(by, *c, id, Access::enforcement);
  auto candidates = duplicate_candidates(by, *c, l, 0);
  const auto ix = person_index(*c);
  const auto& model = ix->model->model;
  json list = json::array();
  for (auto& cand : candidates) {
    const Loaded o = load(*c, cand["case_id"].get<std::int64_t>());
    cand["case"] = person_summary(*c, o.id, o.record.person, o.record.profile, o.reference,
                                  o.status, o.placement.organisation_id);
    list.push_back(std::move(cand));
  }
  audit_.append(by.audit("case.duplicates", "case:" + std::to_string(id)));
  for (const auto& cand : list) {
    audit_.append(
        by.audit("case.duplicate_shown", pair_record(id, cand["case_id"].get<std::int64_t>())));
  }
  return {{"case", person_summary(*c, l.id, l.record.person, l.record.profile, l.reference,
                                  l.status, l.placement.organisation_id)},
          {"threshold", model.settings.match_probability},
          {"model", model_json(*ix->model)},
          {"candidates", list}};
}

json Cases::duplicate_pair(const auth::Principal& by, std::int64_t id, std::int64_t other) {
  require_reviewer_role(by);
  if (id == other) fail_invalid("/other", "a case is not a duplicate of itself");
  auto c = db_.connection();
  const Loaded l = require(by, *c, id, Access::enforcement);
  const Loaded o = require(by, *c, other, Access::enforcement);
  const auto cand = duplicate_candidates(by, *c, l, other);
  json out = {{"case", person_summary(*c, l.id, l.record.person, l.record.profile, l.reference,
                                      l.status, l.placement.organisation_id)},
              {"other", person_summary(*c, o.id, o.record.person, o.record.profile, o.reference,
                                       o.status, o.placement.organisation_id)},
              {"probability", cand.empty() ? json(nullptr) : cand[0]["probability"]},
              {"weight", cand.empty() ? json(nullptr) : cand[0]["weight"]},
              {"reasons", cand.empty() ? json::array() : cand[0]["reasons"]},
              {"decision", nullptr}};
  if (auto d = c->query_one(
          "SELECT decision, decided_by, decided_at FROM case_duplicate_decisions WHERE case_a = ? "
          "AND case_b = ?",
          {std::min(id, other), std::max(id, other)})) {
    out["decision"] = {{"decision", d->text(0)},
                       {"decided_by", d->is_null(1) ? json(nullptr) : json(d->integer(1))},
                       {"decided_at", format_iso8601(d->integer(2))}};
  }
  out["link"] = nullptr;
  if (auto k = c->query_one("SELECT linked_by, linked_at FROM case_links WHERE case_a = ? AND "
                            "case_b = ? AND unlinked_at IS NULL",
                            {std::min(id, other), std::max(id, other)})) {
    out["link"] = {{"linked_by", k->is_null(0) ? json(nullptr) : json(k->integer(0))},
                   {"linked_at", format_iso8601(k->integer(1))}};
  }
  out["may_decide"] =
      access(by, l.placement) == Access::full && access(by, o.placement) == Access::full;
  audit_.append(by.audit("case.duplicate_read", pair_record(id, other)));
  return out;
}

json Cases::duplicate_queue(const auth::Principal& by, int limit) {
  require_reviewer_role(by);
  if (limit < 1 || limit > 500) fail_invalid("/limit", "limit is between 1 and 500");
  auto c = db_.connection();
  const auto ix = person_index(*c);
  std::vector<store::Value> params;
  const std::string visible = visible_cases(by, params);
  std::unordered_set<std::int64_t> readable;
  for (const auto& r : c->query("SELECT id FROM cases WHERE " + visible, params)) {
    readable.insert(r.integer(0));
  }
  const auto decided = decided_pairs(*c, 0);
  json list = json::array();
  for (const auto& s : ix->proposals) {
    if (list.size() >= static_cast<std::size_t>(limit)) break;
    const std::int64_t a = ix->case_ids[s.pair.a], b = ix->case_ids[s.pair.b];
    if (!readable.contains(a) || !readable.contains(b)) continue;
    if (decided.contains({std::min(a, b), std::max(a, b)})) continue;
    const Loaded la = load(*c, a), lb = load(*c, b);
    // visible_cases() matches access(); the stricter check keeps analysts' profiles out.
    if (!reads_identifiers(by, la.placement) || !reads_identifiers(by, lb.placement)) continue;
    list.push_back(
        {{"case", person_summary(*c, a, la.record.person, la.record.profile, la.reference,
                                 la.status, la.placement.organisation_id)},
         {"other", person_summary(*c, b, lb.record.person, lb.record.profile, lb.reference,
                                  lb.status, lb.placement.organisation_id)},
         {"probability", s.probability},
         {"weight", s.weight},
         {"reasons", person_match::reasons_json(ix->model->model, s)}});
  }
  audit_.append(by.audit("case.duplicate_queue", ""));
  return {{"threshold", ix->model->model.settings.match_probability},
          {"model", model_json(*ix->model)},
          {"candidates", list}};
}

json Cases::decide_duplicate(const auth::Principal& by, std::int64_t id, std::int64_t other,
                             const std::string& decision) {
  if (decision != "not_duplicate" && decision != "same_person") {
    fail_invalid("/decision",
                 "decision is \"not_duplicate\" or \"same_person\", not \"" + decision + "\"");
  }
  if (id == other) fail_invalid("/other", "a case is not a duplicate of itself");
  if (by.role != Role::coordinator && by.role != Role::caseworker) {
    throw Error(ErrorKind::forbidden, "forbidden",
                "coordinators and caseworkers decide on possible duplicates");
  }
  const Millis now = now_millis();
  const std::int64_t a = std::min(id, other), b = std::max(id, other);
  {
    auto c = db_.connection();
    require(by, *c, id, Access::full);
    require(by, *c, other, Access::full);
  }
  db_.transaction([&](store::Connection& c) {
    require(by, c, id, Access::full, false);
    require(by, c, other, Access::full, false);
    c.execute("DELETE FROM case_duplicate_decisions WHERE case_a = ? AND case_b = ?", {a, b});
    c.execute(
        "INSERT INTO case_duplicate_decisions (case_a, case_b, decision, decided_by, decided_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {a, b, decision, by.user_id ? store::Value(by.user_id) : store::Value(nullptr), now});
    auto entry = by.audit("case.duplicate_decide", pair_record(a, b));
    entry.detail = decision;
    audit_.append(c, entry);
    // "same_person" links the cases; "not_duplicate" ends a link, keeping its row.
    const bool open = c.query_one(
                           "SELECT id FROM case_links WHERE case_a = ? AND case_b = ? AND "
                           "unlinked_at IS NULL",
                           {a, b})
                          .has_value();
    const store::Value author = by.user_id ? store::Value(by.user_id) : store::Value(nullptr);
    if (decision == "same_person" && !open) {
      c.execute("INSERT INTO case_links (case_a, case_b, linked_by, linked_at) VALUES (?, ?, ?, ?)",
                {a, b, author, now});
      audit_.append(c, by.audit("case.link", pair_record(a, b)));
    } else if (decision == "not_duplicate" && open) {
      c.execute(
          "UPDATE case_links SET unlinked_by = ?, unlinked_at = ? WHERE case_a = ? AND case_b = ? "
          "AND unlinked_at IS NULL",
          {author, now, a, b});
      audit_.append(c, by.audit("case.unlink", pair_record(a, b)));
    }
  });
  return {{"case_a", a},
          {"case_b", b},
          {"decision", decision},
          {"decided_by", by.user_id},
          {"decided_at", format_iso8601(now)},
          {"linked", decision == "same_person"}};
}

json Cases::linked_cases(const auth::Principal& by, store::Connection& c, std::int64_t id) {
  std::vector<std::int64_t> others;
  std::vector<store::Row> rows;
  for (auto& r : c.query(
           "SELECT case_a, case_b, linked_by, linked_at, users.username FROM case_links LEFT JOIN "
           "users ON users.id = case_links.linked_by WHERE (case_a = ? OR case_b = ?) AND "
           "unlinked_at IS NULL ORDER BY linked_at, case_links.id",
           {id, id})) {
    others.push_back(r.integer(0) == id ? r.integer(1) : r.integer(0));
    rows.push_back(std::move(r));
  }
  // Like a candidate pair: only a caller who may read the identifiers of both cases sees it.
  const auto where = placements(c, others);
  json out = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto p = where.find(others[i]);
    if (p == where.end() || !reads_identifiers(by, p->second)) continue;
    const auto ref = c.query_one("SELECT reference FROM cases WHERE id = ?", {others[i]});
    out.push_back(
        {{"case_id", others[i]},
         {"reference", ref ? json(ref->text(0)) : json(nullptr)},
         {"linked_by", rows[i].is_null(2) ? json(nullptr) : json(rows[i].integer(2))},
         {"linked_by_username", rows[i].is_null(4) ? json(nullptr) : json(rows[i].text(4))},
         {"linked_at", format_iso8601(rows[i].integer(3))}});
  }
  return out;
}

}  // namespace ctis::cases
