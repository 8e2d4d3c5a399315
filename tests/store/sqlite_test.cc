// SQLite specifics: opening missing or damaged files, settings, locking, durability.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "both_backends.h"

namespace ctis::store::testing {
namespace {

using namespace std::chrono_literals;

class SqliteTest : public ::testing::TestWithParam<Dialect> {};
CTIS_ON_SQLITE(SqliteTest);

// A fresh SQLite file (in its own temporary folder) that the test may also damage.
struct SqliteFile {
  TestDb db{Dialect::sqlite};
  std::string directory() const { return db.dir().string(); }
  std::string path() const { return (db.dir() / "test.db").string(); }
  Options options() const {
    Options o;
    o.url = db.url();
    return o;
  }
};

void write_file(const std::string& path, const std::string& bytes, std::streamoff offset = 0) {
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  if (!file) file.open(path, std::ios::binary | std::ios::out);
  file.seekp(offset);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string random_string(std::size_t n) {
  const auto bytes = random_bytes(n);
  return std::string(bytes.begin(), bytes.end());
}

void expect_unavailable_naming(const Error& e, const std::string& path) {
  EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  EXPECT_EQ(e.code(), "store_unavailable");
  const std::string message = e.what();
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST_P(SqliteTest, MissingFileWithoutCreateIsUnavailable) {
  SqliteFile scratch;
  auto options = scratch.options();
  options.create_if_missing = false;
  expect_unavailable_naming(error_from([&] { Database::open(options); }), scratch.path());
  EXPECT_NE(::access(scratch.path().c_str(), F_OK), 0) << "must not be created";
}

TEST_P(SqliteTest, MissingDirectoryIsUnavailable) {
  SqliteFile scratch;
  const auto path = scratch.directory() + "/no/such/dir/x.db";
  Options options;
  options.url = "sqlite:" + path;
  expect_unavailable_naming(error_from([&] { Database::open(options); }), path);
}

TEST_P(SqliteTest, FileOfRandomBytesIsUnavailable) {
  SqliteFile scratch;
  write_file(scratch.path(), random_string(8192));
  expect_unavailable_naming(error_from([&] { Database::open(scratch.options()); }), scratch.path());
}

TEST_P(SqliteTest, TextFileIsUnavailable) {
  SqliteFile scratch;
  std::string text;
  for (int i = 0; i < 100; ++i) text += "this is not a database, it is a text file\n";
  write_file(scratch.path(), text);
  expect_unavailable_naming(error_from([&] { Database::open(scratch.options()); }), scratch.path());
}

TEST_P(SqliteTest, CorruptPagesAreUnavailableNotACrash) {
  SqliteFile scratch;
  {
    auto db = Database::open(scratch.options());
    db->connection()->execute("CREATE TABLE t (id BIGINT PRIMARY KEY, b BLOB)");
    db->transaction([](Connection& conn) {
      for (std::int64_t i = 0; i < 200; ++i) {
        conn.execute("INSERT INTO t VALUES (?, ?)", {i, Blob(100, 7)});
      }
    });
  }  // the last connection to close checkpoints the WAL into the file
  write_file(scratch.path(), random_string(32 * 4096), 4096);  // all but page 1
  const auto e = error_from([&] {
    auto db = Database::open(scratch.options());
    db->connection()->query("SELECT count(*), sum(length(b)) FROM t");
  });
  expect_unavailable_naming(e, scratch.path());
}

TEST_P(SqliteTest, NewFileIsOwnerOnly) {
  SqliteFile scratch;
  Database::open(scratch.options());
  struct stat st {};
  ASSERT_EQ(::stat(scratch.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_P(SqliteTest, ConnectionsUseWalForeignKeysAndTheChosenSync) {
  SqliteFile scratch;
  auto options = scratch.options();
  auto db = Database::open(options);
  auto conn = db->connection();
  EXPECT_EQ(conn->query_one("PRAGMA journal_mode")->text(0), "wal");
  EXPECT_EQ(conn->query_one("PRAGMA foreign_keys")->integer(0), 1);
  EXPECT_EQ(conn->query_one("PRAGMA synchronous")->integer(0), 2);  // FULL
  EXPECT_EQ(conn->query_one("PRAGMA busy_timeout")->integer(0), options.busy_timeout_ms);
  options.synchronous_full = false;
  EXPECT_EQ(Database::open(options)->connection()->query_one("PRAGMA synchronous")->integer(0),
            1);  // NORMAL
}

TEST_P(SqliteTest, UrlFormsAndMemory) {
  SqliteFile scratch;
  for (const auto& url : {"sqlite://" + scratch.path(), scratch.path(), std::string(":memory:")}) {
    Options options;
    options.url = url;
    auto db = Database::open(options);
    EXPECT_TRUE(db->ping()) << url;
  }
  EXPECT_EQ(error_from([] { Database::open(Options{}); }).kind(), ErrorKind::invalid);
}

// Another handle holds the write lock for `hold`; a transaction with a short busy timeout
// either gets in through its retries or reports store_busy.
void hold_write_lock(Database& holder, std::chrono::milliseconds hold, std::promise<void>& locked) {
  auto conn = holder.connection();
  conn->execute("BEGIN IMMEDIATE");
  locked.set_value();
  std::this_thread::sleep_for(hold);
  conn->execute("COMMIT");
}

TEST_P(SqliteTest, BusyWriterIsWaitedForThenRetried) {
  SqliteFile scratch;
  auto options = scratch.options();
  options.busy_timeout_ms = 30;
  auto db = Database::open(options);
  auto other = Database::open(options);
  db->connection()->execute("CREATE TABLE t (id BIGINT)");
  std::promise<void> locked;
  std::thread holder([&] { hold_write_lock(*other, 80ms, locked); });
  locked.get_future().wait();
  db->transaction([](Connection& conn) { conn.execute("INSERT INTO t VALUES (1)"); });
  holder.join();
  EXPECT_EQ(db->connection()->query_one("SELECT count(*) FROM t")->integer(0), 1);
}

TEST_P(SqliteTest, WriterLockedOutTooLongGetsStoreBusy) {
  SqliteFile scratch;
  auto options = scratch.options();
  options.busy_timeout_ms = 10;
  auto db = Database::open(options);
  auto other = Database::open(options);
  db->connection()->execute("CREATE TABLE t (id BIGINT)");
  std::promise<void> locked;
  std::thread holder([&] { hold_write_lock(*other, 400ms, locked); });
  locked.get_future().wait();
  const auto e = error_from(
      [&] { db->transaction([](Connection& conn) { conn.execute("INSERT INTO t VALUES (1)"); }); });
  holder.join();
  EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  EXPECT_EQ(e.code(), "store_busy");
}

// A child commits rows one transaction at a time and reports each id once its commit has
// returned; it is SIGKILLed right after the 200th report. Every reported row must be there.
TEST_P(SqliteTest, AcknowledgedCommitsSurviveSigkill) {
  SqliteFile scratch;
  Database::open(scratch.options())
      ->connection()
      ->execute("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    try {
      auto db = Database::open(scratch.options());
      for (std::int64_t id = 1;; ++id) {
        db->transaction([&](Connection& conn) { conn.execute("INSERT INTO t VALUES (?)", {id}); });
        if (::write(acks[1], &id, sizeof id) != sizeof id) ::_exit(1);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(acks[1]);
  std::int64_t acknowledged = 0, id = 0;
  while (acknowledged < 200 && ::read(acks[0], &id, sizeof id) == sizeof id) acknowledged = id;
  ::kill(child, SIGKILL);
  while (::read(acks[0], &id, sizeof id) == sizeof id) acknowledged = id;  // already in flight
  ::close(acks[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_GE(acknowledged, 200);

  auto db = Database::open(scratch.options());
  const auto row = db->connection()->query_one("SELECT count(*), min(id), max(id) FROM t");
  EXPECT_GE(row->integer(2), acknowledged);
  EXPECT_EQ(row->integer(0), row->integer(2)) << "no gaps";
  EXPECT_EQ(row->integer(1), 1);
}

}  // namespace
}  // namespace ctis::store::testing
