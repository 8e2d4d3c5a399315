// Every pattern on small hand-made graphs, with the exact members expected.
#include <gtest/gtest.h>

#include "finance/finance.h"
#include "support.h"

namespace ctis::finance {
namespace {

using testing::kDay;
using testing::make_ledger;
using testing::members;
using Names = std::vector<std::string>;

TEST(FanIn, FindsDistinctSendersInsideTheWindow) {
  Ledger l = make_ledger({{"A1", "H", 1},
                          {"A2", "H", 2},
                          {"A3", "H", 2},
                          {"A4", "H", 4},
                          {"A5", "H", 5},
                          {"A5", "H", 6},
                          {"X", "H", 60},
                          {"H", "Y", 7}});
  auto hits = fan_in(l, {5, 10 * kDay, 0});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(l.account_name(hits[0].accounts[0]), "H");
  EXPECT_EQ(members(l, hits[0]), (Names{"A1", "A2", "A3", "A4", "A5", "H"}));
  EXPECT_EQ(hits[0].transactions.size(), 6u);
  EXPECT_EQ(hits[0].total_amount, 60000);
  EXPECT_EQ(hits[0].first_time, 1 * kDay);
  EXPECT_EQ(hits[0].last_time, 6 * kDay);
  EXPECT_EQ(hits[0].explanation,
            "H received from 5 distinct accounts in 6 transactions between 1970-01-02 and "
            "1970-01-07");
  EXPECT_TRUE(fan_in(l, {6, 10 * kDay, 0}).empty());      // X is outside the window
  EXPECT_EQ(fan_in(l, {6, 100 * kDay, 0}).size(), 1u);    // ... and inside this one
  EXPECT_TRUE(fan_in(l, {5, 10 * kDay, 20000}).empty());  // all below the minimum amount
}

TEST(FanIn, IgnoresTheWindowWithoutTimes) {
  Ledger l = make_ledger(
      {{"A1", "H", -1}, {"A2", "H", -1}, {"A3", "H", -1}, {"A1", "H", -1}, {"H", "H", -1}});
  auto hits = fan_in(l, {3, 1, 0});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"A1", "A2", "A3", "H"}));
  EXPECT_TRUE(fan_in(l, {4, 1, 0}).empty());  // the self-transfer is not a counterparty
}

TEST(FanOut, FindsDistinctReceivers) {
  Ledger l = make_ledger(
      {{"H", "B1", 1}, {"H", "B2", 1}, {"H", "B3", 2}, {"H", "B4", 40}, {"Z", "B1", 1}});
  auto hits = fan_out(l, {3, 7 * kDay, 0});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(l.account_name(hits[0].accounts[0]), "H");
  EXPECT_EQ(members(l, hits[0]), (Names{"B1", "B2", "B3", "H"}));
  EXPECT_TRUE(fan_out(l, {4, 7 * kDay, 0}).empty());
}

TEST(ScatterGather, IntermediatesForwardToOneSinkAfterReceipt) {
  Ledger l = make_ledger({{"S", "M1", 1},
                          {"S", "M2", 1},
                          {"S", "M3", 1},
                          {"S", "M4", 1},
                          {"S", "M5", 1},
                          {"M1", "T", 2},
                          {"M2", "T", 3},
                          {"M3", "T", 3},
                          {"M4", "T", 50},   // forwards outside the window
                          {"M5", "T", 0.5},  // paid the sink before receiving
                          {"M1", "Q", 2}});
  auto hits = scatter_gather(l, {3, 3, 3, 10 * kDay});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"M1", "M2", "M3", "S", "T"}));
  EXPECT_EQ(l.account_name(hits[0].accounts.front()), "S");
  EXPECT_EQ(l.account_name(hits[0].accounts.back()), "T");
  EXPECT_EQ(hits[0].transactions.size(), 6u);
  EXPECT_TRUE(scatter_gather(l, {4, 3, 3, 10 * kDay}).empty());
  EXPECT_EQ(scatter_gather(l, {4, 3, 3, 60 * kDay}).size(), 1u);  // M4 now fits
}

TEST(GatherScatter, HubCollectsThenPaysOut) {
  Ledger l = make_ledger({{"H", "X0", 0},  // before the gather: not part of the scatter
                          {"A", "H", 1},
                          {"B", "H", 2},
                          {"C", "H", 3},
                          {"H", "X", 4},
                          {"H", "Y", 5},
                          {"H", "Z", 6},
                          {"H", "W", 90}});
  auto hits = gather_scatter(l, {3, 3, 3, 10 * kDay});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(l.account_name(hits[0].accounts[0]), "H");
  EXPECT_EQ(members(l, hits[0]), (Names{"A", "B", "C", "H", "X", "Y", "Z"}));
  EXPECT_TRUE(gather_scatter(l, {3, 3, 4, 10 * kDay}).empty());
  EXPECT_TRUE(gather_scatter(l, {3, 4, 3, 10 * kDay}).empty());
}

