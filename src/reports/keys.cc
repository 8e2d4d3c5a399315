// Recipients and their keys: who receives new reports, key pairs made at first sign-in,
// private keys under the password and, for a session, under the session secret.
#include <cstring>

#include "reports/internal.h"

namespace ctis::reports {

using detail::Key32;
using store::Blob;

namespace {

bool manages_recipients(const auth::Principal& by) {
  return by.role == auth::Role::coordinator || by.role == auth::Role::admin;
}

void require_manager(const auth::Principal& by, std::string_view what) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
  if (!manages_recipients(by)) {
    throw Error(ErrorKind::forbidden, "forbidden",
                "only coordinators and admins " + std::string(what));
  }
}

Blob secretbox(const Key32& key, const unsigned char* plain, std::size_t len) {
  Blob out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len);
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES, plain, len, out.data(),
                        key.data());
  return out;
}

// Opens a secretbox holding a private key straight into guarded memory.
bool secretbox_open_into(const Key32& key, const Blob& box, unsigned char* out) {
  if (box.size() !=
      crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + crypto_box_SECRETKEYBYTES) {
    return false;
  }
  return crypto_secretbox_open_easy(out, box.data() + crypto_secretbox_NONCEBYTES,
                                    box.size() - crypto_secretbox_NONCEBYTES, box.data(),
                                    key.data()) == 0;
}

struct StoredKey {
  Blob public_key, secret_key_enc, salt;
  detail::PasswordKdf kdf;
};

std::optional<StoredKey> stored_key(store::Connection& conn, std::int64_t user_id) {
  const auto row = conn.query_one(
      "SELECT public_key, secret_key_enc, key_salt, key_ops, key_mem FROM report_recipients "
      "WHERE user_id = ? AND active = 1 AND public_key IS NOT NULL",
      {user_id});
  if (!row) return std::nullopt;
  StoredKey k{row->blob(0),
              row->blob(1),
              row->blob(2),
              {static_cast<unsigned long long>(row->integer(3)),
               static_cast<std::size_t>(row->integer(4))}};
  return k;
}

}  // namespace

void Reports::add_recipient(const auth::Principal& by, std::int64_t user_id) {
  require_manager(by, "choose who receives reports");
  impl_->db.transaction([&](store::Connection& conn) {
    // The role is checked here, from the users table: recipients work cases.
    const auto user = conn.query_one("SELECT role, disabled FROM users WHERE id = ?", {user_id});
    if (!user)
      throw Error(ErrorKind::not_found, "not_found",
                  "user " + std::to_string(user_id) + " not found", "user_id");
    if (user->text(0) != "coordinator" && user->text(0) != "caseworker") {
      fail_invalid("user_id", "user_id: recipients must be coordinators or caseworkers");
    }
    if (user->integer(1) != 0) fail_invalid("user_id", "user_id: this user is disabled");
    if (conn.query_one("SELECT 1 FROM report_recipients WHERE user_id = ?", {user_id})) {
      conn.execute("UPDATE report_recipients SET active = 1 WHERE user_id = ?", {user_id});
    } else {
      conn.execute("INSERT INTO report_recipients (user_id, active, added_day) VALUES (?, 1, ?)",
                   {user_id, detail::today()});
    }
    impl_->audit.append(conn, by.audit("report.recipient_add", "user:" + std::to_string(user_id)));
  });
  release_intake();  // a returning recipient may already have a key
}

void Reports::remove_recipient(const auth::Principal& by, std::int64_t user_id) {
  require_manager(by, "choose who receives reports");
  impl_->db.transaction([&](store::Connection& conn) {
    detail::secure_delete_on(conn);
    if (conn.execute("UPDATE report_recipients SET active = 0 WHERE user_id = ?", {user_id}) == 0) {
      throw Error(ErrorKind::not_found, "not_found",
                  "user " + std::to_string(user_id) + " is not a recipient", "user_id");
    }
    // Access ends at once: their sealed copies and unlocked session keys go too.
    conn.execute("DELETE FROM report_keys WHERE user_id = ?", {user_id});
    conn.execute("DELETE FROM report_sessions WHERE user_id = ?", {user_id});
    impl_->audit.append(conn,
                        by.audit("report.recipient_remove", "user:" + std::to_string(user_id)));
  });
}

