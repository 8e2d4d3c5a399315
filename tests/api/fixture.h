// An App over a fresh database of either kind, with one signed-in user per role, called
// in-process (the HTTP server is tested on its own in tests/http and end to end in tests/cli).
#pragma once

#include <gtest/gtest.h>

#include <map>

#include "api/api.h"
#include "support/test_db.h"

namespace ctis::api {

struct Caller {
  auth::Role role;
  std::int64_t user_id = 0;
  std::string cookie;  // session secret
  std::string csrf;
};

class ApiTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    test_db_ = std::make_unique<testing::TestDb>(GetParam());
    db_ = test_db_->open(4);
    store::migrate(*db_, store::builtin_migrations());
    keys_ = vault::Keyring::open((test_db_->dir() / "ctis.key").string(), true);
    audit_ = std::make_unique<audit::AuditLog>(*db_);
    config_.auth.fast_password_hashing = true;
    config_.server.web_root = (test_db_->dir() / "no-web").string();
    auth_ = std::make_unique<auth::Auth>(*db_, keys_, *audit_, config_.auth);
    cases_ = std::make_unique<cases::Cases>(*db_, keys_, *audit_);
    app_ =
        std::make_unique<App>(Services{config_, *db_, keys_, *audit_, *auth_, *cases_, metrics_});
    for (auth::Role r : auth::all_roles()) {
      if (r == auth::Role::anonymous) continue;
      const std::string name = "user." + std::string(auth::role_name(r));
      const std::string org = r == auth::Role::partner ? "Partner Org" : "Main Org";
      const auto u = auth_->create_user(auth::operator_principal(),
                                        {name, std::string(auth::role_name(r)), org, "Name",
                                         name + "@example.org", "password for tests"},
                                        true);
      callers_[r] = Caller{r, u.id, "", ""};
      sign_in(r);
    }
    callers_[auth::Role::anonymous] = Caller{auth::Role::anonymous, 0, "", ""};
  }

  // (Re)creates the session of the test user with this role.
  void sign_in(auth::Role r) {
    const auto s = auth_->login("user." + std::string(auth::role_name(r)), "password for tests");
    callers_[r].cookie = s.secret;
    callers_[r].csrf = s.csrf_token;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", auth::Role as = auth::Role::anonymous,
                      std::map<std::string, std::string> headers = {}) {
    http::Request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.body = body;
    if (!body.empty() && !headers.count("content-type")) {
      headers["content-type"] = "application/json";
    }
    const Caller& c = callers_[as];
    if (!c.cookie.empty()) {
      headers.emplace("cookie", "ctis_session=" + c.cookie);
      if (method != "GET") headers.emplace("x-csrf-token", c.csrf);
    }
    for (auto& [k, v] : headers) req.headers.emplace_back(k, v);
    return app_->handle(req);
  }

  static nlohmann::json json_of(const http::Response& r) { return nlohmann::json::parse(r.body); }

  Config config_;
  std::unique_ptr<testing::TestDb> test_db_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<vault::Keyring> keys_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<cases::Cases> cases_;
  http::Metrics metrics_;
  std::unique_ptr<App> app_;
  std::map<auth::Role, Caller> callers_;
};

}  // namespace ctis::api
