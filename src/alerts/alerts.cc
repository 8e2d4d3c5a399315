// Raising, subscriptions, webhook endpoints and the in-app inbox.
#include "alerts/alerts.h"

#include <algorithm>
#include <set>

#include "alerts/internal.h"

namespace ctis::alerts {

using auth::Role;
using nlohmann::json;
using store::Connection;
using store::Value;

namespace {

void require_staff(const auth::Principal& by) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
}

[[noreturn]] void forbid(const std::string& why) {
  throw Error(ErrorKind::forbidden, "forbidden", why);
}

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

void validate(const NewAlert& a) {
  if (!detail::is_identifier(a.source)) {
    fail_invalid("/source", "source must be 1..64 of [a-z0-9_.-], e.g. \"routes\"");
  }
  if (!detail::is_identifier(a.kind)) {
    fail_invalid("/kind", "kind must be 1..64 of [a-z0-9_.-], e.g. \"surge\"");
  }
  if (detail::severity_rank(a.severity) < 0) {
    fail_invalid("/severity", "severity must be info, warning or critical, not \"" +
                                  a.severity.substr(0, 32) + "\"");
  }
  detail::check_text("/title", a.title, 200, true, true);
  detail::check_text("/summary", a.summary, 4000, false, false);
  if (!a.detail.is_object() && !a.detail.is_null()) {
    fail_invalid("/detail", "detail must be a JSON object");
  }
  for (const auto& [k, v] : a.tags) {
    if (!detail::is_identifier(k)) fail_invalid("/tags", "tag names are 1..64 of [a-z0-9_.-]");
    detail::check_text("/tags/" + k, v, 200, true, true);
  }
  if (!a.record.empty()) {
    const auto colon = a.record.find(':');
    const bool ok = colon != std::string::npos && colon > 0 &&
                    detail::is_identifier(a.record.substr(0, colon)) &&
                    colon + 1 < a.record.size() &&
                    a.record.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    if (!ok) fail_invalid("/record", "record must look like \"case:12\"");
  }
  detail::check_text("/dedup_key", a.dedup_key, 200, false, true);
}

using TagFilter = std::map<std::string, std::vector<std::string>>;

constexpr const char* subscription_columns =
    "id, user_id, role, organisation_id, channel, webhook_id, source, kind, min_severity, tags, "
    "created_at";

Subscription read_subscription(const store::Row& r) {
  Subscription s;
  s.id = r.integer(0);
  s.user_id = r.opt_integer(1);
  s.role = r.opt_text(2).value_or("");
  s.organisation_id = r.opt_integer(3);
  s.channel = r.text(4);
  s.webhook_id = r.opt_integer(5);
  s.source = r.text(6);
  s.kind = r.text(7);
  s.min_severity = r.text(8);
  s.tags = json::parse(r.text(9)).get<TagFilter>();
  s.created_at = r.integer(10);
  return s;
}

bool matches(const Subscription& s, const NewAlert& a) {
  if (!s.source.empty() && s.source != a.source) return false;
  if (!s.kind.empty() && s.kind != a.kind) return false;
  if (detail::severity_rank(a.severity) < detail::severity_rank(s.min_severity)) return false;
  for (const auto& [key, values] : s.tags) {
    const auto it = a.tags.find(key);
    if (it == a.tags.end()) return false;
    if (std::find(values.begin(), values.end(), it->second) == values.end()) return false;
  }
  return true;
}

struct Recipient {
  std::int64_t id;
  std::int64_t organisation_id;
};

// The enabled users a person's or role's subscription reaches.
std::vector<Recipient> recipients(Connection& c, const Subscription& s) {
  std::vector<store::Row> rows;
  if (s.user_id) {
    rows = c.query("SELECT id, organisation_id FROM users WHERE id = ? AND disabled = 0",
                   {*s.user_id});
  } else {
    rows =
        c.query("SELECT id, organisation_id FROM users WHERE role = ? AND disabled = 0", {s.role});
  }
  std::vector<Recipient> out;
  for (const auto& r : rows) {
    if (s.organisation_id && *s.organisation_id != r.integer(1)) continue;
    out.push_back({r.integer(0), r.integer(1)});
  }
  return out;
}

audit::Entry system_entry(const std::string& source, std::string action, std::string record,
                          std::string detail_text) {
  audit::Entry e;
  e.actor = "system:" + source;
  e.role = "system";
  e.action = std::move(action);
  e.record = std::move(record);
  e.detail = std::move(detail_text);
  return e;
}

}  // namespace

