// Linkage projects, uploads, matching and per-party results.
#include "exchange/exchange.h"

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <unordered_set>

#include "clk/clk.h"
#include "linkage/linkage.h"

namespace ctis::exchange {

using auth::Role;
using store::Connection;
using store::Value;

namespace {

[[noreturn]] void forbid(const std::string& why) {
  throw Error(ErrorKind::forbidden, "forbidden", why);
}

[[noreturn]] void no_such_project(std::int64_t id) {
  throw Error(ErrorKind::not_found, "not_found", "no linkage project " + std::to_string(id));
}

void require_signed_in(const auth::Principal& by) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
}

// The roles that act for a party: upload its CLKs and read its results.
bool acts_for_party(Role role) {
  return role == Role::partner || role == Role::coordinator || role == Role::analyst;
}

std::string record_of(std::int64_t id) { return "linkage_project:" + std::to_string(id); }

// An upload packed into one blob: per record a 4-byte little-endian id length, the id, then the
// CLK's bytes. One row per party keeps an upload whole (all of it stored or none).
store::Blob pack(const std::vector<std::string>& ids,
                 const std::vector<std::vector<std::uint8_t>>& clks) {
  store::Blob out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto n = static_cast<std::uint32_t>(ids[i].size());
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<std::uint8_t>(n >> (8 * b)));
    out.insert(out.end(), ids[i].begin(), ids[i].end());
    out.insert(out.end(), clks[i].begin(), clks[i].end());
  }
  return out;
}

linkage::ClkStore unpack(const store::Blob& blob, std::uint32_t bits) {
  linkage::ClkStore store(bits);
  const std::size_t clk_bytes = bits / 8;
  std::size_t at = 0;
  while (at < blob.size()) {
    if (blob.size() - at < 4) throw Error(ErrorKind::internal, "internal", "damaged upload");
    std::uint32_t n = 0;
    for (int b = 0; b < 4; ++b) n |= static_cast<std::uint32_t>(blob[at + b]) << (8 * b);
    at += 4;
    if (blob.size() - at < n + clk_bytes) {
      throw Error(ErrorKind::internal, "internal", "damaged upload");
    }
    std::string id(reinterpret_cast<const char*>(blob.data() + at), n);
    at += n;
    store.add(std::span<const std::uint8_t>(blob.data() + at, clk_bytes), std::move(id));
    at += clk_bytes;
  }
  return store;
}

struct StoredProject {
  Project project;
  std::optional<std::int64_t> created_by;
};

std::optional<StoredProject> read_project(Connection& c, std::int64_t id) {
  const auto row = c.query_one(
      "SELECT id, name, schema_json, clk_bits, threshold, status, groups_found, created_by, "
      "created_at, matched_at FROM linkage_projects WHERE id = ?",
      {id});
  if (!row) return std::nullopt;
  StoredProject s;
  Project& p = s.project;
  p.id = row->integer(0);
  p.name = row->text(1);
  p.schema_json = row->text(2);
  p.clk_bits = static_cast<std::uint32_t>(row->integer(3));
  p.threshold = row->real(4);
  p.status = row->text(5);
  p.groups = row->integer(6);
  s.created_by = row->opt_integer(7);
  p.created_at = row->integer(8);
  p.matched_at = row->opt_integer(9);
  for (const auto& r :
       c.query("SELECT p.organisation_id, o.name, p.uploaded_at, p.record_count, p.matched_count "
               "FROM linkage_parties p JOIN organisations o ON o.id = p.organisation_id "
               "WHERE p.project_id = ? ORDER BY p.party_index",
               {id})) {
    PartyStatus party;
    party.organisation_id = r.integer(0);
    party.organisation = r.text(1);
    party.uploaded_at = r.opt_integer(2);
    party.uploaded = party.uploaded_at.has_value();
    party.records = r.integer(3);
    party.matched = r.integer(4);
    p.parties.push_back(std::move(party));
  }
  return s;
}

bool is_party(const Project& p, std::int64_t organisation_id) {
  return std::any_of(p.parties.begin(), p.parties.end(), [&](const PartyStatus& party) {
    return party.organisation_id == organisation_id;
  });
}

bool may_see(const auth::Principal& by, const StoredProject& s) {
  return by.role == Role::admin || (s.created_by && *s.created_by == by.user_id) ||
         is_party(s.project, by.organisation_id);
}

