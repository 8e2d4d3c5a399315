// The real data sets: row counts as published, values of rows looked up by hand.
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "real_data.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

using testing::dtm;
using testing::frontex;
using testing::mmp_europe;
using testing::mmp_export;

TEST(RealFrontex, RowCountAndSpotValues) {
  const auto& [data, report] = frontex();
  const auto& table = std::get<Detections>(data);
  EXPECT_EQ(table.rows.size(), 34273u);  // PROVENANCE.md
  EXPECT_EQ(report.error_count, 0u);
  EXPECT_EQ(report.warning_count, 0u);  // XKX, STL, OOS, OOO are known codes
  // Line 1000 of the file: "Central Mediterranean Route","Sea","SOM","2023-05-01",13
  const Detection& d = table.rows[998];
  EXPECT_EQ(d.route, "Central Mediterranean Route");
  EXPECT_TRUE(d.sea);
  EXPECT_EQ(d.nationality, "SOM");
  EXPECT_EQ(format_day(d.month), "2023-05-01");
  EXPECT_EQ(d.detections, (Count{13, false}));
  // Line 5757: Kosovo under its user-assigned code, kept but not ISO.
  EXPECT_EQ(table.rows[5755].nationality, "XKX");
  EXPECT_FALSE(table.rows[5755].nationality_iso);
  EXPECT_EQ(table.rows[5755].detections.value, 7);
  EXPECT_EQ(format_day(report.latest_date), "2025-04-01");
}

TEST(RealMissingMigrants, EuropeExtract) {
  const auto& [data, report] = mmp_europe();
  const auto& table = std::get<Incidents>(data);
  EXPECT_EQ(table.format, Format::mmp_europe);
  EXPECT_EQ(table.rows.size(), 6802u);
  EXPECT_EQ(report.error_count, 0u);
  // Line 101: 2015.MMP00035, 26 dead in the Sahara crossing, Libya, 26.239989 12.913084.
  const Incident& x = table.rows[99];
  EXPECT_EQ(x.id, "2015.MMP00035");
  EXPECT_EQ(format_day(x.date), "2015-01-31");
  EXPECT_EQ(x.dead, (Count{26, false}));
  EXPECT_EQ(x.missing, (Count{0, false}));
  EXPECT_FALSE(x.survivors.has_value());  // "NA"
  EXPECT_EQ(x.routes, (std::vector<std::string>{"Sahara Desert crossing"}));
  EXPECT_EQ(x.incident_country, "LBY");
  EXPECT_TRUE(x.origin_countries.empty());  // "Unknown"
  EXPECT_DOUBLE_EQ(*x.latitude, 26.239989);
  EXPECT_DOUBLE_EQ(*x.longitude, 12.913084);
  EXPECT_EQ(x.source_quality, "2");
  // Line 14: a split incident with 309 survivors from several countries.
  const Incident& s = table.rows[12];
  EXPECT_EQ(s.id, "2014.MMP00062");
  EXPECT_EQ(s.survivors, (Count{309, false}));
  EXPECT_EQ(s.origin_countries, (std::vector<std::string>{"ERI", "ETH", "SDN"}));
  // Six published negative counts correct another count of the same incident (line 330:
  // dead 15, missing -2, dead/missing 13): kept as published, with a warning naming the cell.
  std::size_t negative = 0;
  for (const auto& w : report.warnings)
    if (w.reason.starts_with("negative count")) {
      ++negative;
      if (w.row == 330) {
        EXPECT_EQ(w.column, "No. missing");
      }
    }
  EXPECT_EQ(negative, 6u);
  EXPECT_EQ(table.rows[328].missing, (Count{-2, false}));
  // Coordinates far from the incident country are flagged, not dropped: line 3914 is "off the
  // coast of Tangier, Morocco" at 33.01 N 12.55 E (off Libya); line 101 lies inside Libya.
  std::size_t outside = 0;
  bool flagged_3914 = false, flagged_101 = false;
  for (const auto& w : report.warnings)
    if (w.reason.starts_with("outside")) {
      ++outside;
      flagged_3914 = flagged_3914 || (w.row == 3914 && w.reason.starts_with("outside MAR"));
      flagged_101 = flagged_101 || w.row == 101;
    }
  EXPECT_TRUE(flagged_3914);
  EXPECT_FALSE(flagged_101);
  EXPECT_LT(outside, table.rows.size() * 3 / 100);  // a box check, not a rejection of sea data
  EXPECT_EQ(report.warnings.size(), report.warning_count);  // none lost to the cap
  // The one free-text place that is no country name is reported, with its row.
  EXPECT_EQ(report.unknown_country_names.size(), 1u);
  EXPECT_EQ(report.unknown_country_names.count("012 52E"), 1u);
  std::int64_t dead_and_missing = 0;
  std::size_t censored = 0;
  for (const auto& i : table.rows) {
    dead_and_missing += i.dead_and_missing();
    censored += (i.dead && i.dead->censored) || (i.missing && i.missing->censored);
  }
  EXPECT_EQ(dead_and_missing, 49989);  // the sum of the file's own "No. dead/missing" column
  EXPECT_EQ(censored, 0u);             // this extract publishes exact counts only
  EXPECT_EQ(format_day(report.latest_date), "2026-05-03");
}

