// Raising, subscriptions, the in-app inbox, acknowledgement, rules and bad input.
#include "alerts/alerts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fixture.h"

namespace ctis::alerts::testing {
namespace {

using store::Dialect;

class AlertsTest : public AlertsFixture {
 protected:
  std::vector<std::int64_t> inbox_ids(const auth::Principal& who, bool only_open = false) {
    std::vector<std::int64_t> ids;
    for (const auto& item : alerts_->inbox(who, only_open, 100)) ids.push_back(item.alert.id);
    return ids;
  }

  std::int64_t audit_count(const std::string& action, const std::string& record) {
    std::int64_t n = 0;
    for (const auto& e : p_->audit->list(0, 1000, record)) n += e.action == action ? 1 : 0;
    return n;
  }

  // Asserts that fn throws ctis::Error of `kind` naming `field`.
  template <class Fn>
  void expect_error(Fn fn, ErrorKind kind, const std::string& field) {
    try {
      fn();
      ADD_FAILURE() << "no error, expected one naming " << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      EXPECT_EQ(e.field(), field) << e.what();
    }
  }
};

TEST_P(AlertsTest, RaiseReachesSubscribedPeopleOnly) {
  // Caseworkers (a role) get warnings and above from routes; the analyst (a person) only what
  // concerns the Central Mediterranean; the coordinator subscribed nothing.
  NewSubscription role;
  role.role = "caseworker";
  role.channel = "app";
  role.source = "routes";
  role.min_severity = "warning";
  alerts_->subscribe(admin_, role);
  NewSubscription mine;
  mine.user_id = analyst_.user_id;
  mine.channel = "app";
  mine.tags = {{"corridor", {"central_mediterranean", "western_balkans"}}};
  alerts_->subscribe(analyst_, mine);

  const auto id = alerts_->raise(surge());
  ASSERT_TRUE(id);
  EXPECT_EQ(inbox_ids(worker_), std::vector<std::int64_t>{*id});
  EXPECT_EQ(inbox_ids(outsider_), std::vector<std::int64_t>{*id});
  EXPECT_EQ(inbox_ids(analyst_), std::vector<std::int64_t>{*id});
  EXPECT_TRUE(inbox_ids(coordinator_).empty());

  // Below the role's minimum severity, and outside the analyst's corridors: nobody.
  auto quiet = surge("info");
  quiet.tags["corridor"] = "channel";
  const auto quiet_id = alerts_->raise(quiet);
  ASSERT_TRUE(quiet_id);
  EXPECT_EQ(inbox_ids(worker_).size(), 1u);
  EXPECT_EQ(inbox_ids(analyst_).size(), 1u);

  // Another source does not match the role's filter.
  auto finance = surge("critical");
  finance.source = "finance";
  finance.kind = "red_flag";
  finance.tags.clear();
  ASSERT_TRUE(alerts_->raise(finance));
  EXPECT_EQ(inbox_ids(worker_).size(), 1u);

  // An alert for one organisation reaches only its people.
  auto local = surge("critical");
  local.organisation_id = outsider_.organisation_id;
  const auto local_id = alerts_->raise(local);
  EXPECT_EQ(inbox_ids(outsider_).front(), *local_id);
  EXPECT_EQ(inbox_ids(worker_).size(), 1u);
  EXPECT_EQ(inbox_ids(analyst_).size(), 1u);

  EXPECT_EQ(audit_count("alert.raise", "alert:" + std::to_string(*id)), 1);
  EXPECT_TRUE(p_->audit->verify().ok);
}

TEST_P(AlertsTest, DedupKeySuppressesRepeatsWhileOpen) {
  sub(worker_, worker_.user_id, "", "app");
  auto a = surge();
  a.dedup_key = "routes:surge:central_mediterranean:2026-W47";
  const auto first = alerts_->raise(a);
  ASSERT_TRUE(first);
  now_ += 3600'000;
  EXPECT_FALSE(alerts_->raise(a));
  EXPECT_FALSE(alerts_->raise(a));
  const auto items = alerts_->inbox(worker_, false, 10);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].alert.repeats, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts"), 1);

