#include "audit/audit.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/test_db.h"

namespace ctis::audit {
namespace {

using store::Dialect;

class AuditTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDb>(GetParam());
    db_ = test_db_->open(8);
    store::migrate(*db_, store::builtin_migrations());
    log_ = std::make_unique<AuditLog>(*db_);
  }
  Entry entry(const std::string& action, const std::string& record = "user:1") {
    Entry e;
    e.actor = "admin";
    e.actor_id = 1;
    e.role = "admin";
    e.action = action;
    e.record = record;
    return e;
  }
  std::unique_ptr<testing::TestDb> test_db_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<AuditLog> log_;
};

TEST_P(AuditTest, EntriesChainAndVerify) {
  log_->append(entry("user.read"));
  log_->append(entry("user.update"));
  db_->transaction([&](store::Connection& c) { log_->append(c, entry("user.create", "user:2")); });
  const auto v = log_->verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 3);
  const auto newest = log_->list(0, 10);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].seq, 3);
  EXPECT_EQ(newest[0].action, "user.create");
  EXPECT_EQ(newest[0].prev_hash, newest[1].hash);
  EXPECT_EQ(newest[2].prev_hash, std::string(64, '0'));
  EXPECT_EQ(log_->list(0, 10, "user:2").size(), 1u);
  EXPECT_EQ(log_->list(3, 10).size(), 2u);
}

TEST_P(AuditTest, RolledBackWriteLeavesNoEntry) {
  EXPECT_THROW(db_->transaction([&](store::Connection& c) {
    log_->append(c, entry("user.create"));
    throw Error(ErrorKind::invalid, "invalid", "changed my mind");
  }),
               Error);
  EXPECT_EQ(log_->count(), 0);
}

TEST_P(AuditTest, ConcurrentAppendsShareCommitsAndKeepTheChain) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) log_->append(entry("user.read", "user:" + std::to_string(t)));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(log_->count(), 200);
  const auto v = log_->verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 200);
}

TEST_P(AuditTest, DatabaseRefusesChangesToEntries) {
  log_->append(entry("user.read"));
  auto c = db_->connection();
  EXPECT_THROW(c->execute("UPDATE audit_log SET actor = 'mallory'"), Error);
  EXPECT_THROW(c->execute("DELETE FROM audit_log"), Error);
  if (GetParam() == Dialect::postgresql) {
    EXPECT_THROW(c->execute("TRUNCATE audit_log"), Error);
  }
  EXPECT_EQ(log_->count(), 1);
}

TEST_P(AuditTest, VerifyFindsTheFirstBrokenLink) {
  for (int i = 0; i < 5; ++i) log_->append(entry("user.read"));
  // Someone with direct database access removes the guard and edits entry 3.
  auto c = db_->connection();
  if (GetParam() == Dialect::sqlite) {
    c->execute("DROP TRIGGER audit_log_no_update");
  } else {
    c->execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change");
  }
  c->execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
  const auto v = log_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken, 3);
  EXPECT_EQ(v.entries, 3);
}

TEST_P(AuditTest, VerifyFindsAMissingEntry) {
  for (int i = 0; i < 4; ++i) log_->append(entry("user.read"));
  auto c = db_->connection();
  if (GetParam() == Dialect::sqlite) {
    c->execute("DROP TRIGGER audit_log_no_delete");
  } else {
    c->execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change");
  }
  c->execute("DELETE FROM audit_log WHERE seq = 2");
  const auto v = log_->verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken, 2);
}

INSTANTIATE_TEST_SUITE_P(Stores, AuditTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::audit
