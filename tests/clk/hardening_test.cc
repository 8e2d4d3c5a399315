// Hardening beyond clkhash (salting, balancing): off by default, and when on it does what the
// header promises.
#include <gtest/gtest.h>

#include "clk/clk.h"
#include "core/core.h"

namespace ctis::clk {
namespace {

const char* kSchema = R"({
  "version": 3,
  "clkConfig": {"l": 512, "kdf": {"type": "HKDF", "salt": "c2FsdA=="}},
  "features": [
    {"identifier": "id", "ignored": true},
    {"identifier": "name", "format": {"type": "string"},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 15},
                 "hash": {"type": "doubleHash"}}},
    {"identifier": "year", "format": {"type": "integer"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true},
                 "strategy": {"bitsPerFeature": 60},
                 "missingValue": {"sentinel": ""}}}
  ]})";

Clk encode(const Encoder& e, std::vector<std::string> row) {
  return e.encode(std::span<const std::string>(row));
}

std::size_t both(const Clk& a, const Clk& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.bits; ++i) n += a.test(i) && b.test(i) ? 1 : 0;
  return n;
}

TEST(ClkHardening, SaltingSeparatesSaltGroupsOnly) {
  const Schema schema = Schema::parse(kSchema);
  const Encoder plain(schema, "s");
  Hardening h;
  h.salts.push_back({"name", "year"});
  const Encoder salted(schema, "s", h);
  // Same name and year: equal; another year: the name bits change too, so the overlap drops.
  EXPECT_EQ(encode(salted, {"1", "maria", "1990"}), encode(salted, {"2", "maria", "1990"}));
  const Clk a = encode(salted, {"1", "maria", "1990"});
  const Clk b = encode(salted, {"1", "maria", "1991"});
  const Clk pa = encode(plain, {"1", "maria", "1990"});
  const Clk pb = encode(plain, {"1", "maria", "1991"});
  EXPECT_LT(both(a, b), both(pa, pb));
  EXPECT_NE(a, pa);
  // Without a name only the unsalted year feature is hashed: identical to the plain encoder.
  EXPECT_EQ(encode(salted, {"1", "", "1990"}), encode(plain, {"1", "", "1990"}));
  // The salt is the formatted value: "+1990" salts like "1990".
  EXPECT_EQ(encode(salted, {"1", "maria", "+1990"}), a);
}

TEST(ClkHardening, BalancingGivesConstantWeightAndKeepsOverlapInformation) {
  const Schema schema = Schema::parse(kSchema);
  const Encoder plain(schema, "s");
  Hardening h;
  h.balance = true;
  const Encoder balanced(schema, "s", h);
  const std::vector<std::vector<std::string>> rows = {
      {"1", "maria", "1990"}, {"2", "mario", "1990"}, {"3", "", ""}, {"4", "jo", "2001"}};
  for (const auto& r : rows) {
    const Clk c = encode(balanced, r);
    EXPECT_EQ(c.bits, 1024U);
    EXPECT_EQ(c.popcount(), 512U);
  }
  // |A and B| balanced = |A and B| + (l - |A or B|): the permutation keeps the pairing.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      const Clk a = encode(plain, rows[i]), b = encode(plain, rows[j]);
      const std::size_t either = a.popcount() + b.popcount() - both(a, b);
      EXPECT_EQ(both(encode(balanced, rows[i]), encode(balanced, rows[j])),
                both(a, b) + (512 - either));
    }
  }
  // The permutation is keyed: another secret places the bits elsewhere even for an empty record.
  const Encoder other(schema, "t", h);
  EXPECT_NE(encode(other, rows[2]), encode(balanced, rows[2]));
  EXPECT_EQ(encode(Encoder(schema, "s", h), rows[2]), encode(balanced, rows[2]));
}

TEST(ClkHardening, RejectsUnknownOrIgnoredFeatures) {
  const Schema schema = Schema::parse(kSchema);
  for (const FeatureSalt& bad : std::vector<FeatureSalt>{
           {"surname", "year"}, {"name", "dob"}, {"id", "year"}, {"name", "name"}}) {
    Hardening h;
    h.salts.push_back(bad);
    try {
      (void)Encoder(schema, "s", h);
      ADD_FAILURE() << bad.feature << " salted by " << bad.with << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid);
      EXPECT_NE(std::string(e.what()).find("hardening"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace ctis::clk
