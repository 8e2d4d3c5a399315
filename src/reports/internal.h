// Internal parts of reports shared by its .cc files: crypto helpers, days, validation, the
// group-commit writer and the state behind Reports.
#pragma once

#include <sodium.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "reports/reports.h"

namespace ctis::reports::detail {

using Blob = store::Blob;

// --- Secrets ------------------------------------------------------------------------------
// A 32-byte key wiped when it goes away.
struct Key32 {
  std::array<unsigned char, 32> bytes{};
  Key32() = default;
  Key32(const Key32&) = default;
  Key32& operator=(const Key32&) = default;
  ~Key32() { sodium_memzero(bytes.data(), bytes.size()); }
  unsigned char* data() { return bytes.data(); }
  const unsigned char* data() const { return bytes.data(); }
};

Key32 random_key();
// An audit entry for work the server does on its own (retention, intake release).
inline audit::Entry system_entry(std::string action, std::string detail) {
  audit::Entry entry;
  entry.actor = "system";
  entry.role = "system";
  entry.action = std::move(action);
  entry.detail = std::move(detail);
  return entry;
}

// The vault field name of a report's K kept in intake (reports.h).
inline constexpr std::string_view kIntakeField = "report_intake.key";
// XChaCha20-Poly1305: nonce || ciphertext. open() throws Error(internal) when the tag fails.
Blob seal_with(const Key32& key, std::string_view plain, std::string_view ad);
std::string open_with(const Key32& key, const Blob& box, std::string_view ad);
// Same, returning false instead of throwing.
bool try_open_with(const Key32& key, const Blob& box, std::string_view ad, std::string& out);

// Receipt codes: 100 random bits as 20 Crockford base32 characters, "XXXX-XXXX-XXXX-XXXX-XXXX".
std::string new_receipt_code();
// Canonical 20 characters, or nullopt when the text cannot be a code.
std::optional<std::string> normalize_receipt_code(std::string_view text);
std::string receipt_lookup(const std::string& canonical);  // hex keyed hash
Key32 receipt_wrap_key(const std::string& canonical);

// Session secrets: the row id and the wrapping key, two independent keyed hashes.
std::string session_id_hash(std::string_view secret);
Key32 session_wrap_key(std::string_view secret);

// Recipients' keys.
struct PasswordKdf {
  unsigned long long ops = 0;
  std::size_t mem = 0;
};
PasswordKdf password_kdf(bool fast);
Key32 password_key(std::string_view password, const Blob& salt, PasswordKdf kdf);

Blob seal_to(const Blob& public_key, const Key32& k);
std::optional<Key32> unseal(const Blob& sealed, const unsigned char* public_key,
                            const unsigned char* secret_key);

std::string report_ad(std::int64_t report_id, std::string_view part);

// --- Days ---------------------------------------------------------------------------------
std::string today();
std::string add_days(std::string_view day, int days);
bool valid_day(std::string_view day);

// --- Validation ---------------------------------------------------------------------------
// Browsers send a textarea's line breaks as CR LF: they are kept as LF. A lone CR stays (and
// check_text refuses it).
std::string normalize_newlines(std::string_view text);
// Valid UTF-8, no control characters but \n and \t, at most max_chars code points.
void check_text(std::string_view field, std::string_view text, std::size_t max_chars,
                bool required);
// The submission checked and normalised; attachments stripped of metadata.
Submission validate_submission(const Submission& in, const Settings& settings, bool staff);
std::vector<Attachment> validate_attachments(const std::vector<Attachment>& in,
                                             const Settings& settings);
// JPEG or PNG with metadata removed; throws Error(invalid) naming field.
std::string strip_image(std::string_view field, std::string_view bytes);
std::string safe_filename(std::string_view field, std::string_view name, std::size_t ordinal);

std::string content_json(const Submission& s);
Submission parse_content(const std::string& json);
std::string message_json(std::string_view text, std::string_view staff_name,
                         const std::vector<std::int64_t>& attachment_ids);
void parse_message(const std::string& json, Message& m);

// --- Rate limits --------------------------------------------------------------------------
class TokenBucket {
 public:
  TokenBucket(double rate, double burst);
  bool try_take();   // takes a token when one is there
  bool has_token();  // looks without taking
  void take();       // takes one, going into debt when empty
 private:
  void refill();
  std::mutex mutex_;
  double rate_;
  double burst_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

// --- Storage ------------------------------------------------------------------------------
// A submission ready to store: everything but what needs the report id is done.
struct Prepared {
  std::string channel;
  Key32 k;
  std::string content;  // JSON, encrypted in the writer once the id is known
  std::vector<Attachment> attachments;
  std::string lookup;
  Key32 wrap_key;
  std::vector<std::pair<std::int64_t, Blob>> sealed;  // user id, sealed K
  Blob intake;  // K under the data key, when no recipient has a key yet (else empty)
  ~Prepared() { sodium_memzero(content.data(), content.size()); }
};

std::int64_t insert_report(store::Connection& conn, const Prepared& p, const Settings& settings);
std::int64_t insert_attachment(store::Connection& conn, const Key32& k, std::int64_t report_id,
                               std::optional<std::int64_t> message_id, const Attachment& a);
std::int64_t insert_message(store::Connection& conn, const Key32& k, std::int64_t report_id,
                            std::string_view author, std::string_view visibility,
                            std::string_view text, std::string_view staff_name,
                            const std::vector<Attachment>& attachments);
// Moves activity to today and the expiry with it (none once linked to a case).
void touch_report(store::Connection& conn, std::int64_t report_id, const Settings& settings);

// Group commit: a writer takes every waiting submission and commits them in one transaction.
// SQLite has one writer at a time anyway; PostgreSQL gets a few, so round trips overlap.
class GroupWriter {
 public:
  GroupWriter(store::Database& db, const Settings& settings);
  ~GroupWriter();
  std::int64_t write(const Prepared& p);

