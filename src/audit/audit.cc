#include "audit/audit.h"

#include <string_view>

namespace ctis::audit {
namespace {

const std::string kGenesis(64, '0');

void lock_chain(store::Connection& conn) {
  // SQLite transactions here are BEGIN IMMEDIATE, which already serialises writers. PostgreSQL
  // needs an explicit lock so two appenders never read the same "last hash".
  if (conn.dialect() == store::Dialect::postgresql) {
    conn.query("SELECT pg_advisory_xact_lock(7357001)");
  }
}

std::optional<std::int64_t> opt_int(const store::Row& row, std::size_t i) {
  return row.opt_integer(i);
}

StoredEntry from_row(const store::Row& r) {
  StoredEntry e;
  e.seq = r.integer(0);
  e.at = r.integer(1);
  e.actor = r.text(2);
  e.actor_id = opt_int(r, 3);
  e.role = r.text(4);
  e.action = r.text(5);
  e.record = r.text(6);
  e.outcome = r.text(7);
  e.detail = r.text(8);
  e.prev_hash = r.text(9);
  e.hash = r.text(10);
  return e;
}

constexpr std::string_view kColumns =
    "seq, at, actor, actor_id, role, action, record, outcome, detail, prev_hash, hash";

}  // namespace

std::string entry_hash(const StoredEntry& e) {
  // Fields separated by a byte that cannot appear in them unescaped (unit separator), each
  // length-prefixed so no two different entries serialise alike.
  std::string s;
  auto add = [&](std::string_view v) {
    s += std::to_string(v.size());
    s += ':';
    s += v;
    s += '\x1f';
  };
  add(e.prev_hash);
  add(std::to_string(e.seq));
  add(std::to_string(e.at));
  add(e.actor);
  add(e.actor_id ? std::to_string(*e.actor_id) : "");
  add(e.role);
  add(e.action);
  add(e.record);
  add(e.outcome);
  add(e.detail);
  return sha256_hex(s);
}

struct AuditLog::Batch {
  std::vector<Entry> entries;
  bool done = false;
  std::exception_ptr error;
  std::condition_variable finished;
};

AuditLog::AuditLog(store::Database& db) : db_(db), open_batch_(std::make_shared<Batch>()) {}

void AuditLog::append(store::Connection& conn, const Entry& entry) {
  lock_chain(conn);
  StoredEntry e;
  static_cast<Entry&>(e) = entry;
  auto last = conn.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  e.seq = last ? last->integer(0) + 1 : 1;
  e.prev_hash = last ? last->text(1) : kGenesis;
  e.at = now_millis();
  e.hash = entry_hash(e);
  conn.execute(
      "INSERT INTO audit_log (seq, at, actor, actor_id, role, action, record, outcome, detail, "
      "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.seq, e.at, e.actor, e.actor_id ? store::Value(*e.actor_id) : store::Value(nullptr), e.role,
       e.action, e.record, e.outcome, e.detail, e.prev_hash, e.hash});
}

void AuditLog::append(const Entry& entry) {
  // Group commit: whoever finds no commit in progress becomes the leader and writes every
  // entry queued so far in one transaction; the others wait for their batch to be done.
  std::unique_lock lock(mutex_);
  std::shared_ptr<Batch> mine = open_batch_;
  mine->entries.push_back(entry);
  while (!mine->done) {
    if (leader_busy_) {
      mine->finished.wait(lock);
      continue;
    }
    leader_busy_ = true;
    std::shared_ptr<Batch> batch = open_batch_;
    open_batch_ = std::make_shared<Batch>();
    lock.unlock();
    try {
      db_.transaction([&](store::Connection& conn) {
        for (const auto& e : batch->entries) append(conn, e);
      });
    } catch (...) {
      batch->error = std::current_exception();
    }
    lock.lock();
    batch->done = true;
    leader_busy_ = false;
    batch->finished.notify_all();
    // Wake one waiter of the next batch so it can lead.
    open_batch_->finished.notify_all();
  }
  if (mine->error) std::rethrow_exception(mine->error);
}

Verification AuditLog::verify() {
  Verification v;
  auto conn = db_.connection();
  std::string prev = kGenesis;
  std::int64_t expected_seq = 1;
  const int page = 5000;
  for (;;) {
    const auto rows = conn->query(
        "SELECT " + std::string(kColumns) + " FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?",
        {expected_seq, std::int64_t{page}});
    for (const auto& row : rows) {
      const StoredEntry e = from_row(row);
      ++v.entries;
      auto broken = [&](std::string reason) {
        v.ok = false;
        v.first_broken = e.seq;
        v.reason = std::move(reason);
      };
      if (e.seq != expected_seq) {
        broken("entry " + std::to_string(expected_seq) + " is missing");
        v.first_broken = expected_seq;
      } else if (e.prev_hash != prev) {
        broken("does not link to the entry before it");
      } else if (entry_hash(e) != e.hash) {
        broken("its contents do not match its hash");
      }
      if (!v.ok) return v;
      prev = e.hash;
      v.last_hash = e.hash;
      ++expected_seq;
    }
    if (rows.size() < static_cast<std::size_t>(page)) break;
  }
  return v;
}

std::vector<StoredEntry> AuditLog::list(std::int64_t before_seq, int limit,
                                        const std::string& record_filter) {
  auto conn = db_.connection();
  const std::int64_t before = before_seq > 0 ? before_seq : INT64_MAX;
  std::vector<store::Row> rows;
  if (record_filter.empty()) {
    rows = conn->query("SELECT " + std::string(kColumns) +
                           " FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?",
                       {before, std::int64_t{limit}});
  } else {
    rows = conn->query("SELECT " + std::string(kColumns) +
                           " FROM audit_log WHERE seq < ? AND record = ? ORDER BY seq DESC LIMIT ?",
                       {before, record_filter, std::int64_t{limit}});
  }
  std::vector<StoredEntry> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(from_row(r));
  return out;
}

std::int64_t AuditLog::count() {
  auto conn = db_.connection();
  return conn->query_one("SELECT COUNT(*) FROM audit_log")->integer(0);
}

}  // namespace ctis::audit