std::vector<Recipient> Reports::recipients() {
  auto lease = impl_->db.connection();
  std::vector<Recipient> out;
  for (const auto& row : lease->query(
           "SELECT user_id, active, public_key IS NOT NULL, added_day FROM report_recipients "
           "ORDER BY user_id")) {
    out.push_back({row.integer(0), row.integer(1) != 0, row.integer(2) != 0, row.text(3)});
  }
  return out;
}

bool Reports::is_recipient(std::int64_t user_id) {
  auto lease = impl_->db.connection();
  return lease
      ->query_one("SELECT 1 FROM report_recipients WHERE user_id = ? AND active = 1", {user_id})
      .has_value();
}

void Reports::open_session(std::int64_t user_id, std::string_view password,
                           std::string_view session_secret) {
  if (session_secret.empty()) fail_invalid("session_secret", "session_secret: required");
  std::optional<StoredKey> stored;
  {
    auto lease = impl_->db.connection();
    if (!lease->query_one("SELECT 1 FROM report_recipients WHERE user_id = ? AND active = 1",
                          {user_id})) {
      return;  // not a recipient
    }
    stored = stored_key(*lease, user_id);
  }
  auto unlocked = std::make_unique<UnlockedKey::Impl>();
  std::optional<StoredKey> created;
  if (stored) {
    const Key32 key = detail::password_key(password, stored->salt, stored->kdf);
    if (!secretbox_open_into(key, stored->secret_key_enc, unlocked->secret_key)) {
      throw Error(ErrorKind::unauthorized, "invalid_credentials",
                  "the password does not open this recipient's report key");
    }
  } else {
    // First sign-in as a recipient: make the pair (argon2id runs outside any transaction).
    StoredKey k;
    k.public_key.resize(crypto_box_PUBLICKEYBYTES);
    crypto_box_keypair(k.public_key.data(), unlocked->secret_key);
    k.salt.resize(crypto_pwhash_SALTBYTES);
    randombytes_buf(k.salt.data(), k.salt.size());
    k.kdf = detail::password_kdf(impl_->settings.fast_key_derivation);
    const Key32 key = detail::password_key(password, k.salt, k.kdf);
    k.secret_key_enc = secretbox(key, unlocked->secret_key, crypto_box_SECRETKEYBYTES);
    created = std::move(k);
  }
  const Blob wrapped = secretbox(detail::session_wrap_key(session_secret), unlocked->secret_key,
                                 crypto_box_SECRETKEYBYTES);
  impl_->db.transaction([&](store::Connection& conn) {
    if (created) {
      // A racing first sign-in may have made a pair already: keep theirs, fail ours cleanly.
      if (conn.execute("UPDATE report_recipients SET public_key = ?, secret_key_enc = ?, "
                       "key_salt = ?, key_ops = ?, key_mem = ?, key_day = ? WHERE user_id = ? "
                       "AND public_key IS NULL",
                       {created->public_key, created->secret_key_enc, created->salt,
                        static_cast<std::int64_t>(created->kdf.ops),
                        static_cast<std::int64_t>(created->kdf.mem), detail::today(), user_id}) ==
          0) {
        throw Error(ErrorKind::conflict, "conflict",
                    "the report key was set up meanwhile; sign in again");
      }
    }
    conn.execute("DELETE FROM report_sessions WHERE id_hash = ?",
                 {detail::session_id_hash(session_secret)});
    conn.execute(
        "INSERT INTO report_sessions (id_hash, user_id, wrapped_key, day) VALUES (?, ?, ?, ?)",
        {detail::session_id_hash(session_secret), user_id, wrapped, detail::today()});
  });
  release_intake();  // this recipient's key may be the first one
}

