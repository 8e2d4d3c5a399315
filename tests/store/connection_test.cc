// Queries, values, transactions, error mapping and the pool, on SQLite and PostgreSQL alike.
#include <chrono>
#include <cstdint>
#include <future>
#include <limits>
#include <thread>

#include "both_backends.h"

namespace ctis::store::testing {
namespace {

using namespace std::chrono_literals;

class ConnectionTest : public BothBackends {};
CTIS_ON_BOTH_BACKENDS(ConnectionTest);

std::int64_t count_rows(Database& db, const std::string& table) {
  return db.connection()->query_one("SELECT count(*) FROM " + table)->integer(0);
}

TEST_P(ConnectionTest, RoundTripsEveryValueType) {
  auto conn = db_->connection();
  // BIGINT, DOUBLE PRECISION, TEXT and BYTEA mean the same on both engines.
  conn->execute(
      "CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA)");
  const std::vector<std::vector<Value>> rows = {
      {std::int64_t{1}, std::numeric_limits<std::int64_t>::max(), 3.141592653589793,
       std::string("Grüße, 世界 👋"), Blob{0, 1, 0, 0xff, 0}},
      {std::int64_t{2}, std::numeric_limits<std::int64_t>::min(), -1e300, std::string(), Blob{}},
      {std::int64_t{3}, std::int64_t{0}, 0.1, std::string("it's \"quoted\" ? \\ back"), Blob{0}},
      {std::int64_t{4}, nullptr, nullptr, nullptr, nullptr},
  };
  for (const auto& row : rows) conn->execute("INSERT INTO v VALUES (?, ?, ?, ?, ?)", Params(row));

  const auto got = conn->query("SELECT id, i, r, s, b FROM v ORDER BY id");
  ASSERT_EQ(got.size(), rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) EXPECT_EQ(got[k].values, rows[k]) << "row " << k;

  EXPECT_EQ(got[0].integer(1), std::numeric_limits<std::int64_t>::max());
  EXPECT_DOUBLE_EQ(got[0].real(2), 3.141592653589793);
  EXPECT_EQ(got[0].text(3), "Grüße, 世界 👋");
  EXPECT_EQ(got[0].blob(4), (Blob{0, 1, 0, 0xff, 0}));
  EXPECT_FALSE(got[1].is_null(4));
  EXPECT_TRUE(got[1].blob(4).empty());
  EXPECT_EQ(got[1].opt_text(3), std::optional<std::string>(""));
  EXPECT_TRUE(got[3].is_null(1));
  EXPECT_EQ(got[3].opt_integer(1), std::nullopt);
  EXPECT_EQ(got[3].opt_text(3), std::nullopt);
  EXPECT_EQ(error_from([&] { got[0].text(1); }).kind(), ErrorKind::internal);
  EXPECT_EQ(error_from([&] { got[3].integer(1); }).kind(), ErrorKind::internal);
  EXPECT_EQ(error_from([&] { got[0].integer(9); }).kind(), ErrorKind::internal);
}

TEST_P(ConnectionTest, ParametersComeBackWithTheirType) {
  const auto row = db_->connection()->query_one(
      "SELECT ?, ?, ?, ?, ?", {std::int64_t{42}, 2.5, std::string("text"), Blob{0, 7}, nullptr});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->values,
            (std::vector<Value>{std::int64_t{42}, 2.5, std::string("text"), Blob{0, 7}, nullptr}));
}

TEST_P(ConnectionTest, QuestionMarksInLiteralsAndIdentifiersAreNotPlaceholders) {
  const auto row = db_->connection()->query_one(
      "SELECT 'what?', ?, 'it''s ?', \"x?\" /* why? */ FROM (SELECT 1 AS \"x?\") AS t -- ?\n",
      {std::int64_t{7}});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->values, (std::vector<Value>{std::string("what?"), std::int64_t{7},
                                             std::string("it's ?"), std::int64_t{1}}));
}

TEST_P(ConnectionTest, QueryOneGivesTheFirstRowOrNothing) {
  auto conn = db_->connection();
  conn->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");
  conn->execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  EXPECT_EQ(conn->query_one("SELECT name FROM t ORDER BY id")->text(0), "a");
  EXPECT_EQ(conn->query_one("SELECT name FROM t WHERE id = ?", {std::int64_t{9}}), std::nullopt);
}

