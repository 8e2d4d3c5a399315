// alerts: the one way CTIS tells people that something needs attention.
//
// A module (routes, finance, cases) raises an alert through the small Raiser interface. Raising
// stores the alert, matches it against subscriptions (per user or per role; filtered by source,
// kind, minimum severity and tags), puts it in each matching user's in-app inbox, and queues the
// deliveries that leave the program (e-mail, signed webhook, daily digest) in an outbox — all in
// one transaction with its audit entry. A dedup key suppresses repeats while the first alert is
// open (Options::dedup_window); a repeat only bumps the first alert's repeat count.
//
// The Dispatcher empties the outbox: webhooks are POSTed with an HMAC-SHA-256 signature over
// "<timestamp>.<body>" (https verifies the server's certificate), e-mails go over SMTP; a failure
// is retried with exponential backoff and dead-lettered after max_attempts, keeping the last error.
// Digests are queued once per (user, day) in a digest log, so a second call or a restart never
// sends a second one. Network delivery is at-least-once: a crash between the receiver's answer and
// the outbox update repeats that one delivery.
//
// Alerts carry no personal data: a record identifier ("case:12") at most; reading an alert that
// names a case is audited. Alert rules for the route monitor are stored and validated here and
// evaluated elsewhere.
//
// Ownership: Alerts and Dispatcher keep references to the database and audit log, which must
// outlive them. Threads: Alerts and Dispatcher are thread-safe. Errors: ctis::Error — bad input is
// kind invalid naming its field (nothing is written), refusals kind forbidden, unknown ids kind
// not_found.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "auth/auth.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::alerts {

struct NewAlert {
  std::string source;                                // raising module: "routes", "finance", "cases"
  std::string kind;                                  // "surge", "red_flag", ...
  std::string severity;                              // info | warning | critical
  std::string title;                                 // one line
  std::string summary;                               // a few lines
  nlohmann::json detail = nlohmann::json::object();  // figures, never personal data
  std::map<std::string, std::string> tags;           // "corridor" -> "central_mediterranean", ...
  std::string record;                                // "case:12" when about one record, else ""
  // When set, only users of this organisation (and its webhooks) receive the alert.
  std::optional<std::int64_t> organisation_id;
  std::string dedup_key;  // same key while the first is open -> no second alert
};

// The one interface other modules depend on. Returns the new alert's id, or nullopt when the
// dedup key suppressed it.
class Raiser {
 public:
  virtual ~Raiser() = default;
  virtual std::optional<std::int64_t> raise(const NewAlert& alert) = 0;
};

struct Alert {
  std::int64_t id = 0;
  std::string source, kind, severity, title, summary;
  nlohmann::json detail;
  std::map<std::string, std::string> tags;
  std::string record;
  std::optional<std::int64_t> organisation_id;
  std::int64_t repeats = 0;  // suppressed repeats of its dedup key
  Millis raised_at = 0;
};

struct InboxItem {
  Alert alert;
  Millis delivered_at = 0;
  std::optional<Millis> acknowledged_at;
  std::string note;
};

struct NewSubscription {
  // Exactly one of user_id and role, except for webhooks, which name neither. People subscribe
  // themselves; coordinators subscribe people and roles of their own organisation (a role
  // subscription is then limited to it); administrators anyone, and alone connect webhooks.
  std::optional<std::int64_t> user_id;
  std::string role;                             // "coordinator", ...
  std::optional<std::int64_t> organisation_id;  // role subscriptions: only this organisation
  std::string channel;                          // app | email | webhook | digest
  std::optional<std::int64_t> webhook_id;       // webhook channel only
  std::string source;                           // "" = any
  std::string kind;                             // "" = any
  std::string min_severity = "info";
  // Every key listed must be among the alert's tags with one of the listed values.
  std::map<std::string, std::vector<std::string>> tags;
};

struct Subscription : NewSubscription {
  std::int64_t id = 0;
  Millis created_at = 0;
};

struct NewWebhook {
  std::string name;
  std::string url;     // http://host[:port]/path or https://...
  std::string secret;  // >= 16 characters; encrypted at rest
  std::optional<std::int64_t> organisation_id;
};

struct Webhook {
  std::int64_t id = 0;
  std::string name, url;
  std::optional<std::int64_t> organisation_id;
  bool enabled = true;
};

// A route-monitor rule, evaluated elsewhere.
struct AlertRule {
  std::int64_t id = 0;
  std::string name;
  std::string source = "routes";
  std::vector<std::string> corridors;      // corridor ids (routes catalogue); empty = all
  std::vector<std::string> nationalities;  // ISO 3166 alpha-3; empty = all
  std::string method;  // ears_c1 | ears_c2 | ears_c3 | farrington | noufaily | cusum
  nlohmann::json parameters = nlohmann::json::object();  // per method, numbers
  std::int64_t min_count = 0;                            // no alert below this count
  std::string severity = "warning";
  bool enabled = true;
};

