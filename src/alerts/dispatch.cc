// The Dispatcher: empties the outbox (webhooks, e-mails, digests) with retries and backoff,
// dead-letters what keeps failing, queues daily digests once, and runs as a background loop.
#include <algorithm>

#include "alerts/alerts.h"
#include "alerts/internal.h"

namespace ctis::alerts {

using store::Connection;

namespace {

constexpr Millis day_ms = 24LL * 3600 * 1000;

// A failure that no retry can fix (no address, endpoint removed).
struct Permanent : std::runtime_error {
  using std::runtime_error::runtime_error;
};

audit::Entry system_entry(std::string action, std::string record, std::string outcome,
                          std::string detail_text) {
  audit::Entry e;
  e.actor = "system:alerts";
  e.role = "system";
  e.action = std::move(action);
  e.record = std::move(record);
  e.outcome = std::move(outcome);
  e.detail = std::move(detail_text);
  return e;
}

constexpr const char* item_columns =
    "id, channel, alert_id, webhook_id, user_id, digest_day, status, attempts, next_attempt_at, "
    "last_error";

OutboxItem read_item(const store::Row& r) {
  OutboxItem i;
  i.id = r.integer(0);
  i.channel = r.text(1);
  i.alert_id = r.opt_integer(2);
  i.webhook_id = r.opt_integer(3);
  i.user_id = r.opt_integer(4);
  i.digest_day = r.opt_text(5).value_or("");
  i.status = r.text(6);
  i.attempts = r.integer(7);
  i.next_attempt_at = r.integer(8);
  i.last_error = r.text(9);
  return i;
}

void require_admin(const auth::Principal& by) {
  if (by.role != auth::Role::admin) {
    throw Error(ErrorKind::forbidden, "forbidden", "only administrators manage deliveries");
  }
}

// Replaces every occurrence of `secret` (an e-mail address) in an error text.
std::string scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (std::size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos;) {
    text.replace(pos, secret.size(), "<recipient>");
  }
  return text.substr(0, 300);
}

}  // namespace

Dispatcher::Dispatcher(store::Database& db, std::shared_ptr<const vault::Keyring> keys,
                       audit::AuditLog& audit, DeliveryOptions options)
    : db_(db), keys_(std::move(keys)), audit_(audit), options_(std::move(options)) {
  if (options_.max_attempts < 1) fail_invalid("max_attempts", "max_attempts must be at least 1");
  if (options_.backoff_base < 1 || options_.backoff_cap < options_.backoff_base) {
    fail_invalid("backoff_base", "backoff_base must be positive and at most backoff_cap");
  }
}

Dispatcher::~Dispatcher() { stop(); }

DeliveryReport Dispatcher::deliver_due(Millis now) {
  DeliveryReport report;
  std::vector<OutboxItem> due;
  {
    auto conn = db_.connection();
    for (const auto& r :
         conn->query(std::string("SELECT ") + item_columns +
                         " FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                         "ORDER BY next_attempt_at, id LIMIT ?",
                     {now, std::int64_t{options_.batch}})) {
      due.push_back(read_item(r));
    }
  }
  // Claiming moves next_attempt_at past the attempt, so a second dispatcher (another thread or
  // node) skips the item, and a crash mid-attempt leaves it to be tried again later.
  const Millis lease = 2LL * std::max(options_.http_timeout_ms, options_.smtp_timeout_ms) + 60'000;
  for (const auto& item : due) {
    bool claimed = false;
    db_.transaction([&](Connection& c) {
      claimed = c.execute(
                    "UPDATE alert_outbox SET next_attempt_at = ? WHERE id = ? AND "
                    "status = 'pending' AND next_attempt_at = ?",
                    {now + lease, item.id, item.next_attempt_at}) == 1;
    });
    if (claimed) deliver(item, now, report);
  }
  return report;
}

void Dispatcher::deliver(const OutboxItem& item, Millis now, DeliveryReport& report) {
  std::string error;
  bool permanent = false;
  try {
    if (item.channel == "webhook") {
      send_webhook(item, now);
    } else if (item.channel == "email") {
      send_email(item);
    } else {
      send_digest(item);
    }
  } catch (const Permanent& e) {
    error = e.what();
    permanent = true;
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "failed";
  }
  const std::string record = "alert_outbox:" + std::to_string(item.id);
  const std::int64_t attempts = item.attempts + 1;
  db_.transaction([&](Connection& c) {
    if (error.empty()) {
      c.execute(
          "UPDATE alert_outbox SET status = 'delivered', attempts = ?, delivered_at = ?, "
          "last_error = '' WHERE id = ?",
          {attempts, now, item.id});
      audit_.append(c, system_entry("alert.deliver", record, "ok", item.channel));
    } else if (permanent || attempts >= options_.max_attempts) {
      c.execute(
          "UPDATE alert_outbox SET status = 'dead', attempts = ?, last_error = ? WHERE id = ?",
          {attempts, error, item.id});
      audit_.append(
          c, system_entry("alert.dead_letter", record, "failed",
                          item.channel + " after " + std::to_string(attempts) + " attempts"));
    } else {
      // Exponential backoff: base, 2 base, 4 base ... never more than the cap.
      Millis delay = options_.backoff_base;
      for (std::int64_t i = 1; i < attempts && delay < options_.backoff_cap; ++i) delay *= 2;
      delay = std::min(delay, options_.backoff_cap);
      c.execute(
          "UPDATE alert_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? "
          "WHERE id = ?",
          {attempts, now + delay, error, item.id});
      audit_.append(c, system_entry("alert.deliver", record, "failed",
                                    item.channel + " attempt " + std::to_string(attempts)));
    }
  });
  if (error.empty()) {
    ++report.delivered;
  } else if (permanent || attempts >= options_.max_attempts) {
    ++report.dead;
  } else {
    ++report.retried;
  }
}

