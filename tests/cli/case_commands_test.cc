// `ctis case import` and `ctis case export` (CTDC format) and the demo's cases, run as an
// operator runs them, on both stores: every bad cell reported, nothing written unless the file
// is valid, reject files, CSV quoting, round trips, no identifiers in exports.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/process.h"
#include "support/test_db.h"

namespace ctis::testing {
namespace {

using nlohmann::json;
using store::Dialect;

const std::map<std::string, std::string> kFast = {{"CTIS_FAST_PASSWORD_HASHING", "true"}};

const std::string kHeader =
    "yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths,"
    "meansThreats,meansWithholdDocs,isForcedLabour,isSexualExploit,typeOfLabourAgriculture,"
    "typeOfSexProstitution,recruiterRelationFriend,given_name,family_name,birth_date,"
    "document_number\n";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CaseCommands : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    base_ = base_for(*db_);
    ASSERT_EQ(ctis({"user", "add", "amara", "--role", "coordinator", "--org", "Referral Office"})
                  .exit_code,
              0);
  }
  static std::vector<std::string> base_for(const TestDb& db) {
    return {"--data", (db.dir() / "data").string(), "--store-url", db.url()};
  }
  RunResult ctis(std::vector<std::string> args, const std::string& input = "",
                 const TestDb* db = nullptr) {
    const auto base = db ? base_for(*db) : base_;
    args.insert(args.end(), base.begin(), base.end());
    return run_ctis(args, input, kFast, 120);
  }
  std::string file(const std::string& name, const std::string& text) {
    const auto path = db_->dir() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  // The stored profiles, in insertion order.
  static std::vector<json> profiles(const TestDb& db) {
    auto conn = db.open(1);
    std::vector<json> out;
    for (const auto& r : conn->connection()->query("SELECT profile FROM cases ORDER BY id")) {
      out.push_back(json::parse(r.text(0)));
    }
    return out;
  }
  static std::int64_t scalar(const TestDb& db, const std::string& sql) {
    return db.open(1)->connection()->query_one(sql)->integer(0);
  }
  std::unique_ptr<TestDb> db_;
  std::vector<std::string> base_;
};

TEST_P(CaseCommands, ImportsAValidFileAudited) {
  const auto csv = file("ok.csv", kHeader +
                                      "2021,Woman,18--20,NGA,ITA,0--12 (0-1 yr),1,,,1,,1,1,"
                                      "Blessing,Osagie,,A1234567\n"
                                      "2022,man,,SYR,TUR,13-24,,1,1,,1,,,Omar,Khalil,2001-03-04,\n"
                                      "2023,Trans/Transgender/NonConforming,30--38,VEN,COL,,,,,,,"
                                      ",,,,,\n");
  const auto r = ctis({"case", "import", csv});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "imported 3 cases into Referral Office")) << r.err;
  const auto p = profiles(*db_);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], json::parse(R"({"year_of_registration":2021,"gender":"woman","age_band":"18-20",
      "citizenship":"NGA","country_of_exploitation":"ITA","traffick_months":"0-12",
      "means":["threats"],"exploitation":["sexual"],"sexual_types":["prostitution"],
      "recruiter_relations":["friend"]})"));
  // The band follows from the birth date; CTIS codes are accepted beside CTDC codings.
  EXPECT_EQ(p[1]["age_band"], "18-20");
  EXPECT_EQ(p[1]["traffick_months"], "13-24");
  EXPECT_EQ(p[1]["means"], json({"withhold_docs"}));
  EXPECT_EQ(p[1]["labour_sectors"], json({"agriculture"}));
  EXPECT_EQ(p[2], json::parse(R"({"year_of_registration":2023,"gender":"trans_nonconforming",
      "age_band":"30-38","citizenship":"VEN","country_of_exploitation":"COL"})"));
  // Identifiers are encrypted, and the import is audited: one entry per case and one for all.
  auto conn = db_->open(1);
  for (const auto& row : conn->connection()->query("SELECT person_enc FROM cases")) {
    const auto& blob = row.blob(0);
    EXPECT_FALSE(has(std::string(blob.begin(), blob.end()), "Osagie"));
  }
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM audit_log WHERE action = 'case.create'"), 3);
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM audit_log WHERE action = 'case.import'"), 1);
  EXPECT_EQ(ctis({"audit", "verify"}).exit_code, 0);
}

