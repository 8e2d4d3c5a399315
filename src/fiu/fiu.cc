// Loading scans into review items, the reads and the decisions of the FIU analysts' desk.
#include "fiu/fiu.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "core/refdata.h"

namespace ctis::fiu {

namespace fin = ctis::finance;
using auth::Role;
using nlohmann::json;
using store::Connection;
using store::Value;

struct Desk::Cached {
  fin::Ledger ledger;
  std::string typologies_version;
};

namespace {

void require_analyst(const auth::Principal& by) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
  if (by.role != Role::fiu_analyst) {
    throw Error(ErrorKind::forbidden, "forbidden", "only FIU analysts use the finance desk");
  }
}

// Scans are loaded by analysts, or by the operator at the command line (no user id).
void require_loader(const auth::Principal& by) {
  if (by.role == Role::admin && by.user_id == 0 && !by.via_token) return;
  require_analyst(by);
}

[[noreturn]] void no_such_item(std::int64_t id) {
  throw Error(ErrorKind::not_found, "not_found", "no finance item " + std::to_string(id));
}

std::string record_of(std::int64_t item) { return "finance_hit:" + std::to_string(item); }
std::string scan_record(std::int64_t scan) { return "finance_scan:" + std::to_string(scan); }

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_invalid("folder", "cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Value opt_time(fin::Seconds t) {
  if (t == fin::kNoTime) return nullptr;
  return std::int64_t{t};
}

// The hits in a fixed text form: with the ledger's bytes, what identifies a scan.
std::string hits_digest_text(const fin::Ledger& l, const std::vector<fin::Hit>& hits) {
  std::string out;
  for (const auto& h : hits) {
    out += fin::to_string(h.pattern);
    for (const auto a : h.accounts) out += "|" + std::string(l.account_name(a));
    out += "#";
    for (const auto t : h.transactions) out += std::to_string(t) + ",";
    out += h.explanation + "\n";
  }
  return out;
}

const char* kItemColumns =
    "SELECT id, scan_id, pattern, subject, party, accounts_json, transactions_json, first_time, "
    "last_time, total_minor, explanation, subject_score, status, decided_by, decided_at, reason "
    "FROM fiu_hits ";

Item item_of(const store::Row& r) {
  Item it;
  it.id = r.integer(0);
  it.scan_id = r.integer(1);
  it.pattern = r.text(2);
  if (const auto p = fin::parse_pattern(it.pattern)) it.typology = fin::is_typology(*p);
  it.subject = r.text(3);
  it.party = r.text(4);
  it.accounts = json::parse(r.text(5)).get<std::vector<std::string>>();
  it.transaction_count = static_cast<std::int64_t>(json::parse(r.text(6)).size());
  it.first_time = r.opt_integer(7);
  it.last_time = r.opt_integer(8);
  it.total_minor = r.integer(9);
  it.explanation = r.text(10);
  it.subject_score = r.integer(11);
  it.status = r.text(12);
  it.decided_by = r.opt_integer(13);
  it.decided_at = r.opt_integer(14);
  it.reason = r.opt_text(15).value_or("");
  return it;
}

std::optional<Item> find_item(Connection& c, std::int64_t id, std::string* transactions_json) {
  auto row = c.query_one(std::string(kItemColumns) + "WHERE id = ?", {id});
  if (!row) return std::nullopt;
  if (transactions_json) *transactions_json = row->text(6);
  return item_of(*row);
}

fin::Seconds now_seconds() {
  return static_cast<fin::Seconds>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
}

bool valid_reason(const std::string& reason) {
  if (!valid_utf8(reason)) return false;
  return std::any_of(reason.begin(), reason.end(),
                     [](char ch) { return ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r'; });
}

std::vector<fin::Pattern> all_patterns() {
  std::vector<fin::Pattern> out;
  for (std::size_t i = 0; i < fin::kPatternCount; ++i) out.push_back(static_cast<fin::Pattern>(i));
  return out;
}

}  // namespace

Options::Options() : report(fin::goaml::example_report_settings()) {}

Desk::Desk(store::Database& db, audit::AuditLog& audit, alerts::Raiser* alerts, Options options)
    : db_(db), audit_(audit), alerts_(alerts), options_(std::move(options)) {}

Desk::~Desk() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

LoadResult Desk::load_scan_folder(const auth::Principal& by, const std::filesystem::path& folder) {
  require_loader(by);
  const std::string ledger_bytes = read_file(folder / "ledger.bin");
  if (ledger_bytes.size() > options_.max_ledger_bytes) {
    fail_invalid("ledger.bin", "the scan's ledger is larger than the desk keeps (" +
                                   std::to_string(options_.max_ledger_bytes) + " bytes)");
  }
  std::istringstream in(ledger_bytes);
  const fin::Ledger ledger = fin::Ledger::load(in);
  const json doc = json::parse(read_file(folder / "hits.json"), nullptr, false);
  if (doc.is_discarded() || !doc.contains("hits") || !doc["hits"].is_array()) {
    fail_invalid("hits.json", "not the document `ctis finance scan` writes");
  }
  std::unordered_map<std::string, fin::TxIndex> tx_index;
  tx_index.reserve(ledger.transaction_count());
  for (fin::TxIndex t = 0; t < ledger.transaction_count(); ++t) {
    tx_index.emplace(std::string(ledger.transaction_id(t)), t);
  }
  std::vector<fin::Hit> hits;
  for (std::size_t i = 0; i < doc["hits"].size(); ++i) {
    const json& h = doc["hits"][i];
    const std::string at = "hits.json: /hits/" + std::to_string(i);
    fin::Hit hit;
    const auto pattern = fin::parse_pattern(h.value("pattern", ""));
    if (!pattern) fail_invalid(at + "/pattern", "unknown pattern");
    hit.pattern = *pattern;
    for (const auto& a : h.value("accounts", json::array())) {
      const auto id = ledger.find_account(a.get<std::string>());
      if (!id) fail_invalid(at + "/accounts", "an account the ledger lacks");
      hit.accounts.push_back(*id);
    }
    if (hit.accounts.empty()) fail_invalid(at + "/accounts", "a hit names no account");
    for (const auto& t : h.value("transactions", json::array())) {
      const auto it = tx_index.find(t.get<std::string>());
      if (it == tx_index.end())
        fail_invalid(at + "/transactions", "a transaction the ledger lacks");
      hit.transactions.push_back(it->second);
    }
    for (const auto t : hit.transactions) {
      const auto when = ledger.times()[t];
      if (when != fin::kNoTime && (hit.first_time == fin::kNoTime || when < hit.first_time))
        hit.first_time = when;
      if (when != fin::kNoTime && (hit.last_time == fin::kNoTime || when > hit.last_time))
        hit.last_time = when;
    }
    hit.total_amount = h.value("total_amount_minor", fin::Minor{0});
    hit.explanation = h.value("explanation", "");
    hits.push_back(std::move(hit));
  }
  const std::string version = doc.value("typologies_version", "");
  fin::TypologyParams typologies = fin::TypologyParams::defaults();
  typologies.version = version;
  return load_scan(by, ledger, hits, doc.value("source", folder.string()), typologies);
}

LoadResult Desk::load_scan(const auth::Principal& by, const fin::Ledger& ledger,
                           const std::vector<fin::Hit>& hits, const std::string& source,
                           const fin::TypologyParams& typologies) {
  require_loader(by);
  std::ostringstream bytes;
  ledger.save(bytes);
  const std::string ledger_bytes = bytes.str();
  if (ledger_bytes.size() > options_.max_ledger_bytes) {
    fail_invalid("ledger", "the scan's ledger is larger than the desk keeps (" +
                               std::to_string(options_.max_ledger_bytes) + " bytes)");
  }
  const std::string digest =
      sha256_hex(sha256_hex(ledger_bytes) + sha256_hex(hits_digest_text(ledger, hits)));
  const auto accounts = fin::account_risk(hits, typologies.risk);
  std::unordered_map<fin::AccountId, long long> score_of;
  for (const auto& s : accounts) score_of[s.id] = s.score;

  LoadResult result;
  db_.transaction([&](Connection& c) {
    result = LoadResult{};
    if (const auto row = c.query_one("SELECT id FROM fiu_scans WHERE digest = ?", {digest})) {
      result.scan_id = row->integer(0);
      result.already_loaded = true;
      return;
    }
    const store::Blob blob(ledger_bytes.begin(), ledger_bytes.end());
    result.scan_id =
        c.query_one(
             "INSERT INTO fiu_scans (digest, source, typologies_version, transaction_count, "
             "account_count, ledger, loaded_by, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
             "RETURNING id",
             {digest, source.substr(0, 500), typologies.version,
              static_cast<std::int64_t>(ledger.transaction_count()),
              static_cast<std::int64_t>(ledger.account_count()), blob,
              by.user_id ? Value(by.user_id) : Value(nullptr), now_millis()})
            ->integer(0);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const auto& h = hits[i];
      json names = json::array();
      for (const auto a : h.accounts) names.push_back(std::string(ledger.account_name(a)));
      const fin::AccountId subject = h.accounts.front();
      c.execute(
          "INSERT INTO fiu_hits (scan_id, hit_index, pattern, subject, party, accounts_json, "
          "transactions_json, first_time, last_time, total_minor, explanation, subject_score, "
          "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new')",
          {result.scan_id, static_cast<std::int64_t>(i), std::string(fin::to_string(h.pattern)),
           std::string(ledger.account_name(subject)),
           std::string(ledger.party_name(ledger.account_party(subject))), names.dump(),
           json(h.transactions).dump(), opt_time(h.first_time), opt_time(h.last_time),
           std::int64_t{h.total_amount}, h.explanation,
           static_cast<std::int64_t>(score_of.count(subject) ? score_of[subject] : 0)});
    }
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      json reasons = json::array();
      for (const auto& r : accounts[i].reasons) {
        reasons.push_back(
            {{"pattern", std::string(fin::to_string(r.pattern))}, {"points", r.points}});
      }
      const auto a = static_cast<fin::AccountId>(accounts[i].id);
      c.execute(
          "INSERT INTO fiu_risk (scan_id, rank_number, account, party, score, reasons_json) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {result.scan_id, static_cast<std::int64_t>(i + 1), std::string(ledger.account_name(a)),
           std::string(ledger.party_name(ledger.account_party(a))),
           static_cast<std::int64_t>(accounts[i].score), reasons.dump()});
    }
    result.items = static_cast<std::int64_t>(hits.size());
    auto entry = by.audit("finance.scan.load", scan_record(result.scan_id));
    entry.detail = std::to_string(hits.size()) + " hits over " +
                   std::to_string(ledger.transaction_count()) + " transactions";
    audit_.append(c, entry);
  });
  result.alerts = raise_alerts(result.scan_id);
  return result;
}