Alerts::Alerts(store::Database& db, std::shared_ptr<const vault::Keyring> keys,
               audit::AuditLog& audit, Options options)
    : db_(db), keys_(std::move(keys)), audit_(audit), options_(std::move(options)) {}

std::optional<std::int64_t> Alerts::raise(const NewAlert& a) {
  validate(a);
  const Millis now = options_.clock();
  const std::string detail_text = (a.detail.is_null() ? json::object() : a.detail).dump();
  const std::string tags_text = json(a.tags).dump();
  std::optional<std::int64_t> raised;
  db_.transaction([&](Connection& c) {
    raised.reset();
    if (!a.dedup_key.empty()) {
      // Claims the key unless an open alert holds it; concurrent raisers queue on the row.
      const auto claimed = c.query(
          "INSERT INTO alert_dedup (dedup_key, open_until) VALUES (?, ?) "
          "ON CONFLICT (dedup_key) DO UPDATE SET open_until = excluded.open_until, "
          "alert_id = NULL WHERE alert_dedup.open_until <= ? RETURNING dedup_key",
          {a.dedup_key, now + options_.dedup_window, now});
      if (claimed.empty()) {
        const auto first =
            c.query_one("SELECT alert_id FROM alert_dedup WHERE dedup_key = ?", {a.dedup_key});
        const auto first_id = first ? first->opt_integer(0) : std::nullopt;
        if (first_id) {
          c.execute("UPDATE alerts SET repeats = repeats + 1 WHERE id = ?", {*first_id});
        }
        audit_.append(c, system_entry(a.source, "alert.repeat",
                                      first_id ? "alert:" + std::to_string(*first_id) : "",
                                      "suppressed by dedup key"));
        return;
      }
    }
    const std::int64_t id =
        c.query_one(
             "INSERT INTO alerts (source, kind, severity, title, summary, detail, tags, record, "
             "organisation_id, dedup_key, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
             "RETURNING id",
             {a.source, a.kind, a.severity, a.title, a.summary, detail_text, tags_text, a.record,
              opt(a.organisation_id), a.dedup_key.empty() ? Value(nullptr) : Value(a.dedup_key),
              now})
            ->integer(0);
    if (!a.dedup_key.empty()) {
      c.execute("UPDATE alert_dedup SET alert_id = ? WHERE dedup_key = ?", {id, a.dedup_key});
    }

    std::set<std::int64_t> app, email, digest, hooks;
    for (const auto& r : c.query(std::string("SELECT ") + subscription_columns +
                                 " FROM alert_subscriptions ORDER BY id")) {
      const Subscription s = read_subscription(r);
      if (!matches(s, a)) continue;
      if (s.channel == "webhook") {
        hooks.insert(*s.webhook_id);
        continue;
      }
      auto& into = s.channel == "app" ? app : s.channel == "email" ? email : digest;
      for (const auto& u : recipients(c, s)) {
        if (a.organisation_id && *a.organisation_id != u.organisation_id) continue;
        into.insert(u.id);
      }
    }
    for (const auto user : app) {
      c.execute("INSERT INTO alert_inbox (alert_id, user_id, delivered_at) VALUES (?, ?, ?)",
                {id, user, now});
    }
    for (const auto user : email) {
      c.execute(
          "INSERT INTO alert_outbox (channel, alert_id, user_id, status, next_attempt_at, "
          "created_at) VALUES ('email', ?, ?, 'pending', ?, ?)",
          {id, user, now, now});
    }
    const std::string day = detail::day_of(now);
    for (const auto user : digest) {
      c.execute("INSERT INTO alert_digest_items (user_id, day, alert_id) VALUES (?, ?, ?)",
                {user, day, id});
    }
    for (const auto hook : hooks) {
      const auto w =
          c.query_one("SELECT enabled, organisation_id FROM alert_webhooks WHERE id = ?", {hook});
      if (!w || w->integer(0) == 0) continue;
      if (a.organisation_id && w->opt_integer(1) != a.organisation_id) continue;
      c.execute(
          "INSERT INTO alert_outbox (channel, alert_id, webhook_id, status, next_attempt_at, "
          "created_at) VALUES ('webhook', ?, ?, 'pending', ?, ?)",
          {id, hook, now, now});
    }
    audit_.append(c,
                  system_entry(a.source, "alert.raise", "alert:" + std::to_string(id),
                               a.kind + " " + a.severity + "; app " + std::to_string(app.size()) +
                                   ", email " + std::to_string(email.size()) + ", webhook " +
                                   std::to_string(hooks.size()) + ", digest " +
                                   std::to_string(digest.size())));
    raised = id;
  });
  return raised;
}

