#include "vault/vault.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/core.h"

namespace ctis::vault {
namespace {

constexpr std::uint8_t kFormat = 1;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "ctisvlt1";

[[noreturn]] void key_file_error(const std::string& path, const std::string& why) {
  throw Error(ErrorKind::unavailable, "key_file", "key file " + path + ": " + why);
}

std::string new_key_id() {
  // Time-ordered and unique enough for a handful of rotations: k<UTC time><4 random hex>.
  std::string iso = format_iso8601(now_millis());
  std::string id = "k";
  for (char c : iso) {
    if (std::isdigit(static_cast<unsigned char>(c))) id.push_back(c);
  }
  return id + to_hex(random_bytes(2));
}

}  // namespace

struct Keyring::Key {
  std::string id;
  Bytes master;  // 32 bytes
  Bytes enc;     // derived: XChaCha20-Poly1305 key
  Bytes idx;     // derived: HMAC-SHA-256 key

  static Key make(std::string id, Bytes master) {
    if (sodium_init() < 0) throw Error(ErrorKind::internal, "sodium_init", "libsodium failed");
    Key k{std::move(id), std::move(master), Bytes(crypto_aead_xchacha20poly1305_ietf_KEYBYTES),
          Bytes(crypto_auth_hmacsha256_KEYBYTES)};
    crypto_kdf_derive_from_key(k.enc.data(), k.enc.size(), 1, kKdfContext, k.master.data());
    crypto_kdf_derive_from_key(k.idx.data(), k.idx.size(), 2, kKdfContext, k.master.data());
    return k;
  }
  ~Key() {
    sodium_memzero(master.data(), master.size());
    sodium_memzero(enc.data(), enc.size());
    sodium_memzero(idx.data(), idx.size());
  }
  Key(Key&&) = default;
  Key& operator=(Key&&) = default;
  Key(std::string i, Bytes m, Bytes e, Bytes x)
      : id(std::move(i)), master(std::move(m)), enc(std::move(e)), idx(std::move(x)) {}
};

Keyring::Keyring(std::string path, std::vector<Key> keys, std::string active, int lock_fd)
    : path_(std::move(path)),
      keys_(std::move(keys)),
      active_(std::move(active)),
      lock_fd_(lock_fd) {}

Keyring::~Keyring() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

namespace {
int lock_shared(const std::string& path) {
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) key_file_error(path, "cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    ::close(fd);
    key_file_error(path, "a key rotation is in progress; try again when it has finished");
  }
  return fd;
}
}  // namespace

std::shared_ptr<Keyring> Keyring::open(const std::string& path, bool create) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (!create) key_file_error(path, "does not exist");
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) key_file_error(path, "cannot create its folder: " + ec.message());
    ::chmod(fs::path(path).parent_path().c_str(), 0700);
    const int lock_fd = lock_shared(path);
    std::vector<Key> keys;
    keys.push_back(Key::make(new_key_id(), random_bytes(crypto_kdf_KEYBYTES)));
    std::string active = keys.front().id;
    std::shared_ptr<Keyring> ring(new Keyring(path, std::move(keys), active, lock_fd));
    ring->save();
    return ring;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) key_file_error(path, std::strerror(errno));
  if ((st.st_mode & 077) != 0) {
    key_file_error(path, "permissions are too open (must be 0600: chmod 600 " + path + ")");
  }
  std::ifstream in(path);
  if (!in) key_file_error(path, "cannot be read: " + std::string(std::strerror(errno)));
  std::vector<Key> keys;
  std::string active;
  std::string line;
  int line_no = 0;
  bool format_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string word, a, b;
    words >> word >> a >> b;
    const std::string where = "line " + std::to_string(line_no) + ": ";
    if (word == "format") {
      if (a != "1") key_file_error(path, where + "unsupported format " + a);
      format_seen = true;
    } else if (word == "active") {
      active = a;
    } else if (word == "key") {
      Bytes master;
      try {
        master = from_base64(b);
      } catch (const Error&) {
        key_file_error(path, where + "key is not base64");
      }
      if (a.empty() || master.size() != crypto_kdf_KEYBYTES) {
        key_file_error(path, where + "malformed key");
      }
      keys.push_back(Key::make(a, std::move(master)));
    } else {
      key_file_error(path, where + "unexpected \"" + word + "\"");
    }
  }
  if (!format_seen) key_file_error(path, "not a CTIS key file (no format line)");
  if (keys.empty()) key_file_error(path, "holds no key");
  if (std::none_of(keys.begin(), keys.end(), [&](const Key& k) { return k.id == active; })) {
    key_file_error(path, "the active key \"" + active + "\" is not in the file");
  }
  return std::shared_ptr<Keyring>(new Keyring(path, std::move(keys), active, lock_shared(path)));
}