std::optional<UnlockedKey> Reports::session_key(std::string_view session_secret) {
  auto lease = impl_->db.connection();
  const auto row = lease->query_one(
      "SELECT s.user_id, s.wrapped_key, r.public_key FROM report_sessions s JOIN "
      "report_recipients r ON r.user_id = s.user_id AND r.active = 1 AND r.public_key IS NOT "
      "NULL WHERE s.id_hash = ?",
      {detail::session_id_hash(session_secret)});
  if (!row) return std::nullopt;
  auto impl = std::make_unique<UnlockedKey::Impl>();
  if (!secretbox_open_into(detail::session_wrap_key(session_secret), row->blob(1),
                           impl->secret_key)) {
    return std::nullopt;
  }
  impl->user_id = row->integer(0);
  const Blob& pk = row->blob(2);
  if (pk.size() != impl->public_key.size()) return std::nullopt;
  std::memcpy(impl->public_key.data(), pk.data(), pk.size());
  // A wrap made with an older key pair (forget_key since) must not pass for the current one.
  std::array<unsigned char, crypto_box_PUBLICKEYBYTES> derived{};
  crypto_scalarmult_base(derived.data(), impl->secret_key);
  if (sodium_memcmp(derived.data(), impl->public_key.data(), derived.size()) != 0) {
    return std::nullopt;
  }
  return UnlockedKey(std::move(impl));
}

void Reports::close_session(std::string_view session_secret) {
  impl_->db.transaction([&](store::Connection& conn) {
    detail::secure_delete_on(conn);
    conn.execute("DELETE FROM report_sessions WHERE id_hash = ?",
                 {detail::session_id_hash(session_secret)});
  });
}

void Reports::change_password(std::int64_t user_id, std::string_view old_password,
                              std::string_view new_password) {
  std::optional<StoredKey> stored;
  {
    auto lease = impl_->db.connection();
    stored = stored_key(*lease, user_id);
  }
  if (!stored) return;  // no key yet: nothing to re-wrap
  auto sk = std::make_unique<UnlockedKey::Impl>();
  const Key32 old_key = detail::password_key(old_password, stored->salt, stored->kdf);
  if (!secretbox_open_into(old_key, stored->secret_key_enc, sk->secret_key)) {
    throw Error(ErrorKind::unauthorized, "invalid_credentials",
                "the old password does not open this recipient's report key");
  }
  Blob salt(crypto_pwhash_SALTBYTES);
  randombytes_buf(salt.data(), salt.size());
  const auto kdf = detail::password_kdf(impl_->settings.fast_key_derivation);
  const Key32 new_key = detail::password_key(new_password, salt, kdf);
  const Blob enc = secretbox(new_key, sk->secret_key, crypto_box_SECRETKEYBYTES);
  impl_->db.transaction([&](store::Connection& conn) {
    detail::secure_delete_on(conn);
    conn.execute(
        "UPDATE report_recipients SET secret_key_enc = ?, key_salt = ?, key_ops = ?, key_mem = ? "
        "WHERE user_id = ? AND public_key = ?",
        {enc, salt, static_cast<std::int64_t>(kdf.ops), static_cast<std::int64_t>(kdf.mem), user_id,
         stored->public_key});
  });
}

void Reports::forget_key(const auth::Principal& by, std::int64_t user_id) {
  if (by.user_id != user_id) require_manager(by, "reset another user's report key");
  impl_->db.transaction([&](store::Connection& conn) {
    detail::secure_delete_on(conn);
    conn.execute(
        "UPDATE report_recipients SET public_key = NULL, secret_key_enc = NULL, key_salt = NULL, "
        "key_ops = NULL, key_mem = NULL, key_day = NULL WHERE user_id = ?",
        {user_id});
    conn.execute("DELETE FROM report_keys WHERE user_id = ?", {user_id});
    conn.execute("DELETE FROM report_sessions WHERE user_id = ?", {user_id});
    impl_->audit.append(conn, by.audit("report.key_forget", "user:" + std::to_string(user_id)));
  });
}

