// The `ctis` command as an operator uses it: every subcommand, on both stores, and the
// failures an operator meets (bad configuration, corrupt database, lost key file, busy port).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/process.h"
#include "support/test_db.h"

namespace ctis::testing {
namespace {

using store::Dialect;

const std::map<std::string, std::string> kFast = {{"CTIS_FAST_PASSWORD_HASHING", "true"}};

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, VersionAndHelpForEverySubcommand) {
  auto r = run_ctis({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ctis " CTIS_VERSION "\n");
  const std::vector<std::vector<std::string>> commands = {{"serve"},           {"demo"},
                                                          {"db", "migrate"},   {"db", "backup"},
                                                          {"user", "add"},     {"user", "list"},
                                                          {"user", "disable"}, {"user", "passwd"},
                                                          {"token", "create"}, {"token", "revoke"},
                                                          {"audit", "verify"}, {"keys", "rotate"},
                                                          {"version"}};
  for (auto args : commands) {
    args.push_back("--help");
    r = run_ctis(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args[0] << r.out;
  }
  r = run_ctis({"no-such-command"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, PrintConfigMasksSecretsAndFlagsWin) {
  const auto r = run_ctis({"serve", "--print-config", "--listen", "127.0.0.1:9191", "--store-url",
                           "postgresql://ctis:s3cretpass@127.0.0.1:5432/ctis"},
                          "", {{"CTIS_LISTEN", "127.0.0.1:8181"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("s3cretpass"), std::string::npos);
  EXPECT_NE(r.out.find("listen = '127.0.0.1:9191'"), std::string::npos) << r.out;
}

TEST(Cli, BadConfigurationIsOneLineAndExitTwo) {
  TestDb tmp(Dialect::sqlite);
  const auto file = (tmp.dir() / "ctis.toml").string();
  std::ofstream(file) << "[server]\nworker_threads = \"many\"\n";
  const auto r = run_ctis({"serve", "--print-config", "--config", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("server.worker_threads"), std::string::npos);
}

class CliStores : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    base_ = {"--data", (db_->dir() / "data").string(), "--store-url", db_->url()};
  }
  RunResult ctis(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.end(), base_.begin(), base_.end());
    return run_ctis(args, input, kFast);
  }
  std::unique_ptr<TestDb> db_;
  std::vector<std::string> base_;
};

TEST_P(CliStores, OperatorWorkflow) {
  auto r = ctis({"db", "migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("applied 0001_platform"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("applied 0002_cases"), std::string::npos) << r.out;
  const auto again = ctis({"db", "migrate"}).out;  // nothing left to apply
  EXPECT_EQ(again.find("applied"), std::string::npos) << again;

  r = ctis({"user", "add", "amara", "--role", "coordinator", "--org", "Referral Office",
            "--display-name", "Amara Diallo", "--email", "amara@example.org", "--password-stdin"},
           "a long enough password\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ctis({"user", "add", "wei", "--role", "analyst", "--org", "Referral Office"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("password: "), std::string::npos);  // generated, shown once
  r = ctis({"user", "add", "x", "--role", "analyst", "--org", "O"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("username"), std::string::npos);
  r = ctis({"user", "add", "eve", "--role", "god", "--org", "O"});
  EXPECT_EQ(r.exit_code, 2);

  r = ctis({"user", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("amara\tcoordinator\tReferral Office\tactive"), std::string::npos) << r.out;

  r = ctis({"token", "create", "amara", "--name", "sync", "--scopes", "read,write"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("ctis_", 0), 0u);
  EXPECT_EQ(ctis({"token", "revoke", "1"}).exit_code, 0);
  EXPECT_EQ(ctis({"token", "revoke", "1"}).exit_code, 4);  // already revoked
  EXPECT_EQ(ctis({"token", "create", "nobody", "--name", "x", "--scopes", "read"}).exit_code, 4);

  r = ctis({"user", "passwd", "amara", "--password-stdin"}, "another long password\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ctis({"user", "disable", "wei"}).exit_code, 0);
  EXPECT_NE(ctis({"user", "list"}).out.find("wei\tanalyst\tReferral Office\tdisabled"),
            std::string::npos);

  r = ctis({"keys", "rotate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("re-encrypted 2 fields"), std::string::npos) << r.out;

  r = ctis({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("audit chain intact"), std::string::npos);
  EXPECT_NE(r.out.find("last hash "), std::string::npos);

  const auto backup = (db_->dir() / "backup.db").string();
  r = ctis({"db", "backup", "--out", backup});
  if (GetParam() == Dialect::sqlite) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto copy = run_ctis({"user", "list", "--data", (db_->dir() / "data").string(), "--store-url",
                          "sqlite:" + backup});
    EXPECT_NE(copy.out.find("amara"), std::string::npos) << copy.err;
  } else {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("pg_dump"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, CliStores, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         dialect_name);

class CliFailures : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = std::make_unique<TestDb>(Dialect::sqlite);
    data_ = (tmp_->dir() / "data").string();
    ASSERT_EQ(run_ctis({"user", "add", "admin", "--role", "admin", "--org", "O", "--data", data_},
                       "", kFast)
                  .exit_code,
              0);
  }
  std::unique_ptr<TestDb> tmp_;
  std::string data_;
};

TEST_F(CliFailures, TamperedAuditChainIsReported) {
  // Edit an entry behind the program's back with the sqlite3 shell.
  const std::string db = data_ + "/ctis.db";
  ASSERT_EQ(std::system(("sqlite3 " + db +
                         " \"DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = "
                         "'mallory' WHERE seq = 1;\"")
                            .c_str()),
            0);
  const auto r = run_ctis({"audit", "verify", "--data", data_});
  EXPECT_EQ(r.exit_code, 8);
  EXPECT_NE(r.out.find("BROKEN at entry 1"), std::string::npos) << r.out;
}

TEST_F(CliFailures, CorruptDatabaseIsOneLineError) {
  {
    std::ofstream f(data_ + "/ctis.db", std::ios::trunc | std::ios::binary);
    f << std::string(8192, '\x5a');
  }
  std::filesystem::remove(data_ + "/ctis.db-wal");
  std::filesystem::remove(data_ + "/ctis.db-shm");
  const auto r = run_ctis({"user", "list", "--data", data_});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
}

TEST_F(CliFailures, LostOrLooseKeyFileIsOneLineError) {
  const std::string key = data_ + "/keys/ctis.key";
  ::chmod(key.c_str(), 0644);
  auto r = run_ctis({"user", "list", "--data", data_});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos);
  std::filesystem::rename(key, key + ".away");
  r = run_ctis({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos);
  // It must not have made a new key that would orphan the encrypted data.
  EXPECT_FALSE(std::filesystem::exists(key));
}

TEST_F(CliFailures, LockedDatabaseIsOneLineError) {
  // Another process holds the write lock for longer than the busy timeout.
  const std::string db = data_ + "/ctis.db";
  FILE* holder = ::popen(("sqlite3 " + db + " >/dev/null").c_str(), "w");
  ASSERT_TRUE(holder);
  std::fputs("BEGIN EXCLUSIVE; INSERT INTO organisations (name, created_at) VALUES ('x', 0);\n",
             holder);
  std::fflush(holder);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto config = (tmp_->dir() / "quick.toml").string();
  std::ofstream(config) << "[store]\nbusy_timeout_ms = 200\n";
  const auto r = run_ctis({"token", "revoke", "1", "--data", data_, "--config", config});
  std::fputs("ROLLBACK;\n.quit\n", holder);
  ::pclose(holder);
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
}

TEST_F(CliFailures, NoKeyRotationUnderARunningServer) {
  ServerProcess server({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
  const auto r = run_ctis({"keys", "rotate", "--data", data_});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("stop it before rotating"), std::string::npos) << r.err;
  EXPECT_EQ(server.stop(), 0);
  EXPECT_EQ(run_ctis({"keys", "rotate", "--data", data_}).exit_code, 0);
  EXPECT_EQ(run_ctis({"user", "list", "--data", data_}).exit_code, 0);
}

TEST_F(CliFailures, MissingDatabaseIsReportedNotCreated) {
  const std::string empty = (tmp_->dir() / "empty").string();
  const auto r = run_ctis({"user", "list", "--data", empty});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(empty + "/ctis.db"));
}

TEST_F(CliFailures, PortInUseIsOneLineError) {
  ServerProcess first({"serve", "--data", data_, "--listen", "127.0.0.1:0"});
  const auto r =
      run_ctis({"serve", "--data", data_, "--listen", "127.0.0.1:" + std::to_string(first.port())});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("in use"), std::string::npos) << r.err;
  EXPECT_EQ(first.stop(), 0);
}

}  // namespace
}  // namespace ctis::testing
