#include "core/core.h"

#include <sodium.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ctis {
namespace {

// libsodium must be initialised once before any of its functions; sodium_init is idempotent
// and thread-safe, so calling it from every entry point that needs it is enough.
void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw Error(ErrorKind::internal, "sodium_init", "libsodium failed to initialise");
}

std::atomic<LogLevel> g_level{LogLevel::info};
std::mutex g_log_mutex;

}  // namespace

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return 400;
    case ErrorKind::unauthorized:
      return 401;
    case ErrorKind::forbidden:
      return 403;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::too_large:
      return 413;
    case ErrorKind::rate_limited:
      return 429;
    case ErrorKind::unavailable:
      return 503;
    case ErrorKind::internal:
      return 500;
  }
  return 500;
}

int exit_code(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
    case ErrorKind::too_large:
      return 2;
    case ErrorKind::unauthorized:
    case ErrorKind::forbidden:
      return 3;
    case ErrorKind::not_found:
      return 4;
    case ErrorKind::conflict:
      return 5;
    case ErrorKind::rate_limited:
      return 6;
    case ErrorKind::unavailable:
      return 7;
    case ErrorKind::internal:
      return 1;
  }
  return 1;
}

Millis now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_iso8601(Millis t) {
  std::time_t seconds = static_cast<std::time_t>(t / 1000);
  int millis = static_cast<int>(t % 1000);
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::vector<std::uint8_t> random_bytes(std::size_t n) {
  ensure_sodium();
  std::vector<std::uint8_t> out(n);
  randombytes_buf(out.data(), n);
  return out;
}

std::string random_token(std::size_t bytes) {
  auto raw = random_bytes(bytes);
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    fail_invalid("", "not a hexadecimal string");
  };
  if (hex.size() % 2 != 0) fail_invalid("", "hexadecimal string of odd length");
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

std::string to_base64(std::span<const std::uint8_t> bytes) {
  ensure_sodium();
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // drop the terminating NUL the length includes
  return out;
}

std::vector<std::uint8_t> from_base64(std::string_view text) {
  ensure_sodium();
  std::vector<std::uint8_t> out(text.size() * 3 / 4 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), "\n\r ", &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    fail_invalid("", "not valid base64");
  }
  out.resize(len);
  return out;
}

std::string sha256_hex(std::string_view data) {
  ensure_sodium();
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(digest);
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

bool equal_secret(std::string_view a, std::string_view b) {
  ensure_sodium();
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

void log(LogLevel level, std::string_view message) {
  if (level < g_level.load()) return;
  static const char* names[] = {"debug", "info", "warn", "error"};
  const std::string line = format_iso8601(now_millis()) + " " + names[static_cast<int>(level)] +
                           " " + std::string(message) + "\n";
  std::lock_guard lock(g_log_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace ctis
