// Backend-independent parts of store: rows, leases, the pool, transactions, open().
#include "store/store.h"

#include <chrono>
#include <cmath>
#include <thread>

#include "store/internal.h"
#include "store/postgres.h"
#include "store/sqlite.h"

namespace ctis::store {

namespace {

[[noreturn]] void fail_column(std::size_t i, const char* what) {
  throw Error(ErrorKind::internal, "store_type", "column " + std::to_string(i) + " is " + what);
}

const Value& column(const Row& row, std::size_t i) {
  if (i >= row.values.size()) fail_column(i, "out of range");
  return row.values[i];
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool Row::is_null(std::size_t i) const {
  return std::holds_alternative<std::nullptr_t>(column(*this, i));
}

std::int64_t Row::integer(std::size_t i) const {
  const auto& v = column(*this, i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  // PostgreSQL returns SUM(bigint) and the like as numeric, which arrives as a double.
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::trunc(*d) == *d && std::abs(*d) < 9.2e18) return static_cast<std::int64_t>(*d);
  }
  fail_column(i, is_null(i) ? "NULL, not an integer" : "not an integer");
}

double Row::real(std::size_t i) const {
  const auto& v = column(*this, i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  fail_column(i, is_null(i) ? "NULL, not a number" : "not a number");
}

const std::string& Row::text(std::size_t i) const {
  const auto& v = column(*this, i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  fail_column(i, is_null(i) ? "NULL, not text" : "not text");
}

const Blob& Row::blob(std::size_t i) const {
  const auto& v = column(*this, i);
  if (const auto* b = std::get_if<Blob>(&v)) return *b;
  fail_column(i, is_null(i) ? "NULL, not a blob" : "not a blob");
}

std::optional<std::int64_t> Row::opt_integer(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return integer(i);
}

std::optional<std::string> Row::opt_text(std::size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

Lease::Lease(Database* db, std::unique_ptr<Connection> conn) : db_(db), conn_(std::move(conn)) {}

Lease::Lease(Lease&& other) noexcept : db_(other.db_), conn_(std::move(other.conn_)) {}

Lease::~Lease() {
  if (conn_) db_->give_back(std::move(conn_));
}

std::unique_ptr<Database> Database::open(const Options& options) {
  if (options.url.empty()) fail_invalid("url", "the database URL is empty");
  if (options.pool_size < 1) fail_invalid("pool_size", "the pool needs at least one connection");
  if (starts_with(options.url, "postgresql://") || starts_with(options.url, "postgres://")) {
    return detail::open_postgres(options);
  }
  return detail::open_sqlite(options);
}

namespace {

void rollback_quietly(Connection& conn) noexcept {
  try {
    conn.execute("ROLLBACK");
  } catch (...) {
    // Already rolled back by the engine (or the connection is gone): nothing to undo.
  }
}

}  // namespace

void Database::transaction(const std::function<void(Connection&)>& fn) {
  constexpr int max_attempts = 4;
  const char* begin = dialect() == Dialect::sqlite ? "BEGIN IMMEDIATE" : "BEGIN";
  for (int attempt = 1;; ++attempt) {
    try {
      Lease lease = connection();
      lease->execute(begin);
      try {
        fn(*lease);
        lease->execute("COMMIT");
        return;
      } catch (...) {
        rollback_quietly(*lease);
        throw;
      }
    } catch (const detail::RetryableError&) {
      if (attempt >= max_attempts) throw;
      // Short growing pause so competing writers stop colliding in lockstep.
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt * attempt));
    }
  }
}

void backup(Database& db, const std::string& destination_path) {
  if (auto* sqlite = dynamic_cast<detail::SqliteDatabase*>(&db)) {
    sqlite->backup_to(destination_path);
    return;
  }
  throw Error(ErrorKind::invalid, "backup_unsupported",
              "online backup is only built in for SQLite; back up PostgreSQL with pg_dump");
}

namespace detail {

ConnectionPool::ConnectionPool(int size, Factory factory)
    : size_(size), factory_(std::move(factory)) {
  idle_.reserve(static_cast<std::size_t>(size));  // release() must not allocate
}

std::unique_ptr<Connection> ConnectionPool::acquire() {
  // A wait this long means leaked leases or a thread waiting on itself: fail loudly.
  constexpr auto max_wait = std::chrono::seconds(30);
  std::unique_lock lock(mutex_);
  if (idle_.empty() && open_ >= size_) {
    ++waits_;
    if (!available_.wait_for(lock, max_wait, [&] { return !idle_.empty() || open_ < size_; })) {
      fail_unavailable("store_busy", "no database connection became free within 30 s (pool of " +
                                         std::to_string(size_) + ")");
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  try {
    return factory_();
  } catch (...) {
    lock.lock();
    --open_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::release(std::unique_ptr<Connection> conn) noexcept {
  // Only PooledConnections are ever handed out.
  std::unique_ptr<PooledConnection> pooled(static_cast<PooledConnection*>(conn.release()));
  const bool reusable = pooled->recycle();
  if (!reusable) pooled.reset();  // close outside the lock
  std::lock_guard lock(mutex_);
  if (reusable) {
    idle_.push_back(std::move(pooled));
  } else {
    --open_;
  }
  available_.notify_one();
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(mutex_);
  return PoolStats{open_, open_ - static_cast<int>(idle_.size()), waits_};
}

std::string mask_password(std::string_view url) {
  std::string out(url);
  // userinfo password: scheme://user:secret@host
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto authority = scheme_end + 3;
    const auto authority_end = out.find_first_of("/?", authority);
    const auto at = out.rfind('@', authority_end == std::string::npos ? out.size() : authority_end);
    if (at != std::string::npos && at > authority) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // query parameter: ?password=secret&...
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    if (pos > 0 && out[pos - 1] != '?' && out[pos - 1] != '&' && out[pos - 1] != ' ') {
      pos += 9;
      continue;
    }
    const auto value = pos + 9;
    const auto end = out.find_first_of("& ", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
    pos = value + 3;
  }
  return out;
}

}  // namespace detail
}  // namespace ctis::store
