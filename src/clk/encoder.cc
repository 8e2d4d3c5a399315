// Keys and hashing: HKDF (RFC 5869) from the shared secret, HMAC-SHA1/HMAC-MD5 double hashing
// and keyed BLAKE2b, the Bloom filter, XOR folding. The per-key hash states (HMAC pads, BLAKE2b
// key block per salt) are computed once in the Encoder, so a token costs only its own blocks.
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <bit>
#include <memory>

#include "clk/internal.h"
#include "core/core.h"

namespace ctis::clk {

namespace detail {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// HMAC with the key already absorbed: copies of `inner` and `outer` finish each message.
class Hmac {
 public:
  Hmac(const EVP_MD* md, std::span<const std::uint8_t> key) : inner_(new_ctx()), outer_(new_ctx()) {
    const auto block = static_cast<std::size_t>(EVP_MD_get_block_size(md));
    std::vector<std::uint8_t> k(block, 0);
    if (key.size() > block) {
      unsigned int len = 0;
      check(EVP_Digest(key.data(), key.size(), k.data(), &len, md, nullptr));
    } else {
      std::copy(key.begin(), key.end(), k.begin());
    }
    std::vector<std::uint8_t> pad(block);
    for (std::size_t i = 0; i < block; ++i) pad[i] = k[i] ^ 0x36U;
    check(EVP_DigestInit_ex(inner_.get(), md, nullptr));
    check(EVP_DigestUpdate(inner_.get(), pad.data(), pad.size()));
    for (std::size_t i = 0; i < block; ++i) pad[i] = k[i] ^ 0x5CU;
    check(EVP_DigestInit_ex(outer_.get(), md, nullptr));
    check(EVP_DigestUpdate(outer_.get(), pad.data(), pad.size()));
    OPENSSL_cleanse(k.data(), k.size());
    OPENSSL_cleanse(pad.data(), pad.size());
  }

  // The MAC of part1 || part2 into `out` (EVP_MAX_MD_SIZE bytes); returns its length.
  unsigned int mac(std::string_view part1, std::string_view part2, std::uint8_t* out) const {
    thread_local MdCtx scratch(new_ctx());
    unsigned int len = 0;
    check(EVP_MD_CTX_copy_ex(scratch.get(), inner_.get()));
    check(EVP_DigestUpdate(scratch.get(), part1.data(), part1.size()));
    if (!part2.empty()) check(EVP_DigestUpdate(scratch.get(), part2.data(), part2.size()));
    check(EVP_DigestFinal_ex(scratch.get(), out, &len));
    check(EVP_MD_CTX_copy_ex(scratch.get(), outer_.get()));
    check(EVP_DigestUpdate(scratch.get(), out, len));
    check(EVP_DigestFinal_ex(scratch.get(), out, &len));
    return len;
  }

 private:
  static EVP_MD_CTX* new_ctx() {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    if (c == nullptr) throw Error(ErrorKind::internal, "openssl", "out of memory");
    return c;
  }
  static void check(int ok) {
    if (ok != 1) throw Error(ErrorKind::internal, "openssl", "OpenSSL digest failed");
  }
  MdCtx inner_, outer_;
};

struct FeatureHasher {
  std::unique_ptr<Hmac> sha1, md5;                      // doubleHash
  std::vector<crypto_generichash_blake2b_state> blake;  // blakeHash: keyed state per salt '0'..
};

struct Hashers {
  std::vector<FeatureHasher> features;
};

}  // namespace detail

namespace {

using detail::FeatureHasher;

// Big-endian digest modulo m, as Python's int.from_bytes(d, 'big') % m.
std::uint64_t digest_mod(const std::uint8_t* d, unsigned int len, std::uint64_t m) {
  if (std::has_single_bit(m) && len >= 8) {  // the low bits of the last eight bytes
    std::uint64_t low = 0;
    for (unsigned int i = len - 8; i < len; ++i) low = (low << 8) | d[i];
    return low & (m - 1);
  }
  std::uint64_t r = 0;
  for (unsigned int i = 0; i < len; ++i) r = ((r << 8) | d[i]) % m;
  return r;
}

void set_bit(std::vector<std::uint8_t>& bits, std::uint64_t i) {
  bits[i >> 3] |= static_cast<std::uint8_t>(0x80U >> (i & 7));
}

void double_hash(const Feature& f, const FeatureHasher& h, std::string_view token, int k,
                 std::uint64_t length, std::vector<std::uint8_t>& bits) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> d{};
  unsigned int len = h.sha1->mac(token, {}, d.data());
  const std::uint64_t a = digest_mod(d.data(), len, length);
  len = h.md5->mac(token, {}, d.data());
  std::uint64_t b = digest_mod(d.data(), len, length);
  // clkhash issue 33: with b == 0 every insertion hits one bit; rehash with chr(i) appended.
  for (char32_t i = 0; f.prevent_singularity && b == 0; ++i) {
    std::string suffix;
    detail::append_utf8(suffix, i);
    len = h.md5->mac(token, suffix, d.data());
    b = digest_mod(d.data(), len, length);
  }
  for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(k); ++i) {
    set_bit(bits, (a + i * b) % length);
  }
}

