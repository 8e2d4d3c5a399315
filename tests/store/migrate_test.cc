// The migration mechanism, with migrations written in the tests, plus the built-in ones.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "both_backends.h"

namespace ctis::store::testing {
namespace {

class MigrateTest : public BothBackends {};
CTIS_ON_BOTH_BACKENDS(MigrateTest);

const Migration people{1, "people", "CREATE TABLE people (id {{id}}, name TEXT NOT NULL);\n"};
const Migration pets{2, "pets",
                     "CREATE TABLE pets (\n"
                     "  id {{id}},\n"
                     "  owner BIGINT NOT NULL REFERENCES people (id),\n"
                     "  photo {{blob}}\n"
                     ");\n"
                     "CREATE INDEX pets_owner ON pets (owner);\n"};
const Migration toys{3, "toys", "CREATE TABLE toys (id {{id}}, name TEXT NOT NULL);\n"};

std::int64_t count(Database& db, const std::string& sql) {
  return db.connection()->query_one(sql)->integer(0);
}

TEST_P(MigrateTest, EmptyDatabaseIsVersionZero) { EXPECT_EQ(schema_version(*db_), 0); }

TEST_P(MigrateTest, AppliesPendingMigrationsInOrderAndRecordsThem) {
  const auto report = migrate(*db_, {people, pets});
  EXPECT_EQ(report.from_version, 0);
  EXPECT_EQ(report.to_version, 2);
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0001_people", "0002_pets"}));
  EXPECT_EQ(schema_version(*db_), 2);

  const auto rows = db_->connection()->query(
      "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].text(1), "people");
  EXPECT_EQ(rows[0].text(2), sha256_hex(people.sql));
  EXPECT_EQ(rows[1].text(2), sha256_hex(pets.sql));
  EXPECT_GT(rows[1].integer(3), 0);

  // {{id}} is assigned by the database; {{blob}} holds bytes.
  auto conn = db_->connection();
  const auto first = conn->query_one("INSERT INTO people (name) VALUES (?) RETURNING id", {"a"});
  const auto second = conn->query_one("INSERT INTO people (name) VALUES (?) RETURNING id", {"b"});
  EXPECT_EQ(second->integer(0), first->integer(0) + 1);
  conn->execute("INSERT INTO pets (owner, photo) VALUES (?, ?)", {first->integer(0), Blob{0, 9}});
  EXPECT_EQ(conn->query_one("SELECT photo FROM pets")->blob(0), (Blob{0, 9}));
}

TEST_P(MigrateTest, RunningAgainChangesNothing) {
  migrate(*db_, {people, pets});
  const auto report = migrate(*db_, {people, pets});
  EXPECT_TRUE(report.applied.empty());
  EXPECT_EQ(report.from_version, 2);
  EXPECT_EQ(report.to_version, 2);
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST_P(MigrateTest, AppliesOnlyNewMigrations) {
  migrate(*db_, {people});
  const auto report = migrate(*db_, {people, pets});
  EXPECT_EQ(report.from_version, 1);
  EXPECT_EQ(report.applied, (std::vector<std::string>{"0002_pets"}));
}

TEST_P(MigrateTest, ChangedMigrationIsRefused) {
  migrate(*db_, {people, pets});
  auto edited = people;
  edited.sql += "-- an innocent comment\n";
  const auto e = error_from([&] { migrate(*db_, {edited, pets}); });
  EXPECT_EQ(e.kind(), ErrorKind::conflict);
  EXPECT_EQ(e.code(), "migration_checksum");
  EXPECT_NE(std::string(e.what()).find("src/store/migrations/0001_people.sql"), std::string::npos)
      << e.what();
}

TEST_P(MigrateTest, DatabaseNewerThanProgramIsRefused) {
  migrate(*db_, {people, pets});
  const auto e = error_from([&] { migrate(*db_, {people}); });
  EXPECT_EQ(e.kind(), ErrorKind::conflict);
  EXPECT_EQ(e.code(), "migration_unknown");
  EXPECT_NE(std::string(e.what()).find("0002_pets"), std::string::npos) << e.what();
}

TEST_P(MigrateTest, MigrationSlippedInBeforeAppliedOnesIsRefused) {
  migrate(*db_, {people, toys});
  const auto e = error_from([&] { migrate(*db_, {people, pets, toys}); });
  EXPECT_EQ(e.code(), "migration_order");
}

TEST_P(MigrateTest, FailedMigrationLeavesNoTrace) {
  const Migration broken{2, "broken",
                         "CREATE TABLE half (id BIGINT);\nINSERT INTO nowhere VALUES (1);\n"};
  migrate(*db_, {people});
  EXPECT_EQ(error_from([&] { migrate(*db_, {people, broken}); }).kind(), ErrorKind::internal);
  EXPECT_EQ(schema_version(*db_), 1);
  EXPECT_EQ(error_from([&] { count(*db_, "SELECT count(*) FROM half"); }).kind(),
            ErrorKind::internal);
}

TEST_P(MigrateTest, DialectSectionsApplyToTheirEngineOnly) {
  const Migration engine{
      1, "engine",
      "CREATE TABLE engine (name TEXT NOT NULL);\n"
      "-- dialect: sqlite\n"
      "INSERT INTO engine VALUES ('sqlite');\n"
      "--  dialect:  postgresql  \n"
      "INSERT INTO engine VALUES ('postgresql');\n"
      "CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS $$ SELECT 42 $$;\n"
      "-- dialect: sqlite\n"
      "INSERT INTO engine VALUES ('sqlite again');\n"};
  migrate(*db_, {engine});
  const auto rows = db_->connection()->query("SELECT name FROM engine ORDER BY name");
  if (sqlite()) {
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].text(0), "sqlite");
    EXPECT_EQ(rows[1].text(0), "sqlite again");
  } else {
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].text(0), "postgresql");
    EXPECT_EQ(count(*db_, "SELECT answer()"), 42);
  }
}

