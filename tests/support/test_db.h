// A fresh, empty database of either kind for one test: a SQLite file in a new temporary folder,
// or a new database on the PostgreSQL server named by CTIS_TEST_PG_URL (started by
// scripts/test.sh). Without that variable the PostgreSQL case fails; it is never skipped.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace ctis::testing {

class TestDb {
 public:
  explicit TestDb(store::Dialect dialect);
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  const std::string& url() const { return url_; }
  const std::filesystem::path& dir() const { return dir_; }  // a private temporary folder
  std::unique_ptr<store::Database> open(int pool_size = 4) const;

 private:
  std::filesystem::path dir_;
  std::string url_;
  std::string admin_url_;
  std::string name_;
};

// Turns a dialect into a readable test-name suffix.
std::string dialect_name(const ::testing::TestParamInfo<store::Dialect>& info);

}  // namespace ctis::testing
