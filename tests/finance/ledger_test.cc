#include <sstream>

#include <gtest/gtest.h>

#include "core/core.h"
#include "core/refdata.h"
#include "finance/finance.h"
#include "support.h"

namespace ctis::finance {
namespace {

using testing::make_ledger;

TEST(Ledger, InternsAccountsAndSortsByTimeStably) {
  Ledger l = make_ledger({{"A", "B", 3}, {"B", "C", 1}, {"A", "C", 1}, {"C", "A", 2}});
  ASSERT_EQ(l.account_count(), 3u);
  ASSERT_EQ(l.transaction_count(), 4u);
  EXPECT_TRUE(l.timed());
  EXPECT_EQ(l.account_name(0), "A");
  EXPECT_EQ(*l.find_account("C"), 2u);
  EXPECT_FALSE(l.find_account("Z"));
  // Time order, ties in input order: t2 (B->C, day 1), t3 (A->C, day 1), t4, t1.
  EXPECT_EQ(l.transaction_id(0), "t2");
  EXPECT_EQ(l.transaction_id(1), "t3");
  EXPECT_EQ(l.transaction_id(2), "t4");
  EXPECT_EQ(l.transaction_id(3), "t1");
  EXPECT_TRUE(std::is_sorted(l.times().begin(), l.times().end()));
  // Adjacency: A pays C (day 1) then B (day 3); C receives from B then A.
  auto out_a = l.out_edges(0);
  ASSERT_EQ(out_a.size(), 2u);
  EXPECT_EQ(l.receivers()[out_a[0]], 2u);
  EXPECT_EQ(l.receivers()[out_a[1]], 1u);
  auto in_c = l.in_edges(2);
  ASSERT_EQ(in_c.size(), 2u);
  EXPECT_EQ(l.senders()[in_c[0]], 1u);
  EXPECT_EQ(l.senders()[in_c[1]], 0u);
  EXPECT_EQ(l.in_edges(1).size(), 1u);
}

TEST(Ledger, TransactionRoundTripsAndCashHasNoCounterparty) {
  LedgerBuilder b;
  b.add_account("acc-1", "party-9", "NG");
  Transaction deposit;
  deposit.id = "d1";
  deposit.time = 1000;
  deposit.to = "acc-1";
  deposit.amount = 250000;
  deposit.currency = "USD";
  deposit.channel = Channel::cash;
  deposit.mcc = 6011;
  deposit.location = "branch 4";
  b.add_transaction(deposit);
  Ledger l = b.build();
  EXPECT_EQ(l.account_count(), 1u);
  EXPECT_EQ(l.party_name(l.account_party(0)), "party-9");
  EXPECT_EQ(l.account_country(0), "NG");
  Transaction back = l.transaction(0);
  EXPECT_EQ(back.id, "d1");
  EXPECT_EQ(back.from, "");
  EXPECT_EQ(back.to, "acc-1");
  EXPECT_EQ(back.amount, 250000);
  EXPECT_EQ(back.currency, "USD");
  EXPECT_EQ(back.channel, Channel::cash);
  EXPECT_EQ(back.mcc, 6011);
  EXPECT_EQ(back.location, "branch 4");
  EXPECT_EQ(l.senders()[0], kNoAccount);
  EXPECT_TRUE(l.out_edges(0).empty());
  EXPECT_EQ(l.in_edges(0).size(), 1u);
}

TEST(Ledger, RejectsTransactionWithoutEndpointsAndMarksUntimed) {
  LedgerBuilder b;
  Transaction t;
  t.id = "x";
  EXPECT_THROW(b.add_transaction(t), Error);
  Ledger l = make_ledger({{"A", "B", 1}, {"B", "A", -1}});
  EXPECT_FALSE(l.timed());
}

TEST(Ledger, ChannelCodes) {
  for (auto c : {Channel::other, Channel::cash, Channel::wire, Channel::ach, Channel::card,
                 Channel::crypto, Channel::prepaid, Channel::check}) {
    EXPECT_EQ(parse_channel(to_string(c)), c);
  }
  EXPECT_FALSE(parse_channel("barter"));
}

}  // namespace
}  // namespace ctis::finance

namespace ctis::finance {
namespace {

TEST(Interner, ManyNamesRoundTripAcrossGrowth) {
  Interner in;
  std::vector<std::string> names{"", "A", "exactly-16-bytes", "seventeen-bytes-x",
                                 std::string(300, 'z')};
  for (int i = 0; i < 5000; ++i) names.push_back("AC" + std::to_string(1000000 + i * 7));
  for (std::size_t i = 0; i < names.size(); ++i) {
    ASSERT_EQ(in.intern(names[i]), i) << names[i];
  }
  EXPECT_EQ(in.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(in.intern(names[i]), i);
    EXPECT_EQ(in.find(names[i]), i);
    EXPECT_EQ(in.name(static_cast<std::uint32_t>(i)), names[i]);
  }
  // Same head, different tail; same length, different bytes: neither may match.
  EXPECT_FALSE(in.find("seventeen-bytes-y"));
  EXPECT_FALSE(in.find("exactly-16-bytez"));
  EXPECT_FALSE(in.find(std::string(299, 'z')));
}

TEST(Ledger, RunPatternsMatchesEachPatternAloneOnAnyThreadCount) {
  std::stringstream tx, accounts;
  GenerateOptions g;
  g.rows = 30000;
  g.seed = 7;
  (void)generate_synthetic(tx, &accounts, g);
  const auto records = read_accounts_csv(accounts);
  const auto mapping =
      ColumnMapping::from_json(reference_files().at("finance/mappings/ctis-synthetic.json"));
  const Ledger l = ingest_csv(tx, mapping, {}, nullptr, records);
  ASSERT_EQ(l.transaction_count(), 30000u);
  std::vector<Pattern> all;
  for (std::size_t i = 0; i < kPatternCount; ++i) all.push_back(static_cast<Pattern>(i));
  std::vector<std::vector<Hit>> alone;
  std::size_t total = 0;
  for (Pattern p : all) {
    alone.push_back(run_pattern(l, p, TypologyParams::defaults()));
    total += alone.back().size();
  }
  EXPECT_GT(total, 100u);  // the planted typologies are found
  for (unsigned threads : {1U, 2U, 3U}) {
    const auto together = run_patterns(l, all, TypologyParams::defaults(), threads);
    ASSERT_EQ(together.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      ASSERT_EQ(together[i].size(), alone[i].size()) << to_string(all[i]) << " " << threads;
      for (std::size_t k = 0; k < alone[i].size(); ++k) {
        EXPECT_EQ(together[i][k].accounts, alone[i][k].accounts);
        EXPECT_EQ(together[i][k].transactions, alone[i][k].transactions);
        EXPECT_EQ(together[i][k].explanation, alone[i][k].explanation);
      }
    }
  }
  // Only stack, then only bipartite: no shared search, same answers.
  const std::vector<Pattern> one{Pattern::stack};
  EXPECT_EQ(run_patterns(l, one, TypologyParams::defaults())[0].size(),
            alone[static_cast<std::size_t>(Pattern::stack)].size());
}

}  // namespace
}  // namespace ctis::finance