TEST_P(MigrateTest, UnknownDialectOrPlaceholderIsRefusedBeforeAnythingRuns) {
  const Migration dialect{1, "dialect", "-- dialect: mysql\nSELECT 1;\n"};
  const Migration placeholder{1, "placeholder", "CREATE TABLE u (id {{uuid}});\n"};
  EXPECT_EQ(error_from([&] { migrate(*db_, {dialect}); }).code(), "migration_invalid");
  EXPECT_EQ(error_from([&] { migrate(*db_, {placeholder}); }).code(), "migration_invalid");
  EXPECT_EQ(error_from([&] { migrate(*db_, {pets, people}); }).code(), "migration_invalid");
  EXPECT_EQ(schema_version(*db_), 0);
}

TEST_P(MigrateTest, ConcurrentMigrationsApplyEachOnce) {
  auto other = test_db_->open(2);
  MigrationReport mine, theirs;
  std::thread racer([&] { theirs = migrate(*other, {people, pets, toys}); });
  mine = migrate(*db_, {people, pets, toys});
  racer.join();
  EXPECT_EQ(mine.applied.size() + theirs.applied.size(), 3u);
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM schema_migrations"), 3);
  EXPECT_EQ(schema_version(*db_), 3);
}

TEST_P(MigrateTest, BuiltinMigrationsApplyAndMatchTheirFiles) {
  const auto& builtin = builtin_migrations();
  ASSERT_FALSE(builtin.empty());
  const auto report = migrate(*db_, builtin);
  EXPECT_EQ(report.applied.size(), builtin.size());
  EXPECT_EQ(schema_version(*db_), builtin.back().version);
  EXPECT_TRUE(migrate(*db_, builtin).applied.empty());

  // The compiled-in text is the file's exact text, so checksums match what is on disk.
  const char* from_env = std::getenv("CTIS_SOURCE_DIR");  // set by ctest
  const std::string source = from_env ? from_env : CTIS_TEST_SOURCE_DIR;
  for (const auto& m : builtin) {
    char version[8];
    std::snprintf(version, sizeof version, "%04d", m.version);
    std::ifstream file(source + "/src/store/migrations/" + version + "_" + m.name + ".sql",
                       std::ios::binary);
    ASSERT_TRUE(file) << version << "_" << m.name;
    std::stringstream text;
    text << file.rdbuf();
    EXPECT_EQ(sha256_hex(text.str()), sha256_hex(m.sql)) << version << "_" << m.name;
  }
}

}  // namespace
}  // namespace ctis::store::testing
