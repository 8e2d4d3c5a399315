// Comparison levels, Jaro and Jaro–Winkler known answers, and reading CSV.
#include <gtest/gtest.h>

#include <sstream>

#include "core/core.h"
#include "dedup/dedup.h"

namespace ctis::dedup {
namespace {

// Winkler (1990) and the usual textbook examples (three decimals as published).
TEST(Jaro, MatchesPublishedValues) {
  EXPECT_NEAR(jaro("MARTHA", "MARHTA"), 0.944, 0.0005);
  EXPECT_NEAR(jaro("DWAYNE", "DUANE"), 0.822, 0.0005);
  EXPECT_NEAR(jaro("DIXON", "DICKSONX"), 0.767, 0.0005);
  EXPECT_NEAR(jaro_winkler("MARTHA", "MARHTA"), 0.961, 0.0005);
  EXPECT_NEAR(jaro_winkler("DWAYNE", "DUANE"), 0.840, 0.0005);
  EXPECT_NEAR(jaro_winkler("DIXON", "DICKSONX"), 0.813, 0.0005);
}

TEST(Jaro, EdgeCases) {
  EXPECT_EQ(jaro("", ""), 1.0);
  EXPECT_EQ(jaro("abc", ""), 0.0);
  EXPECT_EQ(jaro("abc", "xyz"), 0.0);
  EXPECT_EQ(jaro_winkler("smith", "smith"), 1.0);
  EXPECT_DOUBLE_EQ(jaro("ab", "ba"), jaro("ba", "ab"));
  // Below 0.7 Jaro gets no prefix boost.
  const double j = jaro("abcdefgh", "abxxxxxx");
  ASSERT_LE(j, 0.7);
  EXPECT_EQ(jaro_winkler("abcdefgh", "abxxxxxx"), j);
  // Longer than the small-buffer path.
  const std::string long_a(100, 'a');
  EXPECT_EQ(jaro(long_a, long_a), 1.0);
}

TEST(Compare, ExactLevels) {
  const Comparison c{.column = "state", .kind = CompareKind::exact};
  EXPECT_EQ(level_names(c), (std::vector<std::string>{"null", "exact", "different"}));
  EXPECT_EQ(compare(c, "", "vic"), kNullLevel);
  EXPECT_EQ(compare(c, "vic", ""), kNullLevel);
  EXPECT_EQ(compare(c, "vic", "vic"), kExactLevel);
  EXPECT_EQ(compare(c, "vic", "nsw"), 2);
}

TEST(Compare, JaroWinklerBands) {
  const Comparison c{
      .column = "surname", .kind = CompareKind::jaro_winkler, .similarity_bands = {0.95, 0.8}};
  EXPECT_EQ(level_names(c).size(), 5U);
  EXPECT_EQ(level_names(c)[2], "jaro-winkler >= 0.95");
  EXPECT_EQ(compare(c, "martha", "martha"), kExactLevel);
  EXPECT_EQ(compare(c, "martha", "marhta"), 2);  // 0.961
  EXPECT_EQ(compare(c, "dwayne", "duane"), 3);   // 0.840
  EXPECT_EQ(compare(c, "dixon", "smith"), 4);    // different
  EXPECT_EQ(compare(c, "", "smith"), kNullLevel);
}

TEST(Compare, DateLevels) {
  const Comparison c{.column = "dob", .kind = CompareKind::date, .within_days = 10};
  EXPECT_EQ(level_names(c)[2], "month/day swapped");
  EXPECT_EQ(level_names(c)[3], "within 10 days");
  EXPECT_EQ(compare(c, "19800312", "19800312"), kExactLevel);
  EXPECT_EQ(compare(c, "19800312", "19801203"), 2);            // swapped
  EXPECT_EQ(compare(c, "1980-03-12", "19801203"), 2);          // formats mix
  EXPECT_EQ(compare(c, "19800312", "19800320"), 3);            // 8 days
  EXPECT_EQ(compare(c, "19801228", "19810105"), 3);            // across a year end, 8 days
  EXPECT_EQ(compare(c, "19800312", "19800612"), 4);            // same year
  EXPECT_EQ(compare(c, "19800312", "19790312"), 5);            // different
  EXPECT_EQ(compare(c, "19800312", "1980031x"), 5);            // unparseable, not equal
  EXPECT_EQ(compare(c, "19810229", "19810301"), 5);            // no 29 February in 1981: not a date
  EXPECT_EQ(compare(c, "19800229", "19800301"), 3);            // 1980 was a leap year
  EXPECT_EQ(compare(c, "19801312", "19801312"), kExactLevel);  // equal text even if invalid
  EXPECT_EQ(compare(c, "", "19800312"), kNullLevel);
}

TEST(Compare, NumericBands) {
  const Comparison c{.column = "age", .kind = CompareKind::numeric, .distance_bands = {1, 5}};
  EXPECT_EQ(level_names(c),
            (std::vector<std::string>{"null", "exact", "within 1", "within 5", "different"}));
  EXPECT_EQ(compare(c, "30", "30"), kExactLevel);
  EXPECT_EQ(compare(c, "30", "30.0"), kExactLevel);  // same value, other text
  EXPECT_EQ(compare(c, "30", "31"), 2);
  EXPECT_EQ(compare(c, "30", "34.5"), 3);
  EXPECT_EQ(compare(c, "30", "40"), 4);
  EXPECT_EQ(compare(c, "30", "thirty"), 4);
  EXPECT_EQ(compare(c, "30", ""), kNullLevel);
}

TEST(ReadCsv, TrimsQuotesAndChecksWidth) {
  std::istringstream in(
      "rec_id, name, city\n"
      "r1, anna , \"paris, tx\"\n"
      "\n"
      "r2,\"say \"\"hi\"\"\",\n");
  const Table t = read_csv(in, "people.csv");
  ASSERT_EQ(t.columns, (std::vector<std::string>{"rec_id", "name", "city"}));
  ASSERT_EQ(t.size(), 2U);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"r1", "anna", "paris, tx"}));
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"r2", "say \"hi\"", ""}));
  EXPECT_EQ(t.column("city"), 2U);
  try {
    (void)t.column("dob");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_NE(std::string(e.what()).find("dob"), std::string::npos);
  }
}

TEST(ReadCsv, ErrorsNameTheRowAndColumn) {
  std::istringstream short_row("a,b\n1,2\n3\n");
  try {
    (void)read_csv(short_row, "x.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "x.csv row 3");
    EXPECT_NE(std::string(e.what()).find("1 values, the header has 2"), std::string::npos);
  }
  std::istringstream repeated("a,b,a\n");
  try {
    (void)read_csv(repeated, "y.csv");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "y.csv row 1, column 3");
  }
  std::istringstream open_quote("a\n\"never closed\n");
  EXPECT_THROW((void)read_csv(open_quote, "z.csv"), Error);
  std::istringstream empty("");
  EXPECT_THROW((void)read_csv(empty, "e.csv"), Error);
}

}  // namespace
}  // namespace ctis::dedup
