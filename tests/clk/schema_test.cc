// Schema parsing: what is read, and one test per kind of error (each names the feature or the
// clkConfig part, and the reason).
#include <functional>

#include <nlohmann/json.hpp>

#include "clk/clk.h"
#include "core/core.h"
#include "support.h"

namespace ctis::clk {
namespace {

using nlohmann::json;

json base_schema() {
  return json::parse(R"({
    "version": 3,
    "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "salt": "c2FsdA==",
                                     "info": "aW5mbw==", "keySize": 64}},
    "features": [
      {"identifier": "id", "ignored": true},
      {"identifier": "name", "format": {"type": "string", "encoding": "utf-8", "maxLength": 10,
                                        "case": "lower"},
       "hashing": {"comparison": {"type": "ngram", "n": 2},
                   "strategy": {"bitsPerToken": 20}, "hash": {"type": "doubleHash"}}},
      {"identifier": "age", "format": {"type": "integer", "minimum": 0, "maximum": 120},
       "hashing": {"comparison": {"type": "numeric", "thresholdDistance": 5, "resolution": 2},
                   "strategy": {"bitsPerFeature": 100},
                   "missingValue": {"sentinel": "", "replaceWith": "unknown"}}},
      {"identifier": "dob", "format": {"type": "date", "format": "%Y-%m-%d"},
       "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 30}}}
    ]})");
}

TEST(ClkSchema, ReadsEverySetting) {
  const Schema s = Schema::parse(base_schema().dump());
  EXPECT_EQ(s.l, 1024U);
  EXPECT_EQ(s.xor_folds, 0U);
  EXPECT_EQ(s.kdf_hash, KdfHash::sha256);
  EXPECT_EQ(std::string(s.kdf_salt.begin(), s.kdf_salt.end()), "salt");
  EXPECT_EQ(std::string(s.kdf_info.begin(), s.kdf_info.end()), "info");
  EXPECT_EQ(s.key_size, 64U);
  ASSERT_EQ(s.features.size(), 4U);
  EXPECT_TRUE(s.features[0].ignored);
  const Feature& name = s.features[1];
  EXPECT_EQ(name.letter_case, LetterCase::lower);
  EXPECT_EQ(name.max_length, 10);
  EXPECT_EQ(name.hash, HashType::double_hash);
  EXPECT_FALSE(name.prevent_singularity);
  EXPECT_EQ(name.bits_per_token, 20);
  const Feature& age = s.features[2];
  EXPECT_EQ(age.comparison, Comparison::numeric);
  EXPECT_EQ(age.hash, HashType::blake_hash);  // the default when "hash" is absent
  EXPECT_EQ(age.bits_per_feature, 100);
  EXPECT_EQ(age.missing_replace, "unknown");
  EXPECT_EQ(s.features[3].date_format, "%Y-%m-%d");
}

struct ErrorCase {
  const char* name;
  std::function<void(json&)> mutate;
  const char* field;
  const char* reason;  // a part of the message
};

json& feature(json& s, std::size_t i) { return s["features"][i]; }

