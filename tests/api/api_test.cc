// The API's own rules, in-process: sign-in, CSRF, token scopes, need-to-know, input errors.
#include "fixture.h"

namespace ctis::api {
namespace {

using auth::Role;

TEST_P(ApiTest, LoginSetsAHardenedCookieAndReturnsTheUser) {
  const auto r = call("POST", "/api/v1/auth/login",
                      R"({"username":"user.analyst","password":"password for tests"})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie;
  for (const auto& [k, v] : r.headers) {
    if (k == "Set-Cookie") cookie = v;
  }
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // not over plain HTTP
  const auto body = json_of(r);
  EXPECT_EQ(body["user"]["role"], "analyst");
  EXPECT_FALSE(body["csrf_token"].get<std::string>().empty());

  const auto bad = call("POST", "/api/v1/auth/login",
                        R"({"username":"user.analyst","password":"nope nope nope"})");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(json_of(bad)["error"]["code"], "invalid_credentials");
}

TEST_P(ApiTest, BrowserWritesNeedTheCsrfToken) {
  const auto& admin = callers_[Role::admin];
  http::Request req;
  req.method = "POST";
  req.path = req.target = "/api/v1/organisations";
  req.body = R"({"name":"No Token Org"})";
  req.headers = {{"cookie", "ctis_session=" + admin.cookie}, {"content-type", "application/json"}};
  auto r = app_->handle(req);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(json_of(r)["error"]["code"], "csrf");
  req.headers.emplace_back("x-csrf-token", "wrong");
  EXPECT_EQ(app_->handle(req).status, 403);
  req.headers.back().second = admin.csrf;
  EXPECT_EQ(app_->handle(req).status, 201);
}

TEST_P(ApiTest, BodiesMustBeJson) {
  const auto r = call("POST", "/api/v1/organisations", R"({"name":"Form Org"})", Role::admin,
                      {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["code"], "unsupported_media_type");
}

TEST_P(ApiTest, TokenScopesLimitWhatATokenMayDo) {
  const auto admin_id = callers_[Role::admin].user_id;
  auto [ro_info, read_only] =
      p_->auth->create_token(auth::operator_principal(), admin_id, "ro", {"read"}, std::nullopt);
  auto [rw_info, read_write] = p_->auth->create_token(auth::operator_principal(), admin_id, "rw",
                                                      {"read", "write"}, std::nullopt);
  auto with = [&](const std::string& token, const std::string& method, const std::string& path,
                  const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.path = req.target = path;
    req.body = body;
    req.headers = {{"authorization", "Bearer " + token}, {"content-type", "application/json"}};
    return app_->handle(req);
  };
  EXPECT_EQ(with(read_only, "GET", "/api/v1/users").status, 200);
  EXPECT_EQ(with(read_only, "POST", "/api/v1/organisations", R"({"name":"A"})").status, 403);
  // Tokens need no CSRF token: they are not sent by browsers on their own.
  EXPECT_EQ(with(read_write, "POST", "/api/v1/organisations", R"({"name":"B"})").status, 201);
  EXPECT_EQ(with("ctis_forged", "GET", "/api/v1/users").status, 401);
  p_->auth->revoke_token(auth::operator_principal(), rw_info.id);
  EXPECT_EQ(with(read_write, "GET", "/api/v1/users").status, 401);
}

TEST_P(ApiTest, NeedToKnowHidesOtherPeoplesRecords) {
  const auto caseworker = callers_[Role::caseworker].user_id;
  const auto partner = callers_[Role::partner].user_id;  // another organisation
  // Everyone sees themselves.
  EXPECT_EQ(call("GET", "/api/v1/users/" + std::to_string(caseworker), "", Role::caseworker).status,
            200);
  // A caseworker does not see a colleague; a coordinator sees their organisation only.
  EXPECT_EQ(call("GET", "/api/v1/users/" + std::to_string(callers_[Role::analyst].user_id), "",
                 Role::caseworker)
                .status,
            404);
  EXPECT_EQ(
      call("GET", "/api/v1/users/" + std::to_string(caseworker), "", Role::coordinator).status,
      200);
  EXPECT_EQ(call("GET", "/api/v1/users/" + std::to_string(partner), "", Role::coordinator).status,
            404);
  EXPECT_EQ(call("GET", "/api/v1/users/" + std::to_string(partner), "", Role::admin).status, 200);
  const auto listed = json_of(call("GET", "/api/v1/users", "", Role::coordinator));
  for (const auto& u : listed["users"]) EXPECT_EQ(u["organisation"]["name"], "Main Org");
}

TEST_P(ApiTest, ReadsOfPersonalDataAreAudited) {
  const auto id = callers_[Role::caseworker].user_id;
  ASSERT_EQ(call("GET", "/api/v1/users/" + std::to_string(id), "", Role::admin).status, 200);
  const auto last = p_->audit->list(0, 1).at(0);
  EXPECT_EQ(last.action, "user.read");
  EXPECT_EQ(last.record, "user:" + std::to_string(id));
  EXPECT_EQ(last.actor, "user.admin");
  EXPECT_EQ(last.role, "admin");
}

TEST_P(ApiTest, InputErrorsNameTheFieldAndWriteNothing) {
  const auto users_before = p_->auth->count_users();
  const auto audit_before = p_->audit->count();
  struct Case {
    std::string body, field;
  };
  for (
      const auto& c : std::vector<Case>{
          {R"({"username":"ok.name","role":"analyst","organisation":"Main Org","password":"long enough password","extra":1})",
           "/extra"},
          {R"({"username":"ok.name","role":"analyst","organisation":"Main Org","password":5})",
           "/password"},
          {R"({"username":"ok.name","role":"analyst","organisation":"Main Org","password":"short"})",
           "/password"},
          {R"({"username":"ok.name","role":"analyst","organisation":"Nowhere","password":"long enough password"})",
           "/organisation"},
          {R"({"username":"ok.name","role":"analyst","organisation":"Main Org","password":"long enough password","email":"bad"})",
           "/email"}}) {
    const auto r = call("POST", "/api/v1/users", c.body, Role::admin);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(json_of(r)["error"]["field"], c.field) << r.body;
  }
  EXPECT_EQ(call("GET", "/api/v1/users/abc", "", Role::admin).status, 400);
  EXPECT_EQ(p_->auth->count_users(), users_before);
  EXPECT_EQ(p_->audit->count(), audit_before);
}

TEST_P(ApiTest, DuplicateOrganisationIsAConflictOnItsName) {
  EXPECT_EQ(call("POST", "/api/v1/organisations", R"({"name":"Twice"})", Role::admin).status, 201);
  const auto r = call("POST", "/api/v1/organisations", R"({"name":"Twice"})", Role::admin);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json_of(r)["error"]["field"], "/name");
}

TEST_P(ApiTest, SigningInAgainWithALiveSessionWorks) {
  // The browser still holds a valid cookie but no CSRF token (e.g. a reloaded sign-in page).
  http::Request req;
  req.method = "POST";
  req.path = req.target = "/api/v1/auth/login";
  req.body = R"({"username":"user.analyst","password":"password for tests"})";
  req.headers = {{"cookie", "ctis_session=" + callers_[Role::analyst].cookie},
                 {"content-type", "application/json"}};
  EXPECT_EQ(app_->handle(req).status, 200);
}

TEST_P(ApiTest, ChangingOnesPasswordNeedsTheCurrentOne) {
  auto r = call("POST", "/api/v1/auth/password",
                R"({"current_password":"wrong wrong wrong","new_password":"a new password 1"})",
                Role::analyst);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["field"], "/current_password");
  r = call("POST", "/api/v1/auth/password",
           R"({"current_password":"password for tests","new_password":"short"})", Role::analyst);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["field"], "/new_password");
  r = call("POST", "/api/v1/auth/password",
           R"({"current_password":"password for tests","new_password":"a new password 1"})",
           Role::analyst);
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(p_->auth->verify_password(callers_[Role::analyst].user_id, "a new password 1"));
}

TEST_P(ApiTest, AdminsCannotLockThemselvesOut) {
  const auto id = callers_[Role::admin].user_id;
  const auto r =
      call("PATCH", "/api/v1/users/" + std::to_string(id), R"({"disabled":true})", Role::admin);
  EXPECT_EQ(r.status, 400);
}

TEST_P(ApiTest, UnknownPathsAndMethods) {
  EXPECT_EQ(call("GET", "/api/v1/nothing-here").status, 404);
  const auto r = call("DELETE", "/api/v1/users", "", Role::admin);
  EXPECT_EQ(r.status, 405);
}

}  // namespace
}  // namespace ctis::api
