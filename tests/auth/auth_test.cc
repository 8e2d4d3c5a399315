#include "auth/auth.h"

#include <gtest/gtest.h>

#include "support/test_db.h"

namespace ctis::auth {
namespace {

using store::Dialect;

class AuthTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDb>(GetParam());
    db_ = test_db_->open(4);
    store::migrate(*db_, store::builtin_migrations());
    keys_ = vault::Keyring::open((test_db_->dir() / "keys" / "ctis.key").string(), true);
    audit_ = std::make_unique<audit::AuditLog>(*db_);
    Config::Auth settings;
    settings.fast_password_hashing = true;
    settings.lockout_threshold = 3;
    settings.lockout_base_seconds = 60;
    auth_ = std::make_unique<Auth>(*db_, keys_, *audit_, settings);
  }

  User make_user(const std::string& name, const std::string& role = "caseworker",
                 const std::string& org = "Safe Harbour") {
    return auth_->create_user(
        operator_principal(),
        {name, role, org, "Name of " + name, name + "@example.org", "correct horse battery"}, true);
  }

  std::unique_ptr<testing::TestDb> test_db_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<vault::Keyring> keys_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Auth> auth_;
};

TEST_P(AuthTest, PersonalFieldsAreEncryptedAtRestAndFoundByBlindIndex) {
  const auto u = make_user("lucia");
  EXPECT_EQ(u.display_name, "Name of lucia");
  auto row = db_->connection()->query_one(
      "SELECT display_name_enc, email_enc, email_index, password_hash FROM users WHERE id = ?",
      {u.id});
  ASSERT_TRUE(row);
  const auto& name = row->blob(0);
  EXPECT_EQ(std::string(name.begin(), name.end()).find("lucia"), std::string::npos);
  EXPECT_EQ(row->text(2).find("example"), std::string::npos);
  EXPECT_EQ(row->text(3).rfind("$argon2id$", 0), 0u);
  auto found = auth_->find_user_by_email("LUCIA@example.org");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, u.id);
}

