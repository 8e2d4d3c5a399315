// Roles, organisations and users.
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "auth/auth.h"
#include "auth/internal.h"

namespace ctis::auth {
namespace {

constexpr std::string_view kUserColumns =
    "u.id, u.username, u.role, u.organisation_id, o.name, u.display_name_enc, u.email_enc, "
    "u.disabled, u.created_at";
constexpr std::string_view kUserFrom =
    " FROM users u JOIN organisations o ON o.id = u.organisation_id";

store::Value blob_or_null(const std::optional<vault::Bytes>& b) {
  return b ? store::Value(*b) : store::Value(nullptr);
}

void check_username(const std::string& name) {
  if (name.size() < 3 || name.size() > 64 || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      })) {
    fail_invalid("username", "username must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-'");
  }
}

void check_text(const std::string& field, const std::string& value, std::size_t max) {
  if (value.size() > max) {
    fail_invalid(field, field + " is longer than " + std::to_string(max) + " bytes");
  }
  if (!valid_utf8(value)) fail_invalid(field, field + " is not valid UTF-8");
}

void check_email(const std::string& email) {
  check_text("email", email, 254);
  if (email.empty()) return;
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() ||
      email.find('@', at + 1) != std::string::npos ||
      email.find_first_of(" \t\r\n") != std::string::npos) {
    fail_invalid("email", "email is not an e-mail address");
  }
}

Role require_role(const std::string& name) {
  auto role = parse_role(name);
  if (!role) {
    fail_invalid("role",
                 "role must be one of admin, coordinator, caseworker, analyst, fiu_analyst, "
                 "partner, law_enforcement");
  }
  return *role;
}

}  // namespace

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = {Role::anonymous,  Role::admin,          Role::coordinator,
                                          Role::caseworker, Role::analyst,        Role::fiu_analyst,
                                          Role::partner,    Role::law_enforcement};
  return roles;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::anonymous:
      return "public";
    case Role::admin:
      return "admin";
    case Role::coordinator:
      return "coordinator";
    case Role::caseworker:
      return "caseworker";
    case Role::analyst:
      return "analyst";
    case Role::fiu_analyst:
      return "fiu_analyst";
    case Role::partner:
      return "partner";
    case Role::law_enforcement:
      return "law_enforcement";
  }
  return "public";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role r : all_roles()) {
    if (r != Role::anonymous && role_name(r) == name) return r;
  }
  return std::nullopt;
}

audit::Entry Principal::audit(std::string action, std::string record, std::string outcome) const {
  audit::Entry e;
  e.actor = username.empty() ? "anonymous" : username;
  if (user_id) e.actor_id = user_id;
  e.role = std::string(role_name(role));
  e.action = std::move(action);
  e.record = std::move(record);
  e.outcome = std::move(outcome);
  if (via_token) e.detail = "via token";
  return e;
}

Principal operator_principal() {
  Principal p;
  p.role = Role::admin;
  const char* user = std::getenv("USER");
  p.username = std::string("cli:") + (user && *user ? user : std::to_string(::getuid()));
  return p;
}

Auth::Auth(store::Database& db, std::shared_ptr<const vault::Keyring> keys, audit::AuditLog& audit,
           Config::Auth settings)
    : db_(db), keys_(std::move(keys)), audit_(audit), settings_(settings) {}

Organisation Auth::create_organisation(const Principal& by, const std::string& name) {
  check_text("name", name, 200);
  if (name.empty()) fail_invalid("name", "name must not be empty");
  Organisation org{0, name};
  db_.transaction([&](store::Connection& c) {
    if (c.query_one("SELECT 1 FROM organisations WHERE name = ?", {name})) {
      throw Error(ErrorKind::conflict, "conflict", "an organisation named " + name + " exists",
                  "name");
    }
    org.id = c.query("INSERT INTO organisations (name, created_at) VALUES (?, ?) RETURNING id",
                     {name, now_millis()})
                 .at(0)
                 .integer(0);
    audit_.append(c, by.audit("organisation.create", "organisation:" + std::to_string(org.id)));
  });
  return org;
}

std::vector<Organisation> Auth::organisations() {
  auto c = db_.connection();
  std::vector<Organisation> out;
  for (const auto& r : c->query("SELECT id, name FROM organisations ORDER BY name")) {
    out.push_back({r.integer(0), r.text(1)});
  }
  return out;
}

std::optional<Organisation> Auth::find_organisation(const std::string& name) {
  auto c = db_.connection();
  auto r = c->query_one("SELECT id, name FROM organisations WHERE name = ?", {name});
  if (!r) return std::nullopt;
  return Organisation{r->integer(0), r->text(1)};
}