// Claims each alerting subject of the scan in fiu_alerted before raising, so no subject is
// alerted twice for one scan, whoever loads it and however often.
std::int64_t Desk::raise_alerts(std::int64_t scan_id) {
  if (!alerts_) return 0;
  std::vector<std::pair<std::string, long long>> subjects;
  {
    auto lease = db_.connection();
    for (const auto& r : lease->query(
             "SELECT account, score FROM fiu_risk WHERE scan_id = ? AND score >= ? AND NOT EXISTS "
             "(SELECT 1 FROM fiu_alerted a WHERE a.scan_id = fiu_risk.scan_id AND a.subject = "
             "fiu_risk.account) ORDER BY rank_number",
             {scan_id, static_cast<std::int64_t>(options_.alert_min_score)})) {
      subjects.emplace_back(r.text(0), r.integer(1));
    }
  }
  std::int64_t raised = 0;
  for (const auto& [subject, score] : subjects) {
    std::optional<std::int64_t> item;
    std::int64_t hit_count = 0;
    bool claimed = false;
    db_.transaction([&](Connection& c) {
      claimed = c.execute(
                    "INSERT INTO fiu_alerted (scan_id, subject) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    {scan_id, subject}) == 1;
      const auto rows =
          c.query("SELECT id FROM fiu_hits WHERE scan_id = ? AND subject = ? ORDER BY id",
                  {scan_id, subject});
      hit_count = static_cast<std::int64_t>(rows.size());
      if (!rows.empty()) item = rows.front().integer(0);
    });
    if (!claimed) continue;
    alerts::NewAlert a;
    a.source = "finance";
    a.kind = "red_flag";
    a.severity = score >= 2 * options_.alert_min_score ? "critical" : "warning";
    a.title = "Financial red flags: a subject scored " + std::to_string(score);
    a.summary = std::to_string(hit_count) + " hits name the subject as their centre in scan " +
                std::to_string(scan_id) + "; review them in the finance desk.";
    a.detail = {{"scan_id", scan_id}, {"score", score}, {"hits", hit_count}};
    a.record = item ? record_of(*item) : scan_record(scan_id);
    a.dedup_key = "finance:" + std::to_string(scan_id) + ":" + sha256_hex(subject).substr(0, 16);
    const auto id = alerts_->raise(a);
    if (id) {
      ++raised;
      auto lease = db_.connection();
      lease->execute("UPDATE fiu_alerted SET alert_id = ? WHERE scan_id = ? AND subject = ?",
                     {*id, scan_id, subject});
    }
  }
  return raised;
}

std::shared_ptr<const Desk::Cached> Desk::scan_data(std::int64_t scan_id) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(scan_id); it != cache_.end()) return it->second;
  }
  store::Blob blob;
  auto cached = std::make_shared<Cached>();
  {
    auto lease = db_.connection();
    const auto row = lease->query_one(
        "SELECT ledger, typologies_version FROM fiu_scans WHERE id = ?", {scan_id});
    if (!row) throw Error(ErrorKind::not_found, "not_found", "no scan " + std::to_string(scan_id));
    blob = row->blob(0);
    cached->typologies_version = row->text(1);
  }
  std::istringstream in(std::string(blob.begin(), blob.end()));
  cached->ledger = fin::Ledger::load(in);
  std::lock_guard lock(mutex_);
  if (cache_.size() >= 4) cache_.erase(cache_.begin());  // a few scans at a time suffice
  cache_[scan_id] = cached;
  return cached;
}

