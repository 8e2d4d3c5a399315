// Alerts through the API: a subscription, an alert raised by another module reaching exactly
// its subscribers' inboxes, acknowledgement (audited), and rules validated by field.
#include "fixture.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

class AlertApiTest : public ApiTest {
 protected:
  std::int64_t raise_surge() {
    alerts::NewAlert a;
    a.source = "routes";
    a.kind = "surge";
    a.severity = "warning";
    a.title = "Central Mediterranean: arrivals above the expected range";
    a.summary = "412 detections in week 47; upper bound 300.";
    a.tags = {{"corridor", "central_mediterranean"}};
    a.dedup_key = "surge/central_mediterranean/2026-W47";
    const auto id = alerts_->raise(a);
    EXPECT_TRUE(id.has_value());
    return id.value_or(0);
  }
};

TEST_P(AlertApiTest, SubscribersSeeAndAcknowledgeTheirAlerts) {
  const auto sub = call("POST", "/api/v1/alert-subscriptions",
                        R"({"channel":"app","source":"routes","min_severity":"warning",
                            "tags":{"corridor":["central_mediterranean"]}})",
                        Role::analyst);
  ASSERT_EQ(sub.status, 201) << sub.body;
  EXPECT_EQ(json_of(sub)["user_id"], callers_[Role::analyst].user_id);
  const auto id = raise_surge();

  const json inbox = json_of(call("GET", "/api/v1/alerts", "", Role::analyst));
  ASSERT_EQ(inbox["alerts"].size(), 1u);
  EXPECT_EQ(inbox["alerts"][0]["id"], id);
  EXPECT_EQ(inbox["alerts"][0]["tags"]["corridor"], "central_mediterranean");
  EXPECT_TRUE(inbox["alerts"][0]["acknowledged_at"].is_null());
  // Someone without a subscription has an empty inbox and cannot open it.
  EXPECT_EQ(json_of(call("GET", "/api/v1/alerts", "", Role::caseworker))["alerts"].size(), 0u);
  EXPECT_EQ(call("GET", "/api/v1/alerts/" + std::to_string(id), "", Role::caseworker).status, 404);

  const auto ack = call("POST", "/api/v1/alerts/" + std::to_string(id) + "/acknowledge",
                        R"({"note":"Checked with the coast guard"})", Role::analyst);
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(json_of(ack)["note"], "Checked with the coast guard");
  EXPECT_FALSE(json_of(ack)["acknowledged_at"].is_null());
  EXPECT_EQ(json_of(call("GET", "/api/v1/alerts?unacknowledged=true", "", Role::analyst))["alerts"]
                .size(),
            0u);
  // A second acknowledgement is a conflict; the first is in the audit log.
  EXPECT_EQ(
      call("POST", "/api/v1/alerts/" + std::to_string(id) + "/acknowledge", "{}", Role::analyst)
          .status,
      409);
  const json entries = json_of(call("GET", "/api/v1/audit?limit=50", "", Role::admin));
  int acks = 0;
  for (const auto& e : entries["entries"]) acks += e["action"] == "alert.acknowledge";
  EXPECT_EQ(acks, 1);
}

TEST_P(AlertApiTest, RulesAreValidatedByFieldAndWrittenByThoseWhoWatchRoutes) {
  const auto bad = call("POST", "/api/v1/alert-rules",
                        R"({"name":"CM surge","method":"crystal_ball"})", Role::analyst);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json_of(bad)["error"]["field"], "/method");
  const auto made =
      call("POST", "/api/v1/alert-rules",
           R"({"name":"CM surge","corridors":["central_mediterranean"],"method":"ears_c2",
               "min_count":5})",
           Role::analyst);
  ASSERT_EQ(made.status, 201) << made.body;
  const json rules = json_of(call("GET", "/api/v1/alert-rules", "", Role::caseworker));
  ASSERT_EQ(rules["rules"].size(), 1u);
  EXPECT_EQ(rules["rules"][0]["method"], "ears_c2");
  EXPECT_EQ(call("POST", "/api/v1/alert-rules", made.body, Role::caseworker).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Stores, AlertApiTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::api