TEST_P(AuthTest, InvalidInputNamesTheFieldAndWritesNothing) {
  const auto by = operator_principal();
  auto expect_field = [&](NewUser n, const std::string& field) {
    try {
      auth_->create_user(by, n, true);
      FAIL() << "accepted bad " << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  const NewUser good{"jonas", "caseworker", "Org", "Jonas", "j@example.org", "long enough pw"};
  auto n = good;
  n.username = "J";
  expect_field(n, "username");
  n = good;
  n.role = "superuser";
  expect_field(n, "role");
  n = good;
  n.password = "short";
  expect_field(n, "password");
  n = good;
  n.email = "not-an-email";
  expect_field(n, "email");
  n = good;
  n.display_name = "bad \xff utf8";
  expect_field(n, "display_name");
  EXPECT_EQ(auth_->count_users(), 0);
  EXPECT_EQ(audit_->count(), 0);
  make_user("jonas");
  try {
    make_user("jonas");
    FAIL() << "duplicate user name accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
  }
}

TEST_P(AuthTest, LoginCreatesASessionAndLogoutEndsIt) {
  const auto u = make_user("amara", "coordinator");
  const auto s = auth_->login("amara", "correct horse battery");
  EXPECT_EQ(s.user.id, u.id);
  auto p = auth_->session_principal(s.secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, Role::coordinator);
  EXPECT_EQ(p->csrf_token, s.csrf_token);
  EXPECT_FALSE(p->via_token);
  // Only the hash of the secret is stored.
  EXPECT_FALSE(
      db_->connection()->query_one("SELECT 1 FROM sessions WHERE id_hash = ?", {s.secret}));
  auth_->logout(*p, s.secret);
  EXPECT_FALSE(auth_->session_principal(s.secret));
  EXPECT_FALSE(auth_->session_principal("made-up"));
}

TEST_P(AuthTest, WrongPasswordsLockTheAccountWithBackoff) {
  make_user("wei", "analyst");
  for (int i = 0; i < 3; ++i) {
    try {
      auth_->login("wei", "wrong password!");
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_credentials");
    }
  }
  try {
    auth_->login("wei", "correct horse battery");
    FAIL() << "locked account let a correct password in";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::rate_limited);
    EXPECT_EQ(e.code(), "locked");
  }
  const auto until =
      db_->connection()->query_one("SELECT locked_until FROM users WHERE username = 'wei'");
  EXPECT_GT(until->integer(0), now_millis() + 50 * 1000);
  // Unknown names fail the same way as wrong passwords.
  try {
    auth_->login("nobody", "whatever password");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_credentials");
  }
}

TEST_P(AuthTest, DisablingEndsSessionsAndTokens) {
  const auto u = make_user("samir", "fiu_analyst");
  const auto s = auth_->login("samir", "correct horse battery");
  auto [info, secret] =
      auth_->create_token(operator_principal(), u.id, "bank feed", {"read"}, std::nullopt);
  ASSERT_TRUE(auth_->token_principal(secret));
  UserChange ch;
  ch.disabled = true;
  auth_->change_user(operator_principal(), u.id, ch);
  EXPECT_FALSE(auth_->session_principal(s.secret));
  EXPECT_FALSE(auth_->token_principal(secret));
  EXPECT_THROW(auth_->login("samir", "correct horse battery"), Error);
}

TEST_P(AuthTest, TokensAreScopedRevocableAndStoredHashed) {
  const auto u = make_user("ines", "partner");
  auto [info, secret] =
      auth_->create_token(operator_principal(), u.id, "stats", {"read"}, std::nullopt);
  EXPECT_EQ(secret.rfind("ctis_", 0), 0u);
  auto p = auth_->token_principal(secret);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->via_token);
  EXPECT_EQ(p->scopes, std::vector<std::string>{"read"});
  EXPECT_FALSE(
      db_->connection()->query_one("SELECT 1 FROM api_tokens WHERE token_hash = ?", {secret}));
  auth_->revoke_token(operator_principal(), info.id);
  EXPECT_FALSE(auth_->token_principal(secret));
  EXPECT_THROW(auth_->revoke_token(operator_principal(), info.id), Error);
  EXPECT_THROW(auth_->create_token(operator_principal(), u.id, "x", {"admin"}, std::nullopt),
               Error);
  EXPECT_THROW(auth_->create_token(operator_principal(), u.id, "x", {"read"}, now_millis() - 1),
               Error);
}

TEST_P(AuthTest, PasswordChangeEndsSessions) {
  const auto u = make_user("lucia");
  const auto s = auth_->login("lucia", "correct horse battery");
  auth_->set_password(operator_principal(), u.id, "a brand new passphrase");
  EXPECT_FALSE(auth_->session_principal(s.secret));
  EXPECT_TRUE(auth_->verify_password(u.id, "a brand new passphrase"));
  EXPECT_FALSE(auth_->verify_password(u.id, "correct horse battery"));
}

TEST_P(AuthTest, EveryChangeIsAudited) {
  const auto u = make_user("jonas");
  auth_->login("jonas", "correct horse battery");
  EXPECT_THROW(auth_->login("jonas", "bad password!!"), Error);
  std::vector<std::string> actions;
  for (const auto& e : audit_->list(0, 100)) actions.push_back(e.action + "/" + e.outcome);
  const std::vector<std::string> expected = {"auth.login/failed", "auth.login/ok", "user.create/ok",
                                             "organisation.create/ok"};
  EXPECT_EQ(actions, expected);
  EXPECT_TRUE(audit_->verify().ok);
}

TEST_P(AuthTest, ReencryptionUnderANewKeyLosesNothing) {
  const auto u = make_user("amara");
  keys_->add_key();
  db_->transaction([&](store::Connection& c) { EXPECT_EQ(auth_->reencrypt(c, *keys_), 2); });
  keys_->retire_inactive();
  const auto again = auth_->find_user(u.id);
  EXPECT_EQ(again->display_name, "Name of amara");
  EXPECT_EQ(again->email, "amara@example.org");
  EXPECT_TRUE(auth_->find_user_by_email("amara@example.org"));
}

INSTANTIATE_TEST_SUITE_P(Stores, AuthTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::auth