// The project as a party member acting for it sees it; anyone else is refused without learning
// whether it exists.
StoredProject project_for_party(Connection& c, const auth::Principal& by, std::int64_t id) {
  require_signed_in(by);
  auto s = read_project(c, id);
  if (!s || !is_party(s->project, by.organisation_id)) no_such_project(id);
  if (!acts_for_party(by.role)) {
    forbid("only partners, coordinators and analysts act for a party of a linkage project");
  }
  return std::move(*s);
}

void check_name(const std::string& name) {
  if (name.empty() || name.size() > 200 || !valid_utf8(name)) {
    fail_invalid("/name", "a project name is 1..200 bytes of UTF-8");
  }
  if (std::any_of(name.begin(), name.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
    fail_invalid("/name", "a project name is one line without control characters");
  }
}

}  // namespace

Upload parse_clk_csv(std::string_view text) {
  Upload upload;
  upload.from_csv = true;
  std::size_t at = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") at = 3;
  std::size_t line = 0;  // data rows so far (the header is line 0)
  bool header = true;
  while (at < text.size()) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (; at < text.size(); ++at) {
      const char ch = text[at];
      if (quoted) {
        if (ch == '"' && at + 1 < text.size() && text[at + 1] == '"') {
          cells.back() += '"';
          ++at;
        } else if (ch == '"') {
          quoted = false;
        } else {
          cells.back() += ch;
        }
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        cells.emplace_back();
      } else if (ch == '\n') {
        ++at;
        break;
      } else if (ch != '\r') {
        cells.back() += ch;
      }
    }
    if (quoted) {
      fail_invalid("row " + std::to_string(line + 1), "a quoted value is not closed");
    }
    if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
    if (header) {
      header = false;
      continue;
    }
    ++line;
    if (cells.size() != 2) {
      fail_invalid("row " + std::to_string(line),
                   "expected 2 columns (rec_id,clk_base64), found " + std::to_string(cells.size()));
    }
    upload.rows.push_back({std::move(cells[0]), std::move(cells[1])});
  }
  return upload;
}

Exchange::Exchange(store::Database& db, audit::AuditLog& audit, Limits limits)
    : db_(db), audit_(audit), limits_(limits) {}

Project Exchange::create_project(const auth::Principal& by, const NewProject& np) {
  require_signed_in(by);
  if (by.role != Role::admin && by.role != Role::coordinator) {
    forbid("only administrators and coordinators create linkage projects");
  }
  check_name(np.name);
  if (np.schema_json.size() > limits_.max_schema_bytes) {
    fail_invalid("/schema", "the schema is larger than " +
                                std::to_string(limits_.max_schema_bytes) + " bytes");
  }
  clk::Schema schema;
  try {
    schema = clk::Schema::parse(np.schema_json);
  } catch (const Error& e) {
    fail_invalid("/schema", std::string("schema: ") +
                                (e.field().empty() ? "" : "field " + e.field() + ": ") + e.what());
  }
  if (schema.l % 8 != 0) fail_invalid("/schema", "schema: the CLK length l must be whole bytes");
  if (!(np.threshold > 0 && np.threshold <= 1)) {
    fail_invalid("/threshold", "the threshold is a Dice similarity in (0, 1]");
  }
  if (np.parties.size() < 2 || np.parties.size() > limits_.max_parties) {
    fail_invalid("/parties", "a project has 2 to " + std::to_string(limits_.max_parties) +
                                 " parties (organisation names)");
  }
  std::int64_t id = 0;
  db_.transaction([&](Connection& c) {
    std::vector<std::int64_t> orgs;
    for (std::size_t i = 0; i < np.parties.size(); ++i) {
      const auto row = c.query_one("SELECT id FROM organisations WHERE name = ?", {np.parties[i]});
      const std::string field = "/parties/" + std::to_string(i);
      if (!row)
        fail_invalid(field, "no organisation named \"" + np.parties[i].substr(0, 64) + "\"");
      if (std::find(orgs.begin(), orgs.end(), row->integer(0)) != orgs.end()) {
        fail_invalid(field, "\"" + np.parties[i] + "\" is listed twice");
      }
      orgs.push_back(row->integer(0));
    }
    if (by.role == Role::coordinator &&
        std::find(orgs.begin(), orgs.end(), by.organisation_id) == orgs.end()) {
      forbid("a coordinator creates linkage projects of their own organisation only");
    }
    id = c.query_one(
              "INSERT INTO linkage_projects (name, schema_json, clk_bits, threshold, status, "
              "created_by, created_at) VALUES (?, ?, ?, ?, 'waiting', ?, ?) RETURNING id",
              {np.name, np.schema_json, std::int64_t{schema.l}, np.threshold,
               by.user_id > 0 ? Value(by.user_id) : Value(nullptr), now_millis()})
             ->integer(0);
    for (std::size_t i = 0; i < orgs.size(); ++i) {
      c.execute(
          "INSERT INTO linkage_parties (project_id, organisation_id, party_index) "
          "VALUES (?, ?, ?)",
          {id, orgs[i], static_cast<std::int64_t>(i)});
    }
    auto entry = by.audit("linkage.project.create", record_of(id));
    entry.detail = std::to_string(orgs.size()) + " parties";
    audit_.append(c, entry);
  });
  return project(by, id);
}

