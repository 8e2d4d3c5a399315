// The red-flag typology detectors on hand-made ledgers, and the compiled-in parameter file.
#include <gtest/gtest.h>

#include "core/core.h"
#include "finance/finance.h"
#include "support.h"

namespace ctis::finance {
namespace {

using testing::kDay;
using testing::members;
using Names = std::vector<std::string>;

constexpr Seconds kHour = 3600;

struct Tx {
  std::string from, to;
  Seconds time;
  Minor amount;
  Channel channel = Channel::wire;
  std::string location = {};
};

Ledger ledger(const std::vector<Tx>& txs) {
  LedgerBuilder b;
  int n = 0;
  for (const Tx& x : txs) {
    Transaction t;
    t.id = std::to_string(++n);
    t.from = x.from;
    t.to = x.to;
    t.time = x.time;
    t.amount = x.amount;
    t.channel = x.channel;
    t.location = x.location;
    b.add_transaction(t);
  }
  return b.build();
}

TEST(Typologies, DefaultsComeFromTheVersionedFile) {
  const TypologyParams& p = TypologyParams::defaults();
  EXPECT_EQ(p.version, "2026-11-29");
  EXPECT_EQ(p.structuring.threshold, 1000000);
  EXPECT_EQ(p.structuring.channels, std::vector<Channel>{Channel::cash});
  EXPECT_EQ(p.funnel.outflow_within, 3 * kDay);
  EXPECT_EQ(p.rapid_in_out.within, 48 * kHour);
  EXPECT_EQ(p.night.start_hour, 22);
  auto field_of = [](const char* json) {
    try {
      (void)TypologyParams::from_json(json);
    } catch (const Error& e) {
      return e.field();
    }
    return std::string("no error");
  };
  EXPECT_EQ(field_of(R"({"version": 3})"), "/version");
  EXPECT_EQ(field_of(R"({"version": "x", "structuring": {}})"), "/funnel");
  EXPECT_EQ(field_of(R"({"version": "x", "structuring": {"margin_percent": 0}})"),
            "/structuring/margin_percent");
  EXPECT_EQ(field_of(R"({"version": "x", "structuring": {}, "funnel": {}, "rapid_in_out": {},
                         "night_activity": {"start_hour": "late"}})"),
            "/night_activity/start_hour");
}

TEST(Typologies, StructuringJustBelowTheThreshold) {
  const Channel cash = Channel::cash;
  Ledger l = ledger({{"", "X", 1 * kDay, 950000, cash},
                     {"", "X", 2 * kDay, 980000, cash},
                     {"", "X", 2 * kDay, 1200000, cash},  // above: reported anyway
                     {"", "X", 3 * kDay, 500000, cash},   // far below
                     {"", "X", 3 * kDay, 990000, cash},
                     {"W", "X", 3 * kDay, 990000},  // not cash
                     {"", "Y", 1 * kDay, 950000, cash},
                     {"", "Y", 20 * kDay, 950000, cash},
                     {"", "Y", 40 * kDay, 950000, cash}});
  StructuringParams p;
  auto hits = structuring(l, p);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), Names{"X"});
  EXPECT_EQ(hits[0].transactions.size(), 3u);
  EXPECT_EQ(hits[0].total_amount, 2920000);
  EXPECT_EQ(hits[0].explanation.rfind(
                "X received 3 deposits just below the threshold of 10000.00, 29200.00 in all", 0),
            0u);
  p.min_count = 4;
  EXPECT_TRUE(structuring(l, p).empty());
  p.min_count = 3;
  p.channels = {Channel::cash, Channel::wire};
  EXPECT_EQ(structuring(l, p)[0].transactions.size(), 4u);
}

TEST(Typologies, FunnelAccountCashInManyPlacesThenOut) {
  const Channel cash = Channel::cash;
  std::vector<Tx> txs = {
      {"", "F", 1 * kDay, 100000, cash, "Lagos"}, {"", "F", 1 * kDay, 100000, cash, "Abuja"},
      {"", "F", 2 * kDay, 100000, cash, "Kano"},  {"F", "Z", 3 * kDay, 290000},
      {"", "G", 1 * kDay, 100000, cash, "Lagos"}, {"", "G", 1 * kDay, 100000, cash, "Lagos"},
      {"", "G", 2 * kDay, 100000, cash, "Lagos"}, {"G", "Z", 3 * kDay, 300000}};
  Ledger l = ledger(txs);
  auto hits = funnel_accounts(l, FunnelParams{});
  ASSERT_EQ(hits.size(), 1u);  // G's cash all came in at one place
  EXPECT_EQ(members(l, hits[0]), (Names{"F", "Z"}));
  EXPECT_EQ(hits[0].transactions.size(), 4u);
  txs[3].amount = 100000;  // most of the money stays
  EXPECT_TRUE(funnel_accounts(ledger(txs), FunnelParams{}).empty());
}

TEST(Typologies, RapidInOut) {
  std::vector<Tx> txs;
  for (Seconds d = 1; d <= 3; ++d) {
    txs.push_back({"P" + std::to_string(d), "R", d * kDay, 500000});
    txs.push_back({"R", "Q", d * kDay + 10 * kHour, 460000});
  }
  txs.push_back({"S", "R", 10 * kDay, 500000});  // stays
  Ledger l = ledger(txs);
  RapidInOutParams p;
  auto hits = rapid_in_out(l, p);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), Names{"R"});
  EXPECT_EQ(hits[0].transactions.size(), 6u);
  p.min_events = 4;
  EXPECT_TRUE(rapid_in_out(l, p).empty());
  p.min_events = 3;
  p.outflow_share_percent = 95;  // 460,000 of 500,000 is 92 %
  EXPECT_TRUE(rapid_in_out(l, p).empty());
}

TEST(Typologies, NightActivityInLocalTime) {
  std::vector<Tx> txs;
  for (Seconds d = 0; d < 5; ++d)
    txs.push_back({"N", "M" + std::to_string(d), d * kDay + 23 * kHour, 100});
  txs.push_back({"N", "M9", 9 * kDay + 12 * kHour, 100});
  Ledger l = ledger(txs);
  NightParams p;
  auto hits = night_activity(l, p);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), Names{"N"});
  EXPECT_EQ(hits[0].transactions.size(), 5u);
  EXPECT_EQ(hits[0].explanation.rfind("N: 5 of 6 transactions between 22:00 and 6:00", 0), 0u);
  p.utc_offset_minutes = -120;  // 23:00 UTC is 21:00 local
  EXPECT_TRUE(night_activity(l, p).empty());
}

TEST(Typologies, NeedTimesAndCombine) {
  Ledger untimed = testing::make_ledger({{"A", "B", -1}});
  EXPECT_THROW((void)structuring(untimed, {}), Error);
  EXPECT_THROW((void)red_flags(untimed), Error);
  std::vector<Tx> txs;
  for (Seconds d = 0; d < 5; ++d) txs.push_back({"N", "M", d * kDay + 23 * kHour, 100});
  auto hits = red_flags(ledger(txs));
  ASSERT_EQ(hits.size(), 2u);  // N and M, both active at night
  EXPECT_EQ(hits[0].pattern, Pattern::night_activity);
  EXPECT_EQ(to_string(hits[0].pattern), "night_activity");
}

}  // namespace
}  // namespace ctis::finance
