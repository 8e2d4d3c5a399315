// Value validation, formatting and tokenisation with Python's semantics (int(), strptime,
// code-point n-grams, NumericComparison), and the Encoder's own errors.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "clk/clk.h"
#include "clk/internal.h"
#include "core/core.h"

namespace ctis::clk {
namespace {

Feature string_feature() {
  Feature f;
  f.identifier = "name";
  f.bits_per_token = 10;
  return f;
}

std::string error_of(const Feature& f, std::string_view raw) {
  try {
    (void)format_value(f, raw);
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), f.identifier);
    return e.what();
  }
  return "accepted";
}

TEST(ClkFormat, IntegersAreNormalisedLikePythonInt) {
  Feature f = string_feature();
  f.type = FormatType::integer;
  EXPECT_EQ(format_value(f, "+0042"), "42");
  EXPECT_EQ(format_value(f, " -7 "), "-7");
  EXPECT_EQ(format_value(f, "-000"), "0");
  EXPECT_EQ(format_value(f, "1_000"), "1000");
  EXPECT_EQ(format_value(f, "\xD9\xA4\xD9\xA2"), "42");  // Arabic-Indic digits
  EXPECT_EQ(format_value(f, "123456789012345678901234567890"), "123456789012345678901234567890");
  for (const char* bad : {"", "+", "4 2", "_1", "1_", "1__0", "0x10", "1.0"}) {
    EXPECT_NE(error_of(f, bad).find("expected an integer"), std::string::npos) << bad;
  }
  f.minimum = 50;
  f.maximum = 9999;
  EXPECT_EQ(format_value(f, "50"), "50");
  EXPECT_NE(error_of(f, "49").find("at least 50"), std::string::npos);
  EXPECT_NE(error_of(f, "99999999999999999999").find("at most 9999"), std::string::npos);
  EXPECT_NE(error_of(f, "-99999999999999999999").find("at least 50"), std::string::npos);
}

TEST(ClkFormat, MissingValueSkipsValidation) {
  Feature f = string_feature();
  f.type = FormatType::integer;
  f.missing_sentinel = "N/A";
  EXPECT_EQ(format_value(f, "N/A"), "N/A");
  f.missing_replace = "";
  EXPECT_EQ(format_value(f, "N/A"), "");
  EXPECT_NE(error_of(f, "n/a").find("expected an integer"), std::string::npos);
}

TEST(ClkFormat, StringChecksOnlyValidateNeverTransform) {
  Feature f = string_feature();
  f.min_length = 2;
  f.max_length = 4;
  f.letter_case = LetterCase::lower;
  EXPECT_EQ(format_value(f, "zoë"), "zoë");  // 3 code points, 4 bytes
  EXPECT_NE(error_of(f, "a").find("at least 2"), std::string::npos);
  EXPECT_NE(error_of(f, "abcde").find("at most 4"), std::string::npos);
  EXPECT_NE(error_of(f, "Ab").find("lower case"), std::string::npos);
  EXPECT_NE(error_of(f, "a\xFF").find("UTF-8"), std::string::npos);
  f.letter_case = LetterCase::upper;
  EXPECT_NE(error_of(f, "Ab").find("upper case"), std::string::npos);

  Feature p = string_feature();
  p.pattern = "[0-9]{4}";
  p.pattern_regex = std::make_shared<const std::regex>(*p.pattern);
  EXPECT_EQ(format_value(p, "2000"), "2000");
  EXPECT_NE(error_of(p, "20000").find("pattern"), std::string::npos);  // whole value must match

  Feature a = string_feature();
  a.encoding = TextEncoding::ascii;
  EXPECT_NE(error_of(a, "zoë").find("ascii"), std::string::npos);

  Feature e = string_feature();
  e.type = FormatType::enumeration;
  e.enum_values = {"m", "f", "x"};
  EXPECT_EQ(format_value(e, "x"), "x");
  EXPECT_NE(error_of(e, "M").find("enum"), std::string::npos);
}

TEST(ClkFormat, DatesAreRewrittenAsYearMonthDay) {
  Feature f = string_feature();
  f.type = FormatType::date;
  f.date_format = "%d/%m/%Y";
  EXPECT_EQ(format_value(f, "5/1/1999"), "19990105");
  EXPECT_EQ(format_value(f, "29/02/2000"), "20000229");
  EXPECT_NE(error_of(f, "29/02/1900").find("expected a date"), std::string::npos);
  EXPECT_NE(error_of(f, "31/04/2001").find("expected a date"), std::string::npos);
  EXPECT_NE(error_of(f, "1999-01-05").find("'%d/%m/%Y'"), std::string::npos);
  f.date_format = "%d %b %y";
  EXPECT_EQ(format_value(f, "05  JAN 68"), "20680105");
  EXPECT_EQ(format_value(f, "05 jan 69"), "19690105");
  f.date_format = "%Y-%m-%dT%H:%M:%S";
  EXPECT_EQ(format_value(f, "2020-12-31T23:59:60"), "20201231");
  EXPECT_NE(error_of(f, "2020-12-31T24:00:00").find("expected a date"), std::string::npos);
}

