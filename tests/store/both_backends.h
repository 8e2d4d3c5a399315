// Runs a test suite once on SQLite and once on PostgreSQL, each test with a fresh database
// (support/test_db.h; the PostgreSQL case fails when CTIS_TEST_PG_URL is missing).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "store/store.h"
#include "support/test_db.h"

namespace ctis::store {
// Readable parameter values in test output.
inline void PrintTo(Dialect dialect, std::ostream* os) {
  *os << (dialect == Dialect::sqlite ? "sqlite" : "postgresql");
}
}  // namespace ctis::store

namespace ctis::store::testing {

using ctis::testing::TestDb;

class BothBackends : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    test_db_.emplace(GetParam());
    db_ = test_db_->open();
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }
  bool sqlite() const { return GetParam() == Dialect::sqlite; }
  Options options(int pool_size = 4) const {
    Options o;
    o.url = test_db_->url();
    o.pool_size = pool_size;
    return o;
  }

  std::optional<TestDb> test_db_;
  std::unique_ptr<Database> db_;
};

// The ctis::Error that fn throws; fails the test when it throws none.
template <class Fn>
Error error_from(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ctis::Error";
  return Error(ErrorKind::internal, "nothing_thrown", "nothing thrown");
}

// Test names read "store/Suite.Test/sqlite", so `ctest -R store` selects them.
#define CTIS_ON_SQLITE(Suite)                                                               \
  INSTANTIATE_TEST_SUITE_P(store, Suite, ::testing::Values(::ctis::store::Dialect::sqlite), \
                           ::ctis::testing::dialect_name)
#define CTIS_ON_POSTGRESQL(Suite)                                                               \
  INSTANTIATE_TEST_SUITE_P(store, Suite, ::testing::Values(::ctis::store::Dialect::postgresql), \
                           ::ctis::testing::dialect_name)

#define CTIS_ON_BOTH_BACKENDS(Suite)                                                         \
  INSTANTIATE_TEST_SUITE_P(                                                                  \
      store, Suite,                                                                          \
      ::testing::Values(::ctis::store::Dialect::sqlite, ::ctis::store::Dialect::postgresql), \
      ::ctis::testing::dialect_name)

}  // namespace ctis::store::testing