std::vector<Project> Exchange::projects(const auth::Principal& by) {
  require_signed_in(by);
  auto lease = db_.connection();
  std::vector<Project> out;
  const auto rows =
      by.role == Role::admin
          ? lease->query("SELECT id FROM linkage_projects ORDER BY id DESC")
          : lease->query(
                "SELECT id FROM linkage_projects WHERE created_by = ? OR id IN (SELECT "
                "project_id FROM linkage_parties WHERE organisation_id = ?) ORDER BY id DESC",
                {by.user_id, by.organisation_id});
  for (const auto& r : rows) {
    if (auto s = read_project(*lease, r.integer(0))) out.push_back(std::move(s->project));
  }
  return out;
}

Project Exchange::project(const auth::Principal& by, std::int64_t id) {
  require_signed_in(by);
  auto lease = db_.connection();
  auto s = read_project(*lease, id);
  if (!s || !may_see(by, *s)) no_such_project(id);
  return std::move(s->project);
}

Project Exchange::upload(const auth::Principal& by, std::int64_t project_id, const Upload& up) {
  StoredProject s;
  {
    auto lease = db_.connection();
    s = project_for_party(*lease, by, project_id);
  }
  const auto own =
      std::find_if(s.project.parties.begin(), s.project.parties.end(),
                   [&](const PartyStatus& p) { return p.organisation_id == by.organisation_id; });
  if (own->uploaded || s.project.status != "waiting") {
    throw Error(ErrorKind::conflict, "already_uploaded",
                own->organisation + " has already uploaded its CLKs to project " +
                    std::to_string(project_id) + "; an upload cannot be replaced");
  }

  // Validate everything before writing anything.
  const auto field = [&](std::size_t i, const char* json_name, const char* csv_name) {
    return up.from_csv ? "row " + std::to_string(i + 1) + ", column " + csv_name
                       : "/clks/" + std::to_string(i) + "/" + json_name;
  };
  if (up.rows.empty()) fail_invalid(up.from_csv ? "rows" : "/clks", "the upload holds no CLKs");
  if (up.rows.size() > limits_.max_records) {
    throw Error(ErrorKind::too_large, "too_many_records",
                "an upload holds at most " + std::to_string(limits_.max_records) + " CLKs, not " +
                    std::to_string(up.rows.size()),
                up.from_csv ? "rows" : "/clks");
  }
  const std::size_t clk_bytes = s.project.clk_bits / 8;
  std::vector<std::string> ids;
  std::vector<std::vector<std::uint8_t>> clks;
  ids.reserve(up.rows.size());
  clks.reserve(up.rows.size());
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < up.rows.size(); ++i) {
    const auto& row = up.rows[i];
    if (row.id.empty() || row.id.size() > limits_.max_id_bytes || !valid_utf8(row.id)) {
      fail_invalid(field(i, "id", "rec_id"),
                   "a record id is 1.." + std::to_string(limits_.max_id_bytes) + " bytes of UTF-8");
    }
    if (!seen.insert(row.id).second) {
      fail_invalid(field(i, "id", "rec_id"), "record id \"" + row.id + "\" appears twice");
    }
    std::vector<std::uint8_t> bytes;
    try {
      bytes = ctis::from_base64(row.clk);
    } catch (const Error&) {
      fail_invalid(field(i, "clk", "clk_base64"), "the CLK is not valid base64");
    }
    if (bytes.size() != clk_bytes) {
      fail_invalid(field(i, "clk", "clk_base64"),
                   "the CLK has " + std::to_string(bytes.size() * 8) + " bits; the schema gives " +
                       std::to_string(s.project.clk_bits));
    }
    ids.push_back(row.id);
    clks.push_back(std::move(bytes));
  }
  const store::Blob packed = pack(ids, clks);

  bool everyone = false;
  db_.transaction([&](Connection& c) {
    const auto changed = c.execute(
        "UPDATE linkage_parties SET clks = ?, uploaded_at = ?, uploaded_by = ?, record_count = ? "
        "WHERE project_id = ? AND organisation_id = ? AND uploaded_at IS NULL",
        {packed, now_millis(), by.user_id > 0 ? Value(by.user_id) : Value(nullptr),
         static_cast<std::int64_t>(ids.size()), project_id, by.organisation_id});
    if (changed == 0) {
      throw Error(ErrorKind::conflict, "already_uploaded",
                  own->organisation + " has already uploaded its CLKs to project " +
                      std::to_string(project_id) + "; an upload cannot be replaced");
    }
    everyone = c.query_one(
                    "SELECT COUNT(*) FROM linkage_parties WHERE project_id = ? AND "
                    "uploaded_at IS NULL",
                    {project_id})
                   ->integer(0) == 0;
    auto entry = by.audit("linkage.upload", record_of(project_id));
    entry.detail = std::to_string(ids.size()) + " CLKs";
    audit_.append(c, entry);
  });
  if (everyone) {
    std::int64_t total = 0;
    for (const auto& p : s.project.parties) total += p.records;
    total += static_cast<std::int64_t>(ids.size());
    if (static_cast<std::size_t>(total) > limits_.match_in_background_over) {
      match_later(by, project_id);
    } else {
      match(by, project_id);
    }
  }
  auto lease = db_.connection();
  return read_project(*lease, project_id)->project;
}