TEST(Bipartite, FindsTheCompleteBlock) {
  Ledger l = make_ledger({{"S1", "R1", 1},
                          {"S1", "R2", 1},
                          {"S2", "R1", 2},
                          {"S2", "R2", 2},
                          {"S3", "R1", 3},
                          {"S3", "R2", 3},
                          {"S1", "Z", 3},
                          {"S4", "R1", 3}});
  auto hits = bipartite(l, {3, 2, 3, 5, 10 * kDay});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"R1", "R2", "S1", "S2", "S3"}));
  EXPECT_EQ(hits[0].transactions.size(), 6u);
  EXPECT_TRUE(bipartite(l, {3, 3, 3, 5, 10 * kDay}).empty());
  EXPECT_TRUE(bipartite(l, {3, 2, 3, 5, 1 * kDay}).empty());  // spans two days
}

TEST(Stack, ChainsLayersThatPayOnInFull) {
  Ledger l = make_ledger({{"A", "C", 1},
                          {"A", "D", 1},
                          {"B", "C", 1},
                          {"B", "D", 1},
                          {"C", "E", 2},
                          {"C", "F", 2},
                          {"D", "E", 2},
                          {"D", "F", 2},
                          {"E", "G", 3},
                          {"F", "H", 3}});
  BlockParams p{2, 2, 3, 5, 10 * kDay};
  auto hits = stack(l, p);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"A", "B", "C", "D", "E", "F"}));
  EXPECT_EQ(hits[0].transactions.size(), 8u);
  EXPECT_EQ(hits[0].explanation.rfind("3 layers paying on in full: {A, B} -> {C, D} -> {E, F}", 0),
            0u);
  EXPECT_EQ(bipartite(l, p).size(), 2u);
  p.min_layers = 4;
  EXPECT_TRUE(stack(l, p).empty());
  p.min_layers = 3;
  p.window = kDay / 2;
  EXPECT_TRUE(stack(l, p).empty());
}

TEST(TemporalCycles, TimesMustIncreaseWithinTheWindowAndLength) {
  Ledger l = make_ledger({{"A", "B", 1},
                          {"B", "C", 2},
                          {"C", "A", 3},  // cycle
                          {"D", "E", 5},
                          {"E", "F", 7},
                          {"F", "D", 6},  // no rotation in order
                          {"P", "Q", 1},
                          {"Q", "R", 2},
                          {"R", "S", 3},
                          {"S", "P", 4},  // length 4
                          {"U", "V", 1},
                          {"V", "U", 45}});  // too slow
  auto hits = temporal_cycles(l, {3, 30 * kDay, 1000});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"A", "B", "C"}));
  EXPECT_EQ(hits[0].transactions.size(), 3u);
  EXPECT_EQ(hits[0].explanation.rfind("funds went round 3 accounts: A -> B -> C -> A", 0), 0u);
  auto longer = temporal_cycles(l, {4, 30 * kDay, 1000});
  ASSERT_EQ(longer.size(), 2u);
  EXPECT_EQ(members(l, longer[1]), (Names{"P", "Q", "R", "S"}));
  EXPECT_EQ(temporal_cycles(l, {4, 60 * kDay, 1000}).size(), 3u);
}

TEST(TemporalCycles, EarliestTransactionMayLeaveAnyMember) {
  // The cycle starts at B (day 1); from A, the smallest id, times would go backwards.
  Ledger l = make_ledger({{"A", "B", 3}, {"B", "C", 1}, {"C", "A", 2}, {"B", "C", 4}});
  auto hits = temporal_cycles(l, {3, 30 * kDay, 1000});
  ASSERT_EQ(hits.size(), 1u);  // found from B and from C (day 4 is too late for C -> A)
  EXPECT_EQ(l.account_name(hits[0].accounts[0]), "B");
  EXPECT_EQ(members(l, hits[0]), (Names{"A", "B", "C"}));
  EXPECT_EQ(hits[0].first_time, 1 * kDay);
  EXPECT_EQ(hits[0].last_time, 3 * kDay);
}

TEST(TemporalCycles, StaticGraphFindsEachCycleOnce) {
  Ledger l = make_ledger({{"A", "B", -1},
                          {"B", "A", -1},
                          {"B", "A", -1},
                          {"B", "C", -1},
                          {"C", "A", -1},
                          {"C", "D", -1}});
  auto hits = temporal_cycles(l, {3, 0, 1000});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(members(l, hits[0]), (Names{"A", "B"}));
  EXPECT_EQ(members(l, hits[1]), (Names{"A", "B", "C"}));
  EXPECT_EQ(temporal_cycles(l, {2, 0, 1000}).size(), 1u);
  EXPECT_EQ(temporal_cycles(l, {3, 0, 1}).size(), 1u);  // max_hits
}

}  // namespace
}  // namespace ctis::finance