int Reports::share_backlog(const UnlockedKey& key) {
  if (!key.impl_) {
    throw Error(ErrorKind::forbidden, "report_key_locked", "no unlocked report key was given");
  }
  const auto& me = *key.impl_;
  std::vector<std::tuple<std::int64_t, std::int64_t, Blob>> to_insert;
  {
    auto lease = impl_->db.connection();
    const auto rows = lease->query(
        "SELECT k.report_id, k.sealed_key, r.user_id, r.public_key FROM report_keys k JOIN "
        "report_recipients r ON r.active = 1 AND r.public_key IS NOT NULL WHERE k.user_id = ? "
        "AND NOT EXISTS (SELECT 1 FROM report_keys o WHERE o.report_id = k.report_id AND "
        "o.user_id = r.user_id) ORDER BY k.report_id, r.user_id",
        {me.user_id});
    for (const auto& row : rows) {
      const auto k = detail::unseal(row.blob(1), me.public_key.data(), me.secret_key);
      if (!k) continue;  // sealed to an older key of ours: nothing to share from it
      to_insert.emplace_back(row.integer(0), row.integer(2), detail::seal_to(row.blob(3), *k));
    }
  }
  if (to_insert.empty()) return 0;
  int sealed = 0;
  impl_->db.transaction([&](store::Connection& conn) {
    sealed = 0;
    for (const auto& [report_id, user_id, box] : to_insert) {
      sealed += static_cast<int>(conn.execute(
          "INSERT INTO report_keys (report_id, user_id, sealed_key) SELECT ?, ?, ? WHERE NOT "
          "EXISTS (SELECT 1 FROM report_keys WHERE report_id = ? AND user_id = ?)",
          {report_id, user_id, box, report_id, user_id}));
    }
  });
  return sealed;
}

int Reports::release_intake() {
  if (!impl_->intake_keys) return 0;
  int released = 0;
  impl_->db.transaction([&](store::Connection& conn) {
    released = 0;
    if (!conn.query_one("SELECT 1 FROM report_recipients WHERE active = 1 AND public_key IS NOT "
                        "NULL")) {
      return;  // still nobody to seal to: the reports stay in intake
    }
    detail::secure_delete_on(conn);
    for (const auto& row :
         conn.query("SELECT report_id, key_enc FROM report_intake ORDER BY report_id")) {
      const auto report_id = row.integer(0);
      const std::string plain = impl_->intake_keys->decrypt(row.blob(1), detail::kIntakeField);
      detail::Key32 k;
      if (plain.size() != k.bytes.size()) {
        throw Error(ErrorKind::internal, "internal",
                    "reports: the intake key of report " + std::to_string(report_id) +
                        " has the wrong size");
      }
      std::memcpy(k.data(), plain.data(), plain.size());
      sodium_memzero(const_cast<char*>(plain.data()), plain.size());
      for (const auto& [user_id, sealed] : impl_->seal_for_recipients(conn, k, report_id)) {
        conn.execute("INSERT INTO report_keys (report_id, user_id, sealed_key) VALUES (?, ?, ?)",
                     {report_id, user_id, sealed});
      }
      conn.execute("DELETE FROM report_intake WHERE report_id = ?", {report_id});
      ++released;
    }
    if (released > 0) {
      impl_->audit.append(
          conn, detail::system_entry("report.intake_release",
                                     std::to_string(released) + " reports sealed to recipients"));
    }
  });
  return released;
}

std::int64_t Reports::reencrypt(store::Connection& conn, const vault::Keyring& keys) {
  std::int64_t fields = 0;
  for (const auto& row : conn.query("SELECT report_id, key_enc FROM report_intake")) {
    const std::string plain = keys.decrypt(row.blob(1), detail::kIntakeField);
    conn.execute("UPDATE report_intake SET key_enc = ? WHERE report_id = ?",
                 {keys.encrypt(plain, detail::kIntakeField), row.integer(0)});
    sodium_memzero(const_cast<char*>(plain.data()), plain.size());
    ++fields;
  }
  return fields;
}

}  // namespace ctis::reports
