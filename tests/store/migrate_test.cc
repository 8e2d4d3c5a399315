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

// A CHECK that SQLite cannot add in place: the table is rebuilt while others reference it.
const Migration named_people{
    3, "named_people",
    "-- Every person has a name.\n"
    "-- sqlite: rebuilds tables\n"
    "-- dialect: sqlite\n"
    "CREATE TABLE people_new (id {{id}}, name TEXT NOT NULL "
    "CHECK (name <> ''));\n"
    "INSERT INTO people_new (id, name) SELECT id, name FROM people;\n"
    "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence "
    "WHERE name = 'people') WHERE name = 'people_new';\n"
    "DROP TABLE people;\n"
    "ALTER TABLE people_new RENAME TO people;\n"
    "-- dialect: postgresql\n"
    "ALTER TABLE people ADD CONSTRAINT people_named CHECK (name <> '');\n"};

TEST_P(MigrateTest, TableRebuildKeepsRowsAndReferencesAndForeignKeysStayEnforced) {
  auto db = test_db_->open(1);  // one connection: the one the rebuild borrowed
  migrate(*db, {people, pets});
  db->transaction([](Connection& c) {
    c.execute("INSERT INTO people (name) VALUES ('Ana')");
    c.execute("INSERT INTO pets (owner) VALUES (1)");
    c.execute("INSERT INTO people (name) VALUES ('Cy')");
    c.execute("DELETE FROM people WHERE name = 'Cy'");
  });
  migrate(*db, {people, pets, named_people});
  EXPECT_EQ(schema_version(*db), 3);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM pets WHERE owner = 1"), 1);
  // The sequence goes on past the deleted row: ids are never reused.
  db->connection()->execute("INSERT INTO people (name) VALUES ('Bo')");
  EXPECT_EQ(count(*db, "SELECT max(id) FROM people"), 3);
  EXPECT_THROW(db->connection()->execute("INSERT INTO people (name) VALUES ('')"), Error);
  EXPECT_THROW(db->connection()->execute("INSERT INTO pets (owner) VALUES (999)"), Error);
}

// Only SQLite rebuilds tables, so only SQLite can lose rows that way.
TEST(SqliteTableRebuild, ThatLosesReferencedRowsIsRolledBack) {
  const TestDb sqlite(Dialect::sqlite);
  auto db = sqlite.open(1);
  migrate(*db, {people, pets});
  db->transaction([](Connection& c) {
    c.execute("INSERT INTO people (name) VALUES ('Ana')");
    c.execute("INSERT INTO pets (owner) VALUES (1)");
  });
  Migration lossy = named_people;
  lossy.sql.replace(lossy.sql.find("FROM people;"), 12, "FROM people WHERE id > 1;");
  EXPECT_EQ(error_from([&] { migrate(*db, {people, pets, lossy}); }).code(), "migration_invalid");
  EXPECT_EQ(schema_version(*db), 2);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM people"), 1);
  EXPECT_THROW(db->connection()->execute("INSERT INTO pets (owner) VALUES (999)"), Error);
}

TEST_P(MigrateTest, LawEnforcementRoleArrivesWithoutLosingUsersOrSessions) {
  std::vector<Migration> before;
  for (const auto& m : builtin_migrations()) {
    if (m.version < 7) before.push_back(m);
  }
  migrate(*db_, before);
  const auto add_user = [&](const std::string& name, const std::string& role) {
    db_->connection()->execute(
        "INSERT INTO users (username, role, organisation_id, password_hash, created_at, "
        "updated_at) VALUES (?, ?, 1, 'x', 0, 0)",
        {name, role});
  };
  db_->transaction([](Connection& c) {
    c.execute("INSERT INTO organisations (name, created_at) VALUES ('Labour Inspectorate', 0)");
  });
  add_user("ana", "caseworker");
  db_->connection()->execute(
      "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) "
      "VALUES ('h', 1, 't', 0, 0, 0)");
  EXPECT_THROW(add_user("kofi", "law_enforcement"), Error);

  migrate(*db_, builtin_migrations());
  EXPECT_EQ(count(*db_, "SELECT count(*) FROM sessions WHERE user_id = 1"), 1);
  EXPECT_EQ(db_->connection()->query_one("SELECT role FROM users WHERE id = 1")->text(0),
            "caseworker");
  add_user("kofi", "law_enforcement");
  EXPECT_GT(count(*db_, "SELECT id FROM users WHERE username = 'kofi'"), 1);
  EXPECT_THROW(add_user("eve", "superuser"), Error);
  EXPECT_THROW(db_->connection()->execute("INSERT INTO sessions (id_hash, user_id, csrf_token, "
                                          "created_at, last_seen_at, expires_at) "
                                          "VALUES ('g', 99, 't', 0, 0, 0)"),
               Error);
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