TEST_P(CaseCommands, EveryBadCellIsReportedAndNothingWritten) {
  const auto csv = file("bad.csv", kHeader +
                                       // 1: four bad cells in one row
                                       "1980,Male,18--20,XXX,ITA,,yes,,,,,,,,,,\n"
                                       // 2: fine
                                       "2021,Woman,18--20,NGA,ITA,,,,,,,,,,,,\n"
                                       // 3: the band contradicts the birth date
                                       "2022,Man,9--17,SYR,TUR,,,,,,,,,,,2001-03-04,\n"
                                       // 4: born in the future, unknown duration
                                       "2022,Man,,SYR,TUR,forever,,,,,,,,,,2999-01-01,\n"
                                       // 5: impossible date, unknown country of exploitation
                                       "2022,Woman,,ERI,ZZZ,,,,,,,,,,,2001-02-30,\n"
                                       // 6: too few cells
                                       "2022,Man\n");
  const auto r = ctis({"case", "import", csv});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (const char* line :
       {"row 1, column yearOfRegistration: yearOfRegistration must be between 1990",
        "row 1, column gender: \"Male\" is not one of: Man, Woman, "
        "Trans/Transgender/NonConforming",
        "row 1, column citizenship: \"XXX\" is not an ISO 3166-1 alpha-3 country code",
        "row 1, column meansThreats: a flag is 1 or empty, not \"yes\"",
        "row 3, column ageBroad: age band 9-17 contradicts the birth date 2001-03-04",
        "row 4, column traffickMonths: \"forever\" is not one of: 0--12 (0-1 yr)",
        "row 4, column birth_date: birth_date is in the future",
        "row 5, column CountryOfExploitation: \"ZZZ\" is not an ISO 3166-1 alpha-3",
        "row 5, column birth_date: \"2001-02-30\" is not a calendar date",
        "row 6: 2 cells where the header has 17", "10 errors in 5 of 6 rows; nothing imported"}) {
    EXPECT_TRUE(has(r.err, line)) << line << "\n" << r.err;
  }
  EXPECT_FALSE(has(r.err, "row 2")) << r.err;
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'case.%'"), 0);
}