TEST(ClkFormat, NgramsAreOverCodePoints) {
  Feature f = string_feature();
  EXPECT_EQ(tokenize(f, "zoë"), (std::vector<std::string>{" z", "zo", "oë", "ë "}));
  EXPECT_TRUE(tokenize(f, "").empty());
  f.ngram_n = 1;
  f.positional = true;
  EXPECT_EQ(tokenize(f, "42"), (std::vector<std::string>{"1 4", "2 2"}));
  f.ngram_n = 3;
  EXPECT_EQ(tokenize(f, "a"), (std::vector<std::string>{"1   a", "2  a ", "3 a  "}));
  f.comparison = Comparison::exact;
  EXPECT_EQ(tokenize(f, "a b"), (std::vector<std::string>{"a b"}));
  EXPECT_TRUE(tokenize(f, "").empty());
}

TEST(ClkFormat, NumericTokensFollowClkhash) {
  Feature f = string_feature();
  f.comparison = Comparison::numeric;
  f.threshold_distance = 8;
  f.resolution = 2;
  // The docstring example: 25 becomes [88, 96, 104, 112, 120].
  EXPECT_EQ(tokenize(f, "25"), (std::vector<std::string>{"88", "96", "104", "112", "120"}));
  EXPECT_EQ(tokenize(f, "-3"), (std::vector<std::string>{"-24", "-16", "-8", "0", "8"}));
  EXPECT_EQ(tokenize(f, "25.9"), tokenize(f, "25"));  // int(float) truncates
  f.fractional_precision = 1;
  f.threshold_distance = 0.5;
  EXPECT_EQ(tokenize(f, "2.25"), (std::vector<std::string>{"80", "85", "90", "95", "100"}));
  EXPECT_THROW((void)tokenize(f, "abc"), Error);
  EXPECT_THROW((void)tokenize(f, "inf"), Error);
  EXPECT_THROW((void)tokenize(f, "9223372036854775807"), Error);
}

TEST(ClkFormat, BitsPerFeatureSpreadsTheRemainderFirst) {
  Feature f = string_feature();
  f.bits_per_token.reset();
  f.bits_per_feature = 100;
  EXPECT_EQ(bits_per_token(f, 8), (std::vector<int>{13, 13, 13, 13, 12, 12, 12, 12}));
  EXPECT_EQ(bits_per_token(f, 1), (std::vector<int>{100}));
  EXPECT_TRUE(bits_per_token(f, 0).empty());
}

// Token bytes as Python's str.encode gives them: utf-16/utf-32 with a little-endian BOM.
TEST(ClkFormat, TokenBytesFollowPythonCodecs) {
  std::string out;
  detail::encode_text("a\xC3\xA9", TextEncoding::utf16, out);
  EXPECT_EQ(out, std::string("\xFF\xFE"
                             "a\0"
                             "\xE9\0",
                             6));
  detail::encode_text("\xF0\x9F\x98\x80", TextEncoding::utf16, out);  // U+1F600
  EXPECT_EQ(out, std::string("\xFF\xFE\x3D\xD8\x00\xDE", 6));
  detail::encode_text("a", TextEncoding::utf32, out);
  EXPECT_EQ(out, std::string("\xFF\xFE\0\0"
                             "a\0\0\0",
                             8));
  detail::encode_text("a\xC3\xA9", TextEncoding::utf8, out);
  EXPECT_EQ(out, "a\xC3\xA9");
}

TEST(ClkEncoder, DatesAreHashedInTheirCanonicalForm) {
  const Schema s = Schema::parse(R"({"version": 3,
      "clkConfig": {"l": 128, "kdf": {"type": "HKDF"}},
      "features": [{"identifier": "dob", "format": {"type": "date", "format": "%d/%m/%Y"},
                    "hashing": {"comparison": {"type": "exact"},
                                "strategy": {"bitsPerToken": 20}}}]})");
  const Encoder e(s, "k");
  auto clk = [&](std::string v) { return e.encode(std::span<const std::string>(&v, 1)); };
  EXPECT_EQ(clk("5/1/1999"), clk("05/01/1999"));
  EXPECT_NE(clk("5/1/1999"), clk("1/5/1999"));
  try {
    (void)clk("31/02/1999");
    ADD_FAILURE() << "31 February accepted";
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "dob");
  }
}

TEST(ClkEncoder, RejectsWrongRecordsAndSecrets) {
  const Schema s = Schema::parse(R"({"version": 3,
      "clkConfig": {"l": 64, "kdf": {"type": "HKDF"}},
      "features": [{"identifier": "a", "format": {"type": "string"},
                    "hashing": {"comparison": {"type": "exact"},
                                "strategy": {"bitsPerToken": 3}}}]})");
  EXPECT_THROW(Encoder(s, std::string_view()), Error);
  const Encoder e(s, "k");
  const std::vector<std::string> two = {"x", "y"};
  try {
    (void)e.encode(std::span<const std::string>(two));
    ADD_FAILURE() << "accepted two values for one feature";
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "record");
  }
  const std::vector<std::string> one = {"x"};
  const Clk clk = e.encode(std::span<const std::string>(one));
  EXPECT_EQ(clk.bits, 64U);
  EXPECT_EQ(clk.bytes.size(), 8U);
  EXPECT_GE(clk.popcount(), 1U);
  EXPECT_LE(clk.popcount(), 3U);
  EXPECT_EQ(from_base64(to_base64(clk)), clk);
  EXPECT_THROW((void)from_base64("not base64!"), Error);
  // Another secret gives another filter.
  EXPECT_NE(Encoder(s, "k2").encode(std::span<const std::string>(one)), clk);
}

}  // namespace
}  // namespace ctis::clk