User Auth::read_user(const store::Row& r) const {
  User u;
  u.id = r.integer(0);
  u.username = r.text(1);
  u.role = parse_role(r.text(2)).value_or(Role::caseworker);
  u.organisation_id = r.integer(3);
  u.organisation_name = r.text(4);
  if (!r.is_null(5)) u.display_name = keys_->decrypt(r.blob(5), "users.display_name");
  if (!r.is_null(6)) u.email = keys_->decrypt(r.blob(6), "users.email");
  u.disabled = r.integer(7) != 0;
  u.created_at = r.integer(8);
  return u;
}

void Auth::check_password_rules(const std::string& password) const {
  if (password.size() < 12) fail_invalid("password", "password must have at least 12 characters");
  if (password.size() > 1024) fail_invalid("password", "password is longer than 1024 bytes");
  if (!valid_utf8(password)) fail_invalid("password", "password is not valid UTF-8");
}

std::string argon2id_hash(const std::string& password, bool fast) {
  char out[crypto_pwhash_STRBYTES];
  const auto ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const auto mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(ErrorKind::unavailable, "out_of_memory", "not enough memory to hash a password");
  }
  return out;
}

std::string Auth::hash_password(const std::string& password) const {
  return argon2id_hash(password, settings_.fast_password_hashing);
}

User Auth::create_user(const Principal& by, const NewUser& n, bool create_organisation) {
  check_username(n.username);
  const Role role = require_role(n.role);
  check_text("display_name", n.display_name, 200);
  check_email(n.email);
  check_password_rules(n.password);
  if (n.organisation.empty()) fail_invalid("organisation", "organisation must not be empty");
  const std::string hash = hash_password(n.password);
  std::int64_t id = 0;
  db_.transaction([&](store::Connection& c) {
    auto org = c.query_one("SELECT id FROM organisations WHERE name = ?", {n.organisation});
    std::int64_t org_id = 0;
    if (org) {
      org_id = org->integer(0);
    } else if (create_organisation) {
      check_text("organisation", n.organisation, 200);
      org_id = c.query("INSERT INTO organisations (name, created_at) VALUES (?, ?) RETURNING id",
                       {n.organisation, now_millis()})
                   .at(0)
                   .integer(0);
      audit_.append(c, by.audit("organisation.create", "organisation:" + std::to_string(org_id)));
    } else {
      throw Error(ErrorKind::invalid, "invalid", "no organisation named " + n.organisation,
                  "organisation");
    }
    if (c.query_one("SELECT 1 FROM users WHERE username = ?", {n.username})) {
      throw Error(ErrorKind::conflict, "conflict", "username " + n.username + " is taken",
                  "username");
    }
    const Millis now = now_millis();
    std::optional<vault::Bytes> email_enc, name_enc;
    if (!n.email.empty()) email_enc = keys_->encrypt(n.email, "users.email");
    if (!n.display_name.empty()) name_enc = keys_->encrypt(n.display_name, "users.display_name");
    const store::Value email_index = n.email.empty()
                                         ? store::Value(nullptr)
                                         : store::Value(keys_->blind_index(n.email, "users.email"));
    id = c.query(
              "INSERT INTO users (username, role, organisation_id, display_name_enc, email_enc, "
              "email_index, password_hash, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {n.username, std::string(role_name(role)), org_id, blob_or_null(name_enc),
               blob_or_null(email_enc), email_index, hash, now, now})
             .at(0)
             .integer(0);
    audit_.append(c, by.audit("user.create", "user:" + std::to_string(id)));
  });
  return *find_user(id);
}

std::optional<User> Auth::find_user(std::int64_t id) {
  auto c = db_.connection();
  auto r = c->query_one(
      "SELECT " + std::string(kUserColumns) + std::string(kUserFrom) + " WHERE u.id = ?", {id});
  if (!r) return std::nullopt;
  return read_user(*r);
}

std::optional<User> Auth::find_user_by_name(const std::string& username) {
  auto c = db_.connection();
  auto r = c->query_one(
      "SELECT " + std::string(kUserColumns) + std::string(kUserFrom) + " WHERE u.username = ?",
      {username});
  if (!r) return std::nullopt;
  return read_user(*r);
}

std::optional<User> Auth::find_user_by_email(const std::string& email) {
  auto c = db_.connection();
  auto r = c->query_one(
      "SELECT " + std::string(kUserColumns) + std::string(kUserFrom) + " WHERE u.email_index = ?",
      {keys_->blind_index(email, "users.email")});
  if (!r) return std::nullopt;
  return read_user(*r);
}

