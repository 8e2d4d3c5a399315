// Greedy one-to-one and multi-party solving, and match quality, on hand-made candidates.
#include <algorithm>

#include "core/core.h"
#include "support.h"

namespace ctis::linkage {
namespace {

TEST(GreedyOneToOne, TakesHighestFirstAndSkipsMatchedRows) {
  const std::vector<Candidate> in = {
      {0.95, 0, 0}, {0.90, 1, 0}, {0.85, 1, 1}, {0.99, 2, 1}, {0.80, 0, 2}};
  const auto out = greedy_one_to_one(in);
  // 2-1 (0.99), then 0-0 (0.95); 1-0 and 1-1 clash; 0-2 clashes on row 0 of the first store.
  EXPECT_EQ(out, (std::vector<Pair>{{2, 1, 0.99}, {0, 0, 0.95}}));
}

TEST(GreedyOneToOne, BreaksTiesByRowsWhateverTheInputOrder) {
  std::vector<Candidate> in = {{0.9, 1, 0}, {0.9, 0, 1}, {0.9, 0, 0}, {0.9, 1, 1}};
  const auto first = greedy_one_to_one(in);
  EXPECT_EQ(first, (std::vector<Pair>{{0, 0, 0.9}, {1, 1, 0.9}}));
  std::reverse(in.begin(), in.end());
  EXPECT_EQ(greedy_one_to_one(in), first);
  EXPECT_TRUE(greedy_one_to_one({}).empty());
}

TEST(EvaluateMatches, CountsTruePositivesFalsePositivesAndMisses) {
  const std::vector<Pair> truth = {{0, 0, 0}, {1, 1, 0}, {2, 2, 0}, {3, 3, 0}};
  const std::vector<Pair> found = {{0, 0, 0.9}, {1, 2, 0.8}, {3, 3, 0.7}, {3, 3, 0.7}};
  const auto q = evaluate_matches(found, truth);
  EXPECT_EQ(q.true_positives, 2U);
  EXPECT_EQ(q.false_positives, 1U);
  EXPECT_EQ(q.false_negatives, 2U);
  EXPECT_DOUBLE_EQ(q.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(q.recall, 0.5);
}

TEST(GreedyMultiParty, GroupsAtMostOneRecordPerParty) {
  const std::vector<PartyCandidate> in = {
      {0.95, {0, 0}, {1, 0}},  // new group {0:0, 1:0}
      {0.93, {1, 0}, {2, 5}},  // joins: {0:0, 1:0, 2:5}
      {0.92, {0, 1}, {2, 5}},  // 0:1 cannot join, party 0 is there
      {0.91, {0, 1}, {1, 1}},  // new group {0:1, 1:1}
      {0.90, {1, 1}, {2, 5}},  // groups would hold two of parties 0 and 1: no
      {0.89, {2, 7}, {3, 2}},  // new group {2:7, 3:2}
      {0.88, {1, 1}, {3, 2}},  // merge {0:1, 1:1} with {2:7, 3:2}
  };
  const auto groups = greedy_multi_party(in);
  const std::vector<std::vector<Record>> expected = {
      {{0, 0}, {1, 0}, {2, 5}},
      {{0, 1}, {1, 1}, {2, 7}, {3, 2}},
  };
  EXPECT_EQ(groups, expected);
}

TEST(GreedyMultiParty, RejectsACandidateWithinOneParty) {
  const std::vector<PartyCandidate> in = {{0.9, {1, 0}, {1, 3}}};
  EXPECT_THROW((void)greedy_multi_party(in), Error);
}

TEST(MultiPartyCandidates, LinksThreeNoisyCopies) {
  const ClkStore base = testing::random_store(40, 1024, 21, 170);
  const ClkStore p0 = testing::noisy_copy(base, 22, 20);
  const ClkStore p1 = testing::noisy_copy(base, 23, 20);
  const ClkStore p2 = testing::noisy_copy(base, 24, 20);
  const std::vector<const ClkStore*> stores = {&p0, &p1, &p2};
  const auto found = multi_party_candidates(stores, 0.8);
  ASSERT_FALSE(found.empty());
  EXPECT_TRUE(std::is_sorted(
      found.begin(), found.end(),
      [](const PartyCandidate& x, const PartyCandidate& y) { return x.dice > y.dice; }));
  for (const auto& c : found) EXPECT_LT(c.x.party, c.y.party);
  const auto groups = greedy_multi_party(found);
  ASSERT_EQ(groups.size(), 40U);
  for (const auto& g : groups) {
    ASSERT_EQ(g.size(), 3U);
    EXPECT_EQ(g[0].row, g[1].row);
    EXPECT_EQ(g[0].row, g[2].row);
  }
}

}  // namespace
}  // namespace ctis::linkage
