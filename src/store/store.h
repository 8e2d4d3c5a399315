// store: the one way CTIS talks to its database, SQLite (embedded default) or PostgreSQL.
//
// Database::open() takes a URL: "sqlite:/path/to/file.db" (or a bare path) or
// "postgresql://user@host:port/db". SQL is written once, with "?" placeholders, in the subset
// both engines share (INSERT ... RETURNING included); the PostgreSQL backend rewrites "?" to
// "$n". Integers are 64-bit, text is UTF-8, blobs are bytes (BYTEA on PostgreSQL).
//
// Threads: a Database is thread-safe and owns a pool of connections. A Connection (borrowed
// through a Lease or a transaction) is used by one thread at a time.
//
// Errors: every failure is a ctis::Error. Unique/foreign-key violations are kind conflict
// (code "conflict"); an unreachable, locked, missing or corrupt database is kind unavailable
// (code "store_unavailable"); a SQL mistake is kind internal.
//
// Durability: SQLite runs in WAL mode with foreign keys on, a busy timeout, and
// synchronous=FULL unless Options::synchronous says otherwise; a commit that returned is on disk.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/core.h"

namespace ctis::store {

using Blob = std::vector<std::uint8_t>;
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

enum class Dialect { sqlite, postgresql };

// One result row. Accessors throw Error(internal) on a type mismatch or a NULL.
struct Row {
  std::vector<Value> values;

  std::size_t size() const { return values.size(); }
  bool is_null(std::size_t i) const;
  std::int64_t integer(std::size_t i) const;
  double real(std::size_t i) const;
  const std::string& text(std::size_t i) const;
  const Blob& blob(std::size_t i) const;
  std::optional<std::int64_t> opt_integer(std::size_t i) const;
  std::optional<std::string> opt_text(std::size_t i) const;
};

using Params = std::span<const Value>;

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one statement and returns its rows (empty for statements without results).
  virtual std::vector<Row> query(std::string_view sql, Params params = {}) = 0;
  // Runs one statement and returns the number of rows it changed.
  virtual std::int64_t execute(std::string_view sql, Params params = {}) = 0;
  // Runs several ";"-separated statements without parameters (migrations).
  virtual void execute_script(std::string_view sql) = 0;
  virtual Dialect dialect() const = 0;

  // Convenience: query with an initializer list, and the first row if any.
  std::vector<Row> query(std::string_view sql, std::initializer_list<Value> params) {
    return query(sql, Params(params.begin(), params.size()));
  }
  std::int64_t execute(std::string_view sql, std::initializer_list<Value> params) {
    return execute(sql, Params(params.begin(), params.size()));
  }
  std::optional<Row> query_one(std::string_view sql, std::initializer_list<Value> params = {}) {
    auto rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
};

struct Options {
  std::string url;                // see above
  int pool_size = 8;              // connections kept open
  int busy_timeout_ms = 5000;     // SQLite: wait this long for a lock before failing
  bool synchronous_full = true;   // SQLite: synchronous=FULL (acknowledged writes are durable)
  bool create_if_missing = true;  // SQLite: create the file; false makes a missing file an error
};

struct PoolStats {
  int size = 0;            // connections open
  int in_use = 0;          // leased now
  std::int64_t waits = 0;  // times a caller had to wait for a free connection
};

class Database;

// A borrowed connection, returned to the pool when the lease ends.
class Lease {
 public:
  Lease(Database* db, std::unique_ptr<Connection> conn);
  Lease(Lease&&) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

 private:
  Database* db_;
  std::unique_ptr<Connection> conn_;
};

class Database {
 public:
  // Opens (and for SQLite, creates unless told not to) the database and checks it answers.
  static std::unique_ptr<Database> open(const Options& options);
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;
  // Borrows a connection, waiting if all are in use.
  virtual Lease connection() = 0;
  // Runs fn inside one transaction (SQLite: BEGIN IMMEDIATE) and commits; rolls back and
  // rethrows if fn throws. Retries the whole of fn a few times on SQLite busy / PostgreSQL
  // serialization failures, so fn must have no effects outside the database.
  void transaction(const std::function<void(Connection&)>& fn);
  // True when a trivial query succeeds.
  virtual bool ping() = 0;
  virtual PoolStats stats() const = 0;
  // Human-readable URL with any password masked.
  virtual std::string describe() const = 0;

 protected:
  friend class Lease;
  virtual void give_back(std::unique_ptr<Connection> conn) = 0;
};

// Versioned, checksummed, forward-only migrations shared by both backends (files in
// src/store/migrations/, compiled in). A file may hold "-- dialect: sqlite" and
// "-- dialect: postgresql" sections for the few statements that differ; text before the first
// such marker applies to both.
struct Migration {
  int version;
  std::string name;
  std::string sql;  // whole file text; its SHA-256 is the checksum
};
const std::vector<Migration>& builtin_migrations();

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // "0001_platform"
};
// Applies pending migrations, each in its own transaction, recording version, name, checksum
// and time in schema_migrations. Throws Error(conflict, "migration_checksum") if an applied
// migration's file changed, and Error(conflict, "migration_unknown") if the database is newer
// than this program.
MigrationReport migrate(Database& db, const std::vector<Migration>& migrations);
// The highest applied version, 0 for an empty database.
int schema_version(Database& db);

// Consistent online copy of the database to a file (SQLite backup API; PostgreSQL: pg_dump
// is the operator's tool, and this throws Error(invalid, "backup_unsupported")).
void backup(Database& db, const std::string& destination_path);

}  // namespace ctis::store
