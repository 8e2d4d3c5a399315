// vault: encryption of personal data at rest, and keyed blind indexes for exact lookups.
//
// A Keyring is loaded from a key file kept outside the database (created on first use with
// 0600 permissions in a 0700 folder). The file holds one or more 32-byte master keys; one is
// active. From each master key two subkeys are derived (libsodium KDF): one encrypts fields
// with XChaCha20-Poly1305, one computes blind indexes (HMAC-SHA-256).
//
// A ciphertext names the key that made it, so a field written before a rotation still opens
// while the old key is kept. The associated data is the field's name ("users.email"): a
// ciphertext copied into another column fails to open.
//
// Rotation, crash-safe in three steps: add_key() makes a new active key and saves the file
// with both keys; the caller re-encrypts every field (and recomputes blind indexes) in one
// database transaction; retire_inactive() saves the file with only the active key.
//
// Every open Keyring holds a shared lock on "<key file>.lock"; add_key() needs it exclusively
// until retire_inactive(), so a key cannot be rotated under a running server (which would go
// on writing with the retired key), and nothing opens the keyring mid-rotation.
//
// Threads: a Keyring is immutable between those calls and safe to share for encrypt/decrypt.
// Errors: ctis::Error(unavailable, "key_file") for a missing (when not creating), unreadable,
// malformed or too-open key file, or one being rotated; (conflict, "key_in_use") when add_key()
// finds another process using the keyring; (unavailable, "decrypt_failed") when a ciphertext
// does not open — data and key file do not belong together.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctis::vault {

using Bytes = std::vector<std::uint8_t>;

class Keyring {
 public:
  // Loads the key file; when it is missing and create is true, makes a new one.
  static std::shared_ptr<Keyring> open(const std::string& path, bool create);
  ~Keyring();

  Bytes encrypt(std::string_view plaintext, std::string_view field) const;
  std::string decrypt(const Bytes& ciphertext, std::string_view field) const;
  // Hex HMAC of the normalised value (trimmed, lower-cased ASCII) under the active key.
  std::string blind_index(std::string_view value, std::string_view field) const;

  const std::string& active_key_id() const;
  // The id of the key a ciphertext was made with.
  static std::string key_id_of(const Bytes& ciphertext);
  std::vector<std::string> key_ids() const;

  // Rotation steps (see above). Each rewrites the file atomically (write, fsync, rename).
  void add_key();
  void retire_inactive();

 private:
  struct Key;
  Keyring(std::string path, std::vector<Key> keys, std::string active, int lock_fd);
  void save() const;
  const Key& find(std::string_view id) const;

  std::string path_;
  std::vector<Key> keys_;
  std::string active_;
  int lock_fd_;  // shared lock while open, exclusive during a rotation
};

}  // namespace ctis::vault
