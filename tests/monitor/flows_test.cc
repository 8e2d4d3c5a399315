// DTM flow imports on both stores: stored while read (more rows than one hand-over chunk), the
// stored rows the reader's rows label for label, all or nothing with every bad row named,
// re-imports replacing, progress; and migration 0015 carrying rows stored before it.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "fixture.h"

namespace ctis::monitor::testing {
namespace {

using store::Dialect;

const char* dtm_header =
    "\"t\",\"route\",\"fmp\",\"fmp_country\",\"from\",\"to\",\"n\",\"reason_seasonal\","
    "\"reason_disaster\",\"reason_conflict\",\"reason_economic\"\n";

// Synthetic DTM rows (never real data), days out of order as in the real file. Tests use more
// rows than one chunk of the import's reader (16,384).
std::string synthetic_dtm(int rows, int bad_row = -1) {
  const char* points[] = {"Séguédine", "Arlit", "Dirkou", "Assamaka", "Agadez"};
  const char* legs[][2] = {{"NER", "LBY"}, {"LBY", "NER"}, {"NER", "DZA"}, {"TCD", "LBY"}};
  std::string text = dtm_header;
  for (int i = 0; i < rows; ++i) {
    const int row = i + 2;  // row 1 is the header
    const auto* leg = legs[(i / 7) % 4];
    text += "\"2020-" + std::string((i * 5) % 12 < 9 ? "0" : "") +
            std::to_string((i * 5) % 12 + 1) + "-" + std::to_string(10 + i % 18) + "\",";
    text += (i % 3 == 0 ? std::string("NA") : "\"Route " + std::to_string(i % 2) + "\"") + ",";
    text += "\"" + std::string(points[(i / 100) % 5]) + "\",\"NER\",\"" + leg[0] + "\",\"" +
            leg[1] + "\",";
    text += row == bad_row ? std::string("many") : std::to_string(1 + i % 50);
    text += ",1,0,NA,0\n";
  }
  return text;
}

using StoredFlow = std::tuple<std::int64_t, std::string, std::string, std::string, std::string,
                              std::string, std::int64_t, std::int64_t>;

std::vector<StoredFlow> reader_rows(const std::string& text) {
  std::istringstream in(text);
  const auto table = routes::read_dtm(in);
  std::vector<StoredFlow> out;
  for (const auto& r : table.rows) {
    out.emplace_back(r.date, table.label(r.route), table.label(r.point),
                     table.label(r.point_country), table.label(r.from), table.label(r.to),
                     r.persons.value, r.persons.censored ? 1 : 0);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class FlowImport : public MonitorFixture {
 protected:
  std::vector<StoredFlow> stored_rows() {
    std::vector<StoredFlow> out;
    for (const auto& r : p_->db->connection()->query(
             "SELECT day, route, point, point_country, from_country, to_country, persons, "
             "censored FROM route_flows")) {
      out.emplace_back(r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5),
                       r.integer(6), r.integer(7));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string write_file(const std::string& name, const std::string& text) {
    const auto path = (p_->test_db.dir() / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
};

TEST_P(FlowImport, StoresADtmFileWhileReadingItAsTheReaderReadsIt) {
  const std::string text = synthetic_dtm(20000);
  const auto path = write_file("flows.csv", text);
  std::vector<ImportProgress> progress;
  ImportOptions options;
  options.on_progress = [&](const ImportProgress& p) { progress.push_back(p); };
  const auto r = monitor_->import(admin_, path, options);
  EXPECT_EQ(r.format, routes::Format::dtm);
  EXPECT_EQ(r.file_name, "flows.csv");
  EXPECT_EQ(r.rows_read, 20000u);
  EXPECT_EQ(r.rows_stored, 20000u);
  EXPECT_EQ(r.rows_skipped, 0u);
  EXPECT_EQ(stored_rows(), reader_rows(text));
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_flows"), 20000);
  // Each label once: NA and 2 routes, 5 points, 4 country codes.
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_labels"), 12);
  const auto imports = monitor_->imports();
  ASSERT_EQ(imports.size(), 1u);
  EXPECT_EQ(imports[0].rows_stored, 20000);
  EXPECT_EQ(imports[0].format, "dtm");
  const auto want = reader_rows(text);
  EXPECT_EQ(count("SELECT first_day FROM route_imports"), std::get<0>(want.front()));
  EXPECT_EQ(count("SELECT last_day FROM route_imports"), std::get<0>(want.back()));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'route.import'"), 1);

  // Progress: both stages, the last one the whole count.
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::any_of(progress.begin(), progress.end(), [](const ImportProgress& p) {
    return std::string(p.stage) == "reading" && p.rows == 20000;
  }));
  EXPECT_EQ(std::string(progress.back().stage), "storing");
  EXPECT_EQ(progress.back().rows, 20000u);
  EXPECT_EQ(progress.back().total, 20000u);

  // The monthly flows per corridor leg are the reader's rows summed.
  const auto corridor = std::find_if(routes::corridors().begin(), routes::corridors().end(),
                                     [](const auto& c) { return c.has_leg("NER", "LBY"); });
  ASSERT_NE(corridor, routes::corridors().end()) << "no corridor has the leg NER>LBY";
  std::int64_t ner_lby = 0;
  for (const auto& row : want) {
    if (std::get<4>(row) == "NER" && std::get<5>(row) == "LBY") ner_lby += std::get<6>(row);
  }
  std::int64_t figured = 0;
  for (const auto& f : monitor_->flows(routes::Period::month, std::nullopt, std::nullopt)) {
    if (f.leg == "NER>LBY" && f.corridor == corridor->id) figured += f.persons;
  }
  EXPECT_EQ(figured, ner_lby);
  EXPECT_GT(ner_lby, 0);
  const auto months = monitor_->data_months();
  EXPECT_EQ(months.first, "2020-01");
  EXPECT_EQ(months.last, "2020-12");

  // The same source again, from a stream: replaced, not doubled; labels reused.
  std::istringstream in(text);
  const auto again = monitor_->import(admin_, in, "flows.csv");
  EXPECT_EQ(again.rows_replaced, 20000u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_flow_rows"), 20000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_labels"), 12);
  EXPECT_EQ(monitor_->imports().size(), 1u);
}

TEST_P(FlowImport, ABadRowStoresNothingAndKeepsThePreviousImport) {
  const auto first = monitor_->import(admin_, write_file("flows.csv", synthetic_dtm(1000)));
  ASSERT_EQ(first.rows_stored, 1000u);
  // Bad rows far apart: the first chunk is already being stored when the bad rows are read.
  std::string text = synthetic_dtm(20000, 19000);
  const auto at = text.find("\"2020-", text.size() - 3000);
  text.insert(at, "\"2020-02-31\",NA,\"Arlit\",\"NER\",\"NER\",\"LBY\",4,1,0,0,1\n");
  try {
    monitor_->import(admin_, write_file("flows.csv", text));
    FAIL() << "a bad row was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    const std::string message = e.what();
    EXPECT_NE(message.find("2 bad rows"), std::string::npos) << message;
    EXPECT_NE(message.find("row 19000, column n: not a whole number: \"many\""), std::string::npos)
        << message;
    EXPECT_NE(message.find("column t: not a date YYYY-MM-DD: \"2020-02-31\""), std::string::npos)
        << message;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_flow_rows"), 1000);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_imports"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'route.import'"), 1);

  // With skip_invalid the bad rows are left out and counted.
  ImportOptions skip;
  skip.skip_invalid = true;
  const auto r = monitor_->import(admin_, write_file("flows.csv", text), skip);
  EXPECT_EQ(r.rows_read, 20001u);
  EXPECT_EQ(r.rows_skipped, 2u);
  EXPECT_EQ(r.rows_stored, 19999u);
  EXPECT_EQ(r.rows_replaced, 1000u);
  EXPECT_EQ(r.error_count, 2u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_flow_rows"), 19999);
  EXPECT_EQ(monitor_->imports().at(0).rows_skipped, 2);
}

TEST_P(FlowImport, AnEmptyFlowFileStoresAnImportWithoutDays) {
  std::istringstream in(dtm_header);
  const auto r = monitor_->import(admin_, in, "empty.csv");
  EXPECT_EQ(r.rows_stored, 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_imports WHERE first_day IS NULL"), 1);
}

// A database holding flows in the table migration 0010 made: after 0015 the same rows read
// through the route_flows view, and new imports add to them.
TEST_P(FlowImport, Migration15KeepsTheFlowsStoredBefore) {
  ctis::testing::TestDb fresh(GetParam());
  auto db = fresh.open(2);
  std::vector<store::Migration> before;
  for (const auto& m : store::builtin_migrations()) {
    if (m.version < 15) before.push_back(m);
  }
  store::migrate(*db, before);
  db->transaction([](store::Connection& c) {
    const auto id = c.query_one(
                         "INSERT INTO route_imports (file_name, format, rows_stored, "
                         "rows_skipped, imported_by, imported_at) VALUES ('old.csv', 'dtm', 3, "
                         "0, 'admin', 1) RETURNING id")
                        ->integer(0);
    const char* rows[][5] = {{"NA", "Arlit", "NER", "NER", "LBY"},
                             {"Route 1", "Arlit", "NER", "LBY", "NER"},
                             {"NA", "Séguédine", "NER", "NER", "LBY"}};
    std::int64_t day = 18300;
    for (const auto& r : rows) {
      c.execute(
          "INSERT INTO route_flows (import_id, day, route, point, point_country, from_country, "
          "to_country, persons, censored) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {id, day, std::string(r[0]), std::string(r[1]), std::string(r[2]), std::string(r[3]),
           std::string(r[4]), day * 2, std::int64_t{0}});
      ++day;
    }
  });
  const auto report = store::migrate(*db, store::builtin_migrations());
  EXPECT_GE(report.to_version, 15);
  const auto rows = db->connection()->query(
      "SELECT day, route, point, from_country, to_country, persons FROM route_flows ORDER BY day");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].integer(0), 18300);
  EXPECT_EQ(rows[0].text(1), "NA");
  EXPECT_EQ(rows[1].text(1), "Route 1");
  EXPECT_EQ(rows[1].text(3), "LBY");
  EXPECT_EQ(rows[2].text(2), "Séguédine");
  EXPECT_EQ(rows[2].integer(5), 18302 * 2);
  EXPECT_EQ(db->connection()->query_one("SELECT COUNT(*) FROM route_labels")->integer(0), 6);
}

INSTANTIATE_TEST_SUITE_P(Db, FlowImport, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::monitor::testing