// --- Subscriptions -----------------------------------------------------------------------------

Subscription Alerts::subscribe(const auth::Principal& by, const NewSubscription& n) {
  require_staff(by);
  const bool admin = by.role == Role::admin;
  const bool coordinator = by.role == Role::coordinator;
  if (n.channel != "app" && n.channel != "email" && n.channel != "webhook" &&
      n.channel != "digest") {
    fail_invalid("/channel", "channel must be app, email, webhook or digest");
  }
  if (!n.source.empty() && !detail::is_identifier(n.source)) {
    fail_invalid("/source", "source must be empty (any) or 1..64 of [a-z0-9_.-]");
  }
  if (!n.kind.empty() && !detail::is_identifier(n.kind)) {
    fail_invalid("/kind", "kind must be empty (any) or 1..64 of [a-z0-9_.-]");
  }
  if (detail::severity_rank(n.min_severity) < 0) {
    fail_invalid("/min_severity", "min_severity must be info, warning or critical");
  }
  for (const auto& [k, values] : n.tags) {
    if (!detail::is_identifier(k)) fail_invalid("/tags", "tag names are 1..64 of [a-z0-9_.-]");
    if (values.empty()) fail_invalid("/tags/" + k, "list at least one value");
    for (const auto& v : values) detail::check_text("/tags/" + k, v, 200, true, true);
  }
  Subscription s;
  static_cast<NewSubscription&>(s) = n;
  if (n.channel == "webhook") {
    if (!admin) forbid("only administrators connect webhooks");
    if (!n.webhook_id) fail_invalid("/webhook_id", "a webhook subscription names its webhook");
    if (n.user_id || !n.role.empty()) {
      fail_invalid("/user_id", "a webhook subscription names no user or role");
    }
    s.organisation_id.reset();
  } else {
    if (n.webhook_id) fail_invalid("/webhook_id", "only webhook subscriptions name a webhook");
    if (n.user_id.has_value() == !n.role.empty()) {
      fail_invalid("/user_id", "name exactly one of user_id and role");
    }
    if (!n.role.empty()) {
      const auto role = auth::parse_role(n.role);
      if (!role) fail_invalid("/role", "unknown role \"" + n.role.substr(0, 32) + "\"");
      if (!admin && !coordinator) forbid("only coordinators and administrators subscribe roles");
      // A coordinator reaches only the people of their own organisation.
      if (coordinator) s.organisation_id = by.organisation_id;
    } else {
      s.organisation_id.reset();
      if (*n.user_id != by.user_id && !admin && !coordinator) {
        forbid("you may subscribe only yourself");
      }
    }
  }
  s.created_at = options_.clock();
  db_.transaction([&](Connection& c) {
    if (s.user_id) {
      const auto u = c.query_one("SELECT organisation_id FROM users WHERE id = ?", {*s.user_id});
      if (!u) fail_invalid("/user_id", "no user " + std::to_string(*s.user_id));
      if (by.role == Role::coordinator && u->integer(0) != by.organisation_id) {
        forbid("coordinators subscribe people of their own organisation only");
      }
    }
    if (s.webhook_id &&
        !c.query_one("SELECT 1 FROM alert_webhooks WHERE id = ?", {*s.webhook_id})) {
      fail_invalid("/webhook_id", "no webhook " + std::to_string(*s.webhook_id));
    }
    s.id = c.query_one(
                "INSERT INTO alert_subscriptions (user_id, role, organisation_id, channel, "
                "webhook_id, source, kind, min_severity, tags, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                {opt(s.user_id), s.role.empty() ? Value(nullptr) : Value(s.role),
                 opt(s.organisation_id), s.channel, opt(s.webhook_id), s.source, s.kind,
                 s.min_severity, json(s.tags).dump(), by.user_id, s.created_at})
               ->integer(0);
    audit_.append(c, by.audit("alert.subscribe", "alert_subscription:" + std::to_string(s.id)));
  });
  return s;
}

