// The finance desk's HTTP endpoints through the App, as the server calls it: FIU analysts only,
// the queue with filters and paging, an item, its network, the ranking, decisions, the STR
// download, and a bank export scanned in the background.
#include <gtest/gtest.h>

#include "api/api.h"
#include "fiu_fixture.h"
#include "reports/reports.h"

namespace ctis::fiu {
namespace {

using auth::Role;
using nlohmann::json;

class FinanceApiTest : public testing::DeskFixture {
 protected:
  void SetUp() override {
    DeskFixture::SetUp();
    config_.auth = ctis::testing::fast_auth();
    config_.server.web_root = (p_->test_db.dir() / "no-web").string();
    reports::Settings rs;
    rs.fast_key_derivation = true;
    reports_ = std::make_unique<reports::Reports>(*p_->db, *p_->audit, rs, p_->keys);
    api::Services services{config_,    *p_->db,  p_->keys,       *p_->audit,   *p_->auth,
                           *p_->cases, metrics_, reports_.get(), alerts_.get()};
    services.fiu = desk_.get();
    app_ = std::make_unique<api::App>(services);
    sign_in("fiu.analyst");
    p_->person("boss", "admin", "Ministry");
    sign_in("boss");
  }

  void sign_in(const std::string& user) {
    const auto s = p_->auth->login(user, ctis::testing::Platform::kPassword);
    sessions_[user] = {s.secret, s.csrf_token};
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& as = "fiu.analyst") {
    http::Request req;
    req.method = method;
    req.target = target;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    req.body = body;
    if (!body.empty()) req.headers.emplace_back("content-type", "application/json");
    if (!as.empty()) {
      req.headers.emplace_back("cookie", "ctis_session=" + sessions_[as].first);
      if (method != "GET") req.headers.emplace_back("x-csrf-token", sessions_[as].second);
    }
    return app_->handle(req);
  }

  static json json_of(const http::Response& r) { return json::parse(r.body); }

  Config config_;
  http::Metrics metrics_;
  std::unique_ptr<reports::Reports> reports_;
  std::unique_ptr<api::App> app_;
  std::map<std::string, std::pair<std::string, std::string>> sessions_;
};

TEST_P(FinanceApiTest, OnlyFiuAnalystsAreServed) {
  load();
  EXPECT_EQ(call("GET", "/api/v1/finance/items", "", "").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/finance/items", "", "boss").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/finance/risk", "", "boss").status, 403);
  EXPECT_EQ(call("GET", "/api/v1/finance/items").status, 200);
}

TEST_P(FinanceApiTest, QueueItemNetworkAndRisk) {
  load();
  auto r = call("GET", "/api/v1/finance/items?status=new&limit=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = json_of(r);
  EXPECT_EQ(page["total"], 2);
  ASSERT_EQ(page["items"].size(), 1U);
  EXPECT_EQ(page["items"][0]["subject"], "ACC-A");
  EXPECT_EQ(page["items"][0]["typology"], "structuring");
  const auto id = page["items"][0]["id"].get<std::int64_t>();

  r = call("GET", "/api/v1/finance/items?typology=fan_in");
  EXPECT_EQ(json_of(r)["items"][0]["subject"], "ACC-B");
  EXPECT_EQ(call("GET", "/api/v1/finance/items?status=open").status, 400);
  EXPECT_EQ(call("GET", "/api/v1/finance/items?limit=1000").status, 400);

  r = call("GET", "/api/v1/finance/items/" + std::to_string(id));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto item = json_of(r);
  EXPECT_EQ(item["rule"]["parameters"]["threshold_minor"], 1000000);
  EXPECT_EQ(item["transactions"].size(), 3U);
  EXPECT_EQ(item["transactions"][0]["from"], nullptr);  // cash
  EXPECT_EQ(item["transactions"][0]["time"], "2024-01-01T10:00:00.000Z");

  r = call("GET", "/api/v1/finance/items/" + std::to_string(id) + "/network?hops=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["nodes"].size(), 7U);
  EXPECT_EQ(call("GET", "/api/v1/finance/items/" + std::to_string(id) + "/network?hops=9").status,
            400);
  EXPECT_EQ(call("GET", "/api/v1/finance/items/999/network").status, 404);

  r = call("GET", "/api/v1/finance/risk?limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["accounts"][0]["account"], "ACC-A");
  EXPECT_EQ(json_of(r)["accounts"][0]["item_id"], item_of("structuring"));
  EXPECT_EQ(json_of(r)["accounts"].size(), 2U);
  EXPECT_EQ(json_of(r)["parties"][0]["party"], "Alpha Holder");
  EXPECT_EQ(json_of(r)["parties"][0]["accounts"], nlohmann::json::array({"ACC-A"}));
  EXPECT_TRUE(json_of(r)["scan_id"].is_number_integer());
}

TEST_P(FinanceApiTest, DecisionsAndTheStrDownload) {
  load();
  const auto a = std::to_string(item_of("structuring"));
  const auto b = std::to_string(item_of("fan_in"));
  EXPECT_EQ(call("GET", "/api/v1/finance/items/" + a + "/str").status, 404);
  auto r = call("POST", "/api/v1/finance/items/" + b + "/decision", R"({"action":"dismiss"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json_of(r)["error"]["field"], "/reason");
  r = call("POST", "/api/v1/finance/items/" + b + "/decision",
           R"({"action":"dismiss","reason":"known employer payroll"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["status"], "dismissed");
  r = call("POST", "/api/v1/finance/items/" + b + "/decision",
           R"({"action":"dismiss","reason":"again"})");
  EXPECT_EQ(r.status, 409);
  r = call("POST", "/api/v1/finance/items/" + a + "/decision", R"({"action":"escalate"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json_of(r)["status"], "escalated");
  r = call("GET", "/api/v1/finance/items/" + a + "/str");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type.rfind("application/xml", 0), 0U);
  EXPECT_NE(r.body.find("ACC-A"), std::string::npos);
  EXPECT_TRUE(finance::goaml::validate_goaml(r.body, xsd()).empty());
  bool attachment = false;
  for (const auto& [k, v] : r.headers) {
    if (k == "Content-Disposition") attachment = v.rfind("attachment;", 0) == 0;
  }
  EXPECT_TRUE(attachment);
  EXPECT_EQ(call("POST", "/api/v1/finance/items/999/decision", R"({"action":"escalate"})").status,
            404);
}

TEST_P(FinanceApiTest, ABankExportIsScannedInTheBackground) {
  std::string accounts;
  const json body = {
      {"name", "export.csv"}, {"csv", synthetic_csv(&accounts)}, {"accounts_csv", accounts}};
  auto r = call("POST", "/api/v1/finance/scans", body.dump());
  ASSERT_EQ(r.status, 202) << r.body;
  const auto job = json_of(r)["id"].get<std::int64_t>();
  json state;
  for (int i = 0; i < 600; ++i) {
    state = json_of(call("GET", "/api/v1/finance/scans/jobs/" + std::to_string(job)));
    if (state["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(state["state"], "done") << state.dump();
  EXPECT_EQ(state["rows"], 3000);
  EXPECT_GT(state["items"].get<int>(), 0);
  EXPECT_EQ(json_of(call("GET", "/api/v1/finance/items"))["total"], state["items"]);
  EXPECT_EQ(call("POST", "/api/v1/finance/scans", R"({"csv":""})").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/finance/scans", R"({"csv":"a","mapping":3})").status, 400);
  EXPECT_EQ(call("GET", "/api/v1/finance/scans/jobs/999").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Stores, FinanceApiTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::fiu
