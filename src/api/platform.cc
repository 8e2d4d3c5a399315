// Handlers of the platform endpoints: health, sign-in, users, organisations, tokens, audit.
#include "api/platform.h"

#include "api/input.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

json user_json(const auth::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"email", u.email},
          {"role", std::string(auth::role_name(u.role))},
          {"organisation", {{"id", u.organisation_id}, {"name", u.organisation_name}}},
          {"disabled", u.disabled},
          {"created_at", format_iso8601(u.created_at)}};
}

json token_json(const auth::TokenInfo& t) {
  json j = {{"id", t.id},
            {"user_id", t.user_id},
            {"name", t.name},
            {"scopes", t.scopes},
            {"created_at", format_iso8601(t.created_at)},
            {"expires_at", t.expires_at ? json(format_iso8601(*t.expires_at)) : json(nullptr)},
            {"revoked_at", t.revoked_at ? json(format_iso8601(*t.revoked_at)) : json(nullptr)}};
  return j;
}

std::string session_cookie(const std::string& value, const Call& call, int max_age_s) {
  std::string c = "ctis_session=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (call.request.tls) c += "; Secure";
  return c;
}

// Need-to-know for user records: admins see everyone, coordinators their organisation,
// everybody else only themselves. Others' records do not exist as far as the caller can tell.
bool may_see_user(const auth::Principal& who, const auth::User& u) {
  if (who.role == Role::admin || who.user_id == u.id) return true;
  return who.role == Role::coordinator && who.organisation_id == u.organisation_id;
}

[[noreturn]] void no_such(const std::string& what, std::int64_t id) {
  throw Error(ErrorKind::not_found, "not_found", "no " + what + " " + std::to_string(id));
}

}  // namespace

http::Response health(Call&) { return http::Response::json(200, {{"status", "ok"}}); }

http::Response ready(Call& call) {
  if (!call.services.db.ping()) {
    return http::Response::error(503, "store_unavailable", "the database does not answer");
  }
  return http::Response::json(200, {{"status", "ready"}});
}

http::Response metrics(Call& call) {
  const auto stats = call.services.db.stats();
  auto& m = call.services.metrics;
  m.set_gauge("ctis_db_pool_connections", "Database connections open", stats.size);
  m.set_gauge("ctis_db_pool_in_use", "Database connections leased now", stats.in_use);
  m.set_gauge("ctis_db_pool_waits", "Times a request has waited for a connection",
              static_cast<double>(stats.waits));
  http::Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = m.render();
  return r;
}

http::Response openapi(Call&) { return http::Response::json(200, openapi_document()); }

http::Response login(Call& call) {
  Input in(call.request.json(), {"username", "password"});
  const std::string password = in.text("password", 1024);
  const auth::Session s = call.services.auth.login(in.text("username", 64), password);
  // A recipient of reports unlocks their private key with the password just proved; it is
  // kept wrapped under this session's secret (reports.h).
  const bool recipient = call.services.reports && call.services.reports->is_recipient(s.user.id);
  if (recipient) call.services.reports->open_session(s.user.id, password, s.secret);
  auto r = http::Response::json(
      200,
      {{"user", user_json(s.user)}, {"csrf_token", s.csrf_token}, {"report_recipient", recipient}});
  r.headers.emplace_back(
      "Set-Cookie",
      session_cookie(s.secret, call, call.services.config.auth.session_max_hours * 3600));
  return r;
}

http::Response session(Call& call) {
  auto user = call.services.auth.find_user(call.who.user_id);
  if (!user) no_such("user", call.who.user_id);
  call.services.audit.append(call.who.audit("user.read", "user:" + std::to_string(user->id)));
  const bool recipient =
      call.services.reports && call.services.reports->is_recipient(call.who.user_id);
  return http::Response::json(200, {{"user", user_json(*user)},
                                    {"csrf_token", call.who.csrf_token},
                                    {"report_recipient", recipient}});
}

