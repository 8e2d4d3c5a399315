// Keys and codes of reports: per-report keys, receipt codes, recipients' key derivation, days.
#include <chrono>
#include <cstring>

#include "reports/internal.h"

namespace ctis::reports {

namespace detail {
namespace {

// Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr std::size_t kCodeChars = 20;  // 100 bits

// Personal strings (16 bytes each) keep every derived value in its own domain.
constexpr char kReceiptLookup[] = "ctis-rcpt-lookup";
constexpr char kReceiptWrap[] = "ctis-rcpt-wrapky";
constexpr char kSessionId[] = "ctis-rpt-sess-id";
constexpr char kSessionWrap[] = "ctis-rpt-session";

void keyed_hash(unsigned char* out, std::size_t out_len, std::string_view in,
                const char (&personal)[17]) {
  static_assert(crypto_generichash_blake2b_PERSONALBYTES == 16);
  crypto_generichash_blake2b_salt_personal(
      out, out_len, reinterpret_cast<const unsigned char*>(in.data()), in.size(), nullptr, 0,
      nullptr, reinterpret_cast<const unsigned char*>(personal));
}

[[noreturn]] void crypto_failure(const std::string& what) {
  throw Error(ErrorKind::internal, "crypto", "reports: " + what + " failed");
}

}  // namespace

Key32 random_key() {
  Key32 k;
  randombytes_buf(k.data(), k.bytes.size());
  return k;
}

Blob seal_with(const Key32& key, std::string_view plain, std::string_view ad) {
  constexpr std::size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  Blob out(nonce_len + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(out.data(), nonce_len);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + nonce_len, &written, reinterpret_cast<const unsigned char*>(plain.data()),
      plain.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      out.data(), key.data());
  out.resize(nonce_len + written);
  return out;
}

bool try_open_with(const Key32& key, const Blob& box, std::string_view ad, std::string& out) {
  constexpr std::size_t nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (box.size() < nonce_len + crypto_aead_xchacha20poly1305_ietf_ABYTES) return false;
  out.resize(box.size() - nonce_len - crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, box.data() + nonce_len,
          box.size() - nonce_len, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          box.data(), key.data()) != 0) {
    out.clear();
    return false;
  }
  out.resize(written);
  return true;
}

std::string open_with(const Key32& key, const Blob& box, std::string_view ad) {
  std::string out;
  if (!try_open_with(key, box, ad, out)) crypto_failure("decrypting " + std::string(ad));
  return out;
}

std::string new_receipt_code() {
  std::array<unsigned char, 13> raw{};  // 104 bits drawn, 100 used
  randombytes_buf(raw.data(), raw.size());
  std::string code;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t next = 0;
  while (code.size() < kCodeChars + 4) {
    if (bits < 5) {
      acc = (acc << 8) | raw[next++];
      bits += 8;
    }
    bits -= 5;
    code += kCrockford[(acc >> bits) & 31U];
    if (code.size() % 5 == 4 && code.size() < kCodeChars + 4) code += '-';
  }
  sodium_memzero(raw.data(), raw.size());
  return code;
}

std::optional<std::string> normalize_receipt_code(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (kCrockford.find(c) == std::string_view::npos) return std::nullopt;
    out += c;
    if (out.size() > kCodeChars) return std::nullopt;
  }
  if (out.size() != kCodeChars) return std::nullopt;
  return out;
}

std::string receipt_lookup(const std::string& canonical) {
  std::array<unsigned char, 32> h{};
  keyed_hash(h.data(), h.size(), canonical, kReceiptLookup);
  return to_hex(h);
}

Key32 receipt_wrap_key(const std::string& canonical) {
  Key32 k;
  keyed_hash(k.data(), k.bytes.size(), canonical, kReceiptWrap);
  return k;
}

std::string session_id_hash(std::string_view secret) {
  std::array<unsigned char, 32> h{};
  keyed_hash(h.data(), h.size(), secret, kSessionId);
  return to_hex(h);
}

Key32 session_wrap_key(std::string_view secret) {
  Key32 k;
  keyed_hash(k.data(), k.bytes.size(), secret, kSessionWrap);
  return k;
}

