// Known answers at scale: all 10,000 FEBRL4 records encoded with clkhash's FEBRL tutorial schema
// must equal the CLKs clkhash wrote, row by row, byte for byte.
#include <map>
#include <sstream>

#include "clk/clk.h"
#include "support.h"

namespace ctis::clk {
namespace {

std::string encode_febrl(const std::string& dataset, unsigned threads) {
  const std::string schema_text =
      testing::read_shared(std::string(testing::kReference) + "febrl_schema_v3.json");
  const std::string data = testing::read_shared("linkage/febrl/" + dataset);
  if (schema_text.empty() || data.empty()) return {};
  const Encoder encoder(Schema::parse(schema_text), testing::kSecret);
  std::istringstream in(data);
  std::ostringstream out;
  Progress progress;
  CsvOptions options;
  options.skip_initial_space = true;  // the FEBRL files put a space after every comma
  options.threads = threads;
  EXPECT_EQ(encode_csv(in, out, encoder, &progress, options), 5000U);
  EXPECT_EQ(progress.records.load(), 5000U);
  return out.str();
}

void expect_same_rows(const std::string& ours, const std::string& reference) {
  std::istringstream a(ours), b(reference);
  std::string la, lb;
  std::size_t rows = 0, differing = 0;
  while (std::getline(b, lb)) {
    ASSERT_TRUE(std::getline(a, la)) << "output ends at line " << rows + 1;
    if (la != lb && ++differing <= 3) ADD_FAILURE() << "line " << rows + 1 << ": " << la;
    ++rows;
  }
  EXPECT_FALSE(std::getline(a, la)) << "extra output line: " << la;
  EXPECT_EQ(rows, 5001U);  // header and 5000 records
  EXPECT_EQ(differing, 0U);
}

TEST(ClkFebrl, Dataset4aEqualsClkhash) {
  const std::string reference =
      testing::read_shared(std::string(testing::kReference) + "febrl4a_clks.csv");
  ASSERT_FALSE(reference.empty());
  const std::string ours = encode_febrl("febrl_dataset4a.csv", 0);
  expect_same_rows(ours, reference);
  EXPECT_EQ(ours, reference);  // same bytes, including the final newline
}

TEST(ClkFebrl, Dataset4bEqualsClkhashOnTwoThreads) {
  const std::string reference =
      testing::read_shared(std::string(testing::kReference) + "febrl4b_clks.csv");
  ASSERT_FALSE(reference.empty());
  const std::string ours = encode_febrl("febrl_dataset4b.csv", 2);
  expect_same_rows(ours, reference);
  EXPECT_EQ(ours, reference);
}

// The reference README's Dice spot checks (anonlink), recomputed from the reference CLKs.
TEST(ClkFebrl, DiceSpotChecksOnReferenceClks) {
  std::map<std::string, Clk> clks;
  for (const char* file : {"febrl4a_clks.csv", "febrl4b_clks.csv"}) {
    std::istringstream in(testing::read_shared(std::string(testing::kReference) + file));
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const auto comma = line.find(',');
      clks[line.substr(0, comma)] = from_base64(line.substr(comma + 1));
    }
  }
  ASSERT_EQ(clks.size(), 10000U);
  auto both = [](const Clk& a, const Clk& b) {
    Clk x = a;
    for (std::size_t i = 0; i < x.bytes.size(); ++i) x.bytes[i] &= b.bytes[i];
    return x.popcount();
  };
  const Clk& a = clks["rec-1070-org"];
  const Clk& b = clks["rec-1070-dup-0"];
  EXPECT_EQ(a.bits, 1024U);
  EXPECT_EQ(a.popcount(), 701U);
  EXPECT_EQ(b.popcount(), 668U);
  EXPECT_EQ(both(a, b), 589U);
  EXPECT_EQ(both(a, clks["rec-561-dup-0"]), 458U);
  EXPECT_EQ(both(clks["rec-1016-org"], clks["rec-1016-dup-0"]), 645U);
}

}  // namespace
}  // namespace ctis::clk
