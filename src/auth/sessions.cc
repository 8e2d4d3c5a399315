// Sign-in, browser sessions and API tokens.
#include <sodium.h>

#include <algorithm>
#include <sstream>

#include "auth/auth.h"
#include "auth/internal.h"

namespace ctis::auth {
namespace {

constexpr std::string_view kTokenPrefix = "ctis_";
const std::vector<std::string> kScopes = {"read", "write"};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// A real argon2id hash of nothing in particular, so that a sign-in with an unknown user name
// costs as much as one with a known name and does not reveal which names exist.
const std::string& decoy_hash(bool fast) {
  static const std::string slow = argon2id_hash(random_token(16), false);
  static const std::string quick = argon2id_hash(random_token(16), true);
  return fast ? quick : slow;
}

[[noreturn]] void bad_credentials() {
  throw Error(ErrorKind::unauthorized, "invalid_credentials", "wrong user name or password");
}

}  // namespace

Session Auth::login(const std::string& username, const std::string& password) {
  if (username.size() > 64 || password.size() > 1024) bad_credentials();
  auto c = db_.connection();
  auto row = c->query_one(
      "SELECT id, password_hash, disabled, failed_logins, locked_until FROM users "
      "WHERE username = ?",
      {username});
  const Millis now = now_millis();
  Principal who;
  who.username = username;
  if (!row) {
    // The result is meaningless; only the time it takes matters.
    [[maybe_unused]] const int ignored = crypto_pwhash_str_verify(
        decoy_hash(settings_.fast_password_hashing).c_str(), password.data(), password.size());
    audit_.append(who.audit("auth.login", "", "failed"));
    bad_credentials();
  }
  const std::int64_t id = row->integer(0);
  who.user_id = id;
  if (row->integer(4) > now) {
    audit_.append(who.audit("auth.login", "user:" + std::to_string(id), "locked"));
    const auto wait_s = (row->integer(4) - now + 999) / 1000;
    throw Error(ErrorKind::rate_limited, "locked",
                "too many failed sign-ins; try again in " + std::to_string(wait_s) + " s");
  }
  const bool good =
      crypto_pwhash_str_verify(row->text(1).c_str(), password.data(), password.size()) == 0;
  if (!good || row->integer(2) != 0) {
    const std::int64_t failures = row->integer(3) + 1;
    Millis locked_until = 0;
    if (failures >= settings_.lockout_threshold) {
      const auto doublings = std::min<std::int64_t>(failures - settings_.lockout_threshold, 6);
      locked_until =
          now + std::min<Millis>(Millis{settings_.lockout_base_seconds} * 1000 << doublings,
                                 Millis{3600} * 1000);
    }
    db_.transaction([&](store::Connection& tx) {
      tx.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                 {failures, locked_until, id});
      audit_.append(tx, who.audit("auth.login", "user:" + std::to_string(id),
                                  row->integer(2) ? "disabled" : "failed"));
    });
    bad_credentials();
  }
  Session s;
  s.secret = random_token(32);
  s.csrf_token = random_token(24);
  const Millis expires = now + Millis{settings_.session_max_hours} * 3600 * 1000;
  db_.transaction([&](store::Connection& tx) {
    tx.execute("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?", {id});
    tx.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        {sha256_hex(s.secret), id, s.csrf_token, now, now, expires});
    // Expired sessions are swept here rather than by a timer: sign-ins are rare enough.
    tx.execute("DELETE FROM sessions WHERE expires_at < ?", {now});
    audit_.append(tx, who.audit("auth.login", "user:" + std::to_string(id)));
  });
  s.user = *find_user(id);
  return s;
}

std::optional<Principal> Auth::session_principal(const std::string& secret) {
  if (secret.empty() || secret.size() > 100) return std::nullopt;
  auto c = db_.connection();
  auto r = c->query_one(
      "SELECT s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, u.username, u.role, "
      "u.organisation_id, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.id_hash = ?",
      {sha256_hex(secret)});
  if (!r) return std::nullopt;
  const Millis now = now_millis();
  const Millis idle = Millis{settings_.session_idle_minutes} * 60 * 1000;
  if (r->integer(3) <= now || r->integer(2) + idle <= now || r->integer(7) != 0) {
    return std::nullopt;
  }
  // Touch at most once a minute: a write per request would cost more than it tells.
  if (now - r->integer(2) > Millis{60} * 1000) {
    c->execute("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", {now, sha256_hex(secret)});
  }
  Principal p;
  p.user_id = r->integer(0);
  p.csrf_token = r->text(1);
  p.username = r->text(4);
  p.role = parse_role(r->text(5)).value_or(Role::anonymous);
  p.organisation_id = r->integer(6);
  return p;
}

