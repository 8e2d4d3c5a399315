// Candidate generation against a brute-force reference, across kernels, threads and top-k.
#include <cmath>
#include <thread>

#include "core/core.h"
#include "support.h"

namespace ctis::linkage {
namespace {

struct Fixture {
  ClkStore a = testing::random_store(150, 1024, 11, 170);
  // Near-duplicates of a (about 3% of the bits flipped), then unrelated records with other
  // densities so that popcounts spread out and the filter has work.
  ClkStore b = [this] {
    ClkStore noisy = testing::noisy_copy(a, 12, 30);
    const ClkStore sparse = testing::random_store(60, 1024, 13, 90);
    for (std::size_t i = 0; i < sparse.size(); ++i) noisy.add(sparse.bytes(i));
    return noisy;
  }();
};

TEST(Candidates, EqualBruteForceForEveryKernelAndThreadCount) {
  const Fixture f;
  for (double threshold : {0.0, 0.5, 0.8, 0.9, 1.0}) {
    const auto expected = testing::brute_force(f.a, f.b, threshold);
    for (Kernel k : supported_kernels()) {
      for (unsigned threads : {1U, 2U, 3U}) {
        MatchOptions options;
        options.kernel = k;
        options.threads = threads;
        EXPECT_EQ(candidates(f.a, f.b, threshold, options), expected)
            << "threshold " << threshold << ", " << to_string(k) << ", " << threads << " threads";
      }
    }
  }
}

TEST(Candidates, PopcountFilterSkipsImpossiblePairs) {
  const Fixture f;
  CandidateStats stats;
  const auto found = candidates(f.a, f.b, 0.8, {}, &stats);
  EXPECT_EQ(stats.compared + stats.skipped, f.a.size() * f.b.size());
  // The sparse records (popcount about 90/256 of 1024) cannot reach 0.8 with the dense ones.
  EXPECT_GE(stats.skipped, f.a.size() * 60 * 9 / 10);
  EXPECT_EQ(found, testing::brute_force(f.a, f.b, 0.8));

  CandidateStats all;
  (void)candidates(f.a, f.b, 0.0, {}, &all);
  EXPECT_EQ(all.skipped, 0U);
}

TEST(Candidates, TopKKeepsTheBestPerRow) {
  const Fixture f;
  const auto every = testing::brute_force(f.a, f.b, 0.3);
  MatchOptions options;
  options.top_k = 2;
  const auto top = candidates(f.a, f.b, 0.3, options);
  std::vector<Candidate> expected;
  std::vector<int> taken(f.a.size());
  for (const Candidate& c : every) {  // already in dice order, ties by b
    if (taken[c.a]++ < 2) expected.push_back(c);
  }
  EXPECT_EQ(top, expected);
  EXPECT_LT(top.size(), every.size());
}

TEST(Candidates, ConcurrentCallsOnSharedStoresAgree) {
  const Fixture f;
  const auto expected = candidates(f.a, f.b, 0.6);
  std::vector<std::vector<Candidate>> results(3);
  std::vector<std::thread> callers;
  callers.reserve(results.size());
  for (auto& r : results) {
    callers.emplace_back([&] { r = candidates(f.a, f.b, 0.6, MatchOptions{best_kernel(), 2, 0}); });
  }
  for (auto& t : callers) t.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

TEST(Candidates, RejectsBadThresholdsAndMismatchedStores) {
  const Fixture f;
  EXPECT_THROW((void)candidates(f.a, f.b, -0.1), Error);
  EXPECT_THROW((void)candidates(f.a, f.b, 1.5), Error);
  EXPECT_THROW((void)candidates(f.a, f.b, std::nan("")), Error);
  const ClkStore other = testing::random_store(3, 512, 1);
  try {
    (void)candidates(f.a, other, 0.8);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "bits");
  }
}

TEST(Candidates, EmptyStoresGiveNothing) {
  const ClkStore empty(1024);
  const Fixture f;
  EXPECT_TRUE(candidates(empty, f.b, 0.5).empty());
  EXPECT_TRUE(candidates(f.a, empty, 0.5).empty());
}

TEST(Candidates, EmptyClksHaveDiceZero) {
  ClkStore a(64);
  ClkStore b(64);
  a.add(std::vector<std::uint8_t>(8, 0));
  b.add(std::vector<std::uint8_t>(8, 0));
  b.add(std::vector<std::uint8_t>(8, 1));
  EXPECT_EQ(candidates(a, b, 0.0).size(), 2U);
  EXPECT_TRUE(candidates(a, b, 0.01).empty());
}

}  // namespace
}  // namespace ctis::linkage
