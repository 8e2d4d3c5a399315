// `ctis finance generate --accounts`, `scan --data` and `report --format goaml` run as an
// analyst runs them: the planted trafficking red flags are found and explained, the scan is
// kept with risk scores and networks, and the STR about the top subject validates against the
// goAML 5.0.1 schema (checked again with xmllint, independently of the program).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/process.h"
#include "support/shared_data.h"

namespace ctis::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string mapping() {
  const char* root = std::getenv("CTIS_SOURCE_DIR");
  if (root == nullptr) ADD_FAILURE() << "CTIS_SOURCE_DIR is not set";
  return (fs::path(root ? root : "") / "data/finance/mappings/ctis-synthetic.json").string();
}

fs::path xsd() { return shared("finance/goaml-5.0.1/goAMLSchema.xsd"); }

// xmllint's verdict, as an FIU's intake would give it.
int xmllint(const fs::path& file, const fs::path& dir, std::string* errors) {
  const fs::path log = dir / "xmllint.log";
  const std::string cmd = "xmllint --noout --nonet --schema '" + xsd().string() + "' '" +
                          file.string() + "' > '" + log.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  *errors = slurp(log);
  return rc;
}

// Each planted group: label -> group id -> row cells (from, to).
using Groups =
    std::map<std::string, std::map<std::string, std::vector<std::pair<std::string, std::string>>>>;

Groups planted(const std::string& csv) {
  Groups g;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "id,time,from,to,amount,currency,channel,location,mcc,purpose,label,alert_id");
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream cs(line);
    std::string cell;
    while (std::getline(cs, cell, ',')) cells.push_back(cell);
    if (cells.size() == 12 && cells[10] != "normal")
      g[cells[10]][cells[11]].emplace_back(cells[2], cells[3]);
  }
  return g;
}

class FinanceCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "ctis-finance-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    csv_ = dir_ / "tx.csv";
    accounts_ = dir_ / "accounts.csv";
    data_ = dir_ / "data";
    const auto gen = run_ctis({"finance", "generate", "--rows", "12000", "--seed", "11", "--out",
                               csv_.string(), "--accounts", accounts_.string()});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    scan_ = run_ctis(
        {"finance", "scan", "--csv", csv_.string(), "--mapping", mapping(), "--accounts",
         accounts_.string(), "--data", data_.string(), "--out", (dir_ / "hits.json").string()},
        "", {}, 120);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_, csv_, accounts_, data_;
  static RunResult scan_;
};
fs::path FinanceCommands::dir_, FinanceCommands::csv_, FinanceCommands::accounts_,
    FinanceCommands::data_;
RunResult FinanceCommands::scan_;

TEST_F(FinanceCommands, ScanFindsAndExplainsThePlantedRedFlags) {
  ASSERT_EQ(scan_.exit_code, 0) << scan_.err;
  const Groups groups = planted(slurp(csv_));
  const json out = json::parse(slurp(dir_ / "hits.json"));
  std::map<std::string, std::set<std::string>> reported;
  std::map<std::string, std::string> explanation;
  for (const auto& hit : out["hits"]) {
    const std::string p = hit["pattern"];
    for (const auto& a : hit["accounts"]) reported[p].insert(a.get<std::string>());
    explanation[p] = hit["explanation"];
  }
  // Who each typology must name, per complete planted group.
  struct Expect {
    const char* label;
    std::size_t rows;
    bool by_sender;
  };
  for (const Expect e : {Expect{"ad_payments", 6, true}, Expect{"wage_pooling", 4, false},
                         Expect{"shared_contact", 4, false}, Expect{"travel_bursts", 6, true},
                         Expect{"off_hours_deposits", 5, false}}) {
    std::size_t complete = 0, found = 0;
    ASSERT_TRUE(groups.count(e.label)) << e.label;
    for (const auto& [id, rows] : groups.at(e.label)) {
      if (rows.size() != e.rows) continue;
      ++complete;
      const std::string key = e.by_sender ? rows.front().first : rows.front().second;
      found += reported[e.label].count(key);
    }
    EXPECT_GE(complete, 3U) << e.label;
    EXPECT_EQ(found, complete) << e.label;
    EXPECT_TRUE(has(explanation[e.label], "rule:")) << explanation[e.label];
  }
  // The shared phone numbers are in the accounts file, never in an explanation.
  EXPECT_TRUE(has(slurp(accounts_), "+33 6 "));
  EXPECT_FALSE(has(slurp(dir_ / "hits.json"), "+33 6 "));
}

