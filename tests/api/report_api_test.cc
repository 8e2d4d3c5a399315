// The staff side of safe reporting through the API: a report entered by phone, read, answered
// and triaged into a case; keys that open only in a signed-in session of a recipient.
#include "fixture.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

class ReportApiTest : public ApiTest {
 protected:
  // A report taken by phone by the coordinator; returns {report_id, code}.
  json enter(const json& fields) {
    const auto r = call("POST", "/api/v1/reports", fields.dump(), Role::coordinator);
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r);
  }
  static json phone_report() {
    return {{"channel", "phone"},
            {"place_country", "IT"},
            {"place", "Greenhouses near the ring road"},
            {"work_type", "agriculture"},
            {"signs", {"no_id_documents", "debt", "long_hours"}},
            {"affected", "adults"},
            {"people_count", 12},
            {"when_seen", "this_week"},
            {"description", "<script>alert(1)</script> workers sleep in the sheds"}};
  }
};

TEST_P(ReportApiTest, PhoneReportIsReadRepliedAndBecomesACase) {
  const json receipt = enter(phone_report());
  const auto id = receipt["report_id"].get<std::int64_t>();
  ASSERT_EQ(receipt["code"].get<std::string>().size(), 24u);  // 20 characters in five groups

  const json queue = json_of(call("GET", "/api/v1/reports", "", Role::coordinator));
  ASSERT_EQ(queue["reports"].size(), 1u);
  EXPECT_EQ(queue["reports"][0]["channel"], "phone");
  EXPECT_EQ(queue["reports"][0]["signs"], 3);

  const auto read = call("GET", "/api/v1/reports/" + std::to_string(id), "", Role::caseworker);
  ASSERT_EQ(read.status, 200) << read.body;
  const json view = json_of(read);
  EXPECT_EQ(view["status"], "in_review");
  EXPECT_EQ(view["submission"]["description"],
            "<script>alert(1)</script> workers sleep in the sheds");  // stored as given
  EXPECT_EQ(view["submission"]["people_count"], 12);

  const std::string base = "/api/v1/reports/" + std::to_string(id);
  ASSERT_EQ(
      call("POST", base + "/messages",
           json{{"text", "Thank you. Can you tell us the farm's name?"}, {"visibility", "thread"}}
               .dump(),
           Role::coordinator)
          .status,
      201);
  ASSERT_EQ(
      call(
          "POST", base + "/messages",
          json{{"text", "Checked with the labour inspectorate"}, {"visibility", "internal"}}.dump(),
          Role::caseworker)
          .status,
      201);
  // The reporter, with the code, sees the reply but never the internal note.
  const auto thread = reports_->follow_up(receipt["code"].get<std::string>()).thread;
  ASSERT_EQ(thread.size(), 1u);
  EXPECT_EQ(thread[0].text, "Thank you. Can you tell us the farm's name?");

  const auto made = call("POST", base + "/case", "", Role::coordinator);
  ASSERT_EQ(made.status, 201) << made.body;
  const json both = json_of(made);
  const auto case_id = both["case"]["id"].get<std::int64_t>();
  EXPECT_EQ(both["report"]["status"], "linked");
  EXPECT_EQ(both["report"]["case_id"], case_id);
  EXPECT_EQ(both["case"]["profile"]["country_of_exploitation"], "ITA");
  EXPECT_EQ(both["case"]["profile"]["exploitation"], json::array({"forced_labour"}));
  EXPECT_EQ(both["case"]["profile"]["labour_sectors"], json::array({"agriculture"}));
  const json means = both["case"]["profile"]["means"];
  EXPECT_NE(std::find(means.begin(), means.end(), "withhold_docs"), means.end());
  const json notes = json_of(
      call("GET", "/api/v1/cases/" + std::to_string(case_id) + "/notes", "", Role::coordinator));
  ASSERT_EQ(notes["notes"].size(), 1u);
  EXPECT_NE(notes["notes"][0]["text"].get<std::string>().find("workers sleep in the sheds"),
            std::string::npos);
  // Linked once is linked: a second case is refused.
  EXPECT_EQ(call("POST", base + "/case", "", Role::coordinator).status, 409);

  const json entries = json_of(call("GET", "/api/v1/audit?limit=200", "", Role::admin));
  int reads = 0;
  for (const auto& e : entries["entries"]) {
    if (e["action"] == "report.read" && e["record"] == "report:" + std::to_string(id)) ++reads;
  }
  EXPECT_GE(reads, 1);
}

