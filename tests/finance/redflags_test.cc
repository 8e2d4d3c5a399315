// The trafficking red flags, risk scores, networks and the ledger file on hand-made ledgers:
// each detector fires where it must, stays quiet where it must not, and says which rule and
// threshold it applied.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

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
  std::uint16_t mcc = 0;
  std::string location = {};
  std::string purpose = {};
};

Ledger ledger(const std::vector<Tx>& txs, const std::vector<AccountRecord>& accounts = {}) {
  LedgerBuilder b;
  for (const auto& a : accounts) {
    b.add_account(a.account, a.party, a.country, a.account_kind);
    if (!a.party.empty()) b.set_party(a.party, a.details);
  }
  int n = 0;
  for (const Tx& x : txs) {
    Transaction t;
    t.id = std::to_string(++n);
    t.from = x.from;
    t.to = x.to;
    t.time = x.time;
    t.amount = x.amount;
    t.channel = x.channel;
    t.mcc = x.mcc;
    t.location = x.location;
    t.purpose = x.purpose;
    b.add_transaction(t);
  }
  return b.build();
}

const TypologyParams& params() { return TypologyParams::defaults(); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(RedFlags, TheFileHoldsEveryRuleAndWeight) {
  const TypologyParams& p = params();
  EXPECT_TRUE(p.ad_payments.targets.mccs.contains(7273));
  EXPECT_FALSE(p.ad_payments.targets.mccs.contains(5411));
  EXPECT_TRUE(p.travel.targets.mccs.contains(3650));  // inside the lodging range
  EXPECT_EQ(p.wage_pooling.min_wages, 3u);
  EXPECT_EQ(p.corridors.pairs.size(), 3u);
  EXPECT_EQ(p.risk.weights[static_cast<std::size_t>(Pattern::wage_pooling)], 30);
  auto field_of = [](const char* json) {
    try {
      (void)TypologyParams::from_json(json);
    } catch (const Error& e) {
      return e.field();
    }
    return std::string("no error");
  };
  const std::string base =
      R"({"version": "x", "structuring": {}, "funnel": {}, "rapid_in_out": {},
          "night_activity": {}, )";
  EXPECT_EQ(field_of((base + R"("ad_payments": {"mccs": [[10, 5]]}})").c_str()),
            "/ad_payments/mccs");
  EXPECT_EQ(field_of((base + R"("high_risk_corridors": {"pairs": [["*", "QQ"]]}})").c_str()),
            "/high_risk_corridors/pairs");
  EXPECT_EQ(field_of((base + R"("risk": {"weights": {"smurfing": 3}}})").c_str()),
            "/risk/weights/smurfing");
  EXPECT_EQ(field_of((base + R"("risk": {}})").c_str()), "no error");
}

TEST(RedFlags, AdPaymentsSmallAndFrequent) {
  std::vector<Tx> txs;
  for (int i = 0; i < 6; ++i) txs.push_back({"P", "SITE", i * kDay, 5000, Channel::card, 7273});
  for (int i = 0; i < 6; ++i) txs.push_back({"Q", "SITE", i * kDay, 90000, Channel::card, 7273});
  for (int i = 0; i < 6; ++i) txs.push_back({"R", "SHOP", i * kDay, 5000, Channel::card, 5411});
  for (int i = 0; i < 6; ++i) txs.push_back({"S", "ADS", i * 10 * kDay, 5000});  // too slow
  for (int i = 0; i < 5; ++i) txs.push_back({"T", "ADS", i * kDay, 3000});
  auto hits =
      ad_payments(ledger(txs, {{"ADS", "", "", "escort_ad_site", {}}}), params().ad_payments);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].transactions.size(), 6u);
  EXPECT_TRUE(contains(hits[0].explanation, "ad_payments: P made 6 payments of at most 200.00"));
  EXPECT_TRUE(contains(hits[0].explanation, "at least 5 within 30 days"));
  EXPECT_TRUE(contains(hits[1].explanation, "T made 5"));  // by counterparty kind
}

