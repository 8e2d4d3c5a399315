// Hand-made fixtures: formats, validation with row and column, censoring, gzip, reference tables.
#include <zlib.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "core/core.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

const char* frontex_header = "\"route\",\"type\",\"nat\",\"t\",\"n\"\n";

TEST(DetectFormat, RecognisesEachHeader) {
  EXPECT_EQ(detect_format("\"route\",\"type\",\"nat\",\"t\",\"n\"\r"), Format::frontex);
  EXPECT_EQ(detect_format("\"t\",\"route\",\"fmp\",\"fmp_country\",\"from\",\"to\",\"n\","
                          "\"reason_seasonal\""),
            Format::dtm);
  EXPECT_EQ(detect_format("Main ID,Incident ID,Incident Type,Region of Incident,Incident date,"
                          "Latitude,Longitude"),
            Format::mmp_europe);
  EXPECT_EQ(detect_format("\"Main ID\",\"Incident ID\",Region,\"Incident Date\",Year,"
                          "Coordinates,\"Migration route\""),
            Format::mmp_export);
  EXPECT_EQ(detect_format("\xEF\xBB\xBFroute,type,nat,t,n"), Format::frontex);
  EXPECT_EQ(detect_format("id,name,amount"), Format::unknown);
}

TEST(Frontex, ReadsRowsAndKeepsCensoredCounts) {
  std::istringstream in(std::string(frontex_header) +
                        "\"Central Mediterranean Route\",\"Sea\",\"NGA\",\"2016-10-01\",1234\n"
                        "\"Western Balkan Route\",\"Land\",\"XKX\",\"2016-11-01\",\"<5\"\r\n");
  ReadReport report;
  const auto table = read_frontex(in, {}, &report);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[0].route, "Central Mediterranean Route");
  EXPECT_TRUE(table.rows[0].sea);
  EXPECT_TRUE(table.rows[0].nationality_iso);
  EXPECT_EQ(table.rows[0].detections, (Count{1234, false}));
  EXPECT_EQ(format_day(table.rows[0].month), "2016-10-01");
  EXPECT_FALSE(table.rows[1].sea);
  EXPECT_EQ(table.rows[1].nationality, "XKX");
  EXPECT_FALSE(table.rows[1].nationality_iso);
  EXPECT_EQ(table.rows[1].detections, (Count{5, true}));  // a bound and a flag, not a guess
  EXPECT_EQ(report.warning_count, 0u);                    // XKX is a known special code
  EXPECT_EQ(format_day(report.latest_date), "2016-11-01");
}

std::string bad_frontex() {
  return std::string(frontex_header) +
         "\"Central Mediterranean Route\",\"Sea\",\"NGA\",\"2016-10-01\",10\n"   // row 2 good
         "\"Central Mediterranean Route\",\"Sea\",\"NGA\",\"2016-11-01\",ten\n"  // row 3
         "\"Central Mediterranean Route\",\"Air\",\"NGA\",\"2016-12-01\",1\n"    // row 4
         "\"Central Mediterranean Route\",\"Sea\",\"NG\",\"2016-13-01\",1\n"     // row 5, 2 issues
         "\"Central Mediterranean Route\",\"Sea\",\"NGA\",\"2017-01-01\",-3\n"   // row 6
         "\"Central Mediterranean Route\",\"Sea\",\"NGA\",\"2017-02-01\",7\n";   // row 7 good
}

TEST(Frontex, RejectsTheWholeFileByDefaultNamingRowAndColumn) {
  std::istringstream in(bad_frontex());
  ReadReport report;
  try {
    read_frontex(in, {}, &report);
    FAIL() << "bad rows were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "row 3, column n");
    EXPECT_NE(std::string(e.what()).find("5 bad row(s)"), std::string::npos) << e.what();
  }
  ASSERT_EQ(report.errors.size(), 5u);
  EXPECT_EQ(report.errors[0].text(), "row 3, column n: not a whole number: \"ten\"");
  EXPECT_EQ(report.errors[1].row, 4u);
  EXPECT_EQ(report.errors[1].column, "type");
  EXPECT_EQ(report.errors[2].row, 5u);
  EXPECT_EQ(report.errors[2].column, "nat");
  EXPECT_EQ(report.errors[3].row, 5u);
  EXPECT_EQ(report.errors[3].column, "t");
  EXPECT_EQ(report.errors[4].row, 6u);
}