void Exchange::match(const auth::Principal& by, std::int64_t project_id) {
  std::optional<StoredProject> s;
  std::vector<std::pair<std::int64_t, linkage::ClkStore>> parties;  // organisation, CLKs
  {
    auto lease = db_.connection();
    s = read_project(*lease, project_id);
    if (!s || s->project.status != "waiting") return;
    for (const auto& r :
         lease->query("SELECT organisation_id, clks FROM linkage_parties WHERE project_id = ? "
                      "ORDER BY party_index",
                      {project_id})) {
      if (r.is_null(1)) return;  // someone has not uploaded yet
      parties.emplace_back(r.integer(0), unpack(r.blob(1), s->project.clk_bits));
    }
  }

  // Groups of (party, row), from greedy one-to-one for two parties, greedy grouping for more.
  std::vector<std::vector<linkage::Record>> groups;
  const double threshold = s->project.threshold;
  if (parties.size() == 2) {
    const auto candidates = linkage::candidates(parties[0].second, parties[1].second, threshold);
    for (const auto& p : linkage::greedy_one_to_one(candidates)) {
      groups.push_back({{0, p.a}, {1, p.b}});
    }
  } else {
    std::vector<const linkage::ClkStore*> stores;
    stores.reserve(parties.size());
    for (const auto& p : parties) stores.push_back(&p.second);
    groups = linkage::greedy_multi_party(linkage::multi_party_candidates(stores, threshold));
  }
  // Group numbers in a random order: the solver's order follows similarity, which parties must
  // not learn.
  const auto seed_bytes = random_bytes(8);
  std::uint64_t seed = 0;
  std::memcpy(&seed, seed_bytes.data(), sizeof seed);
  std::mt19937_64 shuffle_rng(seed);
  std::shuffle(groups.begin(), groups.end(), shuffle_rng);

  db_.transaction([&](Connection& c) {
    // Only the first matcher stores results; a concurrent second one finds nothing to do.
    if (c.execute("UPDATE linkage_projects SET status = 'matched', groups_found = ?, "
                  "matched_at = ? WHERE id = ? AND status = 'waiting'",
                  {static_cast<std::int64_t>(groups.size()), now_millis(), project_id}) == 0) {
      return;
    }
    std::vector<std::int64_t> matched(parties.size(), 0);
    // Many rows per statement: one round trip per row is slow on PostgreSQL.
    constexpr std::size_t kRowsPerInsert = 250;
    std::vector<Value> params;
    const auto flush = [&] {
      if (params.empty()) return;
      std::string sql =
          "INSERT INTO linkage_results (project_id, organisation_id, record_id, group_number) "
          "VALUES ";
      for (std::size_t i = 0; i < params.size() / 4; ++i)
        sql += i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
      c.execute(sql, store::Params(params.data(), params.size()));
      params.clear();
    };
    for (std::size_t g = 0; g < groups.size(); ++g) {
      for (const auto& rec : groups[g]) {
        params.insert(params.end(), {Value(project_id), Value(parties[rec.party].first),
                                     Value(parties[rec.party].second.id(rec.row)),
                                     Value(static_cast<std::int64_t>(g + 1))});
        ++matched[rec.party];
        if (params.size() >= 4 * kRowsPerInsert) flush();
      }
    }
    flush();
    for (std::size_t i = 0; i < parties.size(); ++i) {
      c.execute(
          "UPDATE linkage_parties SET clks = NULL, matched_count = ? WHERE project_id = ? AND "
          "organisation_id = ?",
          {matched[i], project_id, parties[i].first});
    }
    auto entry = by.audit("linkage.match", record_of(project_id));
    entry.detail = std::to_string(groups.size()) + " groups; CLKs deleted";
    audit_.append(c, entry);
  });
}

