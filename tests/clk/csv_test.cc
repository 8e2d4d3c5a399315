// The streaming CSV encoder on small synthetic files: quoting, blank lines, header checks, row
// errors that name the row and the column, threads that keep input order, cancellation.
#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "clk/clk.h"
#include "core/core.h"

namespace ctis::clk {
namespace {

const char* kSchema = R"({
  "version": 3,
  "clkConfig": {"l": 256, "kdf": {"type": "HKDF", "keySize": 32}},
  "features": [
    {"identifier": "id", "ignored": true},
    {"identifier": "name", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 10},
                 "hash": {"type": "doubleHash"}}},
    {"identifier": "postcode", "format": {"type": "integer", "minimum": 1000, "maximum": 9999},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true},
                 "strategy": {"bitsPerFeature": 40}}}
  ]})";

Encoder make_encoder() { return Encoder(Schema::parse(kSchema), "synthetic secret"); }

std::string clk_of(const Encoder& e, std::vector<std::string> row) {
  return to_base64(e.encode(std::span<const std::string>(row)));
}

std::string run(const std::string& input, const CsvOptions& options = {},
                Progress* progress = nullptr) {
  const Encoder e = make_encoder();
  std::istringstream in(input);
  std::ostringstream out;
  encode_csv(in, out, e, progress, options);
  return out.str();
}

Error run_error(const std::string& input, const CsvOptions& options = {}) {
  try {
    run(input, options);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error for input:\n" << input;
  return Error(ErrorKind::internal, "none", "none");
}

TEST(ClkCsv, QuotedFieldsCrlfAndBlankLines) {
  const Encoder e = make_encoder();
  const std::string ok =
      run("id,name,postcode\r\n\"r,1\",\"o'\"\"neil\",2000\r\n\r\nr2,\"multi\nline\",+04201\n"
          "r3,,1234");
  EXPECT_EQ(ok, "rec_id,clk_base64\n\"r,1\"," + clk_of(e, {"r,1", "o'\"neil", "2000"}) + "\nr2," +
                    clk_of(e, {"r2", "multi\nline", "4201"}) + "\nr3," +
                    clk_of(e, {"r3", "", "1234"}) + "\n");
  // Different values, different CLKs: the expectation above is not trivially equal.
  EXPECT_NE(clk_of(e, {"a", "o'neil", "2000"}), clk_of(e, {"a", "oneil", "2000"}));
  // The ignored id column does not reach the CLK.
  EXPECT_EQ(clk_of(e, {"a", "x", "2000"}), clk_of(e, {"b", "x", "2000"}));
}

TEST(ClkCsv, SkipInitialSpaceReadsFebrlStyleFiles) {
  const Encoder e = make_encoder();
  CsvOptions options;
  options.skip_initial_space = true;
  EXPECT_EQ(run("id, name, postcode\nr1, ann, 2000\n", options),
            "rec_id,clk_base64\nr1," + clk_of(e, {"r1", "ann", "2000"}) + "\n");
  // Without the option the header has " name" and does not match the schema.
  EXPECT_EQ(run_error("id, name, postcode\nr1, ann, 2000\n").field(), "header");
}

TEST(ClkCsv, ByteOrderMarkIsNotPartOfTheHeader) {
  const Encoder e = make_encoder();
  EXPECT_EQ(run("\xEF\xBB\xBFid,name,postcode\nr1,ann,2000\n"),
            "rec_id,clk_base64\nr1," + clk_of(e, {"r1", "ann", "2000"}) + "\n");
}

TEST(ClkCsv, HeaderIsCheckedOrSkippedOrAbsent) {
  const Encoder e = make_encoder();
  const Error wrong = run_error("id,given,postcode\nr1,ann,2000\n");
  EXPECT_EQ(wrong.field(), "header");
  EXPECT_NE(std::string(wrong.what()).find("column 2 is 'given' but the schema expects 'name'"),
            std::string::npos);
  EXPECT_EQ(run_error("id,name\nr1,ann\n").field(), "header");
  EXPECT_EQ(run_error("").field(), "header");

  CsvOptions unchecked;
  unchecked.check_header = false;
  const std::string row = "r1," + clk_of(e, {"r1", "ann", "2000"}) + "\n";
  EXPECT_EQ(run("a,b,c\nr1,ann,2000\n", unchecked), "rec_id,clk_base64\n" + row);
  CsvOptions none;
  none.header = false;
  EXPECT_EQ(run("r1,ann,2000\n", none), "rec_id,clk_base64\n" + row);
}

TEST(ClkCsv, RowErrorsNameRowAndColumn) {
  const Error count = run_error("id,name,postcode\nr1,ann,2000\nr2,bob\n");
  EXPECT_EQ(count.field(), "row 2");
  EXPECT_NE(std::string(count.what()).find("expected 3 columns, found 2"), std::string::npos);

  const Error value = run_error("id,name,postcode\nr1,ann,2000\nr2,bob,20x0\nr3,cy,99\n");
  EXPECT_EQ(value.kind(), ErrorKind::invalid);
  EXPECT_EQ(value.field(), "row 2, column postcode");
  EXPECT_NE(std::string(value.what()).find("expected an integer, read '20x0'"), std::string::npos)
      << value.what();

  EXPECT_NE(std::string(run_error("id,name,postcode\nr1,\"ann,2000\n").what()).find("quoted"),
            std::string::npos);
}

TEST(ClkCsv, ThreadsKeepInputOrderAndReportTheFirstBadRow) {
  std::string input = "id,name,postcode\n";
  for (int i = 0; i < 1500; ++i) {
    input += "r" + std::to_string(i) + ",name" + std::to_string(i % 97) + "," +
             std::to_string(1000 + i) + "\n";
  }
  CsvOptions one, four;
  one.threads = 1;
  four.threads = 4;
  Progress progress;
  const std::string serial = run(input, one);
  EXPECT_EQ(run(input, four, &progress), serial);
  EXPECT_EQ(progress.records.load(), 1500U);
  EXPECT_EQ(std::count(serial.begin(), serial.end(), '\n'), 1501);

  // Two bad rows in different thread slices: the earlier one is reported.
  std::string bad = input;
  bad.replace(bad.find("r1400,name42,2400"), 17, "r1400,name42,240");
  bad.replace(bad.find("r1000,name30,2000"), 17, "r1000,name30,200");
  EXPECT_EQ(run_error(bad, four).field(), "row 1001, column postcode");
}

TEST(ClkCsv, CancelStopsTheEncoding) {
  Progress progress;
  progress.cancel = true;
  try {
    run("id,name,postcode\nr1,ann,2000\n", {}, &progress);
    ADD_FAILURE() << "not cancelled";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "cancelled");
  }
  EXPECT_EQ(progress.records.load(), 0U);
}

}  // namespace
}  // namespace ctis::clk