void blake_hash(const FeatureHasher& h, std::string_view token, int k, std::uint64_t length,
                std::vector<std::uint8_t>& bits) {
  constexpr int kPerDigest = 32;  // a 64-byte digest read as 32 little-endian uint16
  std::array<std::uint8_t, 64> d{};
  for (int j = 0; j * kPerDigest < k; ++j) {
    crypto_generichash_blake2b_state state = h.blake[static_cast<std::size_t>(j)];
    crypto_generichash_blake2b_update(&state, reinterpret_cast<const unsigned char*>(token.data()),
                                      token.size());
    crypto_generichash_blake2b_final(&state, d.data(), d.size());
    const int n = std::min(kPerDigest, k - j * kPerDigest);
    for (int i = 0; i < n; ++i) {
      const auto u = static_cast<std::uint64_t>(d[2 * static_cast<std::size_t>(i)]) |
                     static_cast<std::uint64_t>(d[2 * static_cast<std::size_t>(i) + 1]) << 8;
      set_bit(bits, u & (length - 1));  // u mod length: a power of two for blakeHash
    }
  }
}

// first half XOR second half, `folds` times.
std::vector<std::uint8_t> fold(std::vector<std::uint8_t> bits, std::size_t length, unsigned folds) {
  for (unsigned f = 0; f < folds; ++f) {
    const std::size_t half = length / 2;
    std::vector<std::uint8_t> out((half + 7) / 8, 0);
    for (std::size_t i = 0; i < half; ++i) {
      const bool x = ((bits[i >> 3] >> (7 - (i & 7))) & 1U) != 0;
      const std::size_t j = i + half;
      const bool y = ((bits[j >> 3] >> (7 - (j & 7))) & 1U) != 0;
      if (x != y) set_bit(out, i);
    }
    bits = std::move(out);
    length = half;
  }
  return bits;
}

std::size_t max_bits_per_token(const Feature& f) {
  return static_cast<std::size_t>(f.bits_per_token ? *f.bits_per_token : *f.bits_per_feature);
}

}  // namespace

std::size_t Clk::popcount() const {
  std::size_t n = 0;
  for (std::uint8_t b : bytes) n += static_cast<std::size_t>(std::popcount(b));
  return n;
}

std::vector<std::uint32_t> Clk::set_bits() const {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < bits; ++i) {
    if (test(i)) out.push_back(static_cast<std::uint32_t>(i));
  }
  return out;
}

std::string to_base64(const Clk& clk) { return ctis::to_base64(clk.bytes); }

Clk from_base64(std::string_view text) {
  Clk clk;
  clk.bytes = ctis::from_base64(text);
  clk.bits = clk.bytes.size() * 8;
  return clk;
}

