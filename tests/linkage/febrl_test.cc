// Known answers: the clkhash FEBRL4 reference CLKs and anonlink's published results on them
// (README.md §6 of the reference folder).
#include <algorithm>
#include <numeric>
#include <tuple>

#include "support.h"

namespace ctis::linkage {
namespace {

TEST(Febrl4, LoadsTheReferenceClks) {
  const auto& f = testing::febrl();
  ASSERT_EQ(f.a.size(), 5000U);
  ASSERT_EQ(f.b.size(), 5000U);
  EXPECT_EQ(f.a.id(0), "rec-1070-org");
  EXPECT_EQ(f.truth.size(), 5000U);
  auto summary = [](const ClkStore& s) {
    const auto pops = s.popcounts();
    const double sum = std::accumulate(pops.begin(), pops.end(), 0.0);
    return std::tuple(sum / static_cast<double>(pops.size()),
                      *std::min_element(pops.begin(), pops.end()),
                      *std::max_element(pops.begin(), pops.end()));
  };
  const auto [mean_a, min_a, max_a] = summary(f.a);
  const auto [mean_b, min_b, max_b] = summary(f.b);
  EXPECT_NEAR(mean_a, 697.35, 0.005);
  EXPECT_EQ(min_a, 529U);
  EXPECT_EQ(max_a, 753U);
  EXPECT_NEAR(mean_b, 688.31, 0.005);
  EXPECT_EQ(min_b, 496U);
  EXPECT_EQ(max_b, 748U);
}

std::uint32_t row_of(const ClkStore& s, const std::string& id) {
  for (std::uint32_t i = 0; i < s.size(); ++i) {
    if (s.id(i) == id) return i;
  }
  throw std::runtime_error("no record " + id);
}

TEST(Febrl4, DiceSpotChecksAreExact) {
  const auto& f = testing::febrl();
  struct Check {
    const char *a, *b;
    std::uint32_t pa, pb, both;
    double dice;
  };
  const Check checks[] = {
      {"rec-1070-org", "rec-1070-dup-0", 701, 668, 589, 0.860482103725347},
      {"rec-1070-org", "rec-561-dup-0", 701, 622, 458, 0.6923658352229781},
      {"rec-1016-org", "rec-1016-dup-0", 698, 672, 645, 0.9416058394160584},
  };
  EXPECT_EQ(f.b.id(0), "rec-561-dup-0");
  for (const auto& c : checks) {
    const auto i = row_of(f.a, c.a);
    const auto j = row_of(f.b, c.b);
    EXPECT_EQ(f.a.popcount(i), c.pa) << c.a;
    EXPECT_EQ(f.b.popcount(j), c.pb) << c.b;
    for (Kernel k : supported_kernels()) {
      std::uint32_t both = 0;
      and_popcounts(k, f.a.row(i), f.b.row(j), 1, f.a.stride_words(), &both);
      EXPECT_EQ(both, c.both) << c.a << " " << c.b << " " << to_string(k);
    }
    EXPECT_EQ(dice(f.a, i, f.b, j), c.dice) << c.a << " " << c.b;
  }
}

// anonlink 0.15.3: threshold 0.9 gives 4,054 candidates and 4,054 true matches; 0.8 gives 5,257
// candidates and 4,960 matches, all true (precision 1.000, recall 0.992).
TEST(Febrl4, ThresholdsGiveAnonlinksCandidatesAndMatches) {
  const auto& f = testing::febrl();
  struct Expect {
    double threshold;
    std::size_t candidates, matches;
  };
  double recall_at_08 = 0;
  for (const Expect e : {Expect{0.9, 4054, 4054}, Expect{0.8, 5257, 4960}}) {
    CandidateStats stats;
    const auto found = candidates(f.a, f.b, e.threshold, {}, &stats);
    EXPECT_EQ(found.size(), e.candidates) << e.threshold;
    EXPECT_GT(stats.skipped, 0U) << "the popcount filter ruled nothing out";
    const auto matches = greedy_one_to_one(found);
    EXPECT_EQ(matches.size(), e.matches) << e.threshold;
    const auto q = evaluate_matches(matches, f.truth);
    EXPECT_EQ(q.false_positives, 0U) << e.threshold;
    EXPECT_EQ(q.true_positives, e.matches) << e.threshold;
    EXPECT_EQ(q.precision, 1.0) << e.threshold;
    if (e.threshold == 0.8) recall_at_08 = q.recall;
    std::cout << "[ info ] threshold " << e.threshold << ": " << found.size() << " candidates, "
              << matches.size() << " matches, precision " << q.precision << ", recall " << q.recall
              << ", compared " << stats.compared << " of " << f.a.size() * f.b.size() << " pairs\n";
  }
  EXPECT_GE(recall_at_08, 0.992);
}

// Two threads and top-1 per record give the same candidates as one thread, and greedy matching
// on the best candidate of each record stays exact (2,000 records of A and their partners).
TEST(Febrl4, TwoThreadsAndTopOneAgree) {
  const auto f = testing::febrl_subset(2000);
  MatchOptions one;
  one.threads = 1;
  one.top_k = 1;
  MatchOptions two = one;
  two.threads = 2;
  const auto found = candidates(f.a, f.b, 0.8, two);
  EXPECT_EQ(found, candidates(f.a, f.b, 0.8, one));
  const auto q = evaluate_matches(greedy_one_to_one(found), f.truth);
  EXPECT_EQ(q.false_positives, 0U);
  EXPECT_GE(q.recall, 0.99);
  std::cout << "[ info ] top-1 at 0.8: " << found.size() << " candidates, " << q.true_positives
            << " true matches\n";
}

}  // namespace
}  // namespace ctis::linkage