  // Once the window has passed the key opens a new alert.
  now_ = t0 + Options{}.dedup_window;
  const auto second = alerts_->raise(a);
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  EXPECT_EQ(inbox_ids(worker_).size(), 2u);

  // Raised at the same moment from several threads: still one alert.
  a.dedup_key = "finance:red_flag:account-991";
  std::atomic<int> raised{0}, failed{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        if (alerts_->raise(a)) ++raised;
      } catch (const std::exception&) {
        ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(raised, 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts WHERE dedup_key = 'finance:red_flag:account-991'"),
            1);
}

TEST_P(AlertsTest, AcknowledgementsAndReadsOfCaseAlertsAreAudited) {
  sub(admin_, std::nullopt, "caseworker", "app");
  const auto id = *alerts_->raise(surge());
  alerts_->acknowledge(worker_, id, "checked with the field office");
  EXPECT_TRUE(inbox_ids(worker_, true).empty());
  const auto item = alerts_->get(worker_, id);
  ASSERT_TRUE(item.acknowledged_at);
  EXPECT_EQ(*item.acknowledged_at, t0);
  EXPECT_EQ(item.note, "checked with the field office");
  // Acknowledged by one person, still open for another.
  EXPECT_EQ(inbox_ids(outsider_, true), std::vector<std::int64_t>{id});

  const auto entries = p_->audit->list(0, 100, "alert:" + std::to_string(id));
  const auto ack = std::find_if(entries.begin(), entries.end(),
                                [](const auto& e) { return e.action == "alert.acknowledge"; });
  ASSERT_NE(ack, entries.end());
  EXPECT_EQ(ack->actor, "worker");
  EXPECT_EQ(ack->actor_id, worker_.user_id);

  expect_error([&] { alerts_->acknowledge(worker_, id, ""); }, ErrorKind::conflict, "");
  // Not in the analyst's inbox: as if it did not exist.
  expect_error([&] { alerts_->acknowledge(analyst_, id, ""); }, ErrorKind::not_found, "");
  expect_error([&] { alerts_->get(analyst_, id); }, ErrorKind::not_found, "");
  EXPECT_EQ(audit_count("alert.acknowledge", "alert:" + std::to_string(id)), 1);

  // Reading an alert that names a case is a read of that case.
  {
    auto a = surge("critical");
    a.source = "cases";
    a.kind = "overdue_review";
    a.record = "case:7";
    const auto case_alert = *alerts_->raise(a);
    const auto before = audit_count("alert.read", "case:7");
    EXPECT_EQ(alerts_->inbox(worker_, false, 10).size(), 2u);
    EXPECT_EQ(audit_count("alert.read", "case:7"), before + 1);
    alerts_->get(worker_, case_alert);
    EXPECT_EQ(audit_count("alert.read", "case:7"), before + 2);
    // An alert about no record is not a read of personal data.
    alerts_->raise(surge());
    alerts_->inbox(worker_, false, 10);
    EXPECT_EQ(audit_count("alert.read", "case:7"), before + 3);
  }
}

TEST_P(AlertsTest, WhoMaySubscribeWhom) {
  NewSubscription role;
  role.role = "caseworker";
  role.channel = "app";
  expect_error([&] { alerts_->subscribe(worker_, role); }, ErrorKind::forbidden, "");
  // A coordinator's role subscription reaches only their own organisation.
  const auto s = alerts_->subscribe(coordinator_, role);
  ASSERT_TRUE(s.organisation_id);
  EXPECT_EQ(*s.organisation_id, coordinator_.organisation_id);
  alerts_->raise(surge());
  EXPECT_EQ(inbox_ids(worker_).size(), 1u);
  EXPECT_TRUE(inbox_ids(outsider_).empty());

  NewSubscription other;
  other.user_id = analyst_.user_id;
  other.channel = "email";
  expect_error([&] { alerts_->subscribe(worker_, other); }, ErrorKind::forbidden, "");
  other.user_id = outsider_.user_id;  // another organisation
  expect_error([&] { alerts_->subscribe(coordinator_, other); }, ErrorKind::forbidden, "");

  // Listing: people see what reaches them; unsubscribing is for the owner or an admin.
  const auto own = sub(analyst_, analyst_.user_id, "", "digest");
  EXPECT_EQ(alerts_->subscriptions(analyst_).size(), 1u);
  EXPECT_EQ(alerts_->subscriptions(worker_).size(), 1u);  // the role subscription
  EXPECT_EQ(alerts_->subscriptions(admin_).size(), 2u);
  expect_error([&] { alerts_->unsubscribe(worker_, own.id); }, ErrorKind::forbidden, "");
  alerts_->unsubscribe(analyst_, own.id);
  EXPECT_TRUE(alerts_->subscriptions(analyst_).empty());
  expect_error([&] { alerts_->unsubscribe(admin_, own.id); }, ErrorKind::not_found, "");
}

TEST_P(AlertsTest, BadAlertsNameTheFieldAndStoreNothing) {
  sub(worker_, worker_.user_id, "", "app");
  auto a = surge();
  a.severity = "urgent";
  expect_error([&] { alerts_->raise(a); }, ErrorKind::invalid, "/severity");
  a = surge();
  a.title = "  ";
  expect_error([&] { alerts_->raise(a); }, ErrorKind::invalid, "/title");
  a = surge();
  a.title = "two\nlines";
  expect_error([&] { alerts_->raise(a); }, ErrorKind::invalid, "/title");
  a = surge();
  a.source = "Routes";
  expect_error([&] { alerts_->raise(a); }, ErrorKind::invalid, "/source");
  a = surge();
  a.record = "case:seven";
  expect_error([&] { alerts_->raise(a); }, ErrorKind::invalid, "/record");
  a = surge();
  a.detail = nlohmann::json::array({1, 2});
  expect_error([&] { alerts_->raise(a); }, ErrorKind::invalid, "/detail");
  EXPECT_EQ(count("SELECT COUNT(*) FROM alerts"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_inbox"), 0);

  NewSubscription s;
  s.user_id = worker_.user_id;
  s.channel = "sms";
  expect_error([&] { alerts_->subscribe(worker_, s); }, ErrorKind::invalid, "/channel");
  s.channel = "app";
  s.min_severity = "high";
  expect_error([&] { alerts_->subscribe(worker_, s); }, ErrorKind::invalid, "/min_severity");
  s.min_severity = "info";
  s.role = "caseworker";  // both a person and a role
  expect_error([&] { alerts_->subscribe(admin_, s); }, ErrorKind::invalid, "/user_id");
  s.user_id.reset();
  s.role = "pilot";
  expect_error([&] { alerts_->subscribe(admin_, s); }, ErrorKind::invalid, "/role");
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_subscriptions"), 1);

  // Webhooks.
  {
    NewWebhook w{"partner hub", "ftp://hub.example/in", "a long enough shared secret", {}};
    expect_error([&] { alerts_->add_webhook(admin_, w); }, ErrorKind::invalid, "/url");
    w.url = "http://:8080/in";
    expect_error([&] { alerts_->add_webhook(admin_, w); }, ErrorKind::invalid, "/url");
    w.url = "http://hub.example:99999/in";
    expect_error([&] { alerts_->add_webhook(admin_, w); }, ErrorKind::invalid, "/url");
    w.url = "https://user:pw@hub.example/in";
    expect_error([&] { alerts_->add_webhook(admin_, w); }, ErrorKind::invalid, "/url");
    w.url = "https://hub.example/in";
    w.secret = "short";
    expect_error([&] { alerts_->add_webhook(admin_, w); }, ErrorKind::invalid, "/secret");
    w.secret = "a long enough shared secret";
    expect_error([&] { alerts_->add_webhook(coordinator_, w); }, ErrorKind::forbidden, "");
    EXPECT_EQ(count("SELECT COUNT(*) FROM alert_webhooks"), 0);

    const auto hook = alerts_->add_webhook(admin_, w);
    const auto row = p_->db->connection()->query_one(
        "SELECT secret_enc FROM alert_webhooks WHERE id = ?", {hook.id});
    const auto& blob = row->blob(0);
    EXPECT_EQ(std::string(blob.begin(), blob.end()).find("enough"), std::string::npos);
    EXPECT_EQ(alerts_->webhooks(admin_).size(), 1u);
    // Key rotation re-encrypts the secret; it still opens once the old key is retired.
    p_->keys->add_key();
    p_->db->transaction(
        [&](store::Connection& c) { EXPECT_EQ(alerts_->reencrypt(c, *p_->keys), 1); });
    p_->keys->retire_inactive();
    const auto rotated = p_->db->connection()->query_one(
        "SELECT secret_enc FROM alert_webhooks WHERE id = ?", {hook.id});
    EXPECT_EQ(p_->keys->decrypt(rotated->blob(0), "alert_webhooks.secret"), w.secret);

    NewSubscription to_hook;
    to_hook.channel = "webhook";
    to_hook.webhook_id = hook.id + 100;
    expect_error([&] { alerts_->subscribe(admin_, to_hook); }, ErrorKind::invalid, "/webhook_id");
    to_hook.webhook_id = hook.id;
    expect_error([&] { alerts_->subscribe(coordinator_, to_hook); }, ErrorKind::forbidden, "");
    EXPECT_EQ(alerts_->subscribe(admin_, to_hook).webhook_id, hook.id);
  }
}

TEST_P(AlertsTest, RulesAreValidatedStoredAndListedBySource) {
  {  // Bad rules name the field at fault and store nothing.
    AlertRule good;
    good.name = "EARS on the Channel";
    good.corridors = {"channel"};
    good.method = "ears_c2";
    good.parameters = {{"alpha", 0.05}, {"baseline", 7}};

    auto r = good;
    r.method = "prophet";
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/method");
    r = good;
    r.corridors = {"channel", "north_pole"};
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/corridors/1");
    r = good;
    r.nationalities = {"XXX"};
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/nationalities/0");
    r = good;
    r.parameters["alpha"] = 2;
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/parameters/alpha");
    r = good;
    r.parameters["baseline"] = 7.5;
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid,
                 "/parameters/baseline");
    r = good;
    r.parameters["h"] = 4;  // a CUSUM parameter, not an EARS one
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/parameters/h");
    r = good;
    r.min_count = -1;
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/min_count");
    r = good;
    r.name = "";
    expect_error([&] { alerts_->create_rule(admin_, r); }, ErrorKind::invalid, "/name");
    EXPECT_EQ(count("SELECT COUNT(*) FROM alert_rules"), 0);
  }
  AlertRule r;
  r.name = "Central Med Nigerians";
  r.corridors = {"central_mediterranean"};
  r.nationalities = {"ng", "ERI"};
  r.method = "farrington";
  r.parameters = {{"alpha", 0.01}, {"b", 3}, {"w", 3}};
  r.min_count = 5;
  const auto created = alerts_->create_rule(analyst_, r);
  EXPECT_EQ(created.nationalities, (std::vector<std::string>{"NGA", "ERI"}));
  const auto listed = alerts_->rules_for("routes");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, r.name);
  EXPECT_EQ(listed[0].parameters["b"], 3);
  EXPECT_EQ(listed[0].min_count, 5);
  EXPECT_TRUE(alerts_->rules_for("finance").empty());
  EXPECT_EQ(audit_count("alert_rule.create", "alert_rule:" + std::to_string(created.id)), 1);

  auto changed = created;
  changed.enabled = false;
  changed.method = "cusum";
  changed.parameters = {{"k", 0.5}, {"h", 4}};
  alerts_->update_rule(coordinator_, created.id, changed);
  EXPECT_TRUE(alerts_->rules_for("routes").empty());  // disabled
  EXPECT_EQ(alerts_->find_rule(created.id)->method, "cusum");

  expect_error([&] { alerts_->create_rule(worker_, r); }, ErrorKind::forbidden, "");
  expect_error([&] { alerts_->create_rule(analyst_, r); }, ErrorKind::conflict, "");  // name

  alerts_->delete_rule(admin_, created.id);
  EXPECT_FALSE(alerts_->find_rule(created.id));
  expect_error([&] { alerts_->delete_rule(admin_, created.id); }, ErrorKind::not_found, "");
}

INSTANTIATE_TEST_SUITE_P(Db, AlertsTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::alerts::testing