TEST(Frontex, SkipInvalidKeepsTheGoodRowsAndCountsTheRest) {
  std::istringstream in(bad_frontex());
  ReadOptions options;
  options.skip_invalid = true;
  ReadReport report;
  const auto table = read_frontex(in, options, &report);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.rows[1].detections.value, 7);
  EXPECT_EQ(report.rows_read, 6u);
  EXPECT_EQ(report.rows_accepted, 2u);
  EXPECT_EQ(report.rows_skipped, 4u);
  EXPECT_EQ(report.error_count, 5u);
}

TEST(Frontex, IssuesAreCappedAndAllOrNothingStopsAtTheCap) {
  std::string text = frontex_header;
  for (int i = 0; i < 50; ++i) text += "\"R\",\"Sea\",\"NGA\",\"2016-10-01\",x\n";
  ReadOptions options;
  options.max_issues = 3;
  ReadReport report;
  std::istringstream in(text);
  EXPECT_THROW(read_frontex(in, options, &report), Error);
  EXPECT_EQ(report.errors.size(), 3u);
  EXPECT_EQ(report.rows_read, 3u);  // stopped: the file is rejected anyway

  options.skip_invalid = true;
  std::istringstream again(text);
  const auto table = read_frontex(again, options, &report);
  EXPECT_TRUE(table.rows.empty());
  EXPECT_EQ(report.errors.size(), 3u);
  EXPECT_EQ(report.error_count, 50u);
}

TEST(Frontex, MissingColumnIsAHeaderError) {
  std::istringstream in("\"route\",\"type\",\"nat\",\"t\"\n\"R\",\"Sea\",\"NGA\",\"2016-10-01\"\n");
  try {
    read_frontex(in);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "row 1, column n");
  }
}

const char* export_header =
    "\"Main ID\",\"Incident ID\",Region,\"Incident Date\",Year,\"Reported Month\",\"Number "
    "Dead\",\"Minimum Estimated Number of Missing\",\"Number of Survivors\",\"Number of "
    "Females\",\"Number of Males\",\"Number of Children\",\"Region of Origin\",\"Cause of "
    "Death\",\"Country of Origin\",\"Location of death\",\"Information Source\",Coordinates,"
    "\"Migration route\",URL,\"UNSD Geographical Grouping\",\"Source Quality\"\n";

TEST(MissingMigrants, ReadsTheNewExportFormat) {
  std::istringstream in(
      std::string(export_header) +
      "X.1,X.1,Mediterranean,\"Sat, 02/14/2026 - 12:00\",2026,February,3,<5,,1,2,,"
      "Unknown,Drowning,\"Sudan, Atlantis\",\"off Zuwara,\nLibya\",src,\"32.9, 12.1\","
      "\"Central Mediterranean, Sahara Desert crossing\",,Uncategorized,4\n");
  ReadReport report;
  const auto table = read_missing_migrants(in, {}, &report);
  EXPECT_EQ(table.format, Format::mmp_export);
  ASSERT_EQ(table.rows.size(), 1u);
  const Incident& x = table.rows[0];
  EXPECT_EQ(format_day(x.date), "2026-02-14");
  EXPECT_EQ(x.precision, DatePrecision::day);
  ASSERT_TRUE(x.latitude && x.longitude);
  EXPECT_DOUBLE_EQ(*x.latitude, 32.9);
  EXPECT_DOUBLE_EQ(*x.longitude, 12.1);
  EXPECT_EQ(x.routes,
            (std::vector<std::string>{"Central Mediterranean", "Sahara Desert crossing"}));
  EXPECT_EQ(x.dead, (Count{3, false}));
  EXPECT_EQ(x.missing, (Count{5, true}));
  EXPECT_FALSE(x.survivors.has_value());
  EXPECT_EQ(x.females, (Count{1, false}));
  EXPECT_EQ(x.origin_countries, (std::vector<std::string>{"SDN"}));
  // The unknown name is kept in the report, not dropped silently.
  EXPECT_EQ(report.unknown_country_names.at("Atlantis"), 1u);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].text(),
            "row 2, column Country of Origin: unknown country name \"Atlantis\"");
}

