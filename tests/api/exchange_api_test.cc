// The linkage exchange through the API: a project between two organisations, uploads refused
// for outsiders, twice or with a CLK of the wrong length (naming the row), and results that
// hold only the caller's own ids.
#include <random>

#include "fixture.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

const json kSchema = json::parse(R"({"version": 3,
  "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64}},
  "features": [{"identifier": "name", "format": {"type": "string", "encoding": "utf-8"},
                "hashing": {"comparison": {"type": "ngram", "n": 2},
                            "strategy": {"bitsPerToken": 20}}}]})");

class ExchangeApiTest : public ApiTest {
 protected:
  // Random 1024-bit CLKs; the two parties hold noisy copies of some of the same ones.
  std::vector<std::uint8_t> person(int i) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(i) + 1);
    std::vector<std::uint8_t> b(128);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
  }
  std::string upload_body(const std::string& prefix, const std::vector<int>& people) {
    json rows = json::array();
    for (const int i : people) {
      auto clk = person(i);
      clk[static_cast<std::size_t>(prefix[0]) % 128] ^= 0x01;  // not identical across parties
      rows.push_back({{"id", prefix + std::to_string(i)}, {"clk", to_base64(clk)}});
    }
    return json{{"clks", rows}}.dump();
  }
  // A partner of an organisation that is no party, calling with an API token.
  std::map<std::string, std::string> outsider() {
    const auto u = p_->auth->create_user(
        auth::operator_principal(),
        {"outsider", "partner", "Other Org", "", "", "password for tests"}, true);
    const auto t = p_->auth->create_token(auth::operator_principal(), u.id, "linkage",
                                          {"read", "write"}, std::nullopt);
    return {{"authorization", "Bearer " + t.second}};
  }
  std::int64_t create_project() {
    const auto r = call("POST", "/api/v1/linkage/projects",
                        json{{"name", "Trial"},
                             {"schema", kSchema},
                             {"threshold", 0.8},
                             {"parties", {"Main Org", "Partner Org"}}}
                            .dump(),
                        Role::admin);
    EXPECT_EQ(r.status, 201) << r.body;
    return json_of(r).value("id", std::int64_t{0});
  }
};

TEST_P(ExchangeApiTest, PartiesLinkAndEachGetsOnlyItsOwnIds) {
  const auto id = create_project();
  const std::string base = "/api/v1/linkage/projects/" + std::to_string(id);

  // Outsiders: the project does not exist for them; a caseworker's role may not upload.
  const auto other = outsider();
  EXPECT_EQ(call("GET", base, "", Role::anonymous, other).status, 404);
  EXPECT_EQ(call("POST", base + "/clks", upload_body("o", {1}), Role::anonymous, other).status,
            404);
  EXPECT_EQ(call("GET", base + "/results", "", Role::anonymous, other).status, 404);
  EXPECT_EQ(call("POST", base + "/clks", upload_body("w", {1}), Role::caseworker).status, 403);

  // A CLK of the wrong length is refused naming its row; nothing is stored.
  json bad = json::parse(upload_body("p", {1, 2, 3}));
  bad["clks"][1]["clk"] = to_base64(std::vector<std::uint8_t>(100, 0xAA));
  const auto refused = call("POST", base + "/clks", bad.dump(), Role::partner);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(json_of(refused)["error"]["field"], "/clks/1/clk") << refused.body;
  EXPECT_FALSE(json_of(call("GET", base, "", Role::partner))["parties"][1]["uploaded"]);

  const auto first = call("POST", base + "/clks", upload_body("p", {1, 2, 3, 4, 5}), Role::partner);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(json_of(first)["status"], "waiting");
  EXPECT_EQ(call("POST", base + "/clks", upload_body("p", {1}), Role::partner).status, 409);
  EXPECT_EQ(call("GET", base + "/results", "", Role::partner).status, 409);

  const auto last = call("POST", base + "/clks", upload_body("m", {3, 4, 5, 6, 7}), Role::analyst);
  ASSERT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(json_of(last)["status"], "matched");
  EXPECT_EQ(json_of(last)["groups"], 3);

  const auto partner = json_of(call("GET", base + "/results", "", Role::partner));
  const auto analyst = json_of(call("GET", base + "/results", "", Role::analyst));
  EXPECT_EQ(partner["organisation"], "Partner Org");
  ASSERT_EQ(partner["matches"].size(), 3U);
  ASSERT_EQ(analyst["matches"].size(), 3U);
  std::map<std::int64_t, std::string> partner_by_group;
  for (const auto& m : partner["matches"]) {
    EXPECT_EQ(m.size(), 2U) << "only id and group: " << m.dump();
    EXPECT_EQ(m["id"].get<std::string>().at(0), 'p') << m.dump();
    partner_by_group[m["group"].get<std::int64_t>()] = m["id"].get<std::string>().substr(1);
  }
  for (const auto& m : analyst["matches"]) {
    EXPECT_EQ(m["id"].get<std::string>().at(0), 'm') << m.dump();
    EXPECT_EQ(partner_by_group.at(m["group"].get<std::int64_t>()),
              m["id"].get<std::string>().substr(1));
  }
  // The coordinator of a party organisation reads its results too; the caseworker may not.
  EXPECT_EQ(call("GET", base + "/results", "", Role::coordinator).status, 200);
  EXPECT_EQ(call("GET", base + "/results", "", Role::caseworker).status, 403);
  const auto list = json_of(call("GET", "/api/v1/linkage/projects", "", Role::partner));
  ASSERT_EQ(list["projects"].size(), 1U);
  EXPECT_EQ(list["projects"][0]["parties"][0]["records"], 5);
  EXPECT_EQ(json_of(call("GET", "/api/v1/linkage/projects", "", Role::anonymous, other))["projects"]
                .size(),
            0U);
}

TEST_P(ExchangeApiTest, ProjectsAreValidated) {
  auto body = json{{"name", "Trial"}, {"schema", kSchema}, {"parties", {"Main Org", "Nobody"}}};
  auto r = call("POST", "/api/v1/linkage/projects", body.dump(), Role::coordinator);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["field"], "/parties/1");
  body["parties"] = {"Main Org", "Partner Org"};
  body["schema"]["features"][0]["hashing"]["comparison"]["type"] = "soundex";
  r = call("POST", "/api/v1/linkage/projects", body.dump(), Role::coordinator);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json_of(r)["error"]["field"], "/schema");
  EXPECT_NE(json_of(r)["error"]["message"].get<std::string>().find("name"), std::string::npos)
      << r.body;
  EXPECT_EQ(call("POST", "/api/v1/linkage/projects", body.dump(), Role::partner).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Stores, ExchangeApiTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::api
