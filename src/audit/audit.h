// audit: the append-only, hash-chained record of who did what to which record, and how it went.
//
// Every write, every read of personal data, every sign-in and every export appends one Entry.
// Each stored entry carries the SHA-256 of the entry before it, so removing or editing any
// entry breaks the chain from that point; verify() finds the first broken link. The table is
// append-only in the database too (triggers refuse UPDATE, DELETE and TRUNCATE).
//
// Two ways to append:
//  - append(conn, entry) inside the caller's transaction, so a write and its audit entry
//    commit together or not at all;
//  - append(entry) on its own, for reads: it returns once the entry is durable. Concurrent
//    callers share one transaction (group commit), so auditing every read stays cheap.
//
// Threads: AuditLog is thread-safe. Errors: ctis::Error from the store; a caller that cannot
// audit must not go on to return the data.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace ctis::audit {

struct Entry {
  std::string actor;  // username, "anonymous" or "cli:<os user>"
  std::optional<std::int64_t> actor_id;
  std::string role;            // "admin", ... or "public"
  std::string action;          // "user.read", "auth.login", "token.create", ...
  std::string record;          // "user:12", "" when none
  std::string outcome = "ok";  // "ok", "denied", "failed", "not_found"
  std::string detail;          // short, no personal data or secrets
};

struct StoredEntry : Entry {
  std::int64_t seq = 0;
  Millis at = 0;
  std::string prev_hash;
  std::string hash;
};

struct Verification {
  bool ok = true;
  std::int64_t entries = 0;       // entries checked
  std::int64_t first_broken = 0;  // seq of the first entry whose link fails, 0 when ok
  std::string reason;             // what failed there
  std::string last_hash;          // hash of the last entry checked
};

class AuditLog {
 public:
  explicit AuditLog(store::Database& db);

  void append(store::Connection& conn, const Entry& entry);
  void append(const Entry& entry);

  Verification verify();
  // Newest first, at most limit, before the given seq (0: from the newest).
  std::vector<StoredEntry> list(std::int64_t before_seq, int limit,
                                const std::string& record_filter = "");
  std::int64_t count();

 private:
  struct Batch;
  store::Database& db_;
  std::mutex mutex_;
  bool leader_busy_ = false;
  std::shared_ptr<Batch> open_batch_;
};

// The hash that links an entry into the chain; exposed for tests and external verifiers.
std::string entry_hash(const StoredEntry& entry);

}  // namespace ctis::audit
