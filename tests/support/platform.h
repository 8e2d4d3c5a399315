// The platform's parts over a fresh database of either kind, wired as the program wires them:
// a migrated store, a new key file, the audit log, auth (with fast password hashing) and cases.
// Header-only: test targets that use it link ctis_cases.
#pragma once

#include <memory>
#include <string>

#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/cases.h"
#include "support/test_db.h"
#include "vault/vault.h"

namespace ctis::testing {

inline Config::Auth fast_auth() {
  Config::Auth settings;
  settings.fast_password_hashing = true;
  return settings;
}

struct Platform {
  explicit Platform(store::Dialect dialect, Config::Auth settings = fast_auth())
      : test_db(dialect),
        db(test_db.open(4)),
        keys((store::migrate(*db, store::builtin_migrations()),
              vault::Keyring::open((test_db.dir() / "keys" / "ctis.key").string(), true))),
        audit(std::make_unique<audit::AuditLog>(*db)),
        auth(std::make_unique<auth::Auth>(*db, keys, *audit, settings)),
        cases(std::make_unique<cases::Cases>(*db, keys, *audit)) {}

  // A user the operator makes (password kPassword), as the principal through which they act.
  auth::Principal person(const std::string& name, const std::string& role,
                         const std::string& organisation, const std::string& email = "") {
    const auto u = auth->create_user(auth::operator_principal(),
                                     {name, role, organisation, "", email, kPassword}, true);
    auth::Principal p;
    p.user_id = u.id;
    p.username = u.username;
    p.role = u.role;
    p.organisation_id = u.organisation_id;
    return p;
  }

  static constexpr const char* kPassword = "password for tests";
  TestDb test_db;
  std::unique_ptr<store::Database> db;
  std::shared_ptr<vault::Keyring> keys;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<cases::Cases> cases;
};

}  // namespace ctis::testing
