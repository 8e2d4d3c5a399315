// An App over a fresh database of either kind, with one signed-in user per role, called
// in-process (the HTTP server is tested on its own in tests/http and end to end in tests/cli).
#pragma once

#include <gtest/gtest.h>

#include <map>

#include "api/api.h"
#include "exchange/exchange.h"
#include "monitor/monitor.h"
#include "support/platform.h"

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
    config_.auth = testing::fast_auth();
    p_ = std::make_unique<testing::Platform>(GetParam(), config_.auth);
    config_.server.web_root = (p_->test_db.dir() / "no-web").string();
    reports::Settings report_settings;
    report_settings.fast_key_derivation = true;
    report_settings.wrong_code_delay_ms = 0;
    reports_ = std::make_unique<reports::Reports>(*p_->db, *p_->audit, report_settings, p_->keys);
    alerts_ = std::make_unique<alerts::Alerts>(*p_->db, p_->keys, *p_->audit);
    exchange_ = std::make_unique<exchange::Exchange>(*p_->db, *p_->audit);
    monitor_ = std::make_unique<monitor::Monitor>(*p_->db, *p_->audit);
    Services services{config_,    *p_->db,  p_->keys,       *p_->audit,   *p_->auth,
                      *p_->cases, metrics_, reports_.get(), alerts_.get()};
    services.exchange = exchange_.get();
    services.monitor = monitor_.get();
    app_ = std::make_unique<App>(services);
    for (auth::Role r : auth::all_roles()) {
      if (r == auth::Role::anonymous) continue;
      const std::string name = "user." + std::string(auth::role_name(r));
      const std::string org = r == auth::Role::partner ? "Partner Org" : "Main Org";
      const auto u = p_->auth->create_user(auth::operator_principal(),
                                           {name, std::string(auth::role_name(r)), org, "Name",
                                            name + "@example.org", "password for tests"},
                                           true);
      callers_[r] = Caller{r, u.id, "", ""};
      // The case workers receive reports, so the report endpoints reach their handlers.
      if (r == auth::Role::coordinator || r == auth::Role::caseworker) {
        reports_->add_recipient(auth::operator_principal(), u.id);
      }
      sign_in(r);
    }
    callers_[auth::Role::anonymous] = Caller{auth::Role::anonymous, 0, "", ""};
  }

  // (Re)creates the session of the test user with this role, as the login endpoint does.
  void sign_in(auth::Role r) {
    const auto s = p_->auth->login("user." + std::string(auth::role_name(r)), "password for tests");
    reports_->open_session(s.user.id, "password for tests", s.secret);
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
  std::unique_ptr<testing::Platform> p_;
  http::Metrics metrics_;
  std::unique_ptr<reports::Reports> reports_;
  std::unique_ptr<alerts::Alerts> alerts_;
  std::unique_ptr<exchange::Exchange> exchange_;
  std::unique_ptr<monitor::Monitor> monitor_;
  std::unique_ptr<App> app_;
  std::map<auth::Role, Caller> callers_;
};

}  // namespace ctis::api