TEST(RedFlags, TravelBurstsAcrossCities) {
  const std::vector<Tx> txs = {
      {"A", "H1", 0, 9000, Channel::card, 7011, "Lyon"},
      {"A", "H2", 1 * kDay, 9000, Channel::card, 3650, "Paris"},
      {"A", "U", 1 * kDay + kHour, 2000, Channel::card, 4121, "Paris"},
      {"A", "H3", 3 * kDay, 9000, Channel::card, 7011, "Nice"},
      {"A", "U", 3 * kDay + kHour, 2000, Channel::card, 4121, "Nice"},
      // B travels as much but in one city.
      {"B", "H1", 0, 9000, Channel::card, 7011, "Lyon"},
      {"B", "H1", 1 * kDay, 9000, Channel::card, 7011, "Lyon"},
      {"B", "U", 2 * kDay, 2000, Channel::card, 4121, "Lyon"},
      {"B", "U", 3 * kDay, 2000, Channel::card, 4121, "Lyon"},
      {"B", "U", 4 * kDay, 2000, Channel::card, 4121, "Lyon"},
  };
  auto hits = travel_bursts(ledger(txs), params().travel);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(ledger(txs), hits[0]), Names{"A"});
  EXPECT_TRUE(contains(hits[0].explanation, "5 lodging, travel or ride charges in 3 cities"));
  EXPECT_TRUE(contains(hits[0].explanation, "in 3 cities within 7 days"));
}

TEST(RedFlags, OffHoursDepositsNeedABusinessWithHours) {
  PartyDetails salon{PartyKind::business, "nail salon", 9, 18, "", "", ""};
  PartyDetails person{PartyKind::person, "", 9, 18, "", "", ""};
  std::vector<Tx> txs;
  for (int i = 0; i < 4; ++i) {
    txs.push_back({"", "SALON", i * kDay + 23 * kHour, 50000, Channel::cash});
    txs.push_back({"", "SALON", i * kDay + 12 * kHour, 50000, Channel::cash});
    txs.push_back({"", "HOME", i * kDay + 23 * kHour, 50000, Channel::cash});
    txs.push_back({"", "SHOP", i * kDay + 10 * kHour, 50000, Channel::cash});
  }
  auto hits = off_hours_deposits(ledger(txs, {{"SALON", "Salon Ltd", "", "", salon},
                                              {"HOME", "Ann", "", "", person},
                                              {"SHOP", "Shop Ltd", "", "", salon}}),
                                 params().off_hours);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_TRUE(contains(hits[0].explanation, "4 of 8 deposits into business account SALON"));
  EXPECT_TRUE(contains(hits[0].explanation, "outside its hours 9:00-18:00"));
  EXPECT_TRUE(contains(hits[0].explanation, "at least 3 and 25%"));
}

TEST(RedFlags, CashWithoutPayrollAndBusinessesWithoutPayroll) {
  PartyDetails shop{PartyKind::business, "restaurant", 11, 23, "", "", ""};
  std::vector<Tx> txs;
  for (int i = 0; i < 12; ++i) {
    txs.push_back({"", "CASHY", i * 7 * kDay, 150000, Channel::cash});
    txs.push_back({"", "PAYER", i * 7 * kDay, 150000, Channel::cash});
    txs.push_back({"C" + std::to_string(i), "BIZ", i * 3 * kDay, 300000, Channel::card});
    txs.push_back({"C" + std::to_string(i), "HONEST", i * 3 * kDay, 300000, Channel::card});
  }
  txs.push_back({"PAYER", "STAFF", 30 * kDay, 200000, Channel::ach, 0, "", "payroll"});
  txs.push_back({"HONEST", "STAFF", 30 * kDay, 200000, Channel::ach, 0, "", "payroll"});
  const Ledger l =
      ledger(txs, {{"BIZ", "Biz Ltd", "", "", shop}, {"HONEST", "Honest Ltd", "", "", shop}});
  auto cash = cash_no_payroll(l, params().payroll);
  ASSERT_EQ(cash.size(), 1u);
  EXPECT_EQ(members(l, cash[0]), Names{"CASHY"});
  EXPECT_TRUE(contains(cash[0].explanation, "12 cash deposits (18000.00) over 12 weeks"));
  EXPECT_TRUE(contains(cash[0].explanation, "at least 10 deposits, 10000.00, in 4 weeks"));
  auto biz = no_payroll(l, params().payroll);
  ASSERT_EQ(biz.size(), 1u);
  EXPECT_EQ(members(l, biz[0]), Names{"BIZ"});
  EXPECT_TRUE(contains(biz[0].explanation, "received 12 payments (36000.00)"));
  EXPECT_TRUE(contains(biz[0].explanation, "at least 10 receipts, 20000.00"));
}