namespace {

// RFC 5869 extract-and-expand; an empty salt means HashLen zero bytes, as in RFC 5869.
std::vector<std::uint8_t> hkdf(KdfHash hash, std::span<const std::uint8_t> salt,
                               std::span<const std::uint8_t> secret,
                               std::span<const std::uint8_t> info, std::size_t length) {
  if (secret.empty()) fail_invalid("secret", "the linkage secret must not be empty");
  std::vector<std::uint8_t> okm(length);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), &EVP_PKEY_CTX_free);
  const EVP_MD* md = hash == KdfHash::sha256 ? EVP_sha256() : EVP_sha512();
  std::size_t out_len = okm.size();
  const bool ok =
      ctx && EVP_PKEY_derive_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_hkdf_md(ctx.get(), md) == 1 &&
      (salt.empty() ||
       EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(), static_cast<int>(salt.size())) == 1) &&
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), secret.data(), static_cast<int>(secret.size())) == 1 &&
      (info.empty() ||
       EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), info.data(), static_cast<int>(info.size())) == 1) &&
      EVP_PKEY_derive(ctx.get(), okm.data(), &out_len) == 1 && out_len == okm.size();
  if (!ok) throw Error(ErrorKind::internal, "openssl", "HKDF key derivation failed");
  return okm;
}

// Balancing's permutation of 2l bits: indices ordered by HMAC-SHA256(key, index).
std::vector<std::uint32_t> keyed_permutation(const std::vector<std::uint8_t>& key,
                                             std::uint32_t size) {
  const detail::Hmac mac(EVP_sha256(), key);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order(size);
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> d{};
  for (std::uint32_t i = 0; i < size; ++i) {
    const std::array<char, 4> be = {static_cast<char>(i >> 24), static_cast<char>(i >> 16),
                                    static_cast<char>(i >> 8), static_cast<char>(i)};
    mac.mac(std::string_view(be.data(), be.size()), {}, d.data());
    std::uint64_t rank = 0;
    for (std::size_t b = 0; b < 8; ++b) rank = (rank << 8) | d[b];
    order[i] = {rank, i};
  }
  std::sort(order.begin(), order.end());
  std::vector<std::uint32_t> perm(size);
  for (std::uint32_t j = 0; j < size; ++j) perm[j] = order[j].second;
  return perm;
}

std::size_t feature_index(const Schema& schema, const std::string& identifier) {
  for (std::size_t j = 0; j < schema.features.size(); ++j) {
    if (schema.features[j].identifier == identifier) return j;
  }
  fail_invalid(identifier, "hardening: the schema has no feature '" + identifier + "'");
}

}  // namespace

std::vector<std::vector<std::uint8_t>> derive_keys(const Schema& schema,
                                                   std::span<const std::uint8_t> secret) {
  const std::size_t count = 2 * schema.features.size();
  std::vector<std::uint8_t> okm =
      hkdf(schema.kdf_hash, schema.kdf_salt, secret, schema.kdf_info, count * schema.key_size);
  std::vector<std::vector<std::uint8_t>> keys;
  for (std::size_t i = 0; i < count; ++i) {
    const auto begin = okm.begin() + static_cast<std::ptrdiff_t>(i * schema.key_size);
    keys.emplace_back(begin, begin + static_cast<std::ptrdiff_t>(schema.key_size));
  }
  OPENSSL_cleanse(okm.data(), okm.size());
  return keys;
}

Encoder::Encoder(const Schema& schema, std::string_view secret, const Hardening& hardening)
    : Encoder(schema,
              std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
              hardening) {}

