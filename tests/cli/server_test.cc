// `ctis serve` over real sockets: security headers, sign-in, reading a record, bad input that
// changes nothing, and no acknowledged write lost when the process is killed.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"
#include "support/test_db.h"

namespace ctis::testing {
namespace {

using nlohmann::json;
using store::Dialect;

class ServerTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    data_ = (db_->dir() / "data").string();
    const auto r =
        run_ctis({"user", "add", "admin", "--role", "admin", "--org", "Office", "--display-name",
                  "Ada Admin", "--password-stdin", "--data", data_, "--store-url", db_->url()},
                 "admin password 123\n", env_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    start();
  }
  void start() {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"serve", "--data", data_, "--store-url", db_->url(), "--listen",
                                 "127.0.0.1:0"},
        env_);
  }
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "", std::map<std::string, std::string> h = {}) {
    if (!cookie_.empty()) h.emplace("Cookie", "ctis_session=" + cookie_);
    if (!csrf_.empty() && method != "GET") h.emplace("X-CSRF-Token", csrf_);
    return http_request("127.0.0.1", server_->port(), method, target, body, h);
  }
  void sign_in() {
    const auto r = request("POST", "/api/v1/auth/login",
                           R"({"username":"admin","password":"admin password 123"})");
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string set = r.header("set-cookie");
    EXPECT_NE(set.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set.find("SameSite=Strict"), std::string::npos);
    cookie_ = set.substr(13, set.find(';') - 13);
    csrf_ = json::parse(r.body)["csrf_token"];
  }
  int count_users() {
    return static_cast<int>(json::parse(request("GET", "/api/v1/users").body)["users"].size());
  }

  std::map<std::string, std::string> env_ = {{"CTIS_FAST_PASSWORD_HASHING", "true"}};
  std::unique_ptr<TestDb> db_;
  std::string data_;
  std::unique_ptr<ServerProcess> server_;
  std::string cookie_, csrf_;
};

TEST_P(ServerTest, HealthAndSecurityHeaders) {
  for (const char* path : {"/healthz", "/readyz", "/api/v1/users", "/"}) {
    const auto r = request("GET", path);
    SCOPED_TRACE(path);
    EXPECT_NE(r.header("content-security-policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(r.header("content-security-policy").find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.header("strict-transport-security"), "");  // no TLS here
  }
  EXPECT_EQ(request("GET", "/healthz").status, 200);
  EXPECT_EQ(request("GET", "/readyz").status, 200);
  const auto anon = request("GET", "/api/v1/users");
  EXPECT_EQ(anon.status, 401);
  EXPECT_EQ(json::parse(anon.body)["error"]["code"], "unauthorized");
  const auto page = request("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<html"), std::string::npos);
}

TEST_P(ServerTest, SignInReadARecordAndSeeItAudited) {
  sign_in();
  const auto me = request("GET", "/api/v1/auth/session");
  ASSERT_EQ(me.status, 200);
  const auto id = json::parse(me.body)["user"]["id"].get<int>();
  const auto user = request("GET", "/api/v1/users/" + std::to_string(id));
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(json::parse(user.body)["display_name"], "Ada Admin");
  const auto audit = json::parse(request("GET", "/api/v1/audit?limit=5").body);
  bool seen = false;
  for (const auto& e : audit["entries"]) {
    seen |= e["action"] == "user.read" && e["record"] == "user:" + std::to_string(id);
  }
  EXPECT_TRUE(seen) << audit.dump();
  const auto metrics = request("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ctis_http_requests_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("ctis_db_pool_connections"), std::string::npos);
}

TEST_P(ServerTest, BadInputNamesTheFieldAndChangesNothing) {
  sign_in();
  const int before = count_users();
  struct Case {
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"{not json", 400, "invalid_json", ""},
      {"[1,2]", 400, "invalid", ""},
      {R"({"username":"bob","role":"analyst","organisation":"Office","password":"long password 1","shoe_size":44})",
       400, "invalid", "/shoe_size"},
      {R"({"username":"bob","role":"analyst","organisation":"Office"})", 400, "invalid",
       "/password"},
      {R"({"username":7,"role":"analyst","organisation":"Office","password":"long password 1"})",
       400, "invalid", "/username"},
      {R"({"username":"bob","role":"wizard","organisation":"Office","password":"long password 1"})",
       400, "invalid", "/role"},
      {"{\"username\":\"bob\",\"role\":\"analyst\",\"organisation\":\"Office\",\"password\":"
       "\"long password \xff\"}",
       400, "invalid_json", ""},
  };
  for (const auto& c : cases) {
    const auto r = request("POST", "/api/v1/users", c.body);
    SCOPED_TRACE(c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    const auto err = json::parse(r.body)["error"];
    EXPECT_EQ(err["code"], c.code) << r.body;
    if (!c.field.empty()) {
      EXPECT_EQ(err["field"], c.field) << r.body;
    }
  }
  // Oversized body: refused before it reaches the application.
  const std::string huge = "{\"username\":\"" + std::string(7 * 1024 * 1024, 'a') + "\"}";
  EXPECT_EQ(request("POST", "/api/v1/users", huge).status, 413);
  // Writes without the CSRF token are refused.
  const auto saved = csrf_;
  csrf_.clear();
  EXPECT_EQ(request("POST", "/api/v1/organisations", R"({"name":"Sneaky"})").status, 403);
  csrf_ = saved;
  EXPECT_EQ(count_users(), before);
}

TEST_P(ServerTest, NoAcknowledgedWriteIsLostWhenKilled) {
  sign_in();
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const std::string name = "user" + std::to_string(i);
      try {
        const auto r = request(
            "POST", "/api/v1/users",
            R"({"username":")" + name +
                R"(","role":"analyst","organisation":"Office","password":"long password 1"})");
        if (r.status == 201) {
          acknowledged.push_back(name);
          ++count;
        }
      } catch (const std::exception&) {
        break;  // the server is gone
      }
    }
  });
  while (count < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->kill_hard();
  stop = true;
  writer.join();
  start();
  sign_in();
  const auto users = json::parse(request("GET", "/api/v1/users").body)["users"];
  std::set<std::string> present;
  for (const auto& u : users) present.insert(u["username"].get<std::string>());
  for (const auto& name : acknowledged) EXPECT_TRUE(present.count(name)) << name << " was lost";
  EXPECT_EQ(json::parse(request("GET", "/api/v1/audit/verify").body)["ok"], true);
}

TEST_P(ServerTest, TerminationIsGraceful) {
  sign_in();
  EXPECT_EQ(request("GET", "/healthz").status, 200);
  EXPECT_EQ(server_->stop(), 0) << server_->stderr_text();
}

INSTANTIATE_TEST_SUITE_P(Stores, ServerTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql), dialect_name);

}  // namespace
}  // namespace ctis::testing
