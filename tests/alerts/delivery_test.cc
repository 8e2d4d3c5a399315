// Delivery to real receivers on loopback: signed webhooks with retries and dead letters, e-mail
// through an SMTP server (aiosmtpd), the daily digest, and the background loop.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "alerts/alerts.h"
#include "alerts/internal.h"
#include "fixture.h"
#include "receivers.h"

namespace ctis::alerts::testing {
namespace {

using store::Dialect;

constexpr const char* secret = "correct horse battery staple";

class DeliveryTest : public AlertsFixture {
 protected:
  DeliveryOptions delivery(unsigned short smtp_port = 0) {
    DeliveryOptions o;
    o.smtp_port = smtp_port;
    o.from_address = "alerts@ctis.example";
    o.smtp_timeout_ms = 5000;
    o.http_timeout_ms = 5000;
    o.backoff_base = 1000;
    o.backoff_cap = 4000;
    o.max_attempts = 4;
    o.email_of = [this](std::int64_t id) -> std::optional<std::string> {
      const auto u = p_->auth->find_user(id);
      if (!u || u->email.empty()) return std::nullopt;
      return u->email;
    };
    return o;
  }

  std::int64_t hook_to(const WebhookReceiver& receiver) {
    const auto w = alerts_->add_webhook(
        admin_, {"hub",
                 "http://127.0.0.1:" + std::to_string(receiver.port()) + "/ctis/alerts",
                 secret,
                 {}});
    NewSubscription s;
    s.channel = "webhook";
    s.webhook_id = w.id;
    alerts_->subscribe(admin_, s);
    return w.id;
  }

  std::string outbox_status(std::int64_t id) {
    return p_->db->connection()
        ->query_one("SELECT status FROM alert_outbox WHERE id = ?", {id})
        ->text(0);
  }

  // The newest outbox item, of one channel or any.
  std::int64_t only_outbox_id(const std::string& channel = "") {
    return p_->db->connection()
        ->query_one("SELECT MAX(id) FROM alert_outbox WHERE channel = ? OR ? = ''",
                    {channel, channel})
        ->integer(0);
  }
};

TEST_P(DeliveryTest, WebhookIsSignedAndDeliveredOnceAlsoByTheLoop) {
  WebhookReceiver receiver;
  hook_to(receiver);
  const auto id = *alerts_->raise(surge());
  Dispatcher d(*p_->db, p_->keys, *p_->audit, delivery());
  const auto report = d.deliver_due(t0 + 5);
  EXPECT_EQ(report.delivered, 1);
  const auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/ctis/alerts");
  EXPECT_EQ(got[0].timestamp, std::to_string((t0 + 5) / 1000));
  EXPECT_EQ(got[0].signature, expected_signature(secret, got[0].timestamp, got[0].body));
  EXPECT_NE(got[0].signature,
            expected_signature("another secret!!", got[0].timestamp, got[0].body));
  const auto body = nlohmann::json::parse(got[0].body);
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["title"], "Arrivals above the expected range");
  EXPECT_EQ(body["tags"]["corridor"], "central_mediterranean");
  EXPECT_EQ(body["detail"]["observed"], 412);
  EXPECT_EQ(body["raised_at"], "2026-11-29T10:00:00.000Z");
  EXPECT_EQ(outbox_status(only_outbox_id()), "delivered");
  EXPECT_EQ(d.deliver_due(t0 + 60'000).delivered, 0);
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(webhook_signature(secret, got[0].timestamp, got[0].body), got[0].signature);

  // The background loop delivers without being asked.
  {
    auto options = delivery();
    options.poll_interval_ms = 20;
    Dispatcher looping(*p_->db, p_->keys, *p_->audit, options);
    looping.start();
    now_ = now_millis();
    alerts_->raise(surge());
    for (int i = 0; i < 250 && receiver.requests().size() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    looping.stop();
    EXPECT_EQ(receiver.requests().size(), 2u);
  }
}

TEST_P(DeliveryTest, HttpsWebhookChecksTheCertificate) {
  // A self-signed certificate for 127.0.0.1, made for this test.
  const auto dir = p_->test_db.dir();
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const std::string make_cert =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=receiver -addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(make_cert.c_str()), 0) << "the openssl command is needed: " << make_cert;
  WebhookReceiver receiver(cert, key);
  alerts_->add_webhook(
      admin_,
      {"tls hub", "https://127.0.0.1:" + std::to_string(receiver.port()) + "/in", secret, {}});
  NewSubscription s;
  s.channel = "webhook";
  s.webhook_id = alerts_->webhooks(admin_).front().id;
  alerts_->subscribe(admin_, s);
  alerts_->raise(surge());

  // Not signed by a trusted authority: refused, and retried later.
  Dispatcher untrusting(*p_->db, p_->keys, *p_->audit, delivery());
  EXPECT_EQ(untrusting.deliver_due(t0).retried, 1);
  EXPECT_NE(untrusting.find_item(only_outbox_id())->last_error.find("certificate"),
            std::string::npos)
      << untrusting.find_item(only_outbox_id())->last_error;
  EXPECT_TRUE(receiver.requests().empty());

  auto options = delivery();
  options.tls_ca_file = cert;
  Dispatcher trusting(*p_->db, p_->keys, *p_->audit, options);
  EXPECT_EQ(trusting.deliver_due(t0 + 1000).delivered, 1);
  const auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "/in");
  EXPECT_EQ(got[0].signature, expected_signature(secret, got[0].timestamp, got[0].body));
}

TEST_P(DeliveryTest, FailingWebhookBacksOffThenDeadLettersAndRetries) {
  WebhookReceiver receiver;
  receiver.answer(500);
  hook_to(receiver);
  alerts_->raise(surge("critical"));
  const auto item = only_outbox_id();
  Dispatcher d(*p_->db, p_->keys, *p_->audit, delivery());

  EXPECT_EQ(d.deliver_due(t0).retried, 1);  // attempt 1 fails: next in 1 s
  EXPECT_EQ(d.find_item(item)->next_attempt_at, t0 + 1000);
  EXPECT_EQ(d.find_item(item)->last_error, "HTTP status 500");
  EXPECT_EQ(d.deliver_due(t0 + 999).retried, 0);   // not yet due
  EXPECT_EQ(d.deliver_due(t0 + 1000).retried, 1);  // attempt 2: next in 2 s
  EXPECT_EQ(d.find_item(item)->next_attempt_at, t0 + 3000);
  EXPECT_EQ(d.deliver_due(t0 + 3000).retried, 1);  // attempt 3: next in 4 s (the cap)
  EXPECT_EQ(d.find_item(item)->next_attempt_at, t0 + 7000);
  EXPECT_EQ(d.deliver_due(t0 + 7000).dead, 1);  // attempt 4 of 4
  EXPECT_EQ(receiver.requests().size(), 4u);
  EXPECT_EQ(d.deliver_due(t0 + 100'000).retried + d.deliver_due(t0 + 100'000).dead, 0);

  const auto dead = d.dead_letters(admin_);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, item);
  EXPECT_EQ(dead[0].attempts, 4);
  EXPECT_EQ(dead[0].last_error, "HTTP status 500");
  EXPECT_THROW(d.dead_letters(worker_), Error);

