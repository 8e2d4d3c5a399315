// The linkage exchange end to end, as two partners would use it: a real server, a project between
// two organisations, party A uploading the FEBRL4a CLKs clkhash itself made, party B encoding
// FEBRL4b with `ctis link encode` (same schema and secret) and uploading; each fetches its own
// matched ids. Against the FEBRL ground truth at 0.8: precision 1.000 and recall >= 0.992, the
// published clkhash/anonlink figures. The full 5,000 x 5,000 records are used.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/http_client.h"
#include "support/process.h"
#include "support/shared_data.h"
#include "support/test_db.h"

namespace ctis::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// rec_id -> group of a `ctis link results` file (rec_id,group).
std::map<std::string, std::string> read_results(const std::string& path) {
  std::map<std::string, std::string> out;
  const auto lines = lines_of(slurp(path));
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return out;
  EXPECT_EQ(lines[0], "rec_id,group");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto comma = lines[i].find(',');
    out[lines[i].substr(0, comma)] = lines[i].substr(comma + 1);
  }
  return out;
}

class LinkExchange : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(store::Dialect::sqlite);
    dir_ = db_->dir();
    data_ = (dir_ / "data").string();
    for (const auto& [name, role, org] : {std::tuple{"admin", "admin", "Ministry"},
                                          {"party.a", "partner", "Agency A"},
                                          {"party.b", "partner", "Agency B"}}) {
      const auto r =
          run_ctis({"user", "add", name, "--role", role, "--org", org, "--display-name", name,
                    "--password-stdin", "--data", data_, "--store-url", db_->url()},
                   "long password 123\n", env_);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const auto t =
          run_ctis({"token", "create", name, "--name", "linkage", "--scopes", "read,write", "--out",
                    token(name), "--data", data_, "--store-url", db_->url()},
                   "", env_);
      ASSERT_EQ(t.exit_code, 0) << t.err;
    }
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"serve", "--data", data_, "--store-url", db_->url(), "--listen",
                                 "127.0.0.1:0"},
        env_);
    url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  std::string token(const std::string& user) { return (dir_ / (user + ".token")).string(); }
  std::string bearer(const std::string& user) {
    auto t = slurp(token(user));
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return "Bearer " + t;
  }
  RunResult client(const std::string& command, const std::string& user, std::int64_t project,
                   std::vector<std::string> extra) {
    std::vector<std::string> args{
        "link",         command,     "--server",  url_,
        "--token-file", token(user), "--project", std::to_string(project)};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_ctis(args, "", env_);
  }

  std::unique_ptr<TestDb> db_;
  fs::path dir_;
  std::string data_, url_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> env_ = {{"CTIS_FAST_PASSWORD_HASHING", "true"}};
};

TEST_F(LinkExchange, TwoPartiesLinkFebrlAndEachGetsOnlyItsOwnIds) {
  const auto ref = shared("linkage/clkhash-reference");
  const std::string schema = slurp(ref / "febrl_schema_v3.json");
  ASSERT_FALSE(schema.empty());
  const auto created =
      http_request("127.0.0.1", server_->port(), "POST", "/api/v1/linkage/projects",
                   json{{"name", "FEBRL4"},
                        {"schema", json::parse(schema)},
                        {"threshold", 0.8},
                        {"parties", {"Agency A", "Agency B"}}}
                       .dump(),
                   {{"Authorization", bearer("admin")}, {"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t project = json::parse(created.body)["id"];

  // Party A uploads clkhash's own CLKs.
  const auto a = client("upload", "party.a", project, {(ref / "febrl4a_clks.csv").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_NE(a.err.find("uploaded 5000 CLKs"), std::string::npos) << a.err;
  // Once only (outsiders are refused in tests/api/exchange_api_test.cc).
  const auto again = client("upload", "party.a", project, {(ref / "febrl4a_clks.csv").string()});
  EXPECT_EQ(again.exit_code, 5) << again.err;  // conflict
  EXPECT_NE(again.err.find("already uploaded"), std::string::npos) << again.err;
  // A token file others can read is refused before anything is sent.
  fs::permissions(token("party.b"), fs::perms::group_read, fs::perm_options::add);
  EXPECT_NE(client("results", "party.b", project, {}).exit_code, 0);
  fs::permissions(token("party.b"), fs::perms::group_read, fs::perm_options::remove);

  // Party B encodes its own records with the shared schema and secret, then uploads.
  const auto secret = dir_ / "secret";
  std::ofstream(secret) << "ctis-interop-2026\n";
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
  const auto b_clks = (dir_ / "b_clks.csv").string();
  const auto enc =
      run_ctis({"link", "encode", "--schema", (ref / "febrl_schema_v3.json").string(),
                "--secret-file", secret.string(), "--out", b_clks, "--skip-initial-space",
                shared("linkage/febrl/febrl_dataset4b.csv").string()});
  ASSERT_EQ(enc.exit_code, 0) << enc.err;
  EXPECT_EQ(slurp(b_clks), slurp(ref / "febrl4b_clks.csv"));  // bit-identical to clkhash
  const auto b = client("upload", "party.b", project, {b_clks});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("project matched"), std::string::npos) << b.err;

  const auto a_out = (dir_ / "a_results.csv").string();
  const auto b_out = (dir_ / "b_results.csv").string();
  ASSERT_EQ(client("results", "party.a", project, {"--out", a_out}).exit_code, 0);
  ASSERT_EQ(client("results", "party.b", project, {"--out", b_out}).exit_code, 0);
  const auto a_results = read_results(a_out);
  const auto b_results = read_results(b_out);

  // A's results hold only A's ids; B's only B's.
  std::set<std::string> a_ids;
  const auto a_lines = lines_of(slurp(ref / "febrl4a_clks.csv"));
  for (std::size_t i = 1; i < a_lines.size(); ++i)
    a_ids.insert(a_lines[i].substr(0, a_lines[i].find(',')));
  for (const auto& [id, group] : a_results) EXPECT_TRUE(a_ids.count(id)) << id;
  for (const auto& [id, group] : b_results) EXPECT_NE(id.find("-dup-"), std::string::npos) << id;

  // Join on the group number; truth: rec-N-org in A is rec-N-dup-0 in B.
  std::map<std::string, std::string> a_by_group;
  for (const auto& [id, group] : a_results) a_by_group[group] = id;
  std::size_t tp = 0;
  for (const auto& [id, group] : b_results) {
    const auto& a_id = a_by_group.at(group);
    tp += a_id.substr(0, a_id.rfind("-org")) == id.substr(0, id.rfind("-dup-"));
  }
  const double precision = static_cast<double>(tp) / static_cast<double>(b_results.size());
  const double recall = static_cast<double>(tp) / 5000.0;
  std::cout << "FEBRL4 through the exchange: " << b_results.size() << " matches, precision "
            << precision << ", recall " << recall << "\n";
  EXPECT_EQ(a_results.size(), b_results.size());
  EXPECT_EQ(precision, 1.0);
  EXPECT_GE(recall, 0.992);
}

}  // namespace
}  // namespace ctis::testing