TEST_P(ReportApiTest, ClosingNeedsAReasonAndMessagingCanBeSwitchedOff) {
  const auto id = enter(phone_report())["report_id"].get<std::int64_t>();
  const std::string base = "/api/v1/reports/" + std::to_string(id);
  EXPECT_EQ(call("POST", base + "/messaging", R"({"mode":"sometimes"})", Role::coordinator).status,
            400);
  const auto off = call("POST", base + "/messaging", R"({"mode":"off"})", Role::coordinator);
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(json_of(off)["messaging"], "off");
  EXPECT_EQ(call("POST", base + "/close", R"({})", Role::coordinator).status, 400);
  const auto closed =
      call("POST", base + "/close", R"({"reason":"duplicate of report 1"})", Role::coordinator);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(json_of(closed)["status"], "closed");
  EXPECT_EQ(json_of(closed)["close_reason"], "duplicate of report 1");
}

TEST_P(ReportApiTest, StaffEntryIsValidatedAndStoresNothingWhenBad) {
  json bad = phone_report();
  bad["channel"] = "web";
  auto r = call("POST", "/api/v1/reports", bad.dump(), Role::coordinator);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["field"], "/channel");
  bad = phone_report();
  bad["signs"] = {"no_id_documents", "sees_ghosts"};
  r = call("POST", "/api/v1/reports", bad.dump(), Role::coordinator);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json_of(call("GET", "/api/v1/reports", "", Role::coordinator))["reports"].size(), 0u);
}

TEST_P(ReportApiTest, KeysOpenOnlyInARecipientsSession) {
  enter(phone_report());
  // An API token of a recipient cannot open reports: the key is wrapped under a session.
  const auto token =
      json_of(call("POST", "/api/v1/tokens", R"({"name":"script","scopes":["read","write"]})",
                   Role::coordinator));
  http::Request req;
  req.method = "GET";
  req.target = req.path = "/api/v1/reports";
  req.headers.emplace_back("authorization", "Bearer " + token["token"].get<std::string>());
  const auto via_token = app_->handle(req);
  EXPECT_EQ(via_token.status, 403);
  EXPECT_EQ(json_of(via_token)["error"]["code"], "report_key_locked");

  // A removed recipient loses access at once.
  const auto caseworker = callers_[Role::caseworker].user_id;
  EXPECT_EQ(call("DELETE", "/api/v1/report-recipients/" + std::to_string(caseworker), "",
                 Role::coordinator)
                .status,
            204);
  const auto removed = call("GET", "/api/v1/reports", "", Role::caseworker);
  EXPECT_EQ(removed.status, 403);
  EXPECT_EQ(json_of(removed)["error"]["code"], "not_a_recipient");
  EXPECT_FALSE(
      json_of(call("GET", "/api/v1/auth/session", "", Role::caseworker))["report_recipient"]);
  EXPECT_TRUE(
      json_of(call("GET", "/api/v1/auth/session", "", Role::coordinator))["report_recipient"]);

  // Added again, their key opens after the next sign-in through the login endpoint, and the
  // queue (which shares the backlog) gives them the report sealed while they were out.
  ASSERT_EQ(call("POST", "/api/v1/report-recipients", json{{"user_id", caseworker}}.dump(),
                 Role::coordinator)
                .status,
            200);
  const auto login = call("POST", "/api/v1/auth/login",
                          R"({"username":"user.caseworker","password":"password for tests"})");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_TRUE(json_of(login)["report_recipient"]);
  std::string set;
  for (const auto& [name, value] : login.headers) {
    if (name == "Set-Cookie") set = value;
  }
  callers_[Role::caseworker].cookie = set.substr(13, set.find(';') - 13);
  callers_[Role::caseworker].csrf = json_of(login)["csrf_token"];
  EXPECT_EQ(json_of(call("GET", "/api/v1/reports", "", Role::coordinator))["reports"].size(), 1u);
  const auto back = call("GET", "/api/v1/reports", "", Role::caseworker);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(json_of(back)["reports"].size(), 1u);
}

TEST_P(ReportApiTest, RecipientsAreCoordinatorsOrCaseworkersOfOnesOrganisation) {
  const auto analyst = callers_[Role::analyst].user_id;
  const auto r = call("POST", "/api/v1/report-recipients", json{{"user_id", analyst}}.dump(),
                      Role::coordinator);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["field"], "/user_id");
  const auto partner = callers_[Role::partner].user_id;  // another organisation
  EXPECT_EQ(call("POST", "/api/v1/report-recipients", json{{"user_id", partner}}.dump(),
                 Role::coordinator)
                .status,
            404);
  const json list = json_of(call("GET", "/api/v1/report-recipients", "", Role::coordinator));
  EXPECT_EQ(list["recipients"].size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportApiTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::api