std::vector<User> Auth::users(std::optional<std::int64_t> organisation_id) {
  auto c = db_.connection();
  std::vector<store::Row> rows;
  const std::string base = "SELECT " + std::string(kUserColumns) + std::string(kUserFrom);
  if (organisation_id) {
    rows = c->query(base + " WHERE u.organisation_id = ? ORDER BY u.username", {*organisation_id});
  } else {
    rows = c->query(base + " ORDER BY u.username");
  }
  std::vector<User> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(read_user(r));
  return out;
}

std::int64_t Auth::count_users() {
  auto c = db_.connection();
  return c->query_one("SELECT COUNT(*) FROM users")->integer(0);
}

User Auth::change_user(const Principal& by, std::int64_t id, const UserChange& ch) {
  if (ch.role) require_role(*ch.role);
  if (ch.display_name) check_text("display_name", *ch.display_name, 200);
  if (ch.email) check_email(*ch.email);
  db_.transaction([&](store::Connection& c) {
    if (!c.query_one("SELECT 1 FROM users WHERE id = ?", {id})) {
      throw Error(ErrorKind::not_found, "not_found", "no user " + std::to_string(id));
    }
    const Millis now = now_millis();
    std::vector<std::string> changed;
    if (ch.role) {
      c.execute("UPDATE users SET role = ?, updated_at = ? WHERE id = ?", {*ch.role, now, id});
      changed.push_back("role");
    }
    if (ch.display_name) {
      c.execute("UPDATE users SET display_name_enc = ?, updated_at = ? WHERE id = ?",
                {ch.display_name->empty()
                     ? store::Value(nullptr)
                     : store::Value(keys_->encrypt(*ch.display_name, "users.display_name")),
                 now, id});
      changed.push_back("display_name");
    }
    if (ch.email) {
      const bool none = ch.email->empty();
      c.execute(
          "UPDATE users SET email_enc = ?, email_index = ?, updated_at = ? WHERE id = ?",
          {none ? store::Value(nullptr) : store::Value(keys_->encrypt(*ch.email, "users.email")),
           none ? store::Value(nullptr)
                : store::Value(keys_->blind_index(*ch.email, "users.email")),
           now, id});
      changed.push_back("email");
    }
    if (ch.disabled) {
      c.execute("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?",
                {std::int64_t{*ch.disabled ? 1 : 0}, now, id});
      if (*ch.disabled) {
        // A disabled account keeps no way in.
        c.execute("DELETE FROM sessions WHERE user_id = ?", {id});
        c.execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                  {now, id});
      }
      changed.push_back(*ch.disabled ? "disabled" : "enabled");
    }
    auto entry = by.audit("user.update", "user:" + std::to_string(id));
    for (const auto& f : changed) entry.detail += (entry.detail.empty() ? "" : ",") + f;
    audit_.append(c, entry);
  });
  return *find_user(id);
}

void Auth::set_password(const Principal& by, std::int64_t id, const std::string& password) {
  check_password_rules(password);
  const std::string hash = hash_password(password);
  db_.transaction([&](store::Connection& c) {
    if (c.execute("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0, "
                  "updated_at = ? WHERE id = ?",
                  {hash, now_millis(), id}) == 0) {
      throw Error(ErrorKind::not_found, "not_found", "no user " + std::to_string(id));
    }
    // Browser sessions end with the old password. API tokens are separate credentials with
    // their own lifecycle (revoke them explicitly, or disable the user).
    c.execute("DELETE FROM sessions WHERE user_id = ?", {id});
    audit_.append(c, by.audit("user.password", "user:" + std::to_string(id)));
  });
}

std::int64_t Auth::reencrypt(store::Connection& c, const vault::Keyring& keys) {
  std::int64_t fields = 0;
  for (const auto& r : c.query("SELECT id, display_name_enc, email_enc FROM users")) {
    store::Value name = nullptr, email = nullptr, index = nullptr;
    if (!r.is_null(1)) {
      name = keys.encrypt(keys.decrypt(r.blob(1), "users.display_name"), "users.display_name");
      ++fields;
    }
    if (!r.is_null(2)) {
      const std::string plain = keys.decrypt(r.blob(2), "users.email");
      email = keys.encrypt(plain, "users.email");
      index = keys.blind_index(plain, "users.email");
      ++fields;
    }
    c.execute("UPDATE users SET display_name_enc = ?, email_enc = ?, email_index = ? WHERE id = ?",
              {name, email, index, r.integer(0)});
  }
  return fields;
}

}  // namespace ctis::auth
