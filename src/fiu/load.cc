// Loading scans into review items, and the alerts a loaded scan raises.
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "fiu/internal.h"

namespace ctis::fiu {

namespace fin = ctis::finance;
namespace fs = std::filesystem;
using nlohmann::json;
using store::Connection;
using store::Value;

namespace {

using detail::record_of;
using detail::scan_record;

std::string read_file(const fs::path& path) {
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

// A folder loaded before carries a stamp: its files' sizes and times, then the scan's digest.
// While the files still match and the digest is stored, loading again reads nothing else
// (a kept scan can be large, and the server loads it at every start). `ctis finance scan`
// replaces the folder whole, stamp included.
constexpr const char* kStampFile = ".desk-loaded";

std::string folder_signature(const fs::path& folder) {
  std::string out;
  for (const char* name : {"ledger.bin", "hits.json"}) {
    std::error_code ec;
    const auto size = fs::file_size(folder / name, ec);
    if (ec) return "";
    const auto time = fs::last_write_time(folder / name, ec);
    if (ec) return "";
    out += std::string(name) + " " + std::to_string(size) + " " +
           std::to_string(time.time_since_epoch().count()) + "\n";
  }
  return out;
}

// The digest the stamp names, when the stamp matches the folder's files.
std::optional<std::string> stamped_digest(const fs::path& folder) {
  std::ifstream in(folder / kStampFile);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  const std::string stamp = s.str();
  const std::string signature = folder_signature(folder);
  if (signature.empty() || stamp.compare(0, signature.size(), signature) != 0) return std::nullopt;
  std::string digest = stamp.substr(signature.size());
  while (!digest.empty() && (digest.back() == '\n' || digest.back() == ' ')) digest.pop_back();
  if (digest.size() != 64) return std::nullopt;
  return digest;
}

// Best effort: without a stamp the next start merely reads the folder again.
void write_stamp(const fs::path& folder, const std::string& digest) {
  const std::string signature = folder_signature(folder);
  if (signature.empty()) return;
  const fs::path temp = folder / (std::string(kStampFile) + ".tmp");
  {
    std::ofstream out(temp, std::ios::trunc);
    out << signature << digest << "\n";
    if (!out) return;
  }
  std::error_code ec;
  fs::rename(temp, folder / kStampFile, ec);
}

json reasons_json(const fin::RiskScore& score) {
  json reasons = json::array();
  for (const auto& r : score.reasons) {
    reasons.push_back({{"pattern", std::string(fin::to_string(r.pattern))}, {"points", r.points}});
  }
  return reasons;
}

std::vector<fin::Hit> read_hits(const fin::Ledger& ledger, const json& doc) {
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
  return hits;
}

}  // namespace

Options::Options() : report(fin::goaml::example_report_settings()) {}

Desk::Desk(store::Database& db, std::shared_ptr<const vault::Keyring> keys, audit::AuditLog& audit,
           alerts::Raiser* alerts, Options options)
    : db_(db),
      keys_(std::move(keys)),
      audit_(audit),
      alerts_(alerts),
      options_(std::move(options)) {
  if (!keys_) throw Error(ErrorKind::invalid, "keys", "the finance desk needs the data key");
  detail::seal_clear_rows(db_, *keys_);
}

Desk::~Desk() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
}

LoadResult Desk::load_scan_folder(const auth::Principal& by, const fs::path& folder) {
  detail::require_loader(by);
  if (const auto digest = stamped_digest(folder)) {
    std::optional<std::int64_t> id;
    {
      auto lease = db_.connection();
      if (const auto row = lease->query_one("SELECT id FROM fiu_scans WHERE digest = ?", {*digest}))
        id = row->integer(0);
    }
    if (id) {
      LoadResult r;
      r.scan_id = *id;
      r.already_loaded = true;
      r.alerts = raise_alerts(*id);
      return r;
    }
  }
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
  const std::vector<fin::Hit> hits = read_hits(ledger, doc);
  fin::TypologyParams typologies = fin::TypologyParams::defaults();
  typologies.version = doc.value("typologies_version", "");
  const LoadResult result =
      load_scan(by, ledger, hits, doc.value("source", folder.string()), typologies);
  std::string digest;
  {
    auto lease = db_.connection();
    digest =
        lease->query_one("SELECT digest FROM fiu_scans WHERE id = ?", {result.scan_id})->text(0);
  }
  write_stamp(folder, digest);
  return result;
}

LoadResult Desk::load_scan(const auth::Principal& by, const fin::Ledger& ledger,
                           const std::vector<fin::Hit>& hits, const std::string& source,
                           const fin::TypologyParams& typologies) {
  detail::require_loader(by);
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
  const vault::Keyring& keys = *keys_;

  LoadResult result;
  db_.transaction([&](Connection& c) {
    result = LoadResult{};
    if (const auto row = c.query_one("SELECT id FROM fiu_scans WHERE digest = ?", {digest})) {
      result.scan_id = row->integer(0);
      result.already_loaded = true;
      return;
    }
    result.scan_id =
        c.query_one(
             "INSERT INTO fiu_scans (digest, source, typologies_version, transaction_count, "
             "account_count, ledger, ledger_enc, loaded_by, loaded_at) VALUES (?, ?, ?, ?, ?, ?, "
             "?, ?, ?) RETURNING id",
             {digest, source.substr(0, 500), typologies.version,
              static_cast<std::int64_t>(ledger.transaction_count()),
              static_cast<std::int64_t>(ledger.account_count()), store::Blob{},
              keys.encrypt(ledger_bytes, detail::kLedgerField),
              by.user_id ? Value(by.user_id) : Value(nullptr), now_millis()})
            ->integer(0);
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const auto& h = hits[i];
      const fin::AccountId subject = h.accounts.front();
      detail::HitNames names{std::string(ledger.account_name(subject)),
                             std::string(ledger.party_name(ledger.account_party(subject))),
                             h.explanation,
                             {}};
      for (const auto a : h.accounts) names.accounts.emplace_back(ledger.account_name(a));
      c.execute(
          "INSERT INTO fiu_hits (scan_id, hit_index, pattern, subject, party, accounts_json, "
          "transactions_json, first_time, last_time, total_minor, explanation, subject_score, "
          "status, names_enc, subject_key) VALUES (?, ?, ?, '', '', '[]', ?, ?, ?, ?, '', ?, "
          "'new', ?, ?)",
          {result.scan_id, static_cast<std::int64_t>(i), std::string(fin::to_string(h.pattern)),
           json(h.transactions).dump(), opt_time(h.first_time), opt_time(h.last_time),
           std::int64_t{h.total_amount},
           static_cast<std::int64_t>(score_of.count(subject) ? score_of[subject] : 0),
           detail::seal_hit(keys, names), detail::subject_key(keys, names.subject)});
    }
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      const json reasons = reasons_json(accounts[i]);
      const auto a = static_cast<fin::AccountId>(accounts[i].id);
      const detail::RiskNames names{std::string(ledger.account_name(a)),
                                    std::string(ledger.party_name(ledger.account_party(a))),
                                    {}};
      c.execute(
          "INSERT INTO fiu_risk (scan_id, rank_number, account, party, score, reasons_json, "
          "names_enc, account_key) VALUES (?, ?, '', '', ?, ?, ?, ?)",
          {result.scan_id, static_cast<std::int64_t>(i + 1),
           static_cast<std::int64_t>(accounts[i].score), reasons.dump(),
           detail::seal_risk(keys, names), detail::subject_key(keys, names.account)});
    }
    const auto parties = fin::party_risk(ledger, accounts);
    for (std::size_t i = 0; i < parties.size(); ++i) {
      const auto party = static_cast<fin::PartyId>(parties[i].id);
      detail::RiskNames names{"", std::string(ledger.party_name(party)), {}};
      for (const auto& a : accounts) {
        const auto id = static_cast<fin::AccountId>(a.id);
        if (ledger.account_party(id) == party) names.accounts.emplace_back(ledger.account_name(id));
      }
      c.execute(
          "INSERT INTO fiu_party_risk (scan_id, rank_number, names_enc, score, reasons_json) "
          "VALUES (?, ?, ?, ?, ?)",
          {result.scan_id, static_cast<std::int64_t>(i + 1),
           detail::seal_risk(keys, names, detail::kPartyNamesField),
           static_cast<std::int64_t>(parties[i].score), reasons_json(parties[i]).dump()});
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

// Claims each alerting subject of the scan in fiu_alerted (by its blind index) before raising,
// so no subject is alerted twice for one scan, whoever loads it and however often.
std::int64_t Desk::raise_alerts(std::int64_t scan_id) {
  if (!alerts_) return 0;
  struct Subject {
    std::string key, account;
    long long score;
  };
  std::vector<Subject> subjects;
  {
    auto lease = db_.connection();
    for (const auto& r : lease->query(
             "SELECT account_key, names_enc, score FROM fiu_risk WHERE scan_id = ? AND score >= ? "
             "AND NOT EXISTS (SELECT 1 FROM fiu_alerted a WHERE a.scan_id = fiu_risk.scan_id AND "
             "a.subject = fiu_risk.account_key) ORDER BY rank_number",
             {scan_id, static_cast<std::int64_t>(options_.alert_min_score)})) {
      subjects.push_back({r.text(0), detail::open_risk(*keys_, r.blob(1)).account, r.integer(2)});
    }
  }
  std::int64_t raised = 0;
  for (const auto& s : subjects) {
    std::optional<std::int64_t> item;
    std::int64_t hit_count = 0;
    bool claimed = false;
    db_.transaction([&](Connection& c) {
      claimed = c.execute(
                    "INSERT INTO fiu_alerted (scan_id, subject) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING",
                    {scan_id, s.key}) == 1;
      const auto rows =
          c.query("SELECT id FROM fiu_hits WHERE scan_id = ? AND subject_key = ? ORDER BY id",
                  {scan_id, s.key});
      hit_count = static_cast<std::int64_t>(rows.size());
      if (!rows.empty()) item = rows.front().integer(0);
    });
    if (!claimed) continue;
    alerts::NewAlert a;
    a.source = "finance";
    a.kind = "red_flag";
    a.severity = s.score >= 2 * options_.alert_min_score ? "critical" : "warning";
    a.title = "Financial red flags: a subject scored " + std::to_string(s.score);
    a.summary = std::to_string(hit_count) + " hits name the subject as their centre in scan " +
                std::to_string(scan_id) + "; review them in the finance desk.";
    a.detail = {{"scan_id", scan_id}, {"score", s.score}, {"hits", hit_count}};
    a.record = item ? record_of(*item) : scan_record(scan_id);
    a.dedup_key = "finance:" + std::to_string(scan_id) + ":" + sha256_hex(s.account).substr(0, 16);
    const auto id = alerts_->raise(a);
    if (id) {
      ++raised;
      auto lease = db_.connection();
      lease->execute("UPDATE fiu_alerted SET alert_id = ? WHERE scan_id = ? AND subject = ?",
                     {*id, scan_id, s.key});
    }
  }
  return raised;
}

std::shared_ptr<const Desk::Cached> Desk::scan_data(std::int64_t scan_id) {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(scan_id); it != cache_.end()) return it->second;
  }
  store::Blob sealed;
  auto cached = std::make_shared<Cached>();
  {
    auto lease = db_.connection();
    const auto row = lease->query_one(
        "SELECT ledger_enc, typologies_version FROM fiu_scans WHERE id = ?", {scan_id});
    if (!row) throw Error(ErrorKind::not_found, "not_found", "no scan " + std::to_string(scan_id));
    sealed = row->blob(0);
    cached->typologies_version = row->text(1);
  }
  std::istringstream in(keys_->decrypt(sealed, detail::kLedgerField));
  cached->ledger = fin::Ledger::load(in);
  std::lock_guard lock(mutex_);
  if (cache_.size() >= 4) cache_.erase(cache_.begin());  // a few scans at a time suffice
  cache_[scan_id] = cached;
  return cached;
}

}  // namespace ctis::fiu