TEST_P(CaseCommands, SkipInvalidWritesTheValidRowsAndARejectFile) {
  const auto csv = file("mixed.csv", kHeader +
                                         "2021,Woman,18--20,NGA,ITA,,,,,,,,,Joy,Eze,,\n"
                                         "2021,Woman,18--20,NGA,NOR WAY,,,,,,,,,\"Eze, Joy\",,,\n"
                                         "2022,Man,,SYR,TUR,,,1,,,1,,,Omar,,2001-03-04,\n"
                                         "2022,Man,,SYR,TUR,,,,2,,,,,,,2999-01-01,\n");
  const auto rejects = (db_->dir() / "rejects.csv").string();
  auto r = ctis({"case", "import", csv, "--skip-invalid", "--out", rejects});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "imported 2 cases")) << r.err;
  EXPECT_TRUE(has(r.err, "rejected 2 rows")) << r.err;
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM cases"), 2);
  struct stat st {};
  ASSERT_EQ(::stat(rejects.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // rejected rows may hold identifiers
  const std::string text = slurp(rejects);
  const std::string header = kHeader.substr(0, kHeader.size() - 1) + ",error\r\n";
  EXPECT_EQ(text.substr(0, header.size()), header);
  EXPECT_TRUE(has(text,
                  "2021,Woman,18--20,NGA,NOR WAY,,,,,,,,,\"Eze, Joy\",,,,\"column "
                  "CountryOfExploitation: \"\"NOR WAY\"\" is not an ISO 3166-1 alpha-3 country "
                  "code\"\r\n"))
      << text;
  EXPECT_TRUE(has(text,
                  "2022,Man,,SYR,TUR,,,,2,,,,,,,2999-01-01,,\"column isForcedLabour: a flag is 1 "
                  "or empty, not \"\"2\"\"; column birth_date: birth_date is in the future\"\r\n"))
      << text;

  // The reject file, corrected, imports as it is (its error column is ignored).
  std::string fixed = slurp(rejects);
  fixed.replace(fixed.find("NOR WAY"), 7, "NOR");
  fixed.replace(fixed.find(",2,"), 3, ",1,");
  fixed.replace(fixed.find("2999"), 4, "1999");
  r = ctis({"case", "import", file("fixed.csv", fixed)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM cases"), 4);
}

TEST_P(CaseCommands, QuotingLineEndsAndMalformedFiles) {
  // A byte-order mark, CRLF line ends, quoted cells with commas, doubled quotes and line
  // breaks, quoted codings and flags, a blank last line and no final line break.
  const std::string quoted =
      "\xEF\xBB\xBF" + kHeader.substr(0, kHeader.size() - 1) + "\r\n" +
      "\"2021\",\"Woman\",\"18--20\",NGA,ITA,\"25+ (2+ yrs)\",\"1\",,,1,,1,,\"Ada, \"\"Ife\"\"\","
      "\"Okafor\r\nOkeke\",,\r\n"
      "2022,Man,,SYR,TUR,,,,1,,1,,,\"\",\"line\nbreak\",2001-03-04,\"P,1\"\r\n"
      "\r\n"
      "2023,Woman,21--23,VEN,COL,,,,,,,,,,,,";
  auto r = ctis({"case", "import", file("quoted.csv", quoted)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto p = profiles(*db_);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0]["traffick_months"], "25+");
  EXPECT_EQ(p[0]["means"], json({"threats"}));
  EXPECT_EQ(p[1]["labour_sectors"], json({"agriculture"}));
  EXPECT_EQ(p[2]["age_band"], "21-23");

  // Rows are counted as records, not lines: the bad cell after a two-line cell is in row 2.
  r = ctis({"case", "import",
            file("rows.csv", kHeader + "2021,Woman,,NGA,ITA,,,,,,,,,\"two\nlines\",,,\n"
                                       "2021,Woman,,NGA,XXX,,,,,,,,,,,,\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "row 2, column CountryOfExploitation: \"XXX\"")) << r.err;

  const std::pair<std::string, std::string> malformed[] = {
      {"2021,Woman,,NGA,ITA,,,,,,,,,\"never closed,,,\n",
       "row 1, column given_name: quoted cell not closed before the end of the file"},
      {"2021,Woman,,NGA,ITA,,,,,,,,,\"Joy\"x,,,\n",
       "row 1, column given_name: text after the closing quote"},
      {"2021,Woman,,NGA,ITA,,,,,,,,,Jo\"y,,,\n",
       "row 1, column given_name: a quote inside an unquoted cell"},
      {"2021,Woman,,NGA,ITA,,,,,,,,,J\xC3\x28y,,,\n", "row 1, column given_name: not valid UTF-8"},
      {"2021,Woman,,NGA,ITA,,,,,,,,,\"" + std::string(70000, 'a') + "\",,,\n",
       "row 1, column given_name: cell longer than 65536 bytes"},
      {"2021,Woman,,NGA,ITA,,,,,,,,," + std::string(300, 'x') + ",,,\n",
       "row 1, column given_name: given_name is longer than 200 bytes"},
  };
  for (const auto& [row, message] : malformed) {
    r = ctis({"case", "import", file("malformed.csv", kHeader + row)});
    EXPECT_EQ(r.exit_code, 2) << message;
    EXPECT_TRUE(has(r.err, message)) << message << "\n" << r.err.substr(0, 500);
  }
  r = ctis({"case", "import", file("header.csv", "gender,Nationality\nWoman,NGA\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "header, column Nationality: not a column of the CTDC 2024 standard"))
      << r.err;
  r = ctis({"case", "import", file("twice.csv", "gender,gender\nWoman,Man\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "header, column gender: the column appears twice")) << r.err;
  r = ctis({"case", "import", file("empty.csv", "")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(scalar(*db_, "SELECT COUNT(*) FROM cases"), 3);
}

TEST_P(CaseCommands, ExportImportRoundTripWithoutIdentifiers) {
  const auto csv = file("in.csv", kHeader +
                                      "2021,Woman,18--20,NGA,ITA,0--12 (0-1 yr),1,1,,1,,1,1,"
                                      "Blessing,Osagie,,A1234567\n"
                                      "2022,Man,,SYR,TUR,25+ (2+ yrs),,1,1,,1,,,Omar,Khalil,"
                                      "2003-07-09,N7654321\n"
                                      "2024,Woman,9--17,NPL,IND,,,,,1,,1,1,Sita,Tamang,,\n");
  ASSERT_EQ(ctis({"case", "import", csv}).exit_code, 0);
  const auto out = (db_->dir() / "export.csv").string();
  auto r = ctis({"case", "export", "--format", "ctdc", "--out", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string exported = slurp(out);
  EXPECT_EQ(exported.rfind("yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,"
                           "traffickMonths,meansDebtBondageEarnings,meansThreats,",
                           0),
            0u)
      << exported;
  EXPECT_TRUE(has(exported, "\r\n2022,Man,18--20,SYR,TUR,25+ (2+ yrs),")) << exported;
  for (const char* identifier : {"Blessing", "Osagie", "A1234567", "Omar", "Khalil", "2003-07-09",
                                 "N7654321", "Sita", "Tamang", "given_name", "birth_date"}) {
    EXPECT_FALSE(has(exported, identifier)) << identifier;
  }
  // Into another installation and back out: the same profiles, the same file.
  TestDb other(GetParam());
  ASSERT_EQ(ctis({"user", "add", "jonas", "--role", "caseworker", "--org", "Elsewhere"}, "", &other)
                .exit_code,
            0);
  r = ctis({"case", "import", out}, "", &other);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(profiles(other), profiles(*db_));
  r = ctis({"case", "export", "--format", "ctdc"}, "", &other);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, exported);
  EXPECT_EQ(ctis({"case", "export", "--format", "xml"}).exit_code, 2);
}

TEST_P(CaseCommands, OrganisationIsNamedWhenThereAreSeveral) {
  const auto csv = file("one.csv", kHeader + "2021,Woman,18--20,NGA,ITA,,,,,,,,,,,,\n");
  ASSERT_EQ(
      ctis({"user", "add", "lucia", "--role", "caseworker", "--org", "Safe Harbour"}).exit_code, 0);
  auto r = ctis({"case", "import", csv});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "--org")) << r.err;
  EXPECT_EQ(ctis({"case", "import", csv, "--org", "Nowhere"}).exit_code, 4);
  r = ctis({"case", "import", "-", "--org", "Safe Harbour"}, slurp(csv));  // standard input
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(scalar(*db_,
                   "SELECT COUNT(*) FROM cases c JOIN organisations o ON o.id = c.organisation_id "
                   "WHERE o.name = 'Safe Harbour'"),
            1);
  r = ctis({"case", "export", "--org", "Referral Office"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);  // the header only
}

TEST_P(CaseCommands, DemoCasesAreReproducibleAndRoundTrip) {
  // Made twice on SQLite: the same demo every time.
  std::vector<std::string> exports(GetParam() == Dialect::sqlite ? 2 : 1);
  for (auto& exported : exports) {
    TestDb demo_db(GetParam());
    ServerProcess demo({"demo", "--data", (demo_db.dir() / "data").string(), "--store-url",
                        demo_db.url(), "--listen", "127.0.0.1:0"},
                       kFast);
    EXPECT_EQ(demo.stop(), 0);
    EXPECT_EQ(scalar(demo_db,
                     "SELECT COUNT(*) FROM cases c JOIN organisations o ON o.id = "
                     "c.organisation_id WHERE o.name = 'National Referral Office'"),
              300);
    // A realistic mix: statuses, children, both main forms of exploitation, assignments.
    EXPECT_GE(scalar(demo_db, "SELECT COUNT(DISTINCT status) FROM cases"), 4);
    EXPECT_GT(scalar(demo_db, "SELECT COUNT(*) FROM cases WHERE profile LIKE '%\"9-17\"%'"), 10);
    EXPECT_GT(scalar(demo_db, "SELECT COUNT(*) FROM cases WHERE exploitation LIKE '% sexual %'"),
              50);
    EXPECT_GT(
        scalar(demo_db, "SELECT COUNT(*) FROM cases WHERE exploitation LIKE '% forced_labour %'"),
        50);
    EXPECT_GT(scalar(demo_db, "SELECT COUNT(*) FROM cases WHERE assigned_to IS NOT NULL"), 50);
    EXPECT_GE(scalar(demo_db, "SELECT COUNT(DISTINCT citizenship) FROM cases"), 10);
    const auto r = ctis({"case", "export", "--format", "ctdc"}, "", &demo_db);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    exported = r.out;
    EXPECT_EQ(ctis({"audit", "verify"}, "", &demo_db).exit_code, 0);
  }
  EXPECT_EQ(exports.front(), exports.back());
  EXPECT_EQ(std::count(exports[0].begin(), exports[0].end(), '\n'), 301);
  auto r = ctis({"case", "import", "-"}, exports[0]);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ctis({"case", "export", "--format", "ctdc"});
  EXPECT_EQ(r.out, exports[0]);
}

INSTANTIATE_TEST_SUITE_P(Stores, CaseCommands,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql), dialect_name);

TEST(CaseImport, HelpAndUsage) {
  for (const char* command : {"import", "export"}) {
    const auto r = run_ctis({"case", command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_TRUE(has(r.out, "--data")) << r.out;
  }
  EXPECT_EQ(run_ctis({"case", "import"}).exit_code, 2);  // the file is required
  EXPECT_EQ(run_ctis({"case"}).exit_code, 2);
}

TEST(CaseImport, LargeFilesShowProgress) {
  TestDb db(Dialect::sqlite);
  const std::vector<std::string> base = {"--data", (db.dir() / "data").string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), base.begin(), base.end());
    return args;
  };
  ASSERT_EQ(
      run_ctis(with({"user", "add", "amara", "--role", "coordinator", "--org", "O"}), "", kFast)
          .exit_code,
      0);
  std::string text = kHeader;
  for (int i = 0; i < 10000; ++i) text += "2021,Woman,18--20,NGA,ITA,,1,,,1,,1,,,,,\n";
  text += "2021,Woman,18--20,NGA,XXX,,,,,,,,,,,,\n";
  const auto path = db.dir() / "large.csv";
  std::ofstream(path) << text;
  // Checked to the end (with progress) before anything is written; the one bad row stops it.
  const auto r = run_ctis(with({"case", "import", path.string()}), "", kFast, 120);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "ctis: read 10000 rows (")) << r.err;
  EXPECT_TRUE(has(r.err, "rows/s)")) << r.err;
  EXPECT_TRUE(has(r.err, "row 10001, column CountryOfExploitation")) << r.err;
}

}  // namespace
}  // namespace ctis::testing
