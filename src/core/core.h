// core: the small vocabulary every CTIS module shares.
//
// Errors are exceptions of one type, ctis::Error, carrying a kind (which maps to an HTTP status
// and a CLI exit code), a stable machine code, a human message and, for bad input, the field
// or row at fault. Anything else thrown is a bug and is reported as "internal".
//
// Everything here is thread-safe: free functions without shared state, and a logger whose
// lines are written whole.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ctis {

enum class ErrorKind {
  invalid,       // bad input: 400 / exit 2
  unauthorized,  // not signed in or bad credentials: 401 / exit 3
  forbidden,     // signed in, not allowed: 403 / exit 3
  not_found,     // 404 / exit 4
  conflict,      // duplicate or stale: 409 / exit 5
  too_large,     // 413 / exit 2
  rate_limited,  // 429 / exit 6
  unavailable,   // a dependency (database, key file, port) cannot be used: 503 / exit 7
  internal,      // a bug: 500 / exit 1
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message),
        kind_(kind),
        code_(std::move(code)),
        field_(std::move(field)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  // The input field (JSON pointer such as "/user/email") or row ("row 12, column amount")
  // at fault; empty when the error is not about one field.
  const std::string& field() const { return field_; }

 private:
  ErrorKind kind_;
  std::string code_;
  std::string field_;
};

// Shorthands for the common cases.
[[noreturn]] inline void fail_invalid(std::string field, const std::string& message) {
  throw Error(ErrorKind::invalid, "invalid", message, std::move(field));
}
[[noreturn]] inline void fail_unavailable(std::string code, const std::string& message) {
  throw Error(ErrorKind::unavailable, std::move(code), message);
}

int http_status(ErrorKind kind);
int exit_code(ErrorKind kind);

// Time: UTC milliseconds since the Unix epoch, the one representation stored and compared.
using Millis = std::int64_t;
Millis now_millis();
std::string format_iso8601(Millis t);  // "2026-11-29T06:14:56.123Z"

// Cryptographically random bytes and tokens (libsodium's generator).
std::vector<std::uint8_t> random_bytes(std::size_t n);
std::string random_token(std::size_t bytes);  // URL-safe base64, no padding

// Encodings.
std::string to_hex(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> from_hex(std::string_view hex);      // throws Error(invalid) on bad input
std::string to_base64(std::span<const std::uint8_t> bytes);    // standard alphabet, padded
std::vector<std::uint8_t> from_base64(std::string_view text);  // throws Error(invalid)
std::string sha256_hex(std::string_view data);
bool valid_utf8(std::string_view text);

// Constant-time comparison for secrets.
bool equal_secret(std::string_view a, std::string_view b);

// Logging: one line per event on stderr, "2026-...Z level message". Never pass secrets or
// personal data; callers log identifiers, not contents.
enum class LogLevel { debug, info, warn, error };
void set_log_level(LogLevel level);
LogLevel log_level();
void log(LogLevel level, std::string_view message);
inline void log_info(std::string_view m) { log(LogLevel::info, m); }
inline void log_warn(std::string_view m) { log(LogLevel::warn, m); }
inline void log_error(std::string_view m) { log(LogLevel::error, m); }

}  // namespace ctis