namespace {

Alert load_alert(store::Database& db, std::int64_t id) {
  auto conn = db.connection();
  const auto r = conn->query_one(
      std::string("SELECT ") + detail::alert_columns + " FROM alerts WHERE id = ?", {id});
  if (!r) throw Permanent("alert " + std::to_string(id) + " is gone");
  return detail::read_alert(*r);
}

std::string alert_text(const Alert& a) {
  std::string body = a.title + "\n\n";
  if (!a.summary.empty()) body += a.summary + "\n\n";
  body += "Severity: " + a.severity + "\n";
  body += "Source: " + a.source + " / " + a.kind + "\n";
  body += "Raised: " + format_iso8601(a.raised_at) + "\n";
  if (!a.tags.empty()) {
    std::string tags;
    for (const auto& [k, v] : a.tags) tags += (tags.empty() ? "" : ", ") + k + "=" + v;
    body += "Tags: " + tags + "\n";
  }
  if (!a.record.empty()) body += "Record: " + a.record + "\n";
  body += "\nAlert " + std::to_string(a.id) + ": acknowledge it in CTIS.\n";
  return body;
}

}  // namespace

void Dispatcher::send_webhook(const OutboxItem& item, Millis now) {
  std::string url;
  store::Blob secret_enc;
  {
    auto conn = db_.connection();
    const auto w =
        conn->query_one("SELECT url, secret_enc, enabled FROM alert_webhooks WHERE id = ?",
                        {item.webhook_id.value_or(0)});
    if (!w) throw Permanent("webhook is gone");
    if (w->integer(2) == 0) throw Permanent("webhook is disabled");
    url = w->text(0);
    secret_enc = w->blob(1);
  }
  const auto target = detail::parse_url(url, "url");
  const std::string secret = keys_->decrypt(secret_enc, "alert_webhooks.secret");
  const std::string body = detail::alert_json(load_alert(db_, item.alert_id.value_or(0))).dump();
  const std::string timestamp = std::to_string(now / 1000);
  const int status =
      detail::http_post(target, body,
                        {{"X-CTIS-Timestamp", timestamp},
                         {"X-CTIS-Signature", webhook_signature(secret, timestamp, body)},
                         {"X-CTIS-Delivery", std::to_string(item.id)}},
                        options_.http_timeout_ms, options_.tls_ca_file);
  if (status < 200 || status > 299) {
    throw std::runtime_error("HTTP status " + std::to_string(status));
  }
}

namespace {

std::string address_of(const DeliveryOptions& options, std::optional<std::int64_t> user) {
  if (!user) throw Permanent("no recipient");
  const auto address = options.email_of ? options.email_of(*user) : std::nullopt;
  if (!address || address->empty()) {
    throw Permanent("user " + std::to_string(*user) + " has no e-mail address");
  }
  return *address;
}

}  // namespace

void Dispatcher::send_email(const OutboxItem& item) {
  const Alert a = load_alert(db_, item.alert_id.value_or(0));
  const std::string to = address_of(options_, item.user_id);
  detail::Mail mail{options_.from_address, to, "[CTIS " + a.severity + "] " + a.title,
                    alert_text(a)};
  try {
    detail::smtp_send(options_.smtp_host, options_.smtp_port, options_.helo_name, mail,
                      options_.smtp_timeout_ms);
  } catch (const std::exception& e) {
    throw std::runtime_error(scrub(e.what(), to));
  }
}

