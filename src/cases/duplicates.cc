// Possible duplicates among cases: the same person identified twice (by two organisations, or
// by one under a misspelt name). See Cases::duplicates() in cases.h for the contract.
//
// The model's parameters are fixed here rather than trained on the stored persons: a case
// register is small and full of near-duplicates, and EM on a few hundred records settles on
// whatever it finds; a victim must not be proposed or hidden because of who else is on file.
// m (how often a field agrees at each level for the same person) reflects data entry by
// caseworkers: names retyped, dates sometimes swapped or approximate. u (how often it agrees by
// chance for two different people) reflects name and birth-date spread in a national register.
#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_set>

#include "cases/internal.h"

namespace ctis::cases {
namespace {

using auth::Role;
using nlohmann::json;

// Columns of the person table, in order.
enum Column : std::size_t { given, family, birth, document, citizenship, gender, kColumnCount };
const std::vector<std::string> kColumnNames = {"given_name",      "family_name", "birth_date",
                                               "document_number", "citizenship", "gender"};

constexpr std::size_t kCandidatesPerCase = 10;
constexpr std::size_t kMaxBlockPairs = 2000;  // a block bigger than this is a common value

dedup::Comparison comparison(Column column, dedup::CompareKind kind,
                             std::vector<double> bands = {}) {
  dedup::Comparison c;
  c.column = kColumnNames[column];
  c.kind = kind;
  if (!bands.empty()) c.similarity_bands = std::move(bands);
  return c;
}

dedup::ComparisonModel levels(const dedup::Comparison& c, std::vector<double> m,
                              std::vector<double> u) {
  dedup::ComparisonModel cm;
  cm.level_names = dedup::level_names(c);
  cm.m = std::move(m);
  cm.u = std::move(u);
  return cm;
}

const dedup::Model& person_model() {
  static const dedup::Model model = [] {
    using dedup::CompareKind;
    dedup::Model mo;
    auto& s = mo.settings;
    s.comparisons = {comparison(given, CompareKind::jaro_winkler, {0.92, 0.8}),
                     comparison(family, CompareKind::jaro_winkler, {0.92, 0.8}),
                     comparison(birth, CompareKind::date),
                     comparison(document, CompareKind::jaro_winkler, {0.9}),
                     comparison(citizenship, CompareKind::exact),
                     comparison(gender, CompareKind::exact)};
    s.blocking_rules = {{{{kColumnNames[birth], 0}}},
                        {{{kColumnNames[family], 0}}},
                        {{{kColumnNames[given], 0}, {kColumnNames[birth], 4}}},
                        {{{kColumnNames[document], 0}}}};
    s.match_probability = 0.5;
    // Levels: null (unused), exact, bands..., different.
    mo.comparisons = {
        levels(s.comparisons[0], {0, 0.85, 0.08, 0.04, 0.03}, {0, 0.005, 0.002, 0.01, 0.983}),
        levels(s.comparisons[1], {0, 0.85, 0.08, 0.04, 0.03}, {0, 0.003, 0.002, 0.01, 0.985}),
        // exact, month/day swapped, within 31 days, same year, different
        levels(s.comparisons[2], {0, 0.90, 0.02, 0.03, 0.02, 0.03},
               {0, 0.0001, 0.0001, 0.0017, 0.017, 0.9812}),
        levels(s.comparisons[3], {0, 0.90, 0.05, 0.05}, {0, 0.00001, 0.0001, 0.99989}),
        levels(s.comparisons[4], {0, 0.97, 0.03}, {0, 0.2, 0.8}),
        levels(s.comparisons[5], {0, 0.98, 0.02}, {0, 0.5, 0.5})};
    // Among pairs that share a block (same birth date, same family name, ...) about one in a
    // hundred is the same person.
    mo.prior = 0.01;
    return mo;
  }();
  return model;
}

// Lower case, single spaces, no surrounding space: "  Amina  OKAFOR" and "amina okafor" agree.
std::string normalise_name(const std::string& text) {
  std::string out;
  bool space = false;
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isspace(u) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

// Upper case letters and digits only: "a 123-45" and "A12345" agree.
std::string normalise_document(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) != 0) out.push_back(static_cast<char>(std::toupper(u)));
  }
  return out;
}

dedup::Record person_row(const json& person, const json& profile) {
  dedup::Record r(kColumnCount);
  r[given] = normalise_name(person.value("given_name", ""));
  r[family] = normalise_name(person.value("family_name", ""));
  r[birth] = person.value("birth_date", "");
  r[document] = normalise_document(person.value("document_number", ""));
  r[citizenship] = profile.value("citizenship", "");
  r[gender] = profile.value("gender", "");
  return r;
}

