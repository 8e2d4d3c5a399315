// Walks every endpoint of the policy table as every role and checks the answer follows it.
#include "fixture.h"

namespace ctis::api {
namespace {

// A concrete target for a pattern: path parameters become the caller's own user id, so a
// permitted call is not turned away by need-to-know rules after the policy check.
std::string target_for(const Endpoint& e, std::int64_t id) {
  std::string t = e.pattern;
  for (auto open = t.find('{'); open != std::string::npos; open = t.find('{')) {
    t.replace(open, t.find('}', open) - open + 1, std::to_string(id > 0 ? id : 1));
  }
  return t;
}

TEST_P(ApiTest, EveryEndpointAnswersEveryRoleAsThePolicySays) {
  int checked = 0;
  for (const auto& e : endpoints()) {
    for (auth::Role role : auth::all_roles()) {
      // An empty JSON object: enough to pass the policy and reach input validation.
      const std::string body = e.request_schema.is_null() ? "" : "{}";
      const auto r = call(e.method, target_for(e, callers_[role].user_id), body, role);
      const bool allowed = e.roles.count(role) > 0;
      SCOPED_TRACE(e.method + " " + e.pattern + " as " + std::string(auth::role_name(role)) +
                   " -> " + std::to_string(r.status) + " " + r.body);
      if (allowed) {
        EXPECT_NE(r.status, 401);
        EXPECT_NE(r.status, 403);
      } else if (role == auth::Role::anonymous) {
        EXPECT_EQ(r.status, 401);
      } else {
        EXPECT_EQ(r.status, 403);
      }
      ++checked;
      if (e.pattern == "/api/v1/auth/logout" && role != auth::Role::anonymous) sign_in(role);
    }
  }
  EXPECT_EQ(checked, static_cast<int>(endpoints().size() * auth::all_roles().size()));
}

TEST_P(ApiTest, DeniedCallsAreAudited) {
  const auto before = p_->audit->count();
  EXPECT_EQ(call("GET", "/api/v1/audit", "", auth::Role::caseworker).status, 403);
  const auto entries = p_->audit->list(0, 1);
  EXPECT_EQ(p_->audit->count(), before + 1);
  EXPECT_EQ(entries.at(0).action, "access.denied");
  EXPECT_EQ(entries.at(0).outcome, "denied");
}

TEST_P(ApiTest, OpenApiDescribesExactlyTheTable) {
  const auto r = call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  const auto doc = json_of(r);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::size_t operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) operations += ops.size();
  EXPECT_EQ(operations, endpoints().size());
  for (const auto& e : endpoints()) {
    std::string m = e.method;
    for (auto& ch : m) ch = static_cast<char>(std::tolower(ch));
    ASSERT_TRUE(doc["paths"].contains(e.pattern)) << e.pattern;
    const auto& op = doc["paths"][e.pattern][m];
    ASSERT_TRUE(op.is_object()) << e.method << " " << e.pattern;
    EXPECT_TRUE(op["responses"].contains(std::to_string(e.success_status)));
    EXPECT_EQ(op["x-ctis-roles"].size(), e.roles.size());
  }
  // Every $ref points at a schema that exists.
  const std::string text = doc.dump();
  for (auto at = text.find("#/components/schemas/"); at != std::string::npos;
       at = text.find("#/components/schemas/", at + 1)) {
    const auto start = at + std::string("#/components/schemas/").size();
    const std::string name = text.substr(start, text.find('"', start) - start);
    EXPECT_TRUE(doc["components"]["schemas"].contains(name)) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ApiTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::api