ItemPage Desk::items(const auth::Principal& by, const ItemFilter& f) {
  require_analyst(by);
  if (!f.status.empty() && f.status != "new" && f.status != "escalated" && f.status != "dismissed")
    fail_invalid("status", "status is new, escalated or dismissed");
  if (!f.pattern.empty() && !fin::parse_pattern(f.pattern))
    fail_invalid("typology", "unknown pattern \"" + f.pattern + "\"");
  if (f.limit < 1 || f.limit > 200) fail_invalid("limit", "limit is 1..200");
  if (f.offset < 0) fail_invalid("offset", "offset is 0 or more");
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  if (!f.status.empty()) {
    where += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (!f.pattern.empty()) {
    where += " AND pattern = ?";
    params.emplace_back(f.pattern);
  }
  if (f.scan_id) {
    where += " AND scan_id = ?";
    params.emplace_back(*f.scan_id);
  }
  ItemPage page;
  {
    auto lease = db_.connection();
    page.total = lease->query("SELECT COUNT(*) FROM fiu_hits " + where, params).at(0).integer(0);
    params.emplace_back(std::int64_t{f.limit});
    params.emplace_back(std::int64_t{f.offset});
    for (const auto& r : lease->query(std::string(kItemColumns) + where +
                                          " ORDER BY subject_score DESC, id LIMIT ? OFFSET ?",
                                      params)) {
      page.items.push_back(item_of(r));
    }
  }
  auto entry = by.audit("finance.items.read", "");
  entry.detail = std::to_string(page.items.size()) + " of " + std::to_string(page.total);
  audit_.append(entry);
  return page;
}

ItemDetail Desk::item(const auth::Principal& by, std::int64_t id) {
  require_analyst(by);
  std::string tx_json;
  std::optional<Item> found;
  {
    auto lease = db_.connection();
    found = find_item(*lease, id, &tx_json);
  }
  if (!found) no_such_item(id);
  ItemDetail d;
  d.item = std::move(*found);
  const auto data = scan_data(d.item.scan_id);
  const fin::Ledger& l = data->ledger;
  const auto txs = json::parse(tx_json).get<std::vector<fin::TxIndex>>();
  for (const auto t : txs) {
    if (d.transactions.size() >= options_.max_item_transactions) {
      d.transactions_truncated = true;
      break;
    }
    if (t >= l.transaction_count()) continue;
    const auto tx = l.transaction(t);
    ItemTransaction out;
    out.id = tx.id;
    if (tx.time != fin::kNoTime) out.time = tx.time;
    out.from = tx.from;
    out.to = tx.to;
    out.amount = tx.amount;
    out.currency = tx.currency;
    out.channel = std::string(fin::to_string(tx.channel));
    out.location = tx.location;
    d.transactions.push_back(std::move(out));
  }
  if (const auto p = fin::parse_pattern(d.item.pattern)) {
    const auto& defaults = fin::TypologyParams::defaults();
    if (data->typologies_version == defaults.version || !fin::is_typology(*p)) {
      d.rule = rule_parameters(*p, defaults);
    } else {
      d.rule = {{"pattern", d.item.pattern},
                {"typologies_version", data->typologies_version},
                {"note", "the scan used its own parameter file"}};
    }
  }
  audit_.append(by.audit("finance.item.read", record_of(id)));
  return d;
}

json Desk::network(const auth::Principal& by, std::int64_t item_id, std::size_t hops,
                   const std::string& account) {
  require_analyst(by);
  if (hops < 1 || hops > options_.max_network_hops) {
    fail_invalid("hops", "hops is 1.." + std::to_string(options_.max_network_hops));
  }
  std::optional<Item> found;
  {
    auto lease = db_.connection();
    found = find_item(*lease, item_id, nullptr);
  }
  if (!found) no_such_item(item_id);
  const auto data = scan_data(found->scan_id);
  const std::string& centre = account.empty() ? found->subject : account;
  const auto id = data->ledger.find_account(centre);
  if (!id) {
    throw Error(ErrorKind::not_found, "not_found", "no such account in the item's scan", "account");
  }
  fin::NetworkParams p;
  p.hops = hops;
  p.max_nodes = options_.max_network_nodes;
  const auto n = fin::network(data->ledger, *id, p);
  json out = json::parse(fin::network_json(data->ledger, n));
  out["item_id"] = item_id;
  out["hops"] = hops;
  auto entry = by.audit("finance.network.read", record_of(item_id));
  entry.detail = std::to_string(n.nodes.size()) + " accounts, " + std::to_string(hops) + " hops";
  audit_.append(entry);
  return out;
}

std::vector<RiskEntry> Desk::risk(const auth::Principal& by, std::optional<std::int64_t> scan_id,
                                  int limit) {
  require_analyst(by);
  if (limit < 1 || limit > 500) fail_invalid("limit", "limit is 1..500");
  std::vector<RiskEntry> out;
  {
    auto lease = db_.connection();
    if (!scan_id) {
      const auto row = lease->query_one("SELECT MAX(id) FROM fiu_scans");
      if (!row || row->is_null(0)) return out;
      scan_id = row->integer(0);
    }
    for (const auto& r :
         lease->query("SELECT rank_number, account, party, score, reasons_json FROM fiu_risk WHERE "
                      "scan_id = ? ORDER BY rank_number LIMIT ?",
                      {*scan_id, std::int64_t{limit}})) {
      out.push_back({static_cast<int>(r.integer(0)), r.text(1), r.text(2), r.integer(3),
                     json::parse(r.text(4))});
    }
  }
  auto entry = by.audit("finance.risk.read", scan_record(*scan_id));
  entry.detail = std::to_string(out.size()) + " accounts";
  audit_.append(entry);
  return out;
}

Item Desk::decide(const auth::Principal& by, std::int64_t item_id, const Decision& decision) {
  require_analyst(by);
  if (decision.action != "escalate" && decision.action != "dismiss") {
    fail_invalid("action", "action is escalate or dismiss");
  }
  if (decision.action == "dismiss") {
    if (!valid_reason(decision.reason)) fail_invalid("reason", "a dismissal needs a reason");
    if (decision.reason.size() > options_.max_reason_bytes) {
      fail_invalid("reason",
                   "a reason is at most " + std::to_string(options_.max_reason_bytes) + " bytes");
    }
  } else if (!decision.reason.empty()) {
    fail_invalid("reason", "an escalation takes no reason: the STR's narrative says why");
  }
  std::string tx_json;
  std::optional<Item> found;
  {
    auto lease = db_.connection();
    found = find_item(*lease, item_id, &tx_json);
  }
  if (!found) no_such_item(item_id);
  if (found->status != "new") {
    throw Error(ErrorKind::conflict, "already_decided",
                "item " + std::to_string(item_id) + " is already " + found->status);
  }
  std::string xml;
  if (decision.action == "escalate") {
    if (options_.goaml_xsd.empty()) {
      throw Error(ErrorKind::unavailable, "goaml_xsd",
                  "no goAML schema is configured: an STR cannot be validated, so none is made");
    }
    const auto data = scan_data(found->scan_id);
    const fin::Ledger& l = data->ledger;
    fin::Hit hit;
    hit.pattern = fin::parse_pattern(found->pattern).value_or(fin::Pattern::fan_in);
    for (const auto& a : found->accounts) {
      if (const auto id = l.find_account(a)) hit.accounts.push_back(*id);
    }
    hit.transactions = json::parse(tx_json).get<std::vector<fin::TxIndex>>();
    hit.explanation = found->explanation;
    hit.total_amount = found->total_minor;
    const auto subject = l.find_account(found->subject);
    if (!subject) fail_invalid("subject", "the item's subject is not in its scan's ledger");
    const auto schema = fin::goaml::GoamlSchema::load(options_.goaml_xsd);
    const auto report = fin::goaml::subject_report(
        l, *subject, std::span(&hit, 1), found->subject_score, options_.report, now_seconds());
    xml = fin::goaml::write_goaml(report, schema);  // throws unless it validates
  }
  const Millis now = now_millis();
  db_.transaction([&](Connection& c) {
    const auto changed = c.execute(
        "UPDATE fiu_hits SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? "
        "AND status = 'new'",
        {decision.action == "escalate" ? "escalated" : "dismissed", by.user_id, now,
         decision.action == "dismiss" ? Value(decision.reason) : Value(nullptr), item_id});
    if (changed != 1) {
      throw Error(ErrorKind::conflict, "already_decided",
                  "item " + std::to_string(item_id) + " was decided meanwhile");
    }
    if (!xml.empty()) {
      c.execute("INSERT INTO fiu_reports (hit_id, xml, created_by, created_at) VALUES (?, ?, ?, ?)",
                {item_id, xml, by.user_id, now});
    }
    auto entry = by.audit("finance.item." + decision.action, record_of(item_id));
    entry.detail = decision.action == "escalate" ? "goAML STR stored, validated" : "dismissed";
    audit_.append(c, entry);
  });
  auto lease = db_.connection();
  return *find_item(*lease, item_id, nullptr);
}

StoredReport Desk::report(const auth::Principal& by, std::int64_t item_id) {
  require_analyst(by);
  StoredReport out;
  {
    auto lease = db_.connection();
    const auto item = find_item(*lease, item_id, nullptr);
    if (!item) no_such_item(item_id);
    const auto row =
        lease->query_one("SELECT xml, created_at FROM fiu_reports WHERE hit_id = ?", {item_id});
    if (!row) {
      throw Error(ErrorKind::not_found, "not_found",
                  "item " + std::to_string(item_id) + " has no STR: it is " + item->status);
    }
    out.item_id = item_id;
    out.subject = item->subject;
    out.xml = row->text(0);
    out.created_at = row->integer(1);
  }
  audit_.append(by.audit("finance.report.read", record_of(item_id)));
  return out;
}

Job Desk::start_scan(const auth::Principal& by, ScanUpload upload) {
  require_analyst(by);
  if (upload.csv.empty()) fail_invalid("csv", "the bank export is empty");
  if (upload.csv.size() + upload.accounts_csv.size() > options_.max_upload_bytes) {
    throw Error(ErrorKind::too_large, "too_large",
                "the upload is larger than " + std::to_string(options_.max_upload_bytes) + " bytes",
                "csv");
  }
  if (upload.mapping_json.empty()) {
    const auto it = reference_files().find("finance/mappings/ctis-synthetic.json");
    if (it == reference_files().end())
      throw Error(ErrorKind::unavailable, "mapping", "the shipped mapping is not compiled in");
    upload.mapping_json = std::string(it->second);
  }
  (void)fin::ColumnMapping::from_json(upload.mapping_json);  // bad mappings fail now, not later
  if (upload.source.empty()) upload.source = "upload";
  Job job;
  {
    std::lock_guard lock(mutex_);
    job.id = next_job_++;
    job.state = "running";
    job.total_bytes = static_cast<std::int64_t>(upload.csv.size());
    jobs_[job.id] = job;
    threads_.emplace_back(&Desk::run_job, this, job.id, std::move(upload), by);
  }
  auto entry = by.audit("finance.scan.start", "");
  entry.detail =
      "job " + std::to_string(job.id) + ", " + std::to_string(job.total_bytes) + " bytes";
  audit_.append(entry);
  return job;
}

void Desk::run_job(std::int64_t id, ScanUpload upload, auth::Principal by) {
  auto update = [this, id](const std::function<void(Job&)>& fn) {
    std::lock_guard lock(mutex_);
    fn(jobs_[id]);
  };
  try {
    const auto mapping = fin::ColumnMapping::from_json(upload.mapping_json);
    std::vector<fin::AccountRecord> accounts;
    if (!upload.accounts_csv.empty()) {
      std::istringstream in(upload.accounts_csv);
      accounts = fin::read_accounts_csv(in);
    }
    fin::IngestOptions io;
    io.progress_every = 5000;
    io.progress = [&update](std::size_t rows, std::size_t bytes) {
      update([&](Job& j) {
        j.rows = static_cast<std::int64_t>(rows);
        j.bytes = static_cast<std::int64_t>(bytes);
      });
    };
    std::istringstream in(std::move(upload.csv));
    fin::IngestReport report;
    const fin::Ledger ledger = fin::ingest_csv(in, mapping, io, &report, accounts);
    update([&](Job& j) {
      j.rows = static_cast<std::int64_t>(report.rows);
      j.bytes = j.total_bytes;
    });
    const auto& typologies = fin::TypologyParams::defaults();
    std::vector<fin::Hit> hits;
    for (const auto p : all_patterns()) {
      if (fin::is_typology(p) && !ledger.timed()) continue;
      auto found = fin::run_pattern(ledger, p, typologies);
      for (auto& h : found) hits.push_back(std::move(h));
    }
    const auto result = load_scan(by, ledger, hits, upload.source, typologies);
    update([&](Job& j) {
      j.state = "done";
      j.result = result;
    });
  } catch (const std::exception& e) {
    update([&](Job& j) {
      j.state = "failed";
      j.error = e.what();
    });
  }
}

Job Desk::job(const auth::Principal& by, std::int64_t id) {
  require_analyst(by);
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    throw Error(ErrorKind::not_found, "not_found", "no scan job " + std::to_string(id));
  }
  return it->second;
}

}  // namespace ctis::fiu