TEST(RedFlags, WagePoolingThenOutflow) {
  std::vector<Tx> txs = {
      {"EMP1", "POOL", 0, 150000, Channel::ach, 0, "", "salary"},
      {"EMP1", "POOL", kHour, 150000, Channel::ach, 0, "", "salary"},
      {"EMP2", "POOL", 2 * kDay, 150000, Channel::ach, 0, "", "payroll"},
      {"POOL", "BOSS", 3 * kDay, 420000},
      // KEEP gets as many wages but keeps them; ONE gets a single wage and moves it.
      {"EMP1", "KEEP", 0, 150000, Channel::ach, 0, "", "salary"},
      {"EMP1", "KEEP", kHour, 150000, Channel::ach, 0, "", "salary"},
      {"EMP2", "KEEP", 2 * kDay, 150000, Channel::ach, 0, "", "salary"},
      {"KEEP", "BOSS", 3 * kDay, 20000},
      {"EMP1", "ONE", 0, 150000, Channel::ach, 0, "", "salary"},
      {"ONE", "BOSS", kDay, 150000},
  };
  const Ledger l = ledger(txs);
  auto hits = wage_pooling(l, params().wage_pooling);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"BOSS", "POOL"}));
  EXPECT_EQ(hits[0].transactions.size(), 4u);
  EXPECT_TRUE(
      contains(hits[0].explanation, "3 wage payments (4500.00) into POOL, 4200.00 moved out"));
  EXPECT_TRUE(contains(hits[0].explanation, "at least 3 wages within 14 days, 80% out"));
  // rapid_in_out does not see it: the receipts are not each followed by an outflow.
  EXPECT_TRUE(rapid_in_out(l, params().rapid_in_out).empty());
}

TEST(RedFlags, SharedContactHashedNeverPrinted) {
  const std::string phone = "+33 6 12 34 56 78";
  std::vector<AccountRecord> accounts;
  for (int i = 0; i < 4; ++i) {
    PartyDetails d{PartyKind::person,
                   "",
                   -1,
                   -1,
                   i < 3 ? phone : "+33 6 00 00 00 0" + std::to_string(i),
                   "",
                   ""};
    accounts.push_back({"S" + std::to_string(i), "Sender " + std::to_string(i), "", "", d});
  }
  // The same phone written differently still matches.
  accounts[2].details.phone = "+33612345678";
  std::vector<Tx> txs;
  for (int i = 0; i < 4; ++i) txs.push_back({"S" + std::to_string(i), "BEN", i * kDay, 40000});
  for (int i = 0; i < 2; ++i) txs.push_back({"S" + std::to_string(i), "OTHER", i * kDay, 40000});
  const Ledger l = ledger(txs, accounts);
  auto hits = shared_contact(l, params().shared_contact);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(members(l, hits[0]), (Names{"BEN", "S0", "S1", "S2"}));
  EXPECT_TRUE(contains(hits[0].explanation, "3 different senders to BEN share one phone number"));
  EXPECT_TRUE(contains(hits[0].explanation, "at least 3 senders"));
  EXPECT_FALSE(contains(hits[0].explanation, "612345678"));
  EXPECT_FALSE(contains(hits[0].explanation, "12 34"));
  EXPECT_EQ(contact_hash("+33 6 12 34 56 78"), contact_hash("+33612345678"));
  EXPECT_NE(contact_hash("+33612345678"), contact_hash("+33612345679"));
  EXPECT_EQ(contact_hash(" - "), 0u);
}