void Keyring::save() const {
  std::ostringstream out;
  out << "# CTIS data keys. Keep secret; back up apart from the database: without this file\n"
         "# the encrypted fields cannot be read.\n"
      << "format 1\nactive " << active_ << "\n";
  for (const auto& k : keys_) out << "key " << k.id << " " << to_base64(k.master) << "\n";
  const std::string text = out.str();
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) key_file_error(path_, "cannot write: " + std::string(std::strerror(errno)));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::unlink(tmp.c_str());
    key_file_error(path_, "cannot write: " + std::string(std::strerror(errno)));
  }
  // The rename is durable only once the folder entry is.
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

const Keyring::Key& Keyring::find(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id) return k;
  }
  throw Error(ErrorKind::unavailable, "decrypt_failed",
              "data was encrypted with key " + std::string(id) + ", which the key file lacks");
}

const std::string& Keyring::active_key_id() const { return active_; }

std::vector<std::string> Keyring::key_ids() const {
  std::vector<std::string> ids;
  for (const auto& k : keys_) ids.push_back(k.id);
  return ids;
}

// Layout: format byte, key id length, key id, nonce, ciphertext with tag.
Bytes Keyring::encrypt(std::string_view plaintext, std::string_view field) const {
  const Key& key = find(active_);
  constexpr std::size_t nonce_size = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const std::size_t head = 2 + key.id.size() + nonce_size;
  // Sized once, filled in place: one allocation per field.
  Bytes out(head + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  out[0] = kFormat;
  out[1] = static_cast<std::uint8_t>(key.id.size());
  std::memcpy(out.data() + 2, key.id.data(), key.id.size());
  std::uint8_t* nonce = out.data() + 2 + key.id.size();
  randombytes_buf(nonce, nonce_size);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + head, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(field.data()), field.size(), nullptr,
      nonce, key.enc.data());
  out.resize(head + written);
  return out;
}

std::string Keyring::key_id_of(const Bytes& c) {
  if (c.size() < 2 || c[0] != kFormat || c.size() < 2u + c[1]) {
    throw Error(ErrorKind::invalid, "decrypt_failed", "not a CTIS ciphertext");
  }
  return std::string(c.begin() + 2, c.begin() + 2 + c[1]);
}

std::string Keyring::decrypt(const Bytes& c, std::string_view field) const {
  const std::string id = key_id_of(c);
  const Key& key = find(id);
  const std::size_t head = 2 + id.size() + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (c.size() < head + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    throw Error(ErrorKind::invalid, "decrypt_failed", "ciphertext too short");
  }
  std::string out(c.size() - head - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr, c.data() + head,
          c.size() - head, reinterpret_cast<const unsigned char*>(field.data()), field.size(),
          c.data() + 2 + id.size(), key.enc.data()) != 0) {
    throw Error(ErrorKind::unavailable, "decrypt_failed",
                "field " + std::string(field) + " does not open with key " + id);
  }
  out.resize(len);
  return out;
}

std::string Keyring::blind_index(std::string_view value, std::string_view field) const {
  std::string normal(value);
  const auto first = normal.find_first_not_of(" \t\r\n");
  const auto last = normal.find_last_not_of(" \t\r\n");
  normal = first == std::string::npos ? "" : normal.substr(first, last - first + 1);
  std::transform(normal.begin(), normal.end(), normal.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const std::string message = std::string(field) + '\0' + normal;
  std::uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, find(active_).idx.data(), crypto_auth_hmacsha256_KEYBYTES);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return to_hex(std::span<const std::uint8_t>(mac, 16));  // 128 bits is plenty for equality
}

void Keyring::add_key() {
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::flock(lock_fd_, LOCK_SH | LOCK_NB);  // a failed conversion may have dropped the lock
    throw Error(ErrorKind::conflict, "key_in_use",
                "the key file is in use by another ctis process (a running server?): stop it "
                "before rotating keys");
  }
  keys_.push_back(Key::make(new_key_id(), random_bytes(crypto_kdf_KEYBYTES)));
  active_ = keys_.back().id;
  save();
}

void Keyring::retire_inactive() {
  std::erase_if(keys_, [&](const Key& k) { return k.id != active_; });
  save();
  ::flock(lock_fd_, LOCK_SH);
}

}  // namespace ctis::vault
