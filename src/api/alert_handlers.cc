// Handlers of the alert endpoints: one's inbox, acknowledgement, subscriptions, webhooks,
// route-monitor rules and dead letters. The alerts module decides who may do what.
#include <limits>

#include "alerts/alerts.h"
#include "api/input.h"
#include "api/platform.h"

namespace ctis::api {
namespace {

using nlohmann::json;

alerts::Alerts& alerts_of(Call& call) {
  if (!call.services.alerts) {
    throw Error(ErrorKind::unavailable, "alerts_unavailable", "alerts are not set up here");
  }
  return *call.services.alerts;
}

json optional_id(const std::optional<std::int64_t>& id) { return id ? json(*id) : json(nullptr); }

json alert_json(const alerts::Alert& a) {
  return {{"id", a.id},           {"source", a.source},
          {"kind", a.kind},       {"severity", a.severity},
          {"title", a.title},     {"summary", a.summary},
          {"detail", a.detail},   {"tags", a.tags},
          {"record", a.record},   {"organisation_id", optional_id(a.organisation_id)},
          {"repeats", a.repeats}, {"raised_at", format_iso8601(a.raised_at)}};
}

json inbox_json(const alerts::InboxItem& i) {
  json j = alert_json(i.alert);
  j["delivered_at"] = format_iso8601(i.delivered_at);
  j["acknowledged_at"] =
      i.acknowledged_at ? json(format_iso8601(*i.acknowledged_at)) : json(nullptr);
  j["note"] = i.note;
  return j;
}

json subscription_json(const alerts::Subscription& s) {
  return {{"id", s.id},
          {"user_id", optional_id(s.user_id)},
          {"role", s.role},
          {"organisation_id", optional_id(s.organisation_id)},
          {"channel", s.channel},
          {"webhook_id", optional_id(s.webhook_id)},
          {"source", s.source},
          {"kind", s.kind},
          {"min_severity", s.min_severity},
          {"tags", s.tags},
          {"created_at", format_iso8601(s.created_at)}};
}

json rule_json(const alerts::AlertRule& r) {
  return {{"id", r.id},
          {"name", r.name},
          {"source", r.source},
          {"corridors", r.corridors},
          {"nationalities", r.nationalities},
          {"method", r.method},
          {"parameters", r.parameters},
          {"min_count", r.min_count},
          {"severity", r.severity},
          {"enabled", r.enabled}};
}

alerts::AlertRule rule_from(const json& body) {
  Input in(body, {"name", "corridors", "nationalities", "method", "parameters", "min_count",
                  "severity", "enabled"});
  alerts::AlertRule r;
  r.name = in.text("name", 200);
  if (body.contains("corridors")) r.corridors = in.text_list("corridors", 64, 64);
  if (body.contains("nationalities")) r.nationalities = in.text_list("nationalities", 300, 3);
  r.method = in.text("method", 32);
  if (body.contains("parameters")) {
    if (!body["parameters"].is_object()) fail_invalid("/parameters", "parameters is an object");
    r.parameters = body["parameters"];
  }
  r.min_count = in.opt_integer("min_count", 0, 1'000'000'000).value_or(0);
  r.severity = in.opt_text("severity", 16).value_or("warning");
  r.enabled = in.opt_bool("enabled").value_or(true);
  return r;
}

}  // namespace

http::Response list_alerts(Call& call) {
  const bool open_only = call.request.query_param("unacknowledged").value_or("") == "true";
  int limit = 50;
  if (auto l = call.request.query_param("limit")) {
    limit = static_cast<int>(std::min<std::int64_t>(path_id({{"limit", *l}}, "limit"), 200));
  }
  json out = json::array();
  for (const auto& item : alerts_of(call).inbox(call.who, open_only, limit)) {
    out.push_back(inbox_json(item));
  }
  return http::Response::json(200, {{"alerts", out}});
}

http::Response get_alert(Call& call) {
  return http::Response::json(
      200, inbox_json(alerts_of(call).get(call.who, path_id(call.request.params, "id"))));
}

http::Response acknowledge_alert(Call& call) {
  Input in(call.request.json(), {"note"});
  const auto id = path_id(call.request.params, "id");
  alerts_of(call).acknowledge(call.who, id, in.opt_text("note", 2000).value_or(""));
  return http::Response::json(200, inbox_json(alerts_of(call).get(call.who, id)));
}

http::Response list_alert_subscriptions(Call& call) {
  json out = json::array();
  for (const auto& s : alerts_of(call).subscriptions(call.who)) out.push_back(subscription_json(s));
  return http::Response::json(200, {{"subscriptions", out}});
}

http::Response create_alert_subscription(Call& call) {
  const json body = call.request.json();
  Input in(body, {"user_id", "role", "organisation_id", "channel", "webhook_id", "source", "kind",
                  "min_severity", "tags"});
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  alerts::NewSubscription s;
  s.user_id = in.opt_integer("user_id", 1, kMax);
  s.role = in.opt_text("role", 32).value_or("");
  s.organisation_id = in.opt_integer("organisation_id", 1, kMax);
  // Without user and role, people subscribe themselves.
  if (!s.user_id && s.role.empty() && !body.contains("webhook_id")) s.user_id = call.who.user_id;
  s.channel = in.text("channel", 16);
  s.webhook_id = in.opt_integer("webhook_id", 1, kMax);
  s.source = in.opt_text("source", 32).value_or("");
  s.kind = in.opt_text("kind", 64).value_or("");
  s.min_severity = in.opt_text("min_severity", 16).value_or("info");
  if (body.contains("tags")) {
    if (!body["tags"].is_object()) fail_invalid("/tags", "tags maps a tag to a list of values");
    for (const auto& [key, values] : body["tags"].items()) {
      if (!values.is_array()) fail_invalid("/tags/" + key, "a list of values");
      for (const auto& v : values) {
        if (!v.is_string()) fail_invalid("/tags/" + key, "values are strings");
        s.tags[key].push_back(v.get<std::string>());
      }
    }
  }
  return http::Response::json(201, subscription_json(alerts_of(call).subscribe(call.who, s)));
}

http::Response delete_alert_subscription(Call& call) {
  alerts_of(call).unsubscribe(call.who, path_id(call.request.params, "id"));
  return http::Response::no_content();
}

http::Response list_webhooks(Call& call) {
  json out = json::array();
  for (const auto& w : alerts_of(call).webhooks(call.who)) {
    out.push_back({{"id", w.id},
                   {"name", w.name},
                   {"url", w.url},
                   {"organisation_id", optional_id(w.organisation_id)},
                   {"enabled", w.enabled}});
  }
  return http::Response::json(200, {{"webhooks", out}});
}

http::Response create_webhook(Call& call) {
  Input in(call.request.json(), {"name", "url", "secret", "organisation_id"});
  alerts::NewWebhook w;
  w.name = in.text("name", 200);
  w.url = in.text("url", 2000);
  w.secret = in.text("secret", 512);
  w.organisation_id =
      in.opt_integer("organisation_id", 1, std::numeric_limits<std::int64_t>::max());
  const auto made = alerts_of(call).add_webhook(call.who, w);
  return http::Response::json(201, {{"id", made.id},
                                    {"name", made.name},
                                    {"url", made.url},
                                    {"organisation_id", optional_id(made.organisation_id)},
                                    {"enabled", made.enabled}});
}

http::Response list_alert_rules(Call& call) {
  json out = json::array();
  for (const auto& r : alerts_of(call).rules_for("routes")) out.push_back(rule_json(r));
  return http::Response::json(200, {{"rules", out}});
}

http::Response create_alert_rule(Call& call) {
  return http::Response::json(
      201, rule_json(alerts_of(call).create_rule(call.who, rule_from(call.request.json()))));
}

http::Response update_alert_rule(Call& call) {
  return http::Response::json(
      200, rule_json(alerts_of(call).update_rule(call.who, path_id(call.request.params, "id"),
                                                 rule_from(call.request.json()))));
}

http::Response delete_alert_rule(Call& call) {
  alerts_of(call).delete_rule(call.who, path_id(call.request.params, "id"));
  return http::Response::no_content();
}

}  // namespace ctis::api