 private:
  struct Item {
    const Prepared* prepared = nullptr;
    std::int64_t id = 0;
    std::exception_ptr error;
    bool done = false;
  };
  void run();
  void commit(std::vector<Item*>& batch);

  store::Database& db_;
  const Settings& settings_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::deque<Item*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Makes SQLite overwrite deleted content (no-op on PostgreSQL).
void secure_delete_on(store::Connection& conn);

}  // namespace ctis::reports::detail

namespace ctis::reports {

struct UnlockedKey::Impl {
  std::int64_t user_id = 0;
  std::array<unsigned char, crypto_box_PUBLICKEYBYTES> public_key{};
  unsigned char* secret_key = nullptr;  // sodium_malloc'd, crypto_box_SECRETKEYBYTES
  Impl();
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
};

struct Reports::Impl {
  Impl(store::Database& database, audit::AuditLog& audit_log, Settings s,
       std::shared_ptr<const vault::Keyring> keys);
  store::Database& db;
  audit::AuditLog& audit;
  Settings settings;
  std::shared_ptr<const vault::Keyring> intake_keys;  // null: no intake
  detail::TokenBucket submissions;
  detail::TokenBucket wrong_codes;
  detail::GroupWriter writer;

  // Everything a staff call needs from a report row, after checking the key opens it.
  struct Opened {
    std::int64_t id = 0;
    std::string status, messaging, channel, day, activity_day;
    std::optional<std::string> expires_day;
    std::optional<std::int64_t> case_id;
    store::Blob close_reason_enc;
    detail::Key32 k;
  };
  Opened open_report(store::Connection& conn, const auth::Principal& by, const UnlockedKey& key,
                     std::int64_t report_id);
  StaffView staff_view(store::Connection& conn, const Opened& r);
  // The report behind a receipt code and its key, or throws not_found / rate_limited.
  struct ReporterAccess {
    std::int64_t id = 0;
    detail::Key32 k;
  };
  ReporterAccess check_code(std::string_view code);
  void share_with_new_recipients(const ReporterAccess& access);
  ReporterView reporter_view(store::Connection& conn, const ReporterAccess& access);
  std::vector<std::pair<std::int64_t, store::Blob>> seal_for_recipients(store::Connection& conn,
                                                                        const detail::Key32& k,
                                                                        std::int64_t report_id);
  Receipt store_new(const Submission& submission, const auth::Principal* by);
};

}  // namespace ctis::reports
