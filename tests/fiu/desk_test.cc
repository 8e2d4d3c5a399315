// The FIU desk over both stores: a hand-made ledger with one structuring subject and one fan-in
// hub is loaded as review items (once), alerts once per subject, read, escalated to a goAML STR
// that validates against the shipped goAML 5.0.1 XSD, dismissed with a reason; bad input.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "fiu/fiu.h"
#include "fiu_fixture.h"

namespace ctis::fiu {
namespace {

class DeskTest : public testing::DeskFixture {};

TEST_P(DeskTest, LoadsEveryHitAsANewItemOnceAndAlertsOncePerSubject) {
  const auto first = load();
  EXPECT_FALSE(first.already_loaded);
  EXPECT_EQ(first.items, static_cast<std::int64_t>(hits_.size()));
  EXPECT_EQ(hits_.size(), 2U);  // one structuring, one fan-in
  // Only the structuring subject (25 points) reaches the threshold of 20; the hub has 10.
  EXPECT_EQ(first.alerts, 1);
  ASSERT_EQ(raiser_.raised.size(), 1U);
  EXPECT_EQ(raiser_.raised[0].source, "finance");
  EXPECT_EQ(raiser_.raised[0].kind, "red_flag");
  EXPECT_EQ(raiser_.raised[0].title.find("ACC-A"), std::string::npos);  // no account in it
  EXPECT_EQ(raiser_.raised[0].record.rfind("finance_hit:", 0), 0U);

  const auto again = load();
  EXPECT_TRUE(again.already_loaded);
  EXPECT_EQ(again.scan_id, first.scan_id);
  EXPECT_EQ(again.items, 0);
  EXPECT_EQ(again.alerts, 0);
  EXPECT_EQ(raiser_.raised.size(), 1U);
  EXPECT_EQ(desk_->items(fiu_, {}).total, 2);
}

TEST_P(DeskTest, AKeptScanFolderMakesTheItemsOnce) {
  const auto r = desk_->load_scan_folder(auth::operator_principal(), write_scan_folder());
  EXPECT_EQ(r.items, 2);
  const auto page = desk_->items(fiu_, filter("", "structuring"));
  ASSERT_EQ(page.items.size(), 1U);
  EXPECT_EQ(page.items[0].subject, "ACC-A");
  EXPECT_EQ(page.items[0].transaction_count, 3);
  // The same scan loaded directly is recognised.
  const auto direct = load();
  EXPECT_TRUE(direct.already_loaded);
  EXPECT_EQ(direct.scan_id, r.scan_id);
  EXPECT_EQ(desk_->items(fiu_, {}).total, 2);
}

TEST_P(DeskTest, AnItemShowsItsExplanationRuleAndTransactions) {
  load();
  const auto page = desk_->items(fiu_, filter("new", "structuring"));
  ASSERT_EQ(page.total, 1);
  const auto d = desk_->item(fiu_, page.items[0].id);
  EXPECT_EQ(d.item.subject, "ACC-A");
  EXPECT_EQ(d.item.party, "Alpha Holder");
  EXPECT_EQ(d.item.subject_score, 25);
  EXPECT_TRUE(d.item.typology);
  EXPECT_FALSE(d.item.explanation.empty());
  EXPECT_EQ(d.rule["parameters"]["threshold_minor"], 1000000);
  EXPECT_EQ(d.rule["risk_points"], 25);
  ASSERT_EQ(d.transactions.size(), 3U);
  EXPECT_EQ(d.transactions[0].id, "D1");
  EXPECT_EQ(d.transactions[0].amount, 950000);
  EXPECT_EQ(d.transactions[0].channel, "cash");
  EXPECT_EQ(d.transactions[0].to, "ACC-A");
  EXPECT_TRUE(d.transactions[0].from.empty());
}

TEST_P(DeskTest, FiltersAndPages) {
  load();
  EXPECT_EQ(desk_->items(fiu_, filter("", "fan_in")).items.at(0).subject, "ACC-B");
  EXPECT_EQ(desk_->items(fiu_, filter("dismissed", "")).total, 0);
  ItemFilter f;
  f.limit = 1;
  const auto p1 = desk_->items(fiu_, f);
  f.offset = 1;
  const auto p2 = desk_->items(fiu_, f);
  ASSERT_EQ(p1.items.size(), 1U);
  ASSERT_EQ(p2.items.size(), 1U);
  EXPECT_EQ(p1.total, 2);
  EXPECT_EQ(p1.items[0].subject, "ACC-A");  // highest score first
  EXPECT_NE(p1.items[0].id, p2.items[0].id);
  expect_error(ErrorKind::invalid, [&] { desk_->items(fiu_, filter("open", "")); });
  expect_error(ErrorKind::invalid, [&] { desk_->items(fiu_, filter("", "laundering")); });
  f.limit = 0;
  expect_error(ErrorKind::invalid, [&] { desk_->items(fiu_, f); });
}

TEST_P(DeskTest, NetworkIsBoundedByHopsAndRiskRanksSubjects) {
  load();
  const auto a = item_of("structuring");
  const auto one = desk_->network(fiu_, a, 1);
  EXPECT_EQ(one["subject"], "ACC-A");
  EXPECT_EQ(one["nodes"].size(), 2U);  // A and the hub B, which paid it
  const auto two = desk_->network(fiu_, a, 2);
  EXPECT_EQ(two["nodes"].size(), 7U);  // and the hub's five senders
  const auto around_b = desk_->network(fiu_, a, 1, "ACC-B");
  EXPECT_EQ(around_b["subject"], "ACC-B");
  EXPECT_EQ(around_b["nodes"].size(), 7U);
  expect_error(ErrorKind::invalid, [&] { desk_->network(fiu_, a, 0); });
  expect_error(ErrorKind::invalid, [&] { desk_->network(fiu_, a, 4); });
  expect_error(ErrorKind::not_found, [&] { desk_->network(fiu_, a, 1, "ACC-NONE"); });
  const auto ranking = desk_->risk(fiu_, std::nullopt, 10);
  const auto& r = ranking.accounts;
  ASSERT_GE(r.size(), 2U);
  EXPECT_EQ(r[0].account, "ACC-A");
  EXPECT_EQ(r[0].score, 25);
  EXPECT_EQ(r[0].reasons.at(0)["pattern"], "structuring");
  EXPECT_EQ(r[0].item_id, std::optional<std::int64_t>(a));  // its structuring item
  EXPECT_EQ(r[1].account, "ACC-B");
  EXPECT_EQ(r[1].score, 10);
  EXPECT_EQ(r[1].item_id, std::optional<std::int64_t>(item_of("fan_in")));
  // Parties add their accounts' scores.
  const auto& parties = ranking.parties;
  ASSERT_GE(parties.size(), 2U);
  EXPECT_EQ(parties[0].party, "Alpha Holder");
  EXPECT_EQ(parties[0].score, 25);
  EXPECT_EQ(parties[0].accounts, std::vector<std::string>{"ACC-A"});
  EXPECT_EQ(parties[1].party, "Beta Trading");
  EXPECT_EQ(parties[1].accounts, std::vector<std::string>{"ACC-B"});
}

TEST_P(DeskTest, EscalationStoresAnStrThatValidates) {
  load();
  const auto a = item_of("structuring");
  const auto decided = desk_->decide(fiu_, a, {"escalate", ""});
  EXPECT_EQ(decided.status, "escalated");
  EXPECT_EQ(decided.decided_by, fiu_.user_id);
  const auto report = desk_->report(fiu_, a);
  EXPECT_EQ(report.subject, "ACC-A");
  EXPECT_NE(report.xml.find("<report>"), std::string::npos);
  EXPECT_NE(report.xml.find("ACC-A"), std::string::npos);
  EXPECT_NE(report.xml.find("D1"), std::string::npos);
  // Validated independently of the desk, against the shipped schema.
  EXPECT_TRUE(finance::goaml::validate_goaml(report.xml, xsd()).empty());
  expect_error(ErrorKind::conflict, [&] { desk_->decide(fiu_, a, {"dismiss", "late"}); });
  expect_error(ErrorKind::conflict, [&] { desk_->decide(fiu_, a, {"escalate", ""}); });
}

TEST_P(DeskTest, DismissalNeedsABoundedReasonAndIsFinal) {
  load();
  const auto b = item_of("fan_in");
  expect_error(ErrorKind::invalid, [&] { desk_->decide(fiu_, b, {"dismiss", ""}); });
  expect_error(ErrorKind::invalid, [&] { desk_->decide(fiu_, b, {"dismiss", "  \n"}); });
  expect_error(ErrorKind::invalid, [&] {
    desk_->decide(fiu_, b, {"dismiss", std::string(2001, 'x')});
  });
  expect_error(ErrorKind::invalid, [&] { desk_->decide(fiu_, b, {"archive", "x"}); });
  EXPECT_EQ(desk_->item(fiu_, b).item.status, "new");  // nothing written by the refusals
  const auto d = desk_->decide(fiu_, b, {"dismiss", "payroll of a known employer"});
  EXPECT_EQ(d.status, "dismissed");
  EXPECT_EQ(d.reason, "payroll of a known employer");
  expect_error(ErrorKind::conflict, [&] { desk_->decide(fiu_, b, {"dismiss", "again"}); });
  expect_error(ErrorKind::conflict, [&] { desk_->decide(fiu_, b, {"escalate", ""}); });
  expect_error(ErrorKind::not_found, [&] { desk_->report(fiu_, b); });
  EXPECT_EQ(desk_->items(fiu_, filter("dismissed", "")).total, 1);
  expect_error(ErrorKind::not_found, [&] { desk_->item(fiu_, 9999); });
  expect_error(ErrorKind::not_found, [&] { desk_->decide(fiu_, 9999, {"dismiss", "x"}); });
  expect_error(ErrorKind::not_found, [&] { desk_->report(fiu_, 9999); });
  expect_error(ErrorKind::not_found, [&] { desk_->network(fiu_, 9999, 1); });
}

TEST_P(DeskTest, OnlyFiuAnalystsUseTheDesk) {
  load();
  const auto admin = p_->person("root", "admin", "Ministry");
  const auto worker = p_->person("worker", "caseworker", "NGO");
  const auto a = item_of("structuring");
  expect_error(ErrorKind::forbidden, [&] { desk_->items(admin, {}); });
  expect_error(ErrorKind::forbidden, [&] { desk_->item(admin, a); });
  expect_error(ErrorKind::forbidden, [&] { desk_->risk(worker, std::nullopt, 10); });
  expect_error(ErrorKind::forbidden, [&] { desk_->decide(worker, a, {"dismiss", "x"}); });
  expect_error(ErrorKind::unauthorized, [&] { desk_->items(auth::Principal{}, {}); });
  expect_error(ErrorKind::forbidden, [&] { desk_->load_scan_folder(admin, write_scan_folder()); });
}

TEST_P(DeskTest, ReadsAndDecisionsAreAudited) {
  load();
  const auto a = item_of("structuring");
  desk_->item(fiu_, a);
  desk_->network(fiu_, a, 1);
  desk_->decide(fiu_, a, {"escalate", ""});
  desk_->report(fiu_, a);
  std::vector<std::string> actions;
  for (const auto& e : p_->audit->list(0, 50, "finance_hit:" + std::to_string(a))) {
    EXPECT_EQ(e.actor, "fiu.analyst");
    actions.push_back(e.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"finance.report.read", "finance.item.escalate",
                                               "finance.network.read", "finance.item.read"}));
  EXPECT_TRUE(p_->audit->verify().ok);
}

TEST_P(DeskTest, EscalationWithoutASchemaMakesNothing) {
  Options o;
  o.alert_min_score = 20;
  Desk desk(*p_->db, p_->keys, *p_->audit, nullptr, o);  // no goaml_xsd
  desk.load_scan(fiu_, ledger_, hits_, "test", finance::TypologyParams::defaults());
  const auto a = item_of("structuring");
  expect_error(ErrorKind::unavailable, [&] { desk.decide(fiu_, a, {"escalate", ""}); });
  EXPECT_EQ(desk.item(fiu_, a).item.status, "new");
}

TEST_P(DeskTest, AnUploadedBankExportIsScannedInTheBackground) {
  ScanUpload up;
  up.csv = synthetic_csv(&up.accounts_csv);
  up.source = "bank-export.csv";
  const auto started = desk_->start_scan(fiu_, up);
  EXPECT_EQ(started.state, "running");
  const auto job = wait_for(started.id);
  ASSERT_EQ(job.state, "done") << job.error;
  ASSERT_TRUE(job.result);
  EXPECT_EQ(job.rows, 3000);
  EXPECT_GT(job.result->items, 0);
  EXPECT_EQ(desk_->items(fiu_, {}).total, job.result->items);
  EXPECT_EQ(desk_->start_scan(fiu_, up).id, started.id + 1);
  EXPECT_TRUE(wait_for(started.id + 1).result->already_loaded);

  ScanUpload bad;
  bad.csv =
      "id,time,from,to,amount,currency,channel,location,mcc,purpose,label,alert_id\n"
      "1,2024-01-01 10:00:00,A,B,12x,EUR,wire,,,,,\n";
  const auto failed = wait_for(desk_->start_scan(fiu_, bad).id);
  EXPECT_EQ(failed.state, "failed");
  EXPECT_NE(failed.error.find("row 2"), std::string::npos) << failed.error;
  expect_error(ErrorKind::invalid, [&] { desk_->start_scan(fiu_, ScanUpload{}); });
  ScanUpload bad_mapping{"a,b\n1,2\n", "{\"version\": 1, \"columns\": 3}", "", "x"};
  expect_error(ErrorKind::invalid, [&] { desk_->start_scan(fiu_, bad_mapping); });
  expect_error(ErrorKind::not_found, [&] { desk_->job(fiu_, 999); });
}

INSTANTIATE_TEST_SUITE_P(Stores, DeskTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::fiu