void Dispatcher::send_digest(const OutboxItem& item) {
  const std::string to = address_of(options_, item.user_id);
  std::vector<Alert> alerts;
  {
    auto conn = db_.connection();
    std::string cols;
    for (std::string_view rest = detail::alert_columns; !rest.empty();) {
      const auto comma = rest.find(", ");
      cols += "a." + std::string(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      cols += ", ";
      rest.remove_prefix(comma + 2);
    }
    for (const auto& r :
         conn->query("SELECT " + cols +
                         " FROM alert_digest_items d JOIN alerts a ON a.id = d.alert_id "
                         "WHERE d.user_id = ? AND d.day = ? ORDER BY a.raised_at, a.id",
                     {*item.user_id, item.digest_day})) {
      alerts.push_back(detail::read_alert(r));
    }
  }
  std::string body =
      "Alerts of " + item.digest_day + " (UTC): " + std::to_string(alerts.size()) + "\n\n";
  for (const auto& a : alerts) {
    body += "- " + format_iso8601(a.raised_at).substr(11, 5) + " [" + a.severity + "] " + a.title +
            " (" + a.source + "/" + a.kind + ", alert " + std::to_string(a.id) + ")\n";
  }
  detail::Mail mail{options_.from_address, to,
                    "[CTIS] Alerts of " + item.digest_day + ": " + std::to_string(alerts.size()),
                    body};
  try {
    detail::smtp_send(options_.smtp_host, options_.smtp_port, options_.helo_name, mail,
                      options_.smtp_timeout_ms);
  } catch (const std::exception& e) {
    throw std::runtime_error(scrub(e.what(), to));
  }
}

int Dispatcher::send_digests(const std::string& day, Millis now) {
  detail::day_start(day);  // validates
  std::vector<std::pair<std::int64_t, std::int64_t>> users;
  {
    auto conn = db_.connection();
    for (const auto& r : conn->query(
             "SELECT user_id, COUNT(*) FROM alert_digest_items WHERE day = ? GROUP BY user_id "
             "ORDER BY user_id",
             {day})) {
      users.emplace_back(r.integer(0), r.integer(1));
    }
  }
  int queued = 0;
  for (const auto& pair : users) {
    const std::int64_t user = pair.first, count = pair.second;
    bool fresh = false;
    // The digest log row and the outbox item commit together: once per (user, day), ever.
    db_.transaction([&](Connection& c) {
      fresh = !c.query(
                    "INSERT INTO alert_digests (user_id, day, alert_count, queued_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (user_id, day) DO NOTHING RETURNING user_id",
                    {user, day, count, now})
                   .empty();
      if (!fresh) return;
      c.execute(
          "INSERT INTO alert_outbox (channel, user_id, digest_day, status, next_attempt_at, "
          "created_at) VALUES ('digest', ?, ?, 'pending', ?, ?)",
          {user, day, now, now});
      audit_.append(c, system_entry("alert.digest", "user:" + std::to_string(user), "ok",
                                    day + ": " + std::to_string(count) + " alerts"));
    });
    if (fresh) ++queued;
  }
  deliver_due(now);
  return queued;
}

std::vector<OutboxItem> Dispatcher::dead_letters(const auth::Principal& by) {
  require_admin(by);
  auto conn = db_.connection();
  std::vector<OutboxItem> out;
  for (const auto& r : conn->query(std::string("SELECT ") + item_columns +
                                   " FROM alert_outbox WHERE status = 'dead' ORDER BY id")) {
    out.push_back(read_item(r));
  }
  return out;
}

void Dispatcher::retry_dead(const auth::Principal& by, std::int64_t outbox_id, Millis now) {
  require_admin(by);
  db_.transaction([&](Connection& c) {
    const auto r = c.query_one("SELECT status FROM alert_outbox WHERE id = ?", {outbox_id});
    if (!r) {
      throw Error(ErrorKind::not_found, "not_found", "no delivery " + std::to_string(outbox_id));
    }
    if (r->text(0) != "dead") {
      throw Error(
          ErrorKind::conflict, "not_dead",
          "delivery " + std::to_string(outbox_id) + " is " + r->text(0) + ", not dead-lettered");
    }
    c.execute(
        "UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? "
        "WHERE id = ?",
        {now, outbox_id});
    audit_.append(c, by.audit("alert.retry", "alert_outbox:" + std::to_string(outbox_id)));
  });
}

std::optional<OutboxItem> Dispatcher::find_item(std::int64_t outbox_id) {
  auto conn = db_.connection();
  const auto r = conn->query_one(
      std::string("SELECT ") + item_columns + " FROM alert_outbox WHERE id = ?", {outbox_id});
  if (!r) return std::nullopt;
  return read_item(*r);
}

void Dispatcher::start() {
  std::lock_guard lock(mutex_);
  if (loop_.joinable()) return;
  stopping_ = false;
  loop_ = std::thread([this] {
    std::unique_lock guard(mutex_);
    while (!stopping_) {
      guard.unlock();
      try {
        // Yesterday's digests (queued once, whenever the loop first sees the new day), then
        // whatever else is due.
        const Millis now = options_.clock();
        send_digests(detail::day_of(now - day_ms), now);
      } catch (const std::exception& e) {
        log_warn(std::string("alerts: delivery round failed: ") + e.what());
      }
      guard.lock();
      wake_.wait_for(guard, std::chrono::milliseconds(options_.poll_interval_ms),
                     [this] { return stopping_; });
    }
  });
}

void Dispatcher::stop() {
  std::thread loop;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    loop = std::move(loop_);
  }
  wake_.notify_all();
  if (loop.joinable()) loop.join();
}

}  // namespace ctis::alerts