TEST(RedFlags, OpaqueChannelsAndCorridors) {
  std::vector<Tx> txs;
  for (int i = 0; i < 5; ++i) txs.push_back({"A", "CARDCO", i * kDay, 30000, Channel::prepaid});
  for (int i = 0; i < 5; ++i) txs.push_back({"B", "X", i * kDay, 30000, Channel::card, 6051});
  for (int i = 0; i < 5; ++i)
    txs.push_back({"C", "X", i * kDay, 1000, Channel::crypto});  // too small
  for (int i = 0; i < 4; ++i)
    txs.push_back({"D", "X", i * kDay, 30000, Channel::crypto});  // too few
  txs.push_back({"FR1", "MM1", kDay, 500000});
  txs.push_back({"FR1", "DE1", kDay, 500000});
  txs.push_back({"MM2", "MM1", kDay, 500000});  // domestic
  const Ledger l = ledger(txs, {{"FR1", "", "FR", "", {}},
                                {"MM1", "", "MM", "", {}},
                                {"DE1", "", "DE", "", {}},
                                {"MM2", "", "MM", "", {}}});
  auto opaque = opaque_channels(l, params().opaque);
  // Both sides use the channel: the payers A and B, and the receivers CARDCO and X (X also
  // takes C's and D's, which alone would not count).
  Names central;
  for (const auto& h : opaque) central.emplace_back(l.account_name(h.accounts[0]));
  EXPECT_EQ(central, (Names{"A", "CARDCO", "B", "X"}));
  EXPECT_TRUE(contains(opaque[0].explanation, "A made 5 prepaid, crypto or payment-processor"));
  EXPECT_TRUE(contains(opaque[0].explanation, "at least 5 and 1000.00 within 30 days"));
  auto corridor = high_risk_corridors(l, params().corridors);
  ASSERT_EQ(corridor.size(), 1u);
  EXPECT_EQ(members(l, corridor[0]), (Names{"FR1", "MM1"}));
  EXPECT_TRUE(contains(corridor[0].explanation, "1 transfers (5000.00) on FR->MM"));
  EXPECT_TRUE(contains(corridor[0].explanation, "rule: listed corridor"));
}

TEST(Risk, ScoresAddUpWithReasons) {
  Hit a{Pattern::wage_pooling, {0, 1}, {}, kNoTime, kNoTime, 0, ""};
  Hit b{Pattern::cycle, {1, 2}, {}, kNoTime, kNoTime, 0, ""};
  Hit c{Pattern::night_activity, {2}, {}, kNoTime, kNoTime, 0, ""};
  const std::vector<Hit> hits{a, b, c};
  const auto scores = account_risk(hits, params().risk);
  ASSERT_EQ(scores.size(), 3u);
  // Account 1: 15 as a member of wage_pooling and 20 as the centre of the cycle.
  EXPECT_EQ(scores[0].id, 1u);
  long long by_id[3] = {};
  for (const auto& s : scores) by_id[s.id] = s.score;
  EXPECT_EQ(by_id[0], 30);
  EXPECT_EQ(by_id[1], 35);
  EXPECT_EQ(by_id[2], 15);  // 10 as member of the cycle + 5 night
  EXPECT_EQ(scores.front().score, 35);
  EXPECT_EQ(scores.front().reasons.front().pattern, Pattern::cycle);
  EXPECT_EQ(scores.front().reasons.front().points, 20);
  EXPECT_EQ(scores.front().reasons.front().hit, 1u);

  LedgerBuilder bld;
  bld.add_account("X", "Ann");
  bld.add_account("Y", "Ann");
  bld.add_account("Z");
  const Ledger l = bld.build();
  const auto parties = party_risk(l, scores);
  ASSERT_EQ(parties.size(), 1u);  // Z has no party
  EXPECT_EQ(l.party_name(parties[0].id), "Ann");
  EXPECT_EQ(parties[0].score, 65);
  EXPECT_EQ(parties[0].reasons.size(), 3u);
}