Results Exchange::results(const auth::Principal& by, std::int64_t project_id) {
  Results out;
  out.project_id = project_id;
  {
    auto lease = db_.connection();
    const auto s = project_for_party(*lease, by, project_id);
    if (s.project.status != "matched") {
      throw Error(ErrorKind::conflict, "not_matched",
                  "project " + std::to_string(project_id) +
                      " is not matched yet: it waits for every party's upload");
    }
    for (const auto& p : s.project.parties) {
      if (p.organisation_id == by.organisation_id) out.organisation = p.organisation;
    }
    for (const auto& r :
         lease->query("SELECT record_id, group_number FROM linkage_results WHERE project_id = ? "
                      "AND organisation_id = ?",
                      {project_id, by.organisation_id})) {
      out.matches.push_back({r.text(0), r.integer(1)});
    }
  }
  // Sorted here, not in SQL: PostgreSQL's collation would order text differently from SQLite.
  std::sort(out.matches.begin(), out.matches.end(),
            [](const Match& x, const Match& y) { return x.record_id < y.record_id; });
  auto entry = by.audit("linkage.results.read", record_of(project_id));
  entry.detail = std::to_string(out.matches.size()) + " matched ids";
  audit_.append(entry);  // durable before the ids are returned
  return out;
}

std::vector<std::int64_t> Exchange::pending_projects() {
  std::vector<std::int64_t> ids;
  {
    auto lease = db_.connection();
    for (const auto& r : lease->query(
             "SELECT id FROM linkage_projects WHERE status = 'waiting' AND NOT EXISTS (SELECT 1 "
             "FROM linkage_parties p WHERE p.project_id = linkage_projects.id AND "
             "p.uploaded_at IS NULL)")) {
      ids.push_back(r.integer(0));
    }
  }
  return ids;
}

int Exchange::match_pending() {
  const auto ids = pending_projects();
  for (const auto id : ids) match(auth::operator_principal(), id);
  return static_cast<int>(ids.size());
}

int Exchange::match_pending_in_background() {
  const auto ids = pending_projects();
  for (const auto id : ids) match_later(auth::operator_principal(), id);
  return static_cast<int>(ids.size());
}

Exchange::~Exchange() {
  {
    const std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Exchange::match_later(const auth::Principal& by, std::int64_t project_id) {
  {
    const std::lock_guard lock(queue_mutex_);
    queue_.emplace_back(by, project_id);
    if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
  }
  queue_changed_.notify_all();
}

void Exchange::wait_for_background_matches() {
  std::unique_lock lock(queue_mutex_);
  queue_changed_.wait(lock, [this] { return queue_.empty() && !matching_; });
}

void Exchange::work() {
  std::unique_lock lock(queue_mutex_);
  while (true) {
    queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;  // what is queued stays pending in the database
    auto [by, project_id] = queue_.front();
    queue_.pop_front();
    matching_ = true;
    lock.unlock();
    try {
      match(by, project_id);
    } catch (const std::exception& e) {
      // The project stays waiting with every upload stored: match_pending() retries it.
      log_error("exchange: matching project " + std::to_string(project_id) +
                " failed: " + e.what());
    }
    lock.lock();
    matching_ = false;
    queue_changed_.notify_all();
  }
}

}  // namespace ctis::exchange
