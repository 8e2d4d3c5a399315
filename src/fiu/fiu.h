// fiu: the FIU analysts' desk — the hits of finance scans as review items an analyst escalates
// to a goAML STR or dismisses with a reason.
//
// A scan enters the desk from the folder `ctis finance scan --data DIR` keeps (DIR/finance/scan:
// ledger.bin and hits.json), or from a bank CSV export the desk scans itself on a background
// thread (start_scan, progress through job()). Either way the ledger is stored with the scan,
// and each hit becomes an item with status new; a scan is identified by the SHA-256 of its
// ledger and hits, so loading it again adds nothing. After a load, one alert (source "finance",
// kind "red_flag") is raised per subject account whose risk score reaches
// Options::alert_min_score — once per subject and scan, however many hits name it and however
// often the scan is loaded. Alerts carry the item's record ("finance_hit:12"), never an account.
//
// escalate() builds a goAML STR from the item's subject, transactions and explanation
// (finance::goaml::subject_report), validates it against the FIU's XSD and stores it; nothing
// is stored when it does not validate. dismiss() needs a reason. Decisions are final: a second
// one is kind conflict (code "already_decided").
//
// At rest: the account and party names of items and rankings, their explanations, the ledgers
// and the STRs are encrypted with the data key (vault::Keyring); lookups by subject go through
// blind indexes. Rows an older version wrote in the clear are encrypted when a Desk is made.
// reencrypt() re-encrypts them all during a key rotation.
//
// Who: only fiu_analyst users read and decide (administrators included are refused: the items
// are financial personal data). Loading a scan folder is also open to the operator (the server
// loads the kept scan at start). Every read of items, networks, risk and reports and every
// decision is audited; a read is durable before its data is returned.
//
// Ownership: Desk keeps references to the database and audit log and a pointer to the alert
// raiser (may be null: no alerts), which must outlive it; it shares the keyring. Threads: Desk is
// thread-safe; loaded ledgers are cached and shared read-only; background scans run on threads the
// destructor joins. Errors: ctis::Error — unknown items not_found, bad input invalid naming its
// field, decisions on decided items conflict, refused roles forbidden, a missing XSD unavailable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "finance/finance.h"
#include "finance/goaml.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::fiu {

struct Options {
  long long alert_min_score = 40;         // account risk that raises an alert
  std::filesystem::path goaml_xsd;        // the FIU's goAMLSchema.xsd; empty: escalate fails
  finance::goaml::ReportSettings report;  // who reports (default: the example entity)
  std::size_t max_ledger_bytes = std::size_t{256} * 1024 * 1024;
  std::size_t max_upload_bytes = std::size_t{64} * 1024 * 1024;  // CSV for start_scan
  std::size_t max_reason_bytes = 2000;
  std::size_t max_item_transactions = 500;  // listed with an item
  std::size_t max_network_hops = 3;
  std::size_t max_network_nodes = 200;
  Options();
};

struct LoadResult {
  std::int64_t scan_id = 0;
  bool already_loaded = false;
  std::int64_t items = 0;   // hits stored now (0 when already loaded)
  std::int64_t alerts = 0;  // alerts raised now
};

struct Item {
  std::int64_t id = 0;
  std::int64_t scan_id = 0;
  std::string pattern;  // finance::to_string(Pattern)
  bool typology = false;
  std::string subject;  // the central account
  std::string party;    // its holder, may be empty
  std::vector<std::string> accounts;
  std::int64_t transaction_count = 0;
  std::optional<finance::Seconds> first_time, last_time;
  finance::Minor total_minor = 0;
  std::string explanation;
  long long subject_score = 0;
  std::string status;  // new | escalated | dismissed
  std::optional<std::int64_t> decided_by;
  std::optional<Millis> decided_at;
  std::string reason;  // dismissals
};

struct ItemTransaction {
  std::string id;
  std::optional<finance::Seconds> time;
  std::string from, to;  // empty for cash
  finance::Minor amount = 0;
  std::string currency, channel, location;
};

struct ItemDetail {
  Item item;
  nlohmann::json rule;  // the pattern's parameters (thresholds, windows) the scan used
  std::vector<ItemTransaction> transactions;  // at most Options::max_item_transactions
  bool transactions_truncated = false;
};

