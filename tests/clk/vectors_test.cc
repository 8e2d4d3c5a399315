// Known answers: every vector clkhash 0.18.3 produced in the shared reference folder, checked
// step by step (keys, formatted value, tokens, bits per token) and then as a whole CLK.
#include <set>

#include <nlohmann/json.hpp>

#include "clk/clk.h"
#include "core/core.h"
#include "support.h"

namespace ctis::clk {
namespace {

using nlohmann::json;

json load_vectors() {
  const std::string text = testing::read_shared(std::string(testing::kReference) + "vectors.json");
  if (text.empty()) return json::object();
  return json::parse(text);
}

TEST(ClkVectors, AllTwentyOneVectorsMatchClkhash) {
  const json doc = load_vectors();
  ASSERT_TRUE(doc.contains("vectors"));
  const json& vectors = doc["vectors"];
  ASSERT_EQ(vectors.size(), 21U);
  std::set<std::string> matched;
  for (const json& v : vectors) {
    const std::string id = v["id"].get<std::string>();
    SCOPED_TRACE(id);
    const Schema schema = Schema::parse(v["schema"].dump());
    const std::string secret = v["secret"].get<std::string>();
    ASSERT_EQ(
        to_hex(std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size())),
        v["secret_utf8_hex"].get<std::string>());
    const Encoder encoder(schema, secret);

    ASSERT_EQ(v["features"].size(), schema.features.size());
    for (std::size_t j = 0; j < schema.features.size(); ++j) {
      const json& fv = v["features"][j];
      const Feature& f = schema.features[j];
      SCOPED_TRACE(f.identifier);
      EXPECT_EQ(f.identifier, fv["identifier"].get<std::string>());
      EXPECT_EQ(to_hex(encoder.key(2 * j)), fv["derived_keys_hex"][0].get<std::string>());
      EXPECT_EQ(to_hex(encoder.key(2 * j + 1)), fv["derived_keys_hex"][1].get<std::string>());
      if (fv.value("ignored", false)) {
        EXPECT_TRUE(f.ignored);
        continue;
      }
      const std::string formatted = format_value(f, fv["input"].get<std::string>());
      EXPECT_EQ(formatted, fv["formatted_value"].get<std::string>());
      const auto tokens = tokenize(f, formatted);
      EXPECT_EQ(tokens, fv["tokens"].get<std::vector<std::string>>());
      EXPECT_EQ(bits_per_token(f, tokens.size()), fv["bits_per_token"].get<std::vector<int>>());
      std::string hash = f.hash == HashType::double_hash ? "doubleHash" : "blakeHash";
      if (f.prevent_singularity) hash += "(prevent_singularity)";
      EXPECT_EQ(hash, fv["hash"].get<std::string>());
    }

    const auto record = v["record"].get<std::vector<std::string>>();
    const Clk clk = encoder.encode(std::span<const std::string>(record));
    EXPECT_EQ(clk.bits, v["clk_length_bits"].get<std::size_t>());
    EXPECT_EQ(to_hex(clk.bytes), v["clk_hex"].get<std::string>());
    EXPECT_EQ(clk.set_bits(), v["set_bits"].get<std::vector<std::uint32_t>>());
    EXPECT_EQ(clk.popcount(), v["popcount"].get<std::size_t>());
    if (to_base64(clk) == v["clk_base64"].get<std::string>()) matched.insert(id);
    EXPECT_EQ(from_base64(v["clk_base64"].get<std::string>()).bytes, clk.bytes);
  }
  EXPECT_EQ(matched.size(), 21U);
}

// The two doubleHash vectors at l=64 differ only through prevent_singularity: the bigram "i "
// of "eli" has HMAC-MD5 = 0 (mod 64), so without it all ten insertions land on one bit.
TEST(ClkVectors, PreventSingularityChangesTheSingularToken) {
  const json doc = load_vectors();
  ASSERT_TRUE(doc.contains("vectors"));
  std::string plain, non_singular;
  for (const json& v : doc["vectors"]) {
    if (v["id"] == "singularity-doublehash-l64") plain = v["clk_base64"];
    if (v["id"] == "singularity-doublehash-ps-l64") non_singular = v["clk_base64"];
  }
  ASSERT_FALSE(plain.empty());
  ASSERT_NE(plain, non_singular);
  json schema = doc["vectors"][0]["schema"];
  schema["clkConfig"]["l"] = 64;
  schema["features"][0]["hashing"]["strategy"] = {{"bitsPerToken", 10}};
  const std::vector<std::string> record = {"eli"};
  EXPECT_EQ(to_base64(Encoder(Schema::parse(schema.dump()), testing::kSecret)
                          .encode(std::span<const std::string>(record))),
            plain);
  schema["features"][0]["hashing"]["hash"]["prevent_singularity"] = true;
  EXPECT_EQ(to_base64(Encoder(Schema::parse(schema.dump()), testing::kSecret)
                          .encode(std::span<const std::string>(record))),
            non_singular);
}

// clkhash folds by "xor_folds" only; a schema with just "xorFolds" encodes unfolded (and the
// parser says so), one with just "xor_folds" folds.
TEST(ClkVectors, XorFoldsKeyFollowsClkhash) {
  const json doc = load_vectors();
  ASSERT_TRUE(doc.contains("vectors"));
  json folded;
  for (const json& v : doc["vectors"]) {
    if (v["id"] == "bigram-blake-xor1-l512") folded = v;
  }
  ASSERT_TRUE(folded.is_object());
  const auto record = folded["record"].get<std::vector<std::string>>();
  json only_snake = folded["schema"];
  only_snake["clkConfig"].erase("xorFolds");
  const Schema snake = Schema::parse(only_snake.dump());
  EXPECT_TRUE(snake.warnings.empty());
  EXPECT_EQ(
      to_base64(Encoder(snake, testing::kSecret).encode(std::span<const std::string>(record))),
      folded["clk_base64"].get<std::string>());

  json only_camel = folded["schema"];
  only_camel["clkConfig"].erase("xor_folds");
  const Schema camel = Schema::parse(only_camel.dump());
  ASSERT_EQ(camel.warnings.size(), 1U);
  EXPECT_NE(camel.warnings[0].find("xorFolds"), std::string::npos);
  EXPECT_EQ(camel.xor_folds, 0U);
  const Clk unfolded =
      Encoder(camel, testing::kSecret).encode(std::span<const std::string>(record));
  EXPECT_EQ(unfolded.bits, 512U);
  EXPECT_NE(to_base64(unfolded), folded["clk_base64"].get<std::string>());
}

}  // namespace
}  // namespace ctis::clk