bool Auth::verify_password(std::int64_t user_id, const std::string& password) {
  auto c = db_.connection();
  auto r = c->query_one("SELECT password_hash FROM users WHERE id = ?", {user_id});
  return r && password.size() <= 1024 &&
         crypto_pwhash_str_verify(r->text(0).c_str(), password.data(), password.size()) == 0;
}

void Auth::logout(const Principal& by, const std::string& secret) {
  db_.transaction([&](store::Connection& tx) {
    tx.execute("DELETE FROM sessions WHERE id_hash = ?", {sha256_hex(secret)});
    audit_.append(tx, by.audit("auth.logout", "user:" + std::to_string(by.user_id)));
  });
}

std::pair<TokenInfo, std::string> Auth::create_token(const Principal& by, std::int64_t user_id,
                                                     const std::string& name,
                                                     const std::vector<std::string>& scopes,
                                                     std::optional<Millis> expires_at) {
  if (name.empty() || name.size() > 100 || !valid_utf8(name)) {
    fail_invalid("name", "name must be 1 to 100 bytes of UTF-8");
  }
  if (scopes.empty()) fail_invalid("scopes", "scopes must name at least one of read, write");
  for (const auto& s : scopes) {
    if (std::find(kScopes.begin(), kScopes.end(), s) == kScopes.end()) {
      fail_invalid("scopes", "unknown scope \"" + s + "\" (read, write)");
    }
  }
  if (expires_at && *expires_at <= now_millis()) {
    fail_invalid("expires_at", "expires_at is in the past");
  }
  const std::string secret = std::string(kTokenPrefix) + random_token(32);
  TokenInfo info;
  info.user_id = user_id;
  info.name = name;
  info.scopes = scopes;
  info.created_at = now_millis();
  info.expires_at = expires_at;
  db_.transaction([&](store::Connection& tx) {
    if (!tx.query_one("SELECT 1 FROM users WHERE id = ? AND disabled = 0", {user_id})) {
      throw Error(ErrorKind::not_found, "not_found", "no active user " + std::to_string(user_id));
    }
    info.id = tx.query(
                    "INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, "
                    "expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    {user_id, name, sha256_hex(secret), join(scopes), info.created_at,
                     expires_at ? store::Value(*expires_at) : store::Value(nullptr)})
                  .at(0)
                  .integer(0);
    audit_.append(tx, by.audit("token.create", "token:" + std::to_string(info.id)));
  });
  return {info, secret};
}

namespace {
TokenInfo read_token(const store::Row& r) {
  TokenInfo t;
  t.id = r.integer(0);
  t.user_id = r.integer(1);
  t.name = r.text(2);
  t.scopes = split(r.text(3));
  t.created_at = r.integer(4);
  t.expires_at = r.opt_integer(5);
  t.revoked_at = r.opt_integer(6);
  return t;
}
constexpr std::string_view kTokenColumns =
    "SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at FROM api_tokens";
}  // namespace

std::vector<TokenInfo> Auth::tokens(std::optional<std::int64_t> user_id) {
  auto c = db_.connection();
  std::vector<store::Row> rows =
      user_id ? c->query(std::string(kTokenColumns) + " WHERE user_id = ? ORDER BY id", {*user_id})
              : c->query(std::string(kTokenColumns) + " ORDER BY id");
  std::vector<TokenInfo> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(read_token(r));
  return out;
}

std::optional<TokenInfo> Auth::find_token(std::int64_t id) {
  auto c = db_.connection();
  auto r = c->query_one(std::string(kTokenColumns) + " WHERE id = ?", {id});
  if (!r) return std::nullopt;
  return read_token(*r);
}

void Auth::revoke_token(const Principal& by, std::int64_t id) {
  db_.transaction([&](store::Connection& tx) {
    if (tx.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                   {now_millis(), id}) == 0) {
      throw Error(ErrorKind::not_found, "not_found", "no active token " + std::to_string(id));
    }
    audit_.append(tx, by.audit("token.revoke", "token:" + std::to_string(id)));
  });
}

std::optional<Principal> Auth::token_principal(const std::string& secret) {
  if (secret.size() > 100 || secret.rfind(kTokenPrefix, 0) != 0) return std::nullopt;
  auto c = db_.connection();
  auto r = c->query_one(
      "SELECT t.user_id, t.scopes, t.expires_at, t.revoked_at, u.username, u.role, "
      "u.organisation_id, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id "
      "WHERE t.token_hash = ?",
      {sha256_hex(secret)});
  if (!r) return std::nullopt;
  const Millis now = now_millis();
  if (!r->is_null(3) || (!r->is_null(2) && r->integer(2) <= now) || r->integer(7) != 0) {
    return std::nullopt;
  }
  Principal p;
  p.user_id = r->integer(0);
  p.scopes = split(r->text(1));
  p.username = r->text(4);
  p.role = parse_role(r->text(5)).value_or(Role::anonymous);
  p.organisation_id = r->integer(6);
  p.via_token = true;
  return p;
}

}  // namespace ctis::auth