TEST(MissingMigrants, ReportsBadDatesAndCoordinatesByRowAndColumn) {
  std::istringstream in(
      std::string(export_header) +
      "A,A,R,\"Sat, 02/14/2026 - 12:00\",2026,February,1,0,,,,,U,D,Sudan,L,S,\"91.5, 12\",,,U,3\n"
      "B,B,R,\"Sat, 02/30/2026 - 12:00\",2026,February,1,0,,,,,U,D,Sudan,L,S,\"1, 2\",,,U,3\n"
      "C,C,R,\"Sat, 02/14/2026 - 12:00\",2026,February,1,0,,,,,U,D,Sudan,L,S,\"1; 2\",,,U,3\n"
      "D,D,R,\"Fri, 02/14/2026 - 12:00\",2026,February,1,0,,,,,U,D,Sudan,L,S,\"1, 2\",,,U,7\n");
  ReadOptions options;
  options.skip_invalid = true;
  ReadReport report;
  const auto table = read_missing_migrants(in, options, &report);
  EXPECT_TRUE(table.rows.empty());
  ASSERT_EQ(report.errors.size(), 4u);
  EXPECT_EQ(report.errors[0].row, 2u);
  EXPECT_EQ(report.errors[0].column, "Coordinates");
  EXPECT_EQ(report.errors[1].row, 3u);
  EXPECT_EQ(report.errors[1].column, "Incident Date");
  EXPECT_EQ(report.errors[2].row, 4u);
  EXPECT_EQ(report.errors[2].column, "Coordinates");
  EXPECT_EQ(report.errors[3].row, 5u);
  EXPECT_EQ(report.errors[3].column, "Source Quality");
  // The weekday of row 5 does not match its date: a warning.
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].column, "Incident Date");
}

TEST(MissingMigrants, FlagsCoordinatesFarFromTheIncidentCountry) {
  const std::string header =
      "Main ID,Incident ID,Incident Type,Region of Incident,Incident date,Incident year,Incident "
      "month,No. dead,No. missing,No. dead/missing,No. survivors,No. Female,No. Male,No. "
      "minors,Country of Origin,Region of Origin,Cause of death (category),Cause of death "
      "(reported),Route,Country of Incident,Location of death,UNSD region,Source,Link,Source "
      "Quality,Latitude,Longitude,incident_date_clean,incident_date_raw,incident_date_precision,"
      "source_dataset\n";
  const std::string rest = ",x,x,x,x,2,";
  std::istringstream in(
      header +
      "A,A,Incident,M,2020-05-01,2020,5,1,0,1,NA,NA,NA,NA,Mali,U,D,D,Central Mediterranean,"
      "Libya - presumed departure on 1 May" +
      rest +
      "33.5,12.5,2020-05-01,2020-05-01,day,IOM\n"
      "B,B,Incident,M,2020-05-02,2020,5,1,0,1,NA,NA,NA,NA,Mali,U,D,D,Central Mediterranean,Libya" +
      rest +
      "48.85,2.35,2020-05-02,2020-05-02,month,IOM\n"
      "C,C,Incident,M,2020-05-03,2020,5,1,0,1,NA,NA,NA,NA,Mali,U,D,D,Central Mediterranean,Libya" +
      rest + "NA,12.5,2020-05-03,2020-05-03,day,IOM\n");
  ReadReport report;
  const auto table = read_missing_migrants(in, {}, &report);
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].incident_country, "LBY");  // annotation cut off
  EXPECT_EQ(table.rows[0].origin_countries, (std::vector<std::string>{"MLI"}));
  EXPECT_EQ(table.rows[1].precision, DatePrecision::month);
  EXPECT_FALSE(table.rows[2].latitude.has_value());  // half a coordinate is no coordinate
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_EQ(report.warnings[0].row, 3u);  // Paris is not in Libya
  EXPECT_EQ(report.warnings[0].column, "Latitude");
}