// The blocks a row belongs to, as "rule index, then the key" strings; none for a missing key.
std::vector<std::string> block_keys(const dedup::Record& row) {
  std::vector<std::string> keys;
  const auto& rules = person_model().settings.blocking_rules;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    std::string key = std::to_string(r);
    bool complete = true;
    for (const auto& k : rules[r].keys) {
      const std::string& v = row[static_cast<std::size_t>(
          std::find(kColumnNames.begin(), kColumnNames.end(), k.column) - kColumnNames.begin())];
      if (v.empty()) complete = false;
      key.push_back('\x1f');
      key.append(k.prefix == 0 ? v : v.substr(0, k.prefix));
    }
    if (complete) keys.push_back(std::move(key));
  }
  return keys;
}

dedup::RecordPair ordered(std::uint32_t x, std::uint32_t y) {
  return {std::min(x, y), std::max(x, y)};
}

// The comparisons that decided a pair: nulls left out, the strongest first.
json reasons_json(const dedup::ScoredPair& scored) {
  json out = json::array();
  auto reasons = dedup::explain(person_model(), scored);
  std::erase_if(reasons, [](const dedup::Reason& r) { return r.level == "null"; });
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) {
    return std::abs(a.weight) > std::abs(b.weight);
  });
  for (const auto& r : reasons) {
    out.push_back({{"field", r.column}, {"level", r.level}, {"weight", r.weight}});
  }
  return out;
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

std::shared_ptr<const Cases::PersonIndex> Cases::person_index(store::Connection& c) {
  const auto sig_row =
      c.query_one("SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(updated_at), 0) FROM cases");
  const PersonIndex::Signature sig{sig_row->integer(0), sig_row->integer(1), sig_row->integer(2)};
  const std::lock_guard lock(duplicate_cache_->mutex);
  if (duplicate_cache_->index && duplicate_cache_->index->signature == sig) {
    return duplicate_cache_->index;
  }
  auto ix = std::make_shared<PersonIndex>();
  ix->signature = sig;
  ix->table.columns = kColumnNames;
  for (const auto& r : c.query("SELECT id, person_enc, profile FROM cases ORDER BY id")) {
    const auto row = static_cast<std::uint32_t>(ix->table.rows.size());
    ix->case_ids.push_back(r.integer(0));
    ix->row_of[r.integer(0)] = row;
    ix->table.rows.push_back(
        person_row(json::parse(keys_->decrypt(r.blob(1), "cases.person")), json::parse(r.text(2))));
    for (auto& key : block_keys(ix->table.rows.back())) ix->blocks[key].push_back(row);
  }
  // Every pair within a block once; a block of a very common value is left out.
  std::vector<dedup::RecordPair> pairs;
  for (const auto& [key, rows] : ix->blocks) {
    if (rows.size() * (rows.size() - 1) / 2 > kMaxBlockPairs * 100) continue;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      for (std::size_t j = i + 1; j < rows.size(); ++j) pairs.push_back(ordered(rows[i], rows[j]));
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return a.a < b.a || (a.a == b.a && a.b < b.b); });
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  const auto& model = person_model();
  for (auto& s : dedup::score_pairs(ix->table, model, pairs)) {
    if (s.probability >= model.settings.match_probability) ix->proposals.push_back(s);
  }
  std::stable_sort(ix->proposals.begin(), ix->proposals.end(),
                   [](const auto& a, const auto& b) { return a.weight > b.weight; });
  duplicate_cache_->index = ix;
  return ix;
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
    for (const auto& key : block_keys(ix->table.rows[row])) {
      const auto it = ix->blocks.find(key);
      if (it == ix->blocks.end() || it->second.size() > kMaxBlockPairs) continue;
      for (const auto other : it->second) {
        if (other != row && seen.insert(other).second) pairs.push_back(ordered(row, other));
      }
    }
  }
  const auto& model = person_model();
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
                   {"reasons", reasons_json(scored[i])}});
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
          {"threshold", person_model().settings.match_probability},
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
         {"reasons", reasons_json(s)}});
  }
  audit_.append(by.audit("case.duplicate_queue", ""));
  return {{"threshold", person_model().settings.match_probability}, {"candidates", list}};
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
  });
  return {{"case_a", a},
          {"case_b", b},
          {"decision", decision},
          {"decided_by", by.user_id},
          {"decided_at", format_iso8601(now)}};
}

}  // namespace ctis::cases
