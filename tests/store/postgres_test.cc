// PostgreSQL specifics: placeholder rewriting, type conversion, broken connections, retries.
#include <cmath>

#include "both_backends.h"
#include "store/internal.h"
#include "store/postgres.h"

namespace ctis::store::testing {
namespace {

// Unit tests of the rewriting and masking helpers: no server needed.
class PostgresTest : public ::testing::TestWithParam<Dialect> {};
CTIS_ON_POSTGRESQL(PostgresTest);

std::string numbered(std::string_view sql) {
  int count = 0;
  return detail::number_placeholders(sql, count);
}

TEST_P(PostgresTest, PlaceholdersAreNumberedOutsideQuotesAndComments) {
  EXPECT_EQ(numbered("SELECT ?, ? FROM t WHERE a = ?"), "SELECT $1, $2 FROM t WHERE a = $3");
  EXPECT_EQ(numbered("SELECT '?', 'it''s ?', ?"), "SELECT '?', 'it''s ?', $1");
  EXPECT_EQ(numbered("SELECT E'\\'?', ?"), "SELECT E'\\'?', $1");
  EXPECT_EQ(numbered("SELECT \"a?\" FROM t -- why?\nWHERE b = ?"),
            "SELECT \"a?\" FROM t -- why?\nWHERE b = $1");
  EXPECT_EQ(numbered("SELECT /* ? */ ?"), "SELECT /* ? */ $1");
  EXPECT_EQ(numbered("SELECT $$?$$, $tag$ ? $tag$, ?"), "SELECT $$?$$, $tag$ ? $tag$, $1");
  EXPECT_EQ(numbered("SELECT 'unterminated ?"), "SELECT 'unterminated ?");
  int count = -1;
  detail::number_placeholders("SELECT ?, '?', ?", count);
  EXPECT_EQ(count, 2);
}

TEST_P(PostgresTest, PasswordsAreMasked) {
  EXPECT_EQ(detail::mask_password("postgresql://ctis:s3cret@db:5432/ctis"),
            "postgresql://ctis:***@db:5432/ctis");
  EXPECT_EQ(detail::mask_password("postgresql://ctis@db/ctis?password=s3cret&sslmode=require"),
            "postgresql://ctis@db/ctis?password=***&sslmode=require");
  EXPECT_EQ(detail::mask_password("postgresql://ctis@db/ctis"), "postgresql://ctis@db/ctis");
}

TEST_P(PostgresTest, UnreachableServerIsUnavailableWithoutThePassword) {
  Options options;
  options.url = "postgresql://ctis:s3cret@127.0.0.1:1/postgres";
  const auto e = error_from([&] { Database::open(options); });
  EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  EXPECT_EQ(e.code(), "store_unavailable");
  const std::string message = e.what();
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  EXPECT_NE(message.find("ctis:***@127.0.0.1:1"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

class PostgresServerTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    test_db_.emplace(Dialect::postgresql);
    db_ = test_db_->open();
  }
  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }
  std::optional<TestDb> test_db_;
  std::unique_ptr<Database> db_;
};
CTIS_ON_POSTGRESQL(PostgresServerTest);

TEST_P(PostgresServerTest, ColumnTypesAreConverted) {
  const auto row = db_->connection()->query_one(
      "SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.5::float8, 12.25::numeric, true, "
      "false, '\\x00ff'::bytea, 'x'::varchar, NULL::int, "
      "(SELECT SUM(x) FROM (VALUES (1::bigint), (2::bigint)) AS v (x)), 'NaN'::float8");
  ASSERT_TRUE(row);
  const std::vector<Value> expected = {
      std::int64_t{1}, std::int64_t{2}, std::int64_t{3},  1.5,    2.5, 12.25, std::int64_t{1},
      std::int64_t{0}, Blob{0, 0xff},   std::string("x"), nullptr};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(row->values[i], expected[i]) << i;
  EXPECT_EQ(row->integer(11), 3);  // numeric SUM reads as an integer when it is one
  EXPECT_TRUE(std::isnan(row->real(12)));
}

TEST_P(PostgresServerTest, BrokenConnectionIsReplaced) {
  auto db = test_db_->open(1);
  std::int64_t first_pid = 0;
  {
    auto lease = db->connection();
    first_pid = lease->query_one("SELECT pg_backend_pid()")->integer(0);
    // Waits (up to 5 s) until the backend has gone.
    db_->connection()->query("SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)", {first_pid});
    EXPECT_EQ(error_from([&] { lease->query("SELECT 1"); }).kind(), ErrorKind::unavailable);
  }
  EXPECT_EQ(db->stats().size, 0);  // closed, not pooled
  const auto second_pid = db->connection()->query_one("SELECT pg_backend_pid()")->integer(0);
  EXPECT_NE(second_pid, first_pid);
  EXPECT_TRUE(db->ping());
}

TEST_P(PostgresServerTest, NoticesAreNotPrinted) {
  ::testing::internal::CaptureStderr();
  auto conn = db_->connection();
  conn->execute("CREATE TABLE IF NOT EXISTS t (id INTEGER)");
  conn->execute("CREATE TABLE IF NOT EXISTS t (id INTEGER)");  // NOTICE: already exists
  conn->execute_script("DO $$ BEGIN RAISE NOTICE 'hello'; RAISE WARNING 'careful'; END $$");
  const auto printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed.find("NOTICE"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("WARNING"), std::string::npos) << printed;
}

TEST_P(PostgresServerTest, SerializationFailuresAreRetried) {
  db_->connection()->execute("CREATE TABLE t (attempt BIGINT)");
  const char* fail =
      "DO $$ BEGIN RAISE EXCEPTION 'pretend' USING ERRCODE = 'serialization_failure'; END $$";
  std::int64_t attempts = 0;
  db_->transaction([&](Connection& conn) {
    conn.execute("INSERT INTO t VALUES (?)", {++attempts});
    if (attempts == 1) conn.execute_script(fail);
  });
  EXPECT_EQ(attempts, 2);
  const auto rows = db_->connection()->query("SELECT attempt FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].integer(0), 2);

  const auto e =
      error_from([&] { db_->transaction([&](Connection& conn) { conn.execute_script(fail); }); });
  EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  EXPECT_EQ(e.code(), "store_busy");
}

TEST_P(PostgresServerTest, TextWithNulIsRejected) {
  const auto e =
      error_from([&] { db_->connection()->query("SELECT ?", {std::string("a\0b", 3)}); });
  EXPECT_EQ(e.kind(), ErrorKind::invalid);
}

}  // namespace
}  // namespace ctis::store::testing
