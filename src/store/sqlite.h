// SQLite backend (private to store).
#pragma once

#include <memory>
#include <string>

#include "store/internal.h"

namespace ctis::store::detail {

class SqliteDatabase : public Database {
 public:
  explicit SqliteDatabase(const Options& options);

  Dialect dialect() const override { return Dialect::sqlite; }
  Lease connection() override;
  bool ping() override;
  PoolStats stats() const override { return pool_.stats(); }
  std::string describe() const override { return "sqlite:" + path_; }

  // Online copy through SQLite's backup API to a file that must not exist yet.
  void backup_to(const std::string& destination_path);

 protected:
  void give_back(std::unique_ptr<Connection> conn) override { pool_.release(std::move(conn)); }

 private:
  std::string path_;
  ConnectionPool pool_;
};

std::unique_ptr<Database> open_sqlite(const Options& options);

}  // namespace ctis::store::detail