std::vector<Subscription> Alerts::subscriptions(const auth::Principal& by) {
  require_staff(by);
  auto conn = db_.connection();
  std::vector<Subscription> out;
  for (const auto& r : conn->query(std::string("SELECT ") + subscription_columns +
                                   " FROM alert_subscriptions ORDER BY id")) {
    auto s = read_subscription(r);
    const bool reaches = (s.user_id && *s.user_id == by.user_id) ||
                         (s.role == auth::role_name(by.role) &&
                          (!s.organisation_id || *s.organisation_id == by.organisation_id));
    if (by.role == Role::admin || reaches) out.push_back(std::move(s));
  }
  return out;
}

void Alerts::unsubscribe(const auth::Principal& by, std::int64_t id) {
  require_staff(by);
  db_.transaction([&](Connection& c) {
    const auto r = c.query_one(
        std::string("SELECT ") + subscription_columns + " FROM alert_subscriptions WHERE id = ?",
        {id});
    if (!r) throw Error(ErrorKind::not_found, "not_found", "no subscription " + std::to_string(id));
    const auto s = read_subscription(*r);
    const bool own = s.user_id && *s.user_id == by.user_id;
    const bool coordinated =
        by.role == Role::coordinator && !s.role.empty() && s.organisation_id == by.organisation_id;
    if (by.role != Role::admin && !own && !coordinated) forbid("not your subscription");
    c.execute("DELETE FROM alert_subscriptions WHERE id = ?", {id});
    audit_.append(c, by.audit("alert.unsubscribe", "alert_subscription:" + std::to_string(id)));
  });
}

// --- Webhooks ----------------------------------------------------------------------------------

