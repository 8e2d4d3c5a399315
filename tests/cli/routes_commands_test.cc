// `ctis routes import` through the real binary on the real route data sets: the rows stored
// equal the rows the readers return, a re-import replaces instead of doubling, and a file with
// a bad row stores nothing and names the row.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "routes/routes.h"
#include "store/store.h"
#include "support/process.h"
#include "support/shared_data.h"

namespace ctis::testing {
namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string> kFast = {{"CTIS_FAST_PASSWORD_HASHING", "true"}};

class RoutesCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ctis-routes-cli-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(dir_);
    const auto r = run_ctis({"db", "migrate", "--data", dir_.string()}, "", kFast, 120);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunResult import(const std::string& file, bool skip_invalid = false) {
    std::vector<std::string> args = {"routes", "import", "--data", dir_.string(), file};
    if (skip_invalid) args.emplace_back("--skip-invalid");
    return run_ctis(args, "", kFast, 300);
  }

  std::int64_t count(const std::string& sql) {
    store::Options o;
    o.url = "sqlite:" + (dir_ / "ctis.db").string();
    o.create_if_missing = false;
    auto db = store::Database::open(o);
    return db->connection()->query_one(sql)->integer(0);
  }

  fs::path dir_;
};

std::size_t rows_read(const std::string& path) {
  const auto data = routes::read_file(path);
  return std::visit([](const auto& t) { return t.rows.size(); }, data);
}

TEST_F(RoutesCommands, StoresEveryRealFileAsTheReadersReadIt) {
  struct Case {
    const char* file;
    const char* table;
    const char* format;
  };
  const Case cases[] = {
      {"frontex_detections_route_nationality_monthly.csv", "route_detections", "(frontex)"},
      {"missing_migrants_europe_2014_2026.csv", "route_incidents", "(mmp_europe)"},
      {"missing_migrants_global_2026_export.csv", "route_incidents", "(mmp_export)"},
      {"dtm_flow_monitoring_west_central_africa.csv.gz", "route_flows", "(dtm)"}};
  std::map<std::string, std::int64_t> expected;  // table -> rows
  for (const auto& c : cases) {
    const std::string path = shared("routes/" + std::string(c.file)).string();
    // The DTM file's row count is published (867,580); reading it again here under the
    // sanitizers would double the test's time, so it is the known answer.
    const bool dtm = std::string(c.table) == "route_flows";
    const std::size_t want = dtm ? 867580u : rows_read(path);
    ASSERT_GT(want, 0u) << c.file;
    const auto r = import(path);
    ASSERT_EQ(r.exit_code, 0) << c.file << ": " << r.err;
    EXPECT_NE(r.out.find("stored " + std::to_string(want) + " rows"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(c.format), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("rows"), std::string::npos) << "no progress on stderr";
    expected[c.table] += static_cast<std::int64_t>(want);
  }
  for (const auto& [table, rows] : expected) {
    EXPECT_EQ(count("SELECT COUNT(*) FROM " + table), rows) << table;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_imports"), 4);

  // The Frontex file again: replaced, not doubled.
  const auto again =
      import(shared("routes/frontex_detections_route_nationality_monthly.csv").string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("replaced " + std::to_string(expected["route_detections"])),
            std::string::npos)
      << again.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), expected["route_detections"]);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_imports"), 4);
}

TEST_F(RoutesCommands, AFileWithABadRowStoresNothingAndNamesTheRow) {
  const fs::path bad = dir_ / "bad_frontex.csv";
  {
    std::ofstream out(bad);
    out << "\"route\",\"type\",\"nat\",\"t\",\"n\"\n"
           "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"2024-01-01\",12\n"
           "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"2024-02-01\",many\n";
  }
  const auto r = import(bad.string());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("row 3, column n"), std::string::npos) << r.err;
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_imports"), 0);

  const auto skipped = import(bad.string(), true);
  ASSERT_EQ(skipped.exit_code, 0) << skipped.err;
  EXPECT_NE(skipped.out.find("stored 1 rows"), std::string::npos) << skipped.out;
  EXPECT_NE(skipped.out.find("skipped 1"), std::string::npos) << skipped.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), 1);
}

}  // namespace
}  // namespace ctis::testing