TEST(RealMissingMigrants, NewExportDatesAndCoordinates) {
  const auto& [data, report] = mmp_export();
  const auto& table = std::get<Incidents>(data);
  EXPECT_EQ(table.format, Format::mmp_export);
  // PROVENANCE.md says 237, but the file holds 238 records: its last line has no line break,
  // so `wc -l` counts one line short. Every record has the 22 columns of the header.
  EXPECT_EQ(table.rows.size(), 238u);
  EXPECT_EQ(report.error_count, 0u);
  const Incident& first = table.rows.front();
  EXPECT_EQ(first.id, "2026.MMP0001");
  EXPECT_EQ(format_day(first.date), "2026-01-01");  // "Thu, 01/01/2026 - 12:00"
  EXPECT_DOUBLE_EQ(*first.latitude, 37.34265178);   // "37.34265178, 42.99259985"
  EXPECT_DOUBLE_EQ(*first.longitude, 42.99259985);
  EXPECT_EQ(first.routes, (std::vector<std::string>{"Türkiye-Europe land route"}));
  EXPECT_EQ(first.dead, (Count{1, false}));
  EXPECT_FALSE(first.survivors.has_value());
  EXPECT_EQ(first.males, (Count{1, false}));
  EXPECT_EQ(first.origin_countries, (std::vector<std::string>{"IRQ"}));
  // The last record (line 239, no line break after it).
  const Incident& last = table.rows.back();
  EXPECT_EQ(last.id, "2026.MMP0225");
  EXPECT_EQ(format_day(last.date), "2026-04-13");  // "Mon, 04/13/2026 - 12:00"
  EXPECT_EQ(last.routes, (std::vector<std::string>{"Western Mediterranean"}));
  EXPECT_EQ(last.missing, (Count{11, false}));
  EXPECT_DOUBLE_EQ(*last.longitude, -5.087921376);
  std::int64_t dead_and_missing = 0;
  for (const auto& i : table.rows) dead_and_missing += i.dead_and_missing();
  EXPECT_EQ(dead_and_missing, 1900);
  // Weekdays all match and every origin name is known; the two warnings are published
  // negative counts (line 162 survivors -1, line 197 missing -5).
  ASSERT_EQ(report.warnings.size(), 2u);
  EXPECT_EQ(report.warnings[0].text(),
            "row 162, column Number of Survivors: negative count -1 kept as published (a "
            "correction of another count)");
  EXPECT_EQ(report.warnings[1].row, 197u);
}