http::Response logout(Call& call) {
  const std::string secret = call.request.cookie("ctis_session");
  call.services.auth.logout(call.who, secret);
  if (call.services.reports && !secret.empty()) call.services.reports->close_session(secret);
  auto r = http::Response::no_content();
  r.headers.emplace_back("Set-Cookie", session_cookie("", call, 0));
  return r;
}

http::Response change_password(Call& call) {
  Input in(call.request.json(), {"current_password", "new_password"});
  const std::string current = in.text("current_password", 1024);
  const std::string next = in.text("new_password", 1024);
  if (!call.services.auth.verify_password(call.who.user_id, current)) {
    throw Error(ErrorKind::invalid, "invalid_credentials", "the current password is wrong",
                "/current_password");
  }
  try {
    call.services.auth.set_password(call.who, call.who.user_id, next);
    if (call.services.reports && call.services.reports->is_recipient(call.who.user_id)) {
      call.services.reports->change_password(call.who.user_id, current, next);
    }
  } catch (const Error& e) {
    if (e.field() == "password") throw Error(e.kind(), e.code(), e.what(), "/new_password");
    throw;
  }
  return http::Response::no_content();
}

http::Response dashboard(Call& call) {
  auto& s = call.services;
  json cards = json::array();
  cards.push_back(
      {{"id", "users"}, {"title_key", "dashboard.users"}, {"value", s.auth.count_users()}});
  cards.push_back({{"id", "cases"}, {"title_key", "dashboard.cases"}, {"value", s.cases.count()}});
  cards.push_back({{"id", "audit_entries"},
                   {"title_key", "dashboard.audit_entries"},
                   {"value", s.audit.count()}});
  cards.push_back({{"id", "store"},
                   {"title_key", "dashboard.store"},
                   {"value", s.db.dialect() == store::Dialect::sqlite ? "sqlite" : "postgresql"}});
  cards.push_back({{"id", "version"}, {"title_key", "dashboard.version"}, {"value", CTIS_VERSION}});
  return http::Response::json(200, {{"cards", cards}});
}

http::Response list_users(Call& call) {
  std::optional<std::int64_t> org;
  if (call.who.role != Role::admin) org = call.who.organisation_id;
  json out = json::array();
  for (const auto& u : call.services.auth.users(org)) out.push_back(user_json(u));
  call.services.audit.append(
      call.who.audit("user.list", org ? "organisation:" + std::to_string(*org) : "users", "ok"));
  return http::Response::json(200, {{"users", out}});
}

http::Response create_user(Call& call) {
  Input in(call.request.json(),
           {"username", "role", "organisation", "display_name", "email", "password"});
  auth::NewUser n;
  n.username = in.text("username", 64);
  n.role = in.text("role", 32);
  n.organisation = in.text("organisation", 200);
  n.display_name = in.opt_text("display_name", 200).value_or("");
  n.email = in.opt_text("email", 254).value_or("");
  n.password = in.text("password", 1024);
  return http::Response::json(201, user_json(call.services.auth.create_user(call.who, n)));
}

http::Response get_user(Call& call) {
  const auto id = path_id(call.request.params, "id");
  auto user = call.services.auth.find_user(id);
  if (!user || !may_see_user(call.who, *user)) {
    call.services.audit.append(
        call.who.audit("user.read", "user:" + std::to_string(id), "not_found"));
    no_such("user", id);
  }
  call.services.audit.append(call.who.audit("user.read", "user:" + std::to_string(id)));
  return http::Response::json(200, user_json(*user));
}

http::Response update_user(Call& call) {
  const auto id = path_id(call.request.params, "id");
  Input in(call.request.json(), {"role", "display_name", "email", "disabled"});
  auth::UserChange ch;
  ch.role = in.opt_text("role", 32);
  ch.display_name = in.opt_text("display_name", 200);
  ch.email = in.opt_text("email", 254);
  ch.disabled = in.opt_bool("disabled");
  if (id == call.who.user_id && ch.disabled && *ch.disabled) {
    fail_invalid("/disabled", "an administrator cannot disable their own account");
  }
  if (id == call.who.user_id && ch.role && *ch.role != "admin") {
    fail_invalid("/role", "an administrator cannot demote their own account");
  }
  return http::Response::json(200, user_json(call.services.auth.change_user(call.who, id, ch)));
}

