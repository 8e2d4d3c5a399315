// store internals shared by the two backends: the connection pool and the error that
// Database::transaction() retries. Not part of the public contract.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace ctis::store::detail {

// A transient failure (SQLite busy/locked, PostgreSQL serialization failure or deadlock):
// transaction() runs the whole function again; elsewhere it is an ordinary Error.
class RetryableError : public Error {
 public:
  using Error::Error;
};

// What the pool needs from a backend connection beyond the public interface.
class PooledConnection : public Connection {
 public:
  // Called when a lease ends: rolls back a transaction left open and says whether the
  // connection can be handed out again (false: broken, the pool closes it).
  virtual bool recycle() noexcept = 0;
};

// Fixed-size pool: opens connections lazily up to `size`, then makes callers wait.
class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<PooledConnection>()>;
  ConnectionPool(int size, Factory factory);

  std::unique_ptr<Connection> acquire();
  void release(std::unique_ptr<Connection> conn) noexcept;
  PoolStats stats() const;

 private:
  const int size_;
  const Factory factory_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  int open_ = 0;  // idle + leased + being opened
  std::int64_t waits_ = 0;
};

// "postgresql://user:secret@host/db?password=x" -> "postgresql://user:***@host/db?password=***".
std::string mask_password(std::string_view url);

}  // namespace ctis::store::detail