Encoder::Encoder(const Schema& schema, std::span<const std::uint8_t> secret,
                 const Hardening& hardening)
    : schema_(schema), keys_(derive_keys(schema, secret)) {
  salt_source_.assign(schema_.features.size(), -1);
  for (const FeatureSalt& salt : hardening.salts) {
    const std::size_t target = feature_index(schema_, salt.feature);
    const std::size_t source = feature_index(schema_, salt.with);
    if (schema_.features[target].ignored || target == source) {
      fail_invalid(salt.feature, "hardening: feature '" + salt.feature +
                                     "' must be hashed and salted by another feature");
    }
    salt_source_[target] = static_cast<int>(source);
  }
  if (hardening.balance) {
    static constexpr std::string_view kInfo = "ctis-clk-balance";
    const auto key =
        hkdf(schema_.kdf_hash, schema_.kdf_salt, secret,
             std::span(reinterpret_cast<const std::uint8_t*>(kInfo.data()), kInfo.size()), 32);
    permutation_ = keyed_permutation(key, 2 * schema_.l);
  }
  if (sodium_init() < 0) throw Error(ErrorKind::internal, "sodium_init", "libsodium failed");
  auto hashers = std::make_shared<detail::Hashers>();
  hashers->features.resize(schema_.features.size());
  for (std::size_t j = 0; j < schema_.features.size(); ++j) {
    const Feature& f = schema_.features[j];
    FeatureHasher& h = hashers->features[j];
    if (f.ignored) continue;
    const auto& k0 = keys_[2 * j];
    if (f.hash == HashType::double_hash) {
      h.sha1 = std::make_unique<detail::Hmac>(EVP_sha1(), k0);
      h.md5 = std::make_unique<detail::Hmac>(EVP_md5(), keys_[2 * j + 1]);
      continue;
    }
    // BLAKE2b salt: str(j) in ASCII, zero-padded to 16 bytes.
    const std::size_t salts = (max_bits_per_token(f) + 31) / 32;
    h.blake.resize(salts);
    for (std::size_t s = 0; s < salts; ++s) {
      std::array<unsigned char, crypto_generichash_blake2b_SALTBYTES> salt{};
      const std::string digits = std::to_string(s);
      std::copy(digits.begin(), digits.end(), salt.begin());
      if (crypto_generichash_blake2b_init_salt_personal(&h.blake[s], k0.data(), k0.size(), 64,
                                                        salt.data(), nullptr) != 0) {
        throw Error(ErrorKind::internal, "blake2b", "BLAKE2b initialisation failed");
      }
    }
  }
  hashers_ = std::move(hashers);
}

Clk Encoder::encode(std::span<const std::string> fields) const {
  std::vector<std::string_view> views(fields.begin(), fields.end());
  return encode(std::span<const std::string_view>(views));
}

Clk Encoder::encode(std::span<const std::string_view> fields) const {
  const auto& features = schema_.features;
  if (fields.size() != features.size()) {
    fail_invalid("record", "expected " + std::to_string(features.size()) +
                               " values (one per schema feature), got " +
                               std::to_string(fields.size()));
  }
  const std::uint64_t length = schema_.hash_length();
  std::vector<std::uint8_t> bits((length + 7) / 8, 0);
  std::string bytes;
  for (std::size_t j = 0; j < features.size(); ++j) {
    const Feature& f = features[j];
    if (f.ignored) continue;
    const auto tokens = tokenize(f, format_value(f, fields[j]));
    const auto ks = bits_per_token(f, tokens.size());
    const FeatureHasher& h = hashers_->features[j];
    std::string salt;
    if (salt_source_[j] >= 0) {
      const auto source = static_cast<std::size_t>(salt_source_[j]);
      salt.assign(1, '\x1F');  // a separator no token ends with
      salt += format_value(features[source], fields[source]);
    }
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      detail::encode_text(tokens[t], f.encoding, bytes);
      bytes += salt;
      if (f.hash == HashType::double_hash) {
        double_hash(f, h, bytes, ks[t], length, bits);
      } else {
        blake_hash(h, bytes, ks[t], length, bits);
      }
    }
  }
  Clk clk;
  clk.bits = schema_.l;
  clk.bytes =
      schema_.xor_folds == 0 ? std::move(bits) : fold(std::move(bits), length, schema_.xor_folds);
  if (permutation_.empty()) return clk;
  Clk balanced;
  balanced.bits = 2 * clk.bits;
  balanced.bytes.assign((balanced.bits + 7) / 8, 0);
  for (std::size_t j = 0; j < balanced.bits; ++j) {
    const std::uint32_t i = permutation_[j];
    if (i < clk.bits ? clk.test(i) : !clk.test(i - clk.bits)) set_bit(balanced.bytes, j);
  }
  return balanced;
}

}  // namespace ctis::clk