Webhook Alerts::add_webhook(const auth::Principal& by, const NewWebhook& n) {
  require_staff(by);
  if (by.role != Role::admin) forbid("only administrators add webhooks");
  detail::check_text("/name", n.name, 100, true, true);
  detail::parse_url(n.url, "/url");
  if (n.secret.size() < 16 || n.secret.size() > 256) {
    fail_invalid("/secret", "the secret is 16..256 characters");
  }
  Webhook w{0, n.name, n.url, n.organisation_id, true};
  const auto secret = keys_->encrypt(n.secret, "alert_webhooks.secret");
  db_.transaction([&](Connection& c) {
    w.id = c.query_one(
                "INSERT INTO alert_webhooks (name, url, secret_enc, organisation_id, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                {n.name, n.url, secret, opt(n.organisation_id), by.user_id, options_.clock()})
               ->integer(0);
    audit_.append(c, by.audit("alert.webhook.create", "alert_webhook:" + std::to_string(w.id)));
  });
  return w;
}

std::int64_t Alerts::reencrypt(Connection& conn, const vault::Keyring& keys) {
  std::int64_t fields = 0;
  for (const auto& r : conn.query("SELECT id, secret_enc FROM alert_webhooks")) {
    const std::string plain = keys.decrypt(r.blob(1), "alert_webhooks.secret");
    conn.execute("UPDATE alert_webhooks SET secret_enc = ? WHERE id = ?",
                 {keys.encrypt(plain, "alert_webhooks.secret"), r.integer(0)});
    ++fields;
  }
  return fields;
}

std::vector<Webhook> Alerts::webhooks(const auth::Principal& by) {
  require_staff(by);
  if (by.role != Role::admin) forbid("only administrators list webhooks");
  auto conn = db_.connection();
  std::vector<Webhook> out;
  for (const auto& r : conn->query(
           "SELECT id, name, url, organisation_id, enabled FROM alert_webhooks ORDER BY id")) {
    out.push_back({r.integer(0), r.text(1), r.text(2), r.opt_integer(3), r.integer(4) != 0});
  }
  return out;
}

// --- Inbox -------------------------------------------------------------------------------------

namespace {

InboxItem read_item(const store::Row& r) {
  InboxItem item;
  item.alert = detail::read_alert(r, 0);
  item.delivered_at = r.integer(12);
  item.acknowledged_at = r.opt_integer(13);
  item.note = r.text(14);
  return item;
}

std::string inbox_select() {
  std::string cols;
  for (std::string_view rest = detail::alert_columns; !rest.empty();) {
    const auto comma = rest.find(", ");
    cols += "a." + std::string(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    cols += ", ";
    rest.remove_prefix(comma + 2);
  }
  return "SELECT " + cols +
         ", i.delivered_at, i.acknowledged_at, i.ack_note FROM alert_inbox i "
         "JOIN alerts a ON a.id = i.alert_id WHERE i.user_id = ?";
}

}  // namespace

std::vector<InboxItem> Alerts::inbox(const auth::Principal& by, bool only_unacknowledged,
                                     int limit) {
  require_staff(by);
  if (limit < 1 || limit > 1000) fail_invalid("/limit", "limit is 1..1000");
  std::vector<InboxItem> out;
  {
    auto conn = db_.connection();
    const std::string sql = inbox_select() +
                            (only_unacknowledged ? " AND i.acknowledged_at IS NULL" : "") +
                            " ORDER BY a.raised_at DESC, a.id DESC LIMIT ?";
    for (const auto& r : conn->query(sql, {by.user_id, std::int64_t{limit}})) {
      out.push_back(read_item(r));
    }
  }
  for (const auto& item : out) {
    if (item.alert.record.rfind("case:", 0) == 0) {
      auto e = by.audit("alert.read", item.alert.record);
      e.detail = "alert:" + std::to_string(item.alert.id);
      audit_.append(e);
    }
  }
  return out;
}

InboxItem Alerts::get(const auth::Principal& by, std::int64_t alert_id) {
  require_staff(by);
  std::optional<InboxItem> item;
  {
    auto conn = db_.connection();
    const auto r = conn->query_one(inbox_select() + " AND i.alert_id = ?", {by.user_id, alert_id});
    if (r) item = read_item(*r);
  }
  if (!item) {
    throw Error(ErrorKind::not_found, "not_found",
                "no alert " + std::to_string(alert_id) + " in your inbox");
  }
  if (item->alert.record.rfind("case:", 0) == 0) {
    auto e = by.audit("alert.read", item->alert.record);
    e.detail = "alert:" + std::to_string(alert_id);
    audit_.append(e);
  }
  return *item;
}

void Alerts::acknowledge(const auth::Principal& by, std::int64_t alert_id,
                         const std::string& note) {
  require_staff(by);
  detail::check_text("/note", note, 1000, false, false);
  db_.transaction([&](Connection& c) {
    const auto r =
        c.query_one("SELECT acknowledged_at FROM alert_inbox WHERE alert_id = ? AND user_id = ?",
                    {alert_id, by.user_id});
    if (!r) {
      throw Error(ErrorKind::not_found, "not_found",
                  "no alert " + std::to_string(alert_id) + " in your inbox");
    }
    if (!r->is_null(0)) {
      throw Error(ErrorKind::conflict, "already_acknowledged",
                  "alert " + std::to_string(alert_id) + " is already acknowledged");
    }
    c.execute(
        "UPDATE alert_inbox SET acknowledged_at = ?, ack_note = ? WHERE alert_id = ? AND "
        "user_id = ?",
        {options_.clock(), note, alert_id, by.user_id});
    audit_.append(c, by.audit("alert.acknowledge", "alert:" + std::to_string(alert_id)));
  });
}

}  // namespace ctis::alerts