struct Options {
  Millis dedup_window = 24LL * 3600 * 1000;
  std::function<Millis()> clock = now_millis;
};

class Alerts : public Raiser {
 public:
  Alerts(store::Database& db, std::shared_ptr<const vault::Keyring> keys, audit::AuditLog& audit,
         Options options = {});

  std::optional<std::int64_t> raise(const NewAlert& alert) override;

  Subscription subscribe(const auth::Principal& by, const NewSubscription& subscription);
  // The subscriptions that reach the caller (administrators: all).
  std::vector<Subscription> subscriptions(const auth::Principal& by);
  void unsubscribe(const auth::Principal& by, std::int64_t id);

  Webhook add_webhook(const auth::Principal& by, const NewWebhook& webhook);  // admins
  std::vector<Webhook> webhooks(const auth::Principal& by);
  // Re-encrypts the webhook secrets under the keyring's active key (`ctis keys rotate`), in the
  // caller's transaction; returns how many were rewritten.
  std::int64_t reencrypt(store::Connection& conn, const vault::Keyring& keys);

  // Newest first. Alerts that name a case are audited as read.
  std::vector<InboxItem> inbox(const auth::Principal& by, bool only_unacknowledged, int limit);
  InboxItem get(const auth::Principal& by, std::int64_t alert_id);
  void acknowledge(const auth::Principal& by, std::int64_t alert_id, const std::string& note);

  // Rules: admins, coordinators and analysts write; anyone signed in reads.
  AlertRule create_rule(const auth::Principal& by, const AlertRule& rule);
  AlertRule update_rule(const auth::Principal& by, std::int64_t id, const AlertRule& rule);
  void delete_rule(const auth::Principal& by, std::int64_t id);
  std::optional<AlertRule> find_rule(std::int64_t id);
  std::vector<AlertRule> rules_for(const std::string& source);  // enabled only

 private:
  store::Database& db_;
  std::shared_ptr<const vault::Keyring> keys_;
  audit::AuditLog& audit_;
  Options options_;
};

// --- Delivery ------------------------------------------------------------------------------

struct DeliveryOptions {
  std::string smtp_host = "127.0.0.1";
  unsigned short smtp_port = 25;
  std::string from_address = "ctis@localhost";
  std::string helo_name = "ctis.localhost";
  int smtp_timeout_ms = 10000;
  int http_timeout_ms = 10000;
  std::string tls_ca_file;         // PEM certificates trusted for https webhooks; "": the system's
  Millis backoff_base = 30'000;    // first retry after this, doubling
  Millis backoff_cap = 3'600'000;  // never wait longer than this
  int max_attempts = 8;            // dead-letter after this many failures
  int batch = 100;                 // items per deliver_due call
  int poll_interval_ms = 5000;     // background loop
  // User id -> e-mail address (nullopt: no address, the item is dead-lettered).
  std::function<std::optional<std::string>(std::int64_t)> email_of;
  std::function<Millis()> clock = now_millis;  // for the background loop
};

struct DeliveryReport {
  int delivered = 0;
  int retried = 0;  // failed, to be tried again
  int dead = 0;     // failed for the last time
};

struct OutboxItem {
  std::int64_t id = 0;
  std::string channel;  // email | webhook | digest
  std::optional<std::int64_t> alert_id, webhook_id, user_id;
  std::string digest_day;
  std::string status;  // pending | delivered | dead
  std::int64_t attempts = 0;
  Millis next_attempt_at = 0;
  std::string last_error;
};

class Dispatcher {
 public:
  Dispatcher(store::Database& db, std::shared_ptr<const vault::Keyring> keys,
             audit::AuditLog& audit, DeliveryOptions options);
  ~Dispatcher();  // stops the loop

  DeliveryReport deliver_due(Millis now);
  // Queues one digest per digest subscriber with alerts on `day` ("YYYY-MM-DD", UTC) unless
  // already queued, then delivers what is due. Returns the number newly queued.
  int send_digests(const std::string& day, Millis now);

  std::vector<OutboxItem> dead_letters(const auth::Principal& by);  // admins
  void retry_dead(const auth::Principal& by, std::int64_t outbox_id, Millis now);
  std::optional<OutboxItem> find_item(std::int64_t outbox_id);

  void start();  // a thread calling deliver_due every poll_interval_ms
  void stop();

 private:
  void deliver(const OutboxItem& item, Millis now, DeliveryReport& report);
  void send_webhook(const OutboxItem& item, Millis now);
  void send_email(const OutboxItem& item);
  void send_digest(const OutboxItem& item);

  store::Database& db_;
  std::shared_ptr<const vault::Keyring> keys_;
  audit::AuditLog& audit_;
  DeliveryOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread loop_;
};

// The signature a webhook receiver checks: "sha256=" + hex HMAC-SHA-256(secret,
// timestamp + "." + body).
std::string webhook_signature(const std::string& secret, const std::string& timestamp,
                              const std::string& body);

}  // namespace ctis::alerts