TEST(ClkSchema, EveryErrorKindNamesTheFeatureAndTheReason) {
  const std::vector<ErrorCase> cases = {
      {"version", [](json& s) { s["version"] = 2; }, "version", "must be 3"},
      {"no clkConfig", [](json& s) { s.erase("clkConfig"); }, "clkConfig",
       "\"clkConfig\" is required"},
      {"no l", [](json& s) { s["clkConfig"].erase("l"); }, "clkConfig", "\"l\" is required"},
      {"l zero", [](json& s) { s["clkConfig"]["l"] = 0; }, "clkConfig", "at least 1"},
      {"l not integer", [](json& s) { s["clkConfig"]["l"] = "big"; }, "clkConfig", "integer"},
      {"folds too many", [](json& s) { s["clkConfig"]["xor_folds"] = 40; }, "clkConfig", "2^24"},
      {"l too long", [](json& s) { s["clkConfig"]["l"] = 1 << 25; }, "clkConfig", "2^24"},
      {"ngram too long", [](json& s) { feature(s, 1)["hashing"]["comparison"]["n"] = 65; }, "name",
       "at most 64"},
      {"too many bits",
       [](json& s) { feature(s, 1)["hashing"]["strategy"]["bitsPerToken"] = 70000; }, "name",
       "at most 65536"},
      {"no kdf", [](json& s) { s["clkConfig"].erase("kdf"); }, "clkConfig", "\"kdf\" is required"},
      {"kdf type", [](json& s) { s["clkConfig"]["kdf"]["type"] = "PBKDF2"; }, "clkConfig",
       "must be \"HKDF\""},
      {"kdf hash", [](json& s) { s["clkConfig"]["kdf"]["hash"] = "MD5"; }, "clkConfig",
       "SHA256 or SHA512"},
      {"kdf salt", [](json& s) { s["clkConfig"]["kdf"]["salt"] = "not base64!"; }, "clkConfig",
       "salt: is not valid base64"},
      {"key size", [](json& s) { s["clkConfig"]["kdf"]["keySize"] = 0; }, "clkConfig",
       "keySize: must be at least 1"},
      {"hkdf limit", [](json& s) { s["clkConfig"]["kdf"]["keySize"] = 4000; }, "clkConfig",
       "HKDF cannot derive"},
      {"no features", [](json& s) { s["features"] = json::array(); }, "features", "non-empty"},
      {"feature not object", [](json& s) { feature(s, 1) = 5; }, "features[1]",
       "must be an object"},
      {"no identifier", [](json& s) { feature(s, 1).erase("identifier"); }, "features[1]",
       "identifier"},
      {"ignored extra",
       [](json& s) {
         feature(s, 0)["format"] = {{"type", "string"}};
       },
       "id", "unknown property \"format\""},
      {"no format", [](json& s) { feature(s, 1).erase("format"); }, "name",
       "\"format\" is required"},
      {"format type", [](json& s) { feature(s, 1)["format"]["type"] = "float"; }, "name",
       "must be string, integer, date or enum"},
      {"encoding", [](json& s) { feature(s, 1)["format"]["encoding"] = "latin-1"; }, "name",
       "ascii, utf-8, utf-16, utf-32"},
      {"case", [](json& s) { feature(s, 1)["format"]["case"] = "title"; }, "name",
       "upper, lower or mixed"},
      {"min length", [](json& s) { feature(s, 1)["format"]["minLength"] = -1; }, "name",
       "minLength: must be at least 0"},
      {"max length", [](json& s) { feature(s, 1)["format"]["maxLength"] = 0; }, "name",
       "maxLength: must be at least 1"},
      {"min over max", [](json& s) { feature(s, 1)["format"]["minLength"] = 11; }, "name",
       "minLength is greater than maxLength"},
      {"pattern with case", [](json& s) { feature(s, 1)["format"]["pattern"] = "[a-z]+"; }, "name",
       "unknown property \"case\""},
      {"bad pattern",
       [](json& s) {
         feature(s, 1)["format"] = {{"type", "string"}, {"pattern", "[a-z"}};
       },
       "name", "not a valid regular expression"},
      {"integer extra", [](json& s) { feature(s, 2)["format"]["maxLength"] = 3; }, "age",
       "unknown property \"maxLength\""},
      {"integer bound", [](json& s) { feature(s, 2)["format"]["minimum"] = 1.5; }, "age",
       "minimum: must be an integer"},
      {"date format", [](json& s) { feature(s, 3)["format"].erase("format"); }, "dob",
       "non-empty \"format\""},
      {"date directive", [](json& s) { feature(s, 3)["format"]["format"] = "%Y-%j"; }, "dob",
       "uses a directive other than"},
      {"enum values",
       [](json& s) {
         feature(s, 1)["format"] = {{"type", "enum"}};
       },
       "name", "\"values\" array"},
      {"no hashing", [](json& s) { feature(s, 1).erase("hashing"); }, "name",
       "\"hashing\" is required"},
      {"hashing extra", [](json& s) { feature(s, 1)["hashing"]["weight"] = 1; }, "name",
       "unknown property \"weight\""},
      {"no comparison", [](json& s) { feature(s, 1)["hashing"].erase("comparison"); }, "name",
       "\"comparison\" is required"},
      {"comparison type",
       [](json& s) { feature(s, 1)["hashing"]["comparison"]["type"] = "soundex"; }, "name",
       "ngram, exact or numeric"},
      {"ngram n", [](json& s) { feature(s, 1)["hashing"]["comparison"]["n"] = 0; }, "name",
       "n: must be at least 1"},
      {"positional", [](json& s) { feature(s, 1)["hashing"]["comparison"]["positional"] = "yes"; },
       "name", "positional: must be true or false"},
      {"threshold",
       [](json& s) { feature(s, 2)["hashing"]["comparison"]["thresholdDistance"] = 0; }, "age",
       "thresholdDistance: must be a number greater than 0"},
      {"resolution", [](json& s) { feature(s, 2)["hashing"]["comparison"]["resolution"] = 0; },
       "age", "resolution: must be at least 1"},
      {"precision",
       [](json& s) { feature(s, 2)["hashing"]["comparison"]["thresholdDistance"] = 0.2; }, "age",
       "not enough fractional_precision"},
      {"no strategy", [](json& s) { feature(s, 1)["hashing"].erase("strategy"); }, "name",
       "\"strategy\" is required"},
      {"both strategies",
       [](json& s) { feature(s, 1)["hashing"]["strategy"]["bitsPerFeature"] = 100; }, "name",
       "exactly one of bitsPerToken and bitsPerFeature"},
      {"strategy extra",
       [](json& s) {
         feature(s, 1)["hashing"]["strategy"] = {{"k", 20}};
       },
       "name", "unknown property \"k\""},
      {"bits zero", [](json& s) { feature(s, 1)["hashing"]["strategy"]["bitsPerToken"] = 0; },
       "name", "bitsPerToken: must be at least 1"},
      {"hash type", [](json& s) { feature(s, 1)["hashing"]["hash"]["type"] = "sha1"; }, "name",
       "doubleHash or blakeHash"},
      {"singularity type",
       [](json& s) { feature(s, 1)["hashing"]["hash"]["prevent_singularity"] = 1; }, "name",
       "prevent_singularity: must be true or false"},
      {"singularity blake",
       [](json& s) {
         feature(s, 1)["hashing"]["hash"] = {{"type", "blakeHash"}, {"prevent_singularity", true}};
       },
       "name", "only for doubleHash"},
      {"sentinel", [](json& s) { feature(s, 2)["hashing"]["missingValue"].erase("sentinel"); },
       "age", "\"sentinel\" is required"},
      {"replace with", [](json& s) { feature(s, 2)["hashing"]["missingValue"]["replaceWith"] = 0; },
       "age", "replaceWith: must be a string"},
      {"blake length", [](json& s) { s["clkConfig"]["l"] = 1000; }, "age", "power of 2"},
      {"blake key", [](json& s) { s["clkConfig"]["kdf"]["keySize"] = 65; }, "age", "keySize <= 64"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    json s = base_schema();
    c.mutate(s);
    try {
      (void)Schema::parse(s.dump());
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid);
      EXPECT_EQ(e.field(), c.field);
      EXPECT_NE(std::string(e.what()).find(c.reason), std::string::npos) << e.what();
    }
  }
}

TEST(ClkSchema, RejectsTextThatIsNotASchemaObject) {
  for (const char* text : {"{", "[]", "3"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW((void)Schema::parse(text), Error);
  }
}

TEST(ClkSchema, FebrlTutorialSchemaParses) {
  const std::string text =
      testing::read_shared(std::string(testing::kReference) + "febrl_schema_v3.json");
  ASSERT_FALSE(text.empty());
  const Schema s = Schema::parse(text);
  ASSERT_EQ(s.features.size(), 11U);
  EXPECT_TRUE(s.features.front().ignored);
  EXPECT_TRUE(s.features.back().ignored);
  EXPECT_EQ(s.features[1].hash, HashType::double_hash);
  EXPECT_EQ(s.features[3].hash, HashType::blake_hash);
  EXPECT_EQ(s.features[7].minimum, 50);
  EXPECT_EQ(s.features[7].maximum, 9999);
  EXPECT_EQ(std::string(s.kdf_info.begin(), s.kdf_info.end()), "schema_example");
}

}  // namespace
}  // namespace ctis::clk