TEST(RealDtm, StreamedPrefixFromGzip) {
  const auto& [data, report] = dtm();
  const auto& table = std::get<Flows>(data);
  EXPECT_EQ(table.rows.size(), testing::dtm_prefix_rows);
  EXPECT_EQ(report.rows_read, testing::dtm_prefix_rows);
  EXPECT_EQ(report.error_count, 0u);
  EXPECT_EQ(report.warning_count, 0u);  // "ooo" / "OOO" (other) is a known code
  // Line 150001: "2018-10-05","Domestic","Tambacounda","SEN","SEN","SEN",10,0,0,0,1
  const Flow& f = table.rows[149999];
  EXPECT_EQ(format_day(f.date), "2018-10-05");
  EXPECT_EQ(table.label(f.route), "Domestic");
  EXPECT_EQ(table.label(f.point), "Tambacounda");
  EXPECT_EQ(table.label(f.point_country), "SEN");
  EXPECT_EQ(f.persons, (Count{10, false}));
  EXPECT_EQ(f.reasons, (std::array<std::int8_t, 4>{0, 0, 0, 1}));
  std::int64_t persons = 0;
  for (const auto& r : table.rows) persons += r.persons.value;
  EXPECT_EQ(persons, 2514954);
  EXPECT_EQ(format_day(report.latest_date), "2019-12-31");
}

// The whole file (867,580 rows): too slow for the unit run under AddressSanitizer; run it in a
// Release build with --gtest_also_run_disabled_tests --gtest_filter='*FullFile*'.
TEST(RealDtm, FullFileStreamsWithKnownTotals) {
  std::size_t updates = 0;
  ReadOptions options;
  options.on_progress = [&](const Progress&) { ++updates; };
  ReadReport report;
  const auto started = std::chrono::steady_clock::now();
  const auto data = read_file(
      testing::shared_file("dtm_flow_monitoring_west_central_africa.csv.gz"), options, &report);
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& table = std::get<Flows>(data);
  EXPECT_EQ(table.rows.size(), 867580u);  // PROVENANCE.md
  EXPECT_EQ(report.error_count, 0u);
  EXPECT_EQ(updates, 9u);  // every 100,000 rows, and the end
  // Line 500001: "2021-09-04","Burkina Faso/Côte d’Ivoire","Yendéré","BFA","CIV","BFA",7,NA x4
  const Flow& f = table.rows[499999];
  EXPECT_EQ(format_day(f.date), "2021-09-04");
  EXPECT_EQ(table.label(f.route), "Burkina Faso/Côte d’Ivoire");
  EXPECT_EQ(table.label(f.point), "Yendéré");
  EXPECT_EQ(table.label(f.from), "CIV");
  EXPECT_EQ(f.persons, (Count{7, false}));
  EXPECT_EQ(f.reasons, (std::array<std::int8_t, 4>{-1, -1, -1, -1}));
  // The last line: "2024-05-21","Domestic","TD020101","TCD","TCD","TCD",22,1,0,0,1
  EXPECT_EQ(table.label(table.rows.back().point), "TD020101");
  EXPECT_EQ(table.rows.back().persons.value, 22);
  const auto legs = aggregate(table, {GroupBy::leg, Period::quarter, {}});
  std::int64_t persons = 0, ner_lby_2019 = 0;
  for (const auto& fig : legs) {
    persons += fig.value;
    if (fig.key == "NER>LBY" && fig.period.starts_with("2019")) ner_lby_2019 += fig.value;
  }
  EXPECT_EQ(persons, 18753635);
  EXPECT_EQ(ner_lby_2019, 50539);
  EXPECT_EQ(format_day(report.latest_date), "2024-07-31");
  std::printf("DTM full file: %zu rows in %.2f s, %.0f rows/s\n", table.rows.size(), seconds,
              static_cast<double>(table.rows.size()) / seconds);
}

}  // namespace
}  // namespace ctis::routes