http::Response list_organisations(Call& call) {
  json out = json::array();
  for (const auto& o : call.services.auth.organisations()) {
    out.push_back({{"id", o.id}, {"name", o.name}});
  }
  return http::Response::json(200, {{"organisations", out}});
}

http::Response create_organisation(Call& call) {
  Input in(call.request.json(), {"name"});
  const auto org = call.services.auth.create_organisation(call.who, in.text("name", 200));
  return http::Response::json(201, {{"id", org.id}, {"name", org.name}});
}

http::Response list_tokens(Call& call) {
  std::optional<std::int64_t> user = call.who.user_id;
  if (call.who.role == Role::admin) {
    if (auto q = call.request.query_param("user_id")) {
      user = path_id({{"user_id", *q}}, "user_id");
    } else {
      user.reset();
    }
  }
  json out = json::array();
  for (const auto& t : call.services.auth.tokens(user)) out.push_back(token_json(t));
  return http::Response::json(200, {{"tokens", out}});
}

http::Response create_token(Call& call) {
  Input in(call.request.json(), {"name", "scopes", "expires_in_days", "user_id"});
  std::int64_t user = call.who.user_id;
  if (auto other = in.opt_integer("user_id", 1, INT64_MAX); other && *other != user) {
    if (call.who.role != Role::admin) {
      throw Error(ErrorKind::forbidden, "forbidden",
                  "only an administrator may create tokens "
                  "for another user",
                  "/user_id");
    }
    user = *other;
  }
  std::optional<Millis> expires;
  if (auto days = in.opt_integer("expires_in_days", 1, 3650)) {
    expires = now_millis() + *days * 24 * 3600 * 1000;
  }
  auto [info, secret] = call.services.auth.create_token(call.who, user, in.text("name", 100),
                                                        in.text_list("scopes", 2, 16), expires);
  json j = token_json(info);
  j["token"] = secret;
  return http::Response::json(201, j);
}

http::Response revoke_token(Call& call) {
  const auto id = path_id(call.request.params, "id");
  auto t = call.services.auth.find_token(id);
  if (!t || (call.who.role != Role::admin && t->user_id != call.who.user_id)) no_such("token", id);
  call.services.auth.revoke_token(call.who, id);
  return http::Response::no_content();
}

http::Response list_audit(Call& call) {
  auto& req = call.request;
  const auto before = req.query_param("before");
  const auto limit = req.query_param("limit");
  const std::int64_t before_seq = before ? path_id({{"before", *before}}, "before") : 0;
  std::int64_t n = limit ? path_id({{"limit", *limit}}, "limit") : 100;
  if (n > 1000) fail_invalid("limit", "limit must be at most 1000");
  json out = json::array();
  for (const auto& e : call.services.audit.list(before_seq, static_cast<int>(n),
                                                req.query_param("record").value_or(""))) {
    out.push_back({{"seq", e.seq},
                   {"at", format_iso8601(e.at)},
                   {"actor", e.actor},
                   {"actor_id", e.actor_id ? json(*e.actor_id) : json(nullptr)},
                   {"role", e.role},
                   {"action", e.action},
                   {"record", e.record},
                   {"outcome", e.outcome},
                   {"detail", e.detail},
                   {"hash", e.hash}});
  }
  call.services.audit.append(call.who.audit("audit.read", "audit", "ok"));
  return http::Response::json(200, {{"entries", out}});
}

http::Response verify_audit(Call& call) {
  const auto v = call.services.audit.verify();
  return http::Response::json(200, {{"ok", v.ok},
                                    {"entries", v.entries},
                                    {"first_broken", v.ok ? json(nullptr) : json(v.first_broken)},
                                    {"reason", v.reason}});
}

}  // namespace ctis::api
