// Blocking: P-Sig signatures and Hamming LSH on hand-made and FEBRL4 CLKs.
#include <algorithm>

#include "core/core.h"
#include "support.h"

namespace ctis::linkage {
namespace {

// A 64-bit store whose CLK r has exactly the listed bits set.
ClkStore with_bits(const std::vector<std::vector<int>>& rows) {
  ClkStore store(64);
  for (const auto& bits : rows) {
    std::vector<std::uint8_t> clk(8);
    for (int p : bits) clk[p / 8] = static_cast<std::uint8_t>(clk[p / 8] | (0x80U >> (p % 8)));
    store.add(clk);
  }
  return store;
}

TEST(RandomSignatures, AreDeterministicDistinctAndInRange) {
  const auto s1 = random_signatures(1024, 20, 6, 42);
  const auto s2 = random_signatures(1024, 20, 6, 42);
  const auto s3 = random_signatures(1024, 20, 6, 43);
  EXPECT_EQ(s1, s2);
  EXPECT_NE(s1, s3);
  ASSERT_EQ(s1.size(), 20U);
  for (const auto& s : s1) {
    ASSERT_EQ(s.size(), 6U);
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
    EXPECT_EQ(std::adjacent_find(s.begin(), s.end()), s.end());
    EXPECT_LT(s.back(), 1024U);
  }
  EXPECT_THROW((void)random_signatures(64, 1, 65, 1), Error);
}

TEST(PSig, BlocksRecordsHavingEverySignatureBit) {
  const ClkStore a = with_bits({{1, 2, 3}, {1, 2}, {5}});
  const ClkStore b = with_bits({{1, 2, 9}, {2, 3}, {1, 2, 3, 5}});
  PSigOptions options;
  options.signatures = {{1, 2}, {5}, {40}, {2, 3}};
  const auto blocks = psig_blocks(a, b, options);
  ASSERT_EQ(blocks.size(), 3U);  // {40}: nobody has it
  EXPECT_EQ(blocks[0].a, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(blocks[0].b, (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(blocks[1].a, (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(blocks[1].b, (std::vector<std::uint32_t>{2}));
  EXPECT_EQ(blocks[2].a, (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(blocks[2].b, (std::vector<std::uint32_t>{1, 2}));

  options.max_block_size = 3;  // drops the {1, 2} block of four records
  EXPECT_EQ(psig_blocks(a, b, options).size(), 2U);
  options.signatures = {{64}};
  EXPECT_THROW((void)psig_blocks(a, b, options), Error);
}

TEST(Lsh, EqualClksAlwaysShareAndComplementsNever) {
  const ClkStore a = with_bits({{0, 1, 2, 3, 10, 20, 30, 40, 50, 60}, {}});
  std::vector<int> complement;
  for (int p = 0; p < 64; ++p) {
    if (p > 3 && p % 10 != 0) complement.push_back(p);
  }
  const ClkStore b = with_bits({{0, 1, 2, 3, 10, 20, 30, 40, 50, 60}, complement});
  LshOptions options;
  options.bands = 5;
  options.bits_per_band = 8;
  const auto blocks = lsh_blocks(a, b, options);
  const std::vector<Pair> truth = {{0, 0, 0}};
  const auto stats = blocking_stats(blocks, a.size(), b.size(), truth);
  EXPECT_EQ(stats.true_pairs_found, 1U);
  for (const Block& block : blocks) {
    const bool has_a0 = std::count(block.a.begin(), block.a.end(), 0U) > 0;
    const bool has_b1 = std::count(block.b.begin(), block.b.end(), 1U) > 0;
    EXPECT_FALSE(has_a0 && has_b1) << "complementary CLKs shared a block";
  }
  EXPECT_EQ(lsh_blocks(a, b, options).size(), blocks.size());  // same seed, same blocks
  options.bits_per_band = 65;
  EXPECT_THROW((void)lsh_blocks(a, b, options), Error);
}

TEST(BlockingStats, CountsDistinctPairsReductionAndCompleteness) {
  const std::vector<Block> blocks = {{{0, 1}, {0}}, {{0}, {0, 2}}};  // pairs 0-0, 1-0, 0-2
  const std::vector<Pair> truth = {{0, 0, 0}, {1, 1, 0}};
  const auto stats = blocking_stats(blocks, 4, 5, truth);
  EXPECT_EQ(stats.blocks, 2U);
  EXPECT_EQ(stats.compared_pairs, 3U);
  EXPECT_DOUBLE_EQ(stats.reduction_ratio, 1.0 - 3.0 / 20.0);
  EXPECT_EQ(stats.true_pairs_found, 1U);
  EXPECT_DOUBLE_EQ(stats.pair_completeness, 0.5);
}

TEST(CandidatesInBlocks, EqualFullCandidatesRestrictedToBlockPairs) {
  const ClkStore a = testing::random_store(60, 1024, 31, 170);
  const ClkStore b = testing::noisy_copy(a, 32, 40);
  LshOptions options;
  options.bands = 8;
  options.bits_per_band = 12;
  const auto blocks = lsh_blocks(a, b, options);
  std::vector<std::uint64_t> allowed;
  for (const Block& block : blocks) {
    for (auto i : block.a) {
      for (auto j : block.b) allowed.push_back(std::uint64_t{i} << 32 | j);
    }
  }
  std::sort(allowed.begin(), allowed.end());
  std::vector<Candidate> expected;
  for (const Candidate& c : testing::brute_force(a, b, 0.5)) {
    if (std::binary_search(allowed.begin(), allowed.end(), std::uint64_t{c.a} << 32 | c.b)) {
      expected.push_back(c);
    }
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(candidates_in_blocks(a, b, blocks, 0.5), expected);
  const std::vector<Block> bad = {{{99}, {0}}};
  EXPECT_THROW((void)candidates_in_blocks(a, b, bad, 0.5), Error);
}

}  // namespace
}  // namespace ctis::linkage

namespace ctis::linkage {
namespace {

// Blocking recall and reduction ratio on the first 2,000 records of FEBRL4 A and their 2,000
// partners in B (the whole data set runs in bench/dice). The bounds sit just under the figures
// measured with these seeds; they guard against regressions.
TEST(Febrl4Blocking, LshKeepsMostTruePairsAndFewOthers) {
  const auto f = testing::febrl_subset(2000);
  ASSERT_EQ(f.truth.size(), 2000U);
  LshOptions options;
  options.bands = 150;
  options.bits_per_band = 18;
  options.seed = 7;
  const auto blocks = lsh_blocks(f.a, f.b, options);
  const auto stats = blocking_stats(blocks, f.a.size(), f.b.size(), f.truth);
  std::cout << "[ info ] LSH 150 x 18: " << stats.blocks << " blocks, " << stats.compared_pairs
            << " pairs, reduction ratio " << stats.reduction_ratio << ", pair completeness "
            << stats.pair_completeness << '\n';
  EXPECT_GE(stats.pair_completeness, 0.97);
  EXPECT_GE(stats.reduction_ratio, 0.98);
  const auto q =
      evaluate_matches(greedy_one_to_one(candidates_in_blocks(f.a, f.b, blocks, 0.8)), f.truth);
  EXPECT_EQ(q.precision, 1.0);
  EXPECT_GE(q.recall, 0.97);
}

// Conjunctions of random bits are weak blocking keys on dense CLKs (about 68% of the bits set):
// P-Sig trades far more completeness for reduction than LSH does.
TEST(Febrl4Blocking, PSigOnRandomBitSignatures) {
  const auto f = testing::febrl_subset(2000);
  PSigOptions options;
  options.signatures = random_signatures(1024, 500, 12, 5);
  const auto blocks = psig_blocks(f.a, f.b, options);
  const auto stats = blocking_stats(blocks, f.a.size(), f.b.size(), f.truth);
  std::cout << "[ info ] P-Sig 500 x 12: " << stats.blocks << " blocks, " << stats.compared_pairs
            << " pairs, reduction ratio " << stats.reduction_ratio << ", pair completeness "
            << stats.pair_completeness << '\n';
  EXPECT_GE(stats.pair_completeness, 0.8);
  EXPECT_GE(stats.reduction_ratio, 0.9);
  options.max_block_size = 100;
  const auto small =
      blocking_stats(psig_blocks(f.a, f.b, options), f.a.size(), f.b.size(), f.truth);
  EXPECT_LT(small.blocks, stats.blocks);
  EXPECT_GT(small.reduction_ratio, stats.reduction_ratio);
}

}  // namespace
}  // namespace ctis::linkage