TEST(Network, HopsAmountsAndBound) {
  const Ledger l = ledger({{"S", "A", 1 * kDay, 100},
                           {"S", "A", 3 * kDay, 200},
                           {"B", "S", 2 * kDay, 50},
                           {"A", "C", 4 * kDay, 70},
                           {"C", "D", 5 * kDay, 10},  // three hops away
                           {"", "S", 1 * kDay, 999, Channel::cash}});
  const auto subject = *l.find_account("S");
  const Network n = network(l, subject, {});
  std::map<std::string, std::size_t> hops;
  for (auto [a, h] : n.nodes) hops[std::string(l.account_name(a))] = h;
  EXPECT_EQ(hops, (std::map<std::string, std::size_t>{{"S", 0}, {"A", 1}, {"B", 1}, {"C", 2}}));
  EXPECT_FALSE(n.truncated);
  const auto j = nlohmann::json::parse(network_json(l, n));
  EXPECT_EQ(j["subject"], "S");
  ASSERT_EQ(j["edges"].size(), 3u);
  bool found = false;
  for (const auto& e : j["edges"]) {
    if (e["from"] == "S" && e["to"] == "A") {
      found = true;
      EXPECT_EQ(e["count"], 2);
      EXPECT_EQ(e["total_minor"], 300);
      EXPECT_EQ(e["first_time"], "1970-01-02T00:00:00.000Z");
      EXPECT_EQ(e["last_time"], "1970-01-04T00:00:00.000Z");
    }
  }
  EXPECT_TRUE(found);
  NetworkParams small;
  small.max_nodes = 2;
  const Network cut = network(l, subject, small);
  EXPECT_EQ(cut.nodes.size(), 2u);
  EXPECT_TRUE(cut.truncated);
}

TEST(LedgerFile, RoundTripsEveryColumn) {
  PartyDetails d{PartyKind::business, "bar", 18, 2, "+1 555 0100", "x@example.org", ""};
  const Ledger l = ledger({{"A", "B", 10, 12345, Channel::card, 7011, "Lyon", "rent"},
                           {"", "A", 5, 500, Channel::cash, 0, "BR-1", ""}},
                          {{"A", "Bar Ltd", "FR", "merchant", d}});
  std::stringstream file;
  l.save(file);
  const Ledger back = Ledger::load(file);
  ASSERT_EQ(back.transaction_count(), 2u);
  EXPECT_EQ(back.transaction(1).purpose, "rent");
  EXPECT_EQ(back.transaction(1).mcc, 7011);
  EXPECT_EQ(back.transaction(0).location, "BR-1");
  EXPECT_EQ(back.account_kind(*back.find_account("A")), "merchant");
  EXPECT_EQ(back.account_country(*back.find_account("A")), "FR");
  const PartyInfo& info = back.party_info(back.account_party(*back.find_account("A")));
  EXPECT_EQ(info.kind, PartyKind::business);
  EXPECT_EQ(info.close_hour, 2);
  EXPECT_EQ(info.email, contact_hash("X@example.org"));
  EXPECT_EQ(back.in_edges(*back.find_account("A")).size(), 1u);
  std::stringstream junk("not a ledger at all");
  EXPECT_THROW((void)Ledger::load(junk), Error);
  std::string cut = file.str().substr(0, file.str().size() / 2);
  std::stringstream truncated(cut);
  EXPECT_THROW((void)Ledger::load(truncated), Error);
}

TEST(AccountsFile, ReadsAttributesAndNamesBadCells) {
  std::istringstream in(
      "account,party,party_kind,sector,country,account_kind,open_hour,close_hour,phone\n"
      "A1,Salon Ltd,business,nail salon,FR,,9,18,+33 1 00\n"
      "S1,,,,,escort_ad_site,,,\n");
  const auto records = read_accounts_csv(in);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].details.kind, PartyKind::business);
  EXPECT_EQ(records[0].details.open_hour, 9);
  EXPECT_EQ(records[1].account_kind, "escort_ad_site");
  std::istringstream bad("account,open_hour\nA1,25\n");
  try {
    (void)read_accounts_csv(bad);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "row 2, column open_hour");
  }
}

}  // namespace
}  // namespace ctis::finance