PasswordKdf password_kdf(bool fast) {
  if (fast) return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Key32 password_key(std::string_view password, const Blob& salt, PasswordKdf kdf) {
  if (salt.size() != crypto_pwhash_SALTBYTES) crypto_failure("password key (salt size)");
  Key32 k;
  if (crypto_pwhash(k.data(), k.bytes.size(), password.data(), password.size(), salt.data(),
                    kdf.ops, kdf.mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(ErrorKind::unavailable, "out_of_memory",
                "reports: not enough memory to derive a recipient's key");
  }
  return k;
}

Blob seal_to(const Blob& public_key, const Key32& k) {
  if (public_key.size() != crypto_box_PUBLICKEYBYTES) crypto_failure("sealing (public key)");
  Blob out(k.bytes.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(out.data(), k.data(), k.bytes.size(), public_key.data()) != 0) {
    crypto_failure("sealing");
  }
  return out;
}

std::optional<Key32> unseal(const Blob& sealed, const unsigned char* public_key,
                            const unsigned char* secret_key) {
  Key32 k;
  if (sealed.size() != k.bytes.size() + crypto_box_SEALBYTES) return std::nullopt;
  if (crypto_box_seal_open(k.data(), sealed.data(), sealed.size(), public_key, secret_key) != 0) {
    return std::nullopt;
  }
  return k;
}

std::string report_ad(std::int64_t report_id, std::string_view part) {
  return "report:" + std::to_string(report_id) + ":" + std::string(part);
}

std::string today() {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(system_clock::now());
  return add_days("1970-01-01", static_cast<int>(days.time_since_epoch().count()));
}

bool valid_day(std::string_view day) {
  if (day.size() != 10 || day[4] != '-' || day[7] != '-') return false;
  for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (day[i] < '0' || day[i] > '9') return false;
  }
  using namespace std::chrono;
  const year_month_day ymd{
      year{std::stoi(std::string(day.substr(0, 4)))},
      month{static_cast<unsigned>(std::stoi(std::string(day.substr(5, 2))))},
      std::chrono::day{static_cast<unsigned>(std::stoi(std::string(day.substr(8, 2))))}};
  return ymd.ok();
}

std::string add_days(std::string_view day, int days) {
  if (!valid_day(day)) fail_invalid("today", "today: expected a day YYYY-MM-DD");
  using namespace std::chrono;
  const year_month_day ymd{
      year{std::stoi(std::string(day.substr(0, 4)))},
      month{static_cast<unsigned>(std::stoi(std::string(day.substr(5, 2))))},
      std::chrono::day{static_cast<unsigned>(std::stoi(std::string(day.substr(8, 2))))}};
  const year_month_day out{sys_days{ymd} + std::chrono::days{days}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(out.year()),
                static_cast<unsigned>(out.month()), static_cast<unsigned>(out.day()));
  return buf;
}

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate), burst_(burst), tokens_(burst), last_(std::chrono::steady_clock::now()) {}

void TokenBucket::refill() {
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
}

bool TokenBucket::try_take() {
  std::lock_guard lock(mutex_);
  refill();
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool TokenBucket::has_token() {
  std::lock_guard lock(mutex_);
  refill();
  return tokens_ >= 1;
}

void TokenBucket::take() {
  std::lock_guard lock(mutex_);
  refill();
  tokens_ -= 1;
}

void secure_delete_on(store::Connection& conn) {
  if (conn.dialect() == store::Dialect::sqlite) conn.query("PRAGMA secure_delete=ON");
}

}  // namespace detail

UnlockedKey::Impl::Impl()
    : secret_key(static_cast<unsigned char*>(sodium_malloc(crypto_box_SECRETKEYBYTES))) {
  if (secret_key == nullptr) {
    throw Error(ErrorKind::unavailable, "out_of_memory", "reports: cannot lock key memory");
  }
}

UnlockedKey::Impl::~Impl() { sodium_free(secret_key); }

UnlockedKey::UnlockedKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UnlockedKey::UnlockedKey(UnlockedKey&&) noexcept = default;
UnlockedKey& UnlockedKey::operator=(UnlockedKey&&) noexcept = default;
UnlockedKey::~UnlockedKey() = default;
std::int64_t UnlockedKey::user_id() const { return impl_ ? impl_->user_id : 0; }

}  // namespace ctis::reports
