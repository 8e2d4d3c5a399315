// auth: who is asking, and what they may do.
//
// Users have a role and belong to an organisation; their names and e-mail addresses are
// personal data, kept encrypted (vault) with a blind index on the e-mail. Passwords are
// argon2id hashes (libsodium). Sign-in failures lock an account for a time that doubles with
// each further failure; unknown user names take as long as known ones.
//
// A browser holds a session (a random secret in an HttpOnly cookie; the database keeps only its
// hash) with a CSRF token that every write must echo. A machine holds a bearer API token
// ("ctis_" + secret; stored hashed, revocable, limited to scopes "read" and/or "write").
//
// Every change here is written together with its audit entry. Threads: Auth is thread-safe
// (it holds no mutable state of its own beyond the database). Errors: ctis::Error — invalid
// input names its field; wrong credentials are kind unauthorized with code
// "invalid_credentials"; a locked account is kind rate_limited with code "locked".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "core/config.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::auth {

// law_enforcement: police, prosecutors and labour inspectors.
enum class Role {
  anonymous,
  admin,
  coordinator,
  caseworker,
  analyst,
  fiu_analyst,
  partner,
  law_enforcement
};
const std::vector<Role>& all_roles();                   // including anonymous
std::string_view role_name(Role role);                  // "fiu_analyst"; anonymous is "public"
std::optional<Role> parse_role(std::string_view name);  // staff roles only

struct Principal {
  Role role = Role::anonymous;
  std::int64_t user_id = 0;
  std::int64_t organisation_id = 0;
  std::string username;  // "anonymous" for the public
  bool via_token = false;
  std::vector<std::string> scopes;  // tokens only
  std::string csrf_token;           // sessions only

  bool signed_in() const { return role != Role::anonymous; }
  audit::Entry audit(std::string action, std::string record, std::string outcome = "ok") const;
};

struct User {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::caseworker;
  std::int64_t organisation_id = 0;
  std::string organisation_name;
  std::string display_name;  // decrypted
  std::string email;         // decrypted
  bool disabled = false;
  Millis created_at = 0;
};

struct NewUser {
  std::string username;  // 3..64 of [a-z0-9._-]
  std::string role;
  std::string organisation;  // organisation name; created when create_organisation is set
  std::string display_name;
  std::string email;
  std::string password;  // >= 12 characters
};

struct UserChange {
  std::optional<std::string> role;
  std::optional<std::string> display_name;
  std::optional<std::string> email;
  std::optional<bool> disabled;
};

struct Organisation {
  std::int64_t id = 0;
  std::string name;
};

struct Session {
  std::string secret;  // goes in the cookie, shown once
  std::string csrf_token;
  User user;
};

struct TokenInfo {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string name;
  std::vector<std::string> scopes;
  Millis created_at = 0;
  std::optional<Millis> expires_at;
  std::optional<Millis> revoked_at;
};

class Auth {
 public:
  Auth(store::Database& db, std::shared_ptr<const vault::Keyring> keys, audit::AuditLog& audit,
       Config::Auth settings);

  // Organisations.
  Organisation create_organisation(const Principal& by, const std::string& name);
  std::vector<Organisation> organisations();
  std::optional<Organisation> find_organisation(const std::string& name);

  // Users. Reads of users are reads of personal data: callers audit them.
  User create_user(const Principal& by, const NewUser& user, bool create_organisation = false);
  std::optional<User> find_user(std::int64_t id);
  std::optional<User> find_user_by_name(const std::string& username);
  std::optional<User> find_user_by_email(const std::string& email);
  std::vector<User> users(std::optional<std::int64_t> organisation_id = std::nullopt);
  User change_user(const Principal& by, std::int64_t id, const UserChange& change);
  void set_password(const Principal& by, std::int64_t id, const std::string& password);
  std::int64_t count_users();

  // Sign-in and sessions.
  Session login(const std::string& username, const std::string& password);
  std::optional<Principal> session_principal(const std::string& secret);
  void logout(const Principal& by, const std::string& secret);
  // True when the password is the user's (re-authentication before a sensitive change).
  bool verify_password(std::int64_t user_id, const std::string& password);

  // API tokens. create_token returns the secret once.
  std::pair<TokenInfo, std::string> create_token(const Principal& by, std::int64_t user_id,
                                                 const std::string& name,
                                                 const std::vector<std::string>& scopes,
                                                 std::optional<Millis> expires_at);
  std::vector<TokenInfo> tokens(std::optional<std::int64_t> user_id);
  std::optional<TokenInfo> find_token(std::int64_t id);
  void revoke_token(const Principal& by, std::int64_t id);
  std::optional<Principal> token_principal(const std::string& secret);

  // Re-encrypts every personal field of users under the keyring's active key and recomputes
  // blind indexes, inside the caller's transaction (key rotation).
  std::int64_t reencrypt(store::Connection& conn, const vault::Keyring& keys);

 private:
  User read_user(const store::Row& row) const;
  std::string hash_password(const std::string& password) const;
  void check_password_rules(const std::string& password) const;

  store::Database& db_;
  std::shared_ptr<const vault::Keyring> keys_;
  audit::AuditLog& audit_;
  Config::Auth settings_;
};

// The principal used for actions taken at the command line by the operator.
Principal operator_principal();

}  // namespace ctis::auth
