// `ctis routes import|check|report` through the real binary on the real route data sets: the
// rows stored equal the rows the readers return, a re-import replaces instead of doubling, a
// file with a bad row stores nothing and names the row; the alert rules raise each alert once;
// the report's CSV adds up to the source file and every corridor gets its chart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

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

  std::unique_ptr<store::Database> open_db() {
    store::Options o;
    o.url = "sqlite:" + (dir_ / "ctis.db").string();
    o.create_if_missing = false;
    return store::Database::open(o);
  }

  std::int64_t count(const std::string& sql) {
    return open_db()->connection()->query_one(sql)->integer(0);
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

TEST_F(RoutesCommands, CheckRaisesEachAlarmsAlertOnce) {
  ASSERT_EQ(
      import(shared("routes/frontex_detections_route_nationality_monthly.csv").string()).exit_code,
      0);
  open_db()->connection()->execute(
      "INSERT INTO alert_rules (name, source, corridors, nationalities, method, parameters, "
      "min_count, severity, enabled, created_by, created_at, updated_at) VALUES "
      "('surges', 'routes', '[]', '[]', 'ears_c2', '{}', 1, 'warning', 1, NULL, 0, 0)",
      {});
  const auto first = run_ctis({"routes", "check", "--data", dir_.string()}, "", kFast, 300);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::int64_t raised = count("SELECT COUNT(*) FROM alerts WHERE source = 'routes'");
  EXPECT_GT(raised, 0) << first.out;
  EXPECT_NE(first.out.find("1 rules over"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find(std::to_string(raised) + " alerts raised, 0 raised before"),
            std::string::npos)
      << first.out;

  const auto again = run_ctis({"routes", "check", "--data", dir_.string()}, "", kFast, 300);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 alerts raised, " + std::to_string(raised) + " raised before"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts WHERE source = 'routes'"), raised);
}

TEST_F(RoutesCommands, ReportWritesSeriesThatAddUpAndAChartPerCorridor) {
  // Two routes of the real file keep the report quick (one series per corridor x nationality).
  const std::string file = (dir_ / "frontex_two_routes.csv").string();
  {
    std::ifstream in(shared("routes/frontex_detections_route_nationality_monthly.csv"));
    std::ofstream out(file);
    std::string line;
    std::getline(in, line);
    out << line << "\n";
    while (std::getline(in, line)) {
      if (line.rfind("\"Central Mediterranean Route\"", 0) == 0 ||
          line.rfind("\"Western Mediterranean Route\"", 0) == 0)
        out << line << "\n";
    }
  }
  ASSERT_EQ(import(file).exit_code, 0);
  const fs::path csv = dir_ / "report.csv";
  const auto r = run_ctis({"routes", "report", "--data", dir_.string(), "--out", csv.string()}, "",
                          kFast, 300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fs::status(csv).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  // The corridor total of every month equals the source rows of its Frontex route.
  std::map<std::string, std::int64_t> expected;
  const auto dataset = routes::read_file(file);
  for (const auto& d : std::get<routes::Detections>(dataset).rows)
    if (d.route == "Central Mediterranean Route")
      expected[routes::format_day(d.month).substr(0, 7)] += d.detections.value;
  std::map<std::string, std::int64_t> got;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("corridor,nationality,method,period,count,", 0), 0u) << line;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    if (line.rfind("central_mediterranean,,", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream cell(line);
    for (std::string c; std::getline(cell, c, ',');) cells.push_back(c);
    ASSERT_GE(cells.size(), 5u) << line;
    EXPECT_EQ(cells[2], "ears_c2") << line;
    if (cells[4] != "0") got[cells[3]] = std::stoll(cells[4]);
  }
  EXPECT_GT(rows, 100u);
  std::erase_if(expected, [](const auto& e) { return e.second == 0; });
  EXPECT_EQ(got, expected);

  const std::string svg = slurp(dir_ / "report-central_mediterranean.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find("Central Mediterranean"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "report-western_mediterranean.svg"));
  EXPECT_FALSE(fs::exists(dir_ / "report-eastern_mediterranean.svg"));  // no data, no chart
}

}  // namespace
}  // namespace ctis::testing
