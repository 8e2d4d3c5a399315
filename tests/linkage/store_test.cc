// ClkStore: packing, bit order, popcounts, alignment and the CSV/base64 readers.
#include <cstdint>

#include "core/core.h"
#include "support.h"

namespace ctis::linkage {
namespace {

TEST(ClkStore, RejectsLengthsThatAreNotWholeBytes) {
  EXPECT_THROW(ClkStore(0), Error);
  EXPECT_THROW(ClkStore(1001), Error);
  EXPECT_NO_THROW(ClkStore(1000));
}

TEST(ClkStore, KeepsBytesBitOrderAndPopcounts) {
  ClkStore store(16);
  const std::vector<std::uint8_t> clk = {0x80, 0x03};  // bits 0, 14 and 15
  store.add(clk, "x");
  ASSERT_EQ(store.size(), 1U);
  EXPECT_EQ(store.popcount(0), 3U);
  EXPECT_EQ(store.id(0), "x");
  EXPECT_EQ(store.bytes(0), clk);
  EXPECT_TRUE(store.bit(0, 0));
  EXPECT_FALSE(store.bit(0, 1));
  EXPECT_FALSE(store.bit(0, 7));
  EXPECT_FALSE(store.bit(0, 13));
  EXPECT_TRUE(store.bit(0, 14));
  EXPECT_TRUE(store.bit(0, 15));
}

TEST(ClkStore, RowsAreAlignedAndPaddedWithZeros) {
  const ClkStore store = testing::random_store(9, 1000, 7, 255);
  EXPECT_EQ(store.stride_words(), 16U);  // 1000 bits round up to two 512-bit lines
  for (std::size_t i = 0; i < store.size(); ++i) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(store.row(i)) % 64, 0U) << "row " << i;
    // Bits 1000..1023 live in the last word's top bytes; padding words beyond are zero.
    const std::uint64_t last = store.row(i)[15];
    EXPECT_EQ(last >> 40, 0U) << "row " << i;
  }
}

TEST(ClkStore, RejectsAClkOfTheWrongLengthNamingTheRow) {
  ClkStore store(1024);
  const std::vector<std::uint8_t> short_clk(64);
  try {
    store.add(short_clk, "x", "row 7");
    FAIL() << "a 512-bit CLK was accepted in a 1024-bit store";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "row 7");
    EXPECT_NE(std::string(e.what()).find("512 bits"), std::string::npos) << e.what();
  }
  EXPECT_EQ(store.size(), 0U);
}

TEST(ClkStore, DecodesBase64) {
  ClkStore store(24);
  store.add_base64("gAAB", "x");  // 0x80 0x00 0x01
  EXPECT_EQ(store.bytes(0), (std::vector<std::uint8_t>{0x80, 0x00, 0x01}));
  EXPECT_EQ(store.popcount(0), 2U);
  EXPECT_THROW(store.add_base64("g*AB", "y", "row 2"), Error);
  EXPECT_THROW(store.add_base64("gAABgAAB", "y", "row 2"), Error);  // 48 bits
  EXPECT_EQ(store.size(), 1U);
}

TEST(ClkStore, ParsesCsvWithHeaderAndNamesBadRows) {
  const ClkStore store =
      ClkStore::parse_csv("rec_id,clk_base64\r\nr1,gAAB\r\nr2,////\n", 24, "test.csv");
  ASSERT_EQ(store.size(), 2U);
  EXPECT_EQ(store.id(1), "r2");
  EXPECT_EQ(store.popcount(1), 24U);
  try {
    (void)ClkStore::parse_csv("rec_id,clk_base64\nr1,gAAB\nr2 gAAB\n", 24, "test.csv");
    FAIL() << "a row without a comma was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "test.csv row 3");
  }
}

TEST(ClkStore, ReportsAnUnreadableFile) {
  try {
    (void)ClkStore::read_csv("/nonexistent/clks.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  }
}

}  // namespace
}  // namespace ctis::linkage