TEST_F(FinanceCommands, ScanKeepsLedgerRiskAndNetworks) {
  ASSERT_EQ(scan_.exit_code, 0) << scan_.err;
  const fs::path scan = data_ / "finance" / "scan";
  for (const char* f : {"ledger.bin", "hits.json", "risk.json", "networks.json"}) {
    EXPECT_TRUE(fs::exists(scan / f)) << f;
  }
  EXPECT_EQ(slurp(scan / "hits.json"), slurp(dir_ / "hits.json"));
  const json hits = json::parse(slurp(scan / "hits.json"));
  const json risk = json::parse(slurp(scan / "risk.json"));
  ASSERT_GT(risk["accounts"].size(), 10U);
  long long previous = risk["accounts"][0]["score"];
  for (const auto& a : risk["accounts"]) {
    long long sum = 0;
    for (const auto& r : a["reasons"]) {
      sum += r["points"].get<long long>();
      // Each reason points at a hit that names the account.
      const auto& hit = hits["hits"][r["hit"].get<std::size_t>()];
      EXPECT_EQ(hit["pattern"], r["pattern"]);
      const auto& members = hit["accounts"];
      EXPECT_NE(std::find(members.begin(), members.end(), a["account"]), members.end());
    }
    EXPECT_EQ(sum, a["score"].get<long long>());
    EXPECT_LE(a["score"].get<long long>(), previous);
    previous = a["score"];
  }
  const json networks = json::parse(slurp(scan / "networks.json"));
  EXPECT_EQ(networks.size(), 10U);
  // One network per top-ten account; its edges join its nodes only.
  std::size_t with_edges = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    const std::string subject = risk["accounts"][i]["account"];
    ASSERT_TRUE(networks.contains(subject)) << subject;
    const auto& n = networks[subject];
    EXPECT_EQ(n["nodes"][0]["id"], subject);
    EXPECT_EQ(n["nodes"][0]["hops"], 0);
    std::set<std::string> ids;
    for (const auto& node : n["nodes"]) {
      ids.insert(node["id"].get<std::string>());
      EXPECT_LE(node["hops"].get<int>(), 2);
    }
    for (const auto& e : n["edges"]) {
      EXPECT_TRUE(ids.count(e["from"].get<std::string>()) && ids.count(e["to"].get<std::string>()));
      EXPECT_GE(e["count"].get<int>(), 1);
    }
    with_edges += n["edges"].empty() ? 0 : 1;
  }
  EXPECT_GT(with_edges, 0U);
}

TEST_F(FinanceCommands, ReportWritesAValidStrAboutTheTopSubject) {
  ASSERT_EQ(scan_.exit_code, 0) << scan_.err;
  const json risk = json::parse(slurp(data_ / "finance" / "scan" / "risk.json"));
  const std::string top = risk["accounts"][0]["account"];
  const fs::path xml = dir_ / "str.xml";
  const auto r = run_ctis({"finance", "report", "--data", data_.string(), "--format", "goaml",
                           "--out", xml.string(), "--xsd", xsd().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = slurp(xml);
  EXPECT_TRUE(has(text, "<report_code>STR</report_code>"));
  EXPECT_TRUE(has(text, "Subject account " + top)) << text.substr(0, 2000);
  EXPECT_TRUE(has(text, "<account>" + top + "</account>"));
  std::string errors;
  EXPECT_EQ(xmllint(xml, dir_, &errors), 0) << errors;
  EXPECT_TRUE(has(errors, "validates")) << errors;

  // A chosen subject: a pooled-wages account, with its indicator named in the narrative.
  const Groups groups = planted(slurp(csv_));
  const std::string pool = groups.at("wage_pooling").begin()->second.front().second;
  const fs::path chosen = dir_ / "pool.xml";
  const auto c = run_ctis({"finance", "report", "--data", data_.string(), "--format", "goaml",
                           "--out", chosen.string(), "--subject", pool, "--xsd", xsd().string()});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(has(slurp(chosen), "[wage_pooling] wage_pooling: 3 wage payments"));
  EXPECT_EQ(xmllint(chosen, dir_, &errors), 0) << errors;
}

TEST_F(FinanceCommands, ReportAndScanRefuseBadInputClearly) {
  const fs::path xml = dir_ / "none.xml";
  const auto empty = run_ctis({"finance", "report", "--data", (dir_ / "empty").string(), "--format",
                               "goaml", "--out", xml.string(), "--xsd", xsd().string()});
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_TRUE(has(empty.err, "no finance scan")) << empty.err;
  const auto subject =
      run_ctis({"finance", "report", "--data", data_.string(), "--format", "goaml", "--out",
                xml.string(), "--subject", "NOBODY", "--xsd", xsd().string()});
  EXPECT_NE(subject.exit_code, 0);
  EXPECT_TRUE(has(subject.err, "NOBODY")) << subject.err;
  const auto format = run_ctis(
      {"finance", "report", "--data", data_.string(), "--format", "pdf", "--out", xml.string()});
  EXPECT_NE(format.exit_code, 0);
  EXPECT_TRUE(has(format.err, "goaml")) << format.err;
  EXPECT_FALSE(fs::exists(xml));

  const fs::path bad = dir_ / "bad-accounts.csv";
  std::ofstream(bad) << "account,party,party_kind\nA1,Ann,robot\n";
  const auto scan = run_ctis({"finance", "scan", "--csv", csv_.string(), "--mapping", mapping(),
                              "--accounts", bad.string(), "--patterns", "fan_in"});
  EXPECT_NE(scan.exit_code, 0);
  EXPECT_TRUE(has(scan.err, "row 2, column party_kind")) << scan.err;
}

}  // namespace
}  // namespace ctis::testing