struct ItemFilter {
  std::string status;   // "" = any
  std::string pattern;  // "" = any
  std::optional<std::int64_t> scan_id;
  int offset = 0;
  int limit = 50;  // 1..200
};

struct ItemPage {
  std::vector<Item> items;  // highest subject score first, then id
  std::int64_t total = 0;
};

struct RiskEntry {
  int rank = 0;
  std::string account, party;  // a party's entry has no account
  long long score = 0;
  nlohmann::json reasons;               // [{"pattern", "points"}]
  std::optional<std::int64_t> item_id;  // an account's: its highest-scored item
  std::vector<std::string> accounts;    // a party's: its scored accounts
};

struct RiskRanking {
  std::optional<std::int64_t> scan_id;  // none: no scan loaded
  std::vector<RiskEntry> accounts, parties;
};

struct Decision {
  std::string action;  // "escalate" | "dismiss"
  std::string reason;  // required for dismiss
};

struct StoredReport {
  std::int64_t item_id = 0;
  std::string subject;
  std::string xml;
  Millis created_at = 0;
};

struct Job {
  std::int64_t id = 0;
  std::string state;  // running | done | failed
  std::int64_t rows = 0, bytes = 0, total_bytes = 0;
  std::optional<LoadResult> result;
  std::string error;
};

struct ScanUpload {
  std::string csv;           // the bank export
  std::string mapping_json;  // finance::ColumnMapping; "" = the shipped ctis-synthetic mapping
  std::string accounts_csv;  // optional, finance::read_accounts_csv
  std::string source;        // a name for it (file name)
};

class Desk {
 public:
  Desk(store::Database& db, std::shared_ptr<const vault::Keyring> keys, audit::AuditLog& audit,
       alerts::Raiser* alerts, Options options = {});
  ~Desk();
  Desk(const Desk&) = delete;
  Desk& operator=(const Desk&) = delete;

  // The folder a `finance scan --data` kept (ledger.bin, hits.json). A folder loaded before
  // is recognised by the stamp the load leaves in it, without reading it again.
  LoadResult load_scan_folder(const auth::Principal& by, const std::filesystem::path& folder);
  // A ledger and its hits (the hits' account and transaction ids index this ledger).
  LoadResult load_scan(const auth::Principal& by, const finance::Ledger& ledger,
                       const std::vector<finance::Hit>& hits, const std::string& source,
                       const finance::TypologyParams& typologies);

  // Checks the upload, then ingests and scans it on a thread of its own; returns the job.
  Job start_scan(const auth::Principal& by, ScanUpload upload);
  Job job(const auth::Principal& by, std::int64_t id);

  ItemPage items(const auth::Principal& by, const ItemFilter& filter);
  ItemDetail item(const auth::Principal& by, std::int64_t id);
  // The item's subject's network (or `account`'s, which must be in the item's scan).
  nlohmann::json network(const auth::Principal& by, std::int64_t item_id, std::size_t hops,
                         const std::string& account = "");
  // The account and party rankings of the newest scan (or the given one), `limit` each.
  RiskRanking risk(const auth::Principal& by, std::optional<std::int64_t> scan_id, int limit);
  Item decide(const auth::Principal& by, std::int64_t item_id, const Decision& decision);
  StoredReport report(const auth::Principal& by, std::int64_t item_id);

 private:
  struct Cached;
  std::shared_ptr<const Cached> scan_data(std::int64_t scan_id);
  std::int64_t raise_alerts(std::int64_t scan_id);
  void run_job(std::int64_t id, ScanUpload upload, const auth::Principal& by);

  store::Database& db_;
  std::shared_ptr<const vault::Keyring> keys_;
  audit::AuditLog& audit_;
  alerts::Raiser* alerts_;
  Options options_;
  std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<const Cached>> cache_;
  std::map<std::int64_t, Job> jobs_;
  std::int64_t next_job_ = 1;
  std::vector<std::thread> threads_;
};

// Key rotation: re-encrypts every sealed field and recomputes the blind indexes under the
// keyring's active key, within the caller's transaction. Returns the fields rewritten.
std::int64_t reencrypt(store::Connection& c, const vault::Keyring& keys);

// The parameters of a pattern as the scan used them, for the explanation of a hit.
nlohmann::json rule_parameters(finance::Pattern p, const finance::TypologyParams& t);

}  // namespace ctis::fiu
