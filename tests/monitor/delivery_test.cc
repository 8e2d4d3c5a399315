// End to end: a surge planted in the real Frontex data raises an alert that the Dispatcher
// delivers to a signed webhook receiver and through an SMTP server (aiosmtpd) on loopback.
#include <gtest/gtest.h>

#include "alerts/receivers.h"
#include "fixture.h"

namespace ctis::monitor::testing {
namespace {

using store::Dialect;

class DeliveryTest : public MonitorFixture {};

TEST_P(DeliveryTest, APlantedSurgeReachesTheWebhookAndTheMailbox) {
  alerts::testing::WebhookReceiver receiver;
  alerts::testing::SmtpSink sink(p_->test_db.dir());
  const std::string secret = "route monitor webhook secret";
  const auto hook = alerts_->add_webhook(
      admin_,
      {"monitor hub", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook", secret, {}});
  alerts::NewSubscription to_hook;
  to_hook.channel = "webhook";
  to_hook.webhook_id = hook.id;
  to_hook.source = "routes";
  alerts_->subscribe(admin_, to_hook);
  alerts::NewSubscription by_mail;
  by_mail.user_id = analyst_.user_id;
  by_mail.channel = "email";
  by_mail.source = "routes";
  by_mail.kind = "surge";
  alerts_->subscribe(analyst_, by_mail);

  monitor_->import(admin_, shared_file(frontex_file));
  // The corridor's largest series, its last month multiplied by 20.
  std::string nationality;
  std::int64_t best = -1;
  for (const auto& k : monitor_->series_keys()) {
    if (k.corridor == "central_mediterranean" && k.total > best) {
      best = k.total;
      nationality = k.nationality;
    }
  }
  ASSERT_FALSE(nationality.empty());
  const auto last = monitor_->series("central_mediterranean", nationality).points.back();
  p_->db->connection()->execute(
      "UPDATE route_detections SET detections = detections * 20 + 500 WHERE nationality = ? AND "
      "month = ? AND route = 'Central Mediterranean Route'",
      {nationality, std::int64_t{last.start}});
  alerts::AlertRule rule;
  rule.name = "Largest series";
  rule.corridors = {"central_mediterranean"};
  rule.nationalities = {nationality};
  rule.method = "ears_c1";
  rule.severity = "critical";
  alerts_->create_rule(admin_, rule);
  const auto report = monitor_->evaluate(*alerts_);
  ASSERT_EQ(report.alert_ids.size(), 1u) << "alarms " << report.alarms;

  alerts::DeliveryOptions options;
  options.smtp_port = sink.port();
  options.from_address = "alerts@ctis.example";
  options.smtp_timeout_ms = 5000;
  options.http_timeout_ms = 5000;
  options.email_of = [this](std::int64_t id) -> std::optional<std::string> {
    const auto u = p_->auth->find_user(id);
    if (!u || u->email.empty()) return std::nullopt;
    return u->email;
  };
  alerts::Dispatcher dispatcher(*p_->db, p_->keys, *p_->audit, options);
  const auto delivered = dispatcher.deliver_due(now_);
  EXPECT_EQ(delivered.delivered, 2);
  EXPECT_EQ(delivered.dead, 0);

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/hook");
  EXPECT_EQ(requests[0].signature,
            alerts::testing::expected_signature(secret, requests[0].timestamp, requests[0].body));
  const auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body.at("id"), report.alert_ids[0]);
  EXPECT_EQ(body.at("tags").at("corridor"), "central_mediterranean");
  EXPECT_EQ(body.at("tags").at("nationality"), nationality);
  EXPECT_EQ(body.at("detail").at("period"), last.period);

  const auto mails = sink.messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].envelope_to, "analyst@ministry.example");
  EXPECT_NE(mails[0].text.find("Central Mediterranean"), std::string::npos);
  EXPECT_NE(mails[0].text.find(nationality), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Db, DeliveryTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::monitor::testing