  receiver.answer(204);
  d.retry_dead(admin_, item, t0 + 200'000);
  EXPECT_EQ(d.deliver_due(t0 + 200'000).delivered, 1);
  EXPECT_EQ(outbox_status(item), "delivered");
  EXPECT_TRUE(d.dead_letters(admin_).empty());
  try {
    d.retry_dead(admin_, item, t0 + 300'000);
    ADD_FAILURE() << "a delivered item is not retried";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
  }
  bool audited_dead = false;
  for (const auto& e : p_->audit->list(0, 100, "alert_outbox:" + std::to_string(item))) {
    audited_dead = audited_dead || e.action == "alert.dead_letter";
  }
  EXPECT_TRUE(audited_dead);
}

TEST_P(DeliveryTest, EmailGoesThroughSmtpWithDotStuffing) {
  SmtpSink sink(p_->test_db.dir());
  sub(worker_, worker_.user_id, "", "email");
  sub(outsider_, outsider_.user_id, "", "email");  // has no e-mail address
  auto a = surge("critical");
  a.summary = "First line.\n.hidden line starts with a dot\n.\nlast line";
  const auto id = *alerts_->raise(a);
  Dispatcher d(*p_->db, p_->keys, *p_->audit, delivery(sink.port()));
  const auto report = d.deliver_due(t0);
  EXPECT_EQ(report.delivered, 1);
  EXPECT_EQ(report.dead, 1);  // no address: no retry can help
  const auto dead = d.dead_letters(admin_);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].last_error.find("no e-mail address"), std::string::npos);

  const auto mails = sink.messages();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].envelope_from, "alerts@ctis.example");
  EXPECT_EQ(mails[0].envelope_to, "worker@ministry.example");
  const auto& text = mails[0].text;
  EXPECT_NE(text.find("From: <alerts@ctis.example>\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: <worker@ministry.example>\r\n"), std::string::npos);
  EXPECT_NE(text.find("Subject: [CTIS critical] Arrivals above the expected range\r\n"),
            std::string::npos);
  // The server removed the stuffing again: the lines arrive exactly as written.
  EXPECT_NE(text.find("\r\nFirst line.\r\n.hidden line starts with a dot\r\n.\r\nlast line\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Alert " + std::to_string(id) + ": acknowledge it in CTIS."),
            std::string::npos);
}

TEST_P(DeliveryTest, TimeoutsAndUnreachableServersAreRetried) {
  {  // A receiver that never answers.
    WebhookReceiver receiver;
    receiver.answer(0);
    hook_to(receiver);
    alerts_->raise(surge());
    auto options = delivery();
    options.http_timeout_ms = 300;
    Dispatcher d(*p_->db, p_->keys, *p_->audit, options);
    EXPECT_EQ(d.deliver_due(t0).retried, 1);
    EXPECT_NE(d.find_item(only_outbox_id())->last_error.find("timed out"), std::string::npos);
  }
  {  // No SMTP server (nor webhook receiver any more); the error kept does not name the address.
    sub(worker_, worker_.user_id, "", "email");
    alerts_->raise(surge());
    Dispatcher d(*p_->db, p_->keys, *p_->audit, delivery(free_port()));
    EXPECT_EQ(d.deliver_due(t0).retried, 2);
    const auto error = d.find_item(only_outbox_id("email"))->last_error;
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(error.find("worker@"), std::string::npos);
  }
}

TEST_P(DeliveryTest, DigestIsSentOncePerUserAndDay) {
  SmtpSink sink(p_->test_db.dir());
  sub(worker_, worker_.user_id, "", "digest");
  sub(analyst_, analyst_.user_id, "", "digest", "critical");
  alerts_->raise(surge("warning"));
  now_ += 60'000;
  alerts_->raise(surge("critical"));
  now_ += 60'000;
  auto other = surge("info");
  other.title = "Weekly figures published";
  alerts_->raise(other);
  now_ = t0 + 24 * 3600'000LL;  // the next day
  alerts_->raise(surge("critical"));

  Dispatcher d(*p_->db, p_->keys, *p_->audit, delivery(sink.port()));
  EXPECT_EQ(d.send_digests("2026-11-29", now_), 2);
  auto mails = sink.messages();
  ASSERT_EQ(mails.size(), 2u);
  std::map<std::string, std::string> by_recipient;
  for (const auto& m : mails) by_recipient[m.envelope_to] = m.text;
  const auto& worker_mail = by_recipient["worker@ministry.example"];
  EXPECT_NE(worker_mail.find("Subject: [CTIS] Alerts of 2026-11-29: 3\r\n"), std::string::npos);
  EXPECT_NE(worker_mail.find("10:02 [info] Weekly figures published"), std::string::npos);
  EXPECT_NE(by_recipient["analyst@ministry.example"].find("Alerts of 2026-11-29: 1\r\n"),
            std::string::npos);

  // Twice, or after a restart: nothing more.
  EXPECT_EQ(d.send_digests("2026-11-29", now_ + 1000), 0);
  Dispatcher restarted(*p_->db, p_->keys, *p_->audit, delivery(sink.port()));
  EXPECT_EQ(restarted.send_digests("2026-11-29", now_ + 2000), 0);
  EXPECT_EQ(sink.messages().size(), 2u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM alert_digests"), 2);

  EXPECT_EQ(d.send_digests("2026-11-30", now_), 2);
  EXPECT_EQ(sink.messages().size(), 4u);
  try {
    d.send_digests("2026-13-01", now_);
    ADD_FAILURE() << "a bad day is refused";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/day");
  }
}

TEST(SmtpData, DotStuffsAndEncodesWhatNeedsIt) {
  const detail::Mail mail{"a@x.example", "b@y.example", "Hello", "one\n.two\n.\nthree"};
  const auto data = detail::smtp_data(mail, t0);
  EXPECT_NE(data.find("\r\n\r\none\r\n..two\r\n..\r\nthree\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("Date: Sun, 29 Nov 2026 10:00:00 +0000\r\n"), std::string::npos);
  const detail::Mail accented{"a@x.example", "b@y.example", "Alerte: arrivées", "élevé\n.x"};
  const auto encoded = detail::smtp_data(accented, t0);
  EXPECT_NE(encoded.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(encoded.find("Content-Transfer-Encoding: base64"), std::string::npos);
  EXPECT_EQ(encoded.find("\r\n."), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Db, DeliveryTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::alerts::testing