TEST_P(ConnectionTest, ExecuteCountsChangedRowsAndReturningWorks) {
  auto conn = db_->connection();
  EXPECT_EQ(conn->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"), 0);
  EXPECT_EQ(conn->execute("INSERT INTO t VALUES (?, ?)", {std::int64_t{1}, "a"}), 1);
  EXPECT_EQ(conn->execute("INSERT INTO t VALUES (2, 'b'), (3, 'c')"), 2);
  EXPECT_EQ(conn->execute("UPDATE t SET name = 'z' WHERE id >= ?", {std::int64_t{2}}), 2);
  const auto inserted =
      conn->query_one("INSERT INTO t VALUES (?, ?) RETURNING id, name", {std::int64_t{4}, "d"});
  ASSERT_TRUE(inserted);
  EXPECT_EQ(inserted->integer(0), 4);
  EXPECT_EQ(conn->execute("CREATE INDEX t_name ON t (name)"), 0);  // not the last count
  EXPECT_EQ(conn->execute("DELETE FROM t"), 4);
}

TEST_P(ConnectionTest, TransactionCommits) {
  db_->connection()->execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  db_->transaction([](Connection& conn) {
    conn.execute("INSERT INTO t VALUES (1)");
    conn.execute("INSERT INTO t VALUES (2)");
  });
  EXPECT_EQ(count_rows(*db_, "t"), 2);
}

TEST_P(ConnectionTest, TransactionRollsBackAndRethrows) {
  db_->connection()->execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  EXPECT_THROW(db_->transaction([](Connection& conn) {
    conn.execute("INSERT INTO t VALUES (1)");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  const auto e = error_from([&] {
    db_->transaction([](Connection& conn) {
      conn.execute("INSERT INTO t VALUES (1)");
      conn.execute("INSERT INTO t VALUES (1)");
    });
  });
  EXPECT_EQ(e.kind(), ErrorKind::conflict);
  EXPECT_EQ(count_rows(*db_, "t"), 0);
  EXPECT_EQ(db_->stats().in_use, 0);
  db_->transaction([](Connection& conn) { conn.execute("INSERT INTO t VALUES (1)"); });
  EXPECT_EQ(count_rows(*db_, "t"), 1);
}

// A caught failure inside a transaction: SQLite keeps the other changes, PostgreSQL has
// aborted the whole transaction, and the store says so instead of reporting a commit.
TEST_P(ConnectionTest, CaughtFailureInsideATransaction) {
  db_->connection()->execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  db_->connection()->execute("INSERT INTO t VALUES (1)");
  const auto run = [&] {
    db_->transaction([](Connection& conn) {
      conn.execute("INSERT INTO t VALUES (2)");
      try {
        conn.execute("INSERT INTO t VALUES (1)");
      } catch (const Error&) {
      }
    });
  };
  if (sqlite()) {
    run();
    EXPECT_EQ(count_rows(*db_, "t"), 2);
  } else {
    EXPECT_EQ(error_from(run).code(), "transaction_aborted");
    EXPECT_EQ(count_rows(*db_, "t"), 1);
  }
}

TEST_P(ConnectionTest, LeaseEndingInsideATransactionRollsItBack) {
  db_->connection()->execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  {
    auto conn = db_->connection();
    conn->execute("BEGIN");
    conn->execute("INSERT INTO t VALUES (1)");
  }
  EXPECT_EQ(count_rows(*db_, "t"), 0);
}

TEST_P(ConnectionTest, ConstraintViolationsAreMapped) {
  auto conn = db_->connection();
  conn->execute("CREATE TABLE parent (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  conn->execute(
      "CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parent "
      "(id))");
  conn->execute("INSERT INTO parent VALUES (1, 'a')");
  for (const auto* sql :
       {"INSERT INTO parent VALUES (2, 'a')", "INSERT INTO parent VALUES (1, 'b')",
        "INSERT INTO child VALUES (1, 99)"}) {
    const auto e = error_from([&] { conn->execute(sql); });
    EXPECT_EQ(e.kind(), ErrorKind::conflict) << sql << ": " << e.what();
    EXPECT_EQ(e.code(), "conflict") << sql;
  }
  const auto e = error_from([&] { conn->execute("INSERT INTO parent VALUES (3, NULL)"); });
  EXPECT_EQ(e.kind(), ErrorKind::internal);
  EXPECT_EQ(e.code(), "constraint_violation");
}

TEST_P(ConnectionTest, AppendOnlyTriggerIsForbiddenOtherTriggerErrorsConflict) {
  auto conn = db_->connection();
  conn->execute("CREATE TABLE log (id BIGINT PRIMARY KEY, what TEXT NOT NULL)");
  if (sqlite()) {
    conn->execute_script(R"sql(
      CREATE TRIGGER log_no_update BEFORE UPDATE ON log
      BEGIN SELECT RAISE(ABORT, 'log is append-only'); END;
      CREATE TRIGGER log_no_delete BEFORE DELETE ON log
      BEGIN SELECT RAISE(ABORT, 'nothing leaves the log'); END;)sql");
  } else {
    conn->execute_script(R"sql(
      CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'log is append-only'; END $$;
      CREATE FUNCTION log_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'nothing leaves the log'; END $$;
      CREATE TRIGGER log_no_update BEFORE UPDATE ON log
        FOR EACH ROW EXECUTE FUNCTION log_append_only();
      CREATE TRIGGER log_no_delete BEFORE DELETE ON log
        FOR EACH ROW EXECUTE FUNCTION log_keep();)sql");
  }
  conn->execute("INSERT INTO log VALUES (1, 'created')");
  const auto update = error_from([&] { conn->execute("UPDATE log SET what = 'edited'"); });
  EXPECT_EQ(update.kind(), ErrorKind::forbidden) << update.what();
  EXPECT_EQ(update.code(), "append_only");
  const auto del = error_from([&] { conn->execute("DELETE FROM log"); });
  EXPECT_EQ(del.kind(), ErrorKind::conflict) << del.what();
  EXPECT_EQ(conn->query_one("SELECT what FROM log")->text(0), "created");
}

TEST_P(ConnectionTest, SqlMistakesAreInternal) {
  auto conn = db_->connection();
  for (const auto* sql : {"SELEC 1", "SELECT * FROM missing_table", "SELECT ?"}) {
    const auto e = error_from([&] { conn->query(sql); });
    EXPECT_EQ(e.kind(), ErrorKind::internal) << sql;
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  EXPECT_EQ(error_from([&] { conn->query("SELECT 1; SELECT 2"); }).kind(), ErrorKind::internal);
  EXPECT_EQ(conn->query_one("SELECT 1")->integer(0), 1);  // still usable
}

TEST_P(ConnectionTest, PoolExhaustionWaitsThenSucceeds) {
  auto db = test_db_->open(1);
  std::promise<void> leased;
  std::thread holder([&] {
    auto lease = db->connection();
    leased.set_value();
    std::this_thread::sleep_for(150ms);
  });
  leased.get_future().wait();
  const auto start = std::chrono::steady_clock::now();
  auto lease = db->connection();  // waits for the holder to finish
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
  EXPECT_EQ(lease->query_one("SELECT 1")->integer(0), 1);
  holder.join();
  const auto stats = db->stats();
  EXPECT_EQ(stats.size, 1);
  EXPECT_EQ(stats.in_use, 1);
  EXPECT_GE(stats.waits, 1);
}

TEST_P(ConnectionTest, ConcurrentTransactionsAllCommit) {
  db_->connection()->execute("CREATE TABLE counter (n BIGINT NOT NULL)");
  db_->connection()->execute("INSERT INTO counter VALUES (0)");
  constexpr int threads = 4, per_thread = 25;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        db_->transaction([](Connection& conn) { conn.execute("UPDATE counter SET n = n + 1"); });
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(db_->connection()->query_one("SELECT n FROM counter")->integer(0),
            threads * per_thread);
  EXPECT_LE(db_->stats().size, 4);
}

TEST_P(ConnectionTest, PingStatsAndDescribe) {
  EXPECT_TRUE(db_->ping());
  EXPECT_EQ(db_->dialect(), GetParam());
  EXPECT_EQ(db_->connection()->dialect(), GetParam());
  EXPECT_EQ(db_->stats().in_use, 0);
  EXPECT_GE(db_->stats().size, 1);
  EXPECT_EQ(db_->describe().rfind(sqlite() ? "sqlite:" : "postgresql://", 0), 0u);
}

TEST_P(ConnectionTest, BackupCopiesSqliteAndPointsPostgresToPgDump) {
  db_->connection()->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, b BYTEA)");
  db_->connection()->execute("INSERT INTO t VALUES (1, ?), (2, NULL)", {Blob{0, 1}});
  if (!sqlite()) {
    const auto e = error_from([&] { backup(*db_, "/tmp/never-written.db"); });
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.code(), "backup_unsupported");
    EXPECT_NE(std::string(e.what()).find("pg_dump"), std::string::npos);
    return;
  }
  const std::string copy = (test_db_->dir() / "backup.db").string();
  backup(*db_, copy);
  Options options;
  options.url = "sqlite:" + copy;
  options.create_if_missing = false;
  auto restored = Database::open(options);
  EXPECT_EQ(restored->connection()->query("SELECT id, b FROM t ORDER BY id").size(), 2u);
  EXPECT_EQ(restored->connection()->query_one("SELECT b FROM t WHERE id = 1")->blob(0),
            (Blob{0, 1}));
  const auto again = error_from([&] { backup(*db_, copy); });
  EXPECT_EQ(again.kind(), ErrorKind::conflict);
}

}  // namespace
}  // namespace ctis::store::testing