TEST(Dtm, ReadsFlowsAndRejectsBadReasons) {
  std::istringstream in(
      "\"t\",\"route\",\"fmp\",\"fmp_country\",\"from\",\"to\",\"n\",\"reason_seasonal\","
      "\"reason_disaster\",\"reason_conflict\",\"reason_economic\"\n"
      "\"2019-03-05\",\"Libya/Niger\",\"Séguédine\",\"NER\",\"NER\",\"LBY\",40,1,0,NA,1\n"
      "\"2019-03-06\",NA,\"Séguédine\",\"NER\",\"ooo\",\"NER\",\"<5\",1,0,0,2\n");
  ReadReport report;
  ReadOptions options;
  options.skip_invalid = true;
  const auto table = read_dtm(in, options, &report);
  ASSERT_EQ(table.rows.size(), 1u);
  const Flow& f = table.rows[0];
  EXPECT_EQ(table.label(f.route), "Libya/Niger");
  EXPECT_EQ(table.label(f.point), "Séguédine");
  EXPECT_EQ(table.label(f.to), "LBY");
  EXPECT_EQ(f.persons, (Count{40, false}));
  EXPECT_EQ(f.reasons, (std::array<std::int8_t, 4>{1, 0, -1, 1}));
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].text(), "row 3, column reason_economic: not 0, 1 or NA: \"2\"");
}

TEST(ReadFile, DecompressesGzipAndReportsProgress) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("routes_test_" + std::to_string(::getpid()) + ".csv.gz");
  std::string text = frontex_header;
  for (int i = 0; i < 1000; ++i) text += "\"Black Sea Route\",\"Sea\",\"TUR\",\"2020-01-01\",2\n";
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  gzclose(gz);

  std::vector<Progress> seen;
  ReadOptions options;
  options.progress_every_rows = 300;
  options.on_progress = [&](const Progress& p) { seen.push_back(p); };
  ReadReport report;
  const auto data = read_file(path.string(), options, &report);
  std::filesystem::remove(path);
  ASSERT_TRUE(std::holds_alternative<Detections>(data));
  EXPECT_EQ(std::get<Detections>(data).rows.size(), 1000u);
  EXPECT_EQ(report.format, Format::frontex);
  ASSERT_EQ(seen.size(), 4u);  // 300, 600, 900, and the end
  EXPECT_EQ(seen[0].rows, 300u);
  EXPECT_EQ(seen.back().rows, 1000u);
  EXPECT_EQ(seen.back().bytes, text.size());
}

TEST(ReadFile, UnknownFormatAndMissingFileAreErrors) {
  try {
    read_file("/nonexistent/routes.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("routes_test_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "id,name\n1,x\n";
  }
  try {
    read_file(path.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "row 1");
  }
  std::filesystem::remove(path);
}

TEST(ReferenceTables, CountryNames) {
  EXPECT_EQ(country_from_name("Iran (Islamic Republic of)"), "IRN");
  EXPECT_EQ(country_from_name("Türkiye"), "TUR");
  EXPECT_EQ(country_from_name("United Kingdom of Great Britain and Northern Ireland"), "GBR");
  EXPECT_EQ(country_from_name("Mixed/Unknown"), "");  // known to mean no country
  EXPECT_FALSE(country_from_name("012 52E").has_value());
}

TEST(ReferenceTables, CountryBoxesWithTolerance) {
  EXPECT_EQ(near_country("ITA", 41.9, 12.5), true);    // Rome
  EXPECT_EQ(near_country("LBY", 34.5, 13.0), true);    // at sea off Tripoli, within tolerance
  EXPECT_EQ(near_country("LBY", 48.85, 2.35), false);  // Paris
  EXPECT_FALSE(near_country("ATA", 0, 0).has_value());
}

TEST(ReferenceTables, CorridorsAreWellFormed) {
  const auto& all = corridors();
  ASSERT_GE(all.size(), 7u);
  std::set<std::string> ids;
  for (const auto& c : all) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_GE(c.countries.size(), 2u) << c.id;
    EXPECT_FALSE(c.frontex_routes.empty() && c.mmp_routes.empty() && c.dtm_routes.empty()) << c.id;
  }
  for (const char* id :
       {"central_mediterranean", "western_mediterranean", "eastern_mediterranean",
        "western_balkans", "western_african_atlantic", "eastern_land_border", "central_sahara"})
    EXPECT_NE(find_corridor(id), nullptr) << id;
  const auto* sahara = find_corridor("central_sahara");
  EXPECT_TRUE(sahara->has_leg("NER", "LBY"));
  EXPECT_FALSE(sahara->has_leg("LBY", "NER"));  // order matters
}

}  // namespace
}  // namespace ctis::routes
