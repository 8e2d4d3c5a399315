// reports: safe, anonymous reports of suspected trafficking from anyone, and the staff who
// read, answer and triage them.
//
// The reporter is never known. Nothing that could identify them is stored: no address, no
// user agent, no account, and every time is coarsened to the day ("2026-11-29"). Their only
// credential is a receipt code (100 random bits, shown once, grouped for writing down).
//
// Every report has its own random key K. Its content, messages and attachments are encrypted
// with K (XChaCha20-Poly1305, the associated data naming the report and the part). K itself is
// stored only sealed: to every active recipient's public key (libsodium sealed boxes), and
// under a key derived from the receipt code, so the reporter can read the replies. Recipients'
// private keys are stored encrypted under a key derived with argon2id from their password; a
// signed-in recipient's unlocked key is kept only wrapped under a key derived from their
// session secret, which the database never holds. A database dump alone therefore opens no
// report, and neither does the server at rest.
//
// Intake: a report that arrives while no recipient has a key yet would be readable by nobody
// but its reporter. Given the installation's keyring, Reports keeps such a report's K encrypted
// with the data key (like other personal data) until the first recipient's key exists, then
// seals K to the recipients and deletes that copy (release_intake(), run at every recipient's
// sign-in and hourly). Only in that window does the key file open a report.
//
// Deleting a report (closed and past retention, unless linked to a case) deletes its rows and
// every sealed copy of K; SQLite runs with secure_delete and the WAL is checkpointed, and on
// PostgreSQL the report tables are rewritten, so no copy is left in the store.
//
// Threads: Reports is thread-safe. Submissions from many threads are written by group commit:
// each submit() returns only after the transaction holding it is durable.
// Errors: ctis::Error. Invalid input names its field ("description", "attachments/1");
// a wrong or unknown receipt code is kind not_found (code "unknown_receipt"), and too many
// wrong codes or submissions in a short time are kind rate_limited, decided by global token
// buckets that never look at who is asking. Staff calls without an unlocked key are kind
// forbidden (code "report_key_locked").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit.h"
#include "auth/auth.h"
#include "core/core.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::reports {

struct Settings {
  int retention_days = 90;              // closed or untouched reports are deleted after this
  double submissions_per_second = 200;  // global bucket: refill rate ...
  double submission_burst = 400;        // ... and size
  double wrong_codes_per_second = 2;    // global bucket for follow-ups with unknown codes
  double wrong_code_burst = 20;
  int wrong_code_delay_ms = 200;       // every unknown code waits this long (0 in tests)
  std::size_t max_description = 8000;  // characters (UTF-8 code points)
  std::size_t max_attachments = 3;
  std::size_t max_attachment_bytes = std::size_t{2} * 1024 * 1024;
  std::size_t max_message = 4000;
  bool fast_key_derivation = false;  // tests only: argon2id with minimum cost
};

// A file given with a report: JPEG or PNG only (decided from the bytes, never the name), with
// metadata (EXIF, XMP, comments, text chunks, times) removed before it is encrypted.
struct Attachment {
  std::string filename;  // shown to staff only; reduced to a safe base name
  std::string bytes;
};

// What a reporter tells, in the words of the public form. Nothing here asks who they are.
struct Submission {
  std::string language = "en";      // en, fr, es, ar
  std::string channel = "web";      // web, phone, in_person (the last two entered by staff)
  std::string place_country;        // ISO 3166-1 alpha-2, or empty
  std::string place;                // town, area, workplace name: free text, <= 300
  std::string work_type;            // a code of work_types(), or empty
  std::vector<std::string> signs;   // codes of signs(), each at most once
  std::string affected;             // adults, children, both, unknown, or empty
  std::optional<int> people_count;  // 1..10000
  std::string when_seen;            // today, this_week, this_month, earlier, or empty
  std::string description;          // free text
  std::vector<Attachment> attachments;
};

// The guided questions' answers the form offers: code -> plain words per language come from
// data/reports/form.<lang>.json; these are the codes the library accepts.
const std::vector<std::string>& work_types();
const std::vector<std::string>& signs();

struct Receipt {
  std::int64_t report_id = 0;
  std::string code;  // "7KQ2-M9XD-4HBW-T0RC-Z5PA": 20 Crockford base32 characters, 100 bits
};

struct Message {
  std::int64_t id = 0;
  std::string author;      // reporter or staff
  std::string visibility;  // thread (the reporter sees it) or internal (staff only)
  std::string day;         // YYYY-MM-DD
  std::string text;
  std::vector<std::int64_t> attachment_ids;
  std::string staff_name;  // staff messages, staff views only
};

// What the reporter sees with their code: the state in plain terms and the thread.
struct ReporterView {
  std::int64_t report_id = 0;
  std::string status;           // received, in_review, closed
  std::string messaging;        // two_way, one_way, off
  std::string day;              // when the report was made
  std::vector<Message> thread;  // visibility "thread" only; empty when messaging is off
};

// A staff member's view of one report.
struct StaffView {
  std::int64_t report_id = 0;
  std::string status;     // new, in_review, linked, closed
  std::string messaging;  // two_way, one_way, off
  std::string day;
  std::string expires_day;  // empty when linked to a case (kept with the case)
  std::optional<std::int64_t> case_id;
  std::string close_reason;
  Submission submission;  // attachments' bytes left empty: fetch with attachment()
  std::vector<std::pair<std::int64_t, std::string>> attachments;  // id, filename
  std::vector<Message> messages;                                  // thread and internal
};

struct QueueItem {
  std::int64_t report_id = 0;
  std::string status;
  std::string day;
  std::string channel;
  std::string work_type;
  std::string place_country;
  int signs = 0;
  int unread_from_reporter = 0;  // reporter messages after the last staff message
};

// A signed-in recipient's private key, unlocked for the length of one request. Move-only; the
// key lives in locked, guarded memory and is wiped when this goes away.
class UnlockedKey {
 public:
  UnlockedKey(UnlockedKey&&) noexcept;
  UnlockedKey& operator=(UnlockedKey&&) noexcept;
  ~UnlockedKey();
  std::int64_t user_id() const;

 private:
  friend class Reports;
  struct Impl;
  explicit UnlockedKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct Recipient {
  std::int64_t user_id = 0;
  bool active = true;
  bool has_key = false;  // set up at the recipient's first sign-in
  std::string added_day;
};

class Reports {
 public:
  // Without a keyring there is no intake: a report sent before any recipient has a key can be
  // read by staff only once its reporter follows it up.
  Reports(store::Database& db, audit::AuditLog& audit, Settings settings,
          std::shared_ptr<const vault::Keyring> intake_keys = nullptr);
  ~Reports();

  // --- The reporter (no principal: the public) ---------------------------------------------
  // Validates, encrypts and stores a report durably; returns the receipt (shown once).
  Receipt submit(const Submission& submission);
  ReporterView follow_up(std::string_view receipt_code);
  // Adds information to the thread (refused when messaging is not two_way).
  ReporterView add_information(std::string_view receipt_code, std::string_view text,
                               const std::vector<Attachment>& attachments = {});

  // --- Recipients' keys ----------------------------------------------------------------------
  // Coordinators choose who receives new reports (users of any staff role that works cases).
  void add_recipient(const auth::Principal& by, std::int64_t user_id);
  void remove_recipient(const auth::Principal& by, std::int64_t user_id);
  std::vector<Recipient> recipients();
  bool is_recipient(std::int64_t user_id);

  // At sign-in, with the password the user just proved: creates the recipient's key pair on
  // first use, unlocks the private key and keeps it wrapped under the session secret. No-op
  // for users who are not recipients.
  void open_session(std::int64_t user_id, std::string_view password,
                    std::string_view session_secret);
  // The unlocked key of a signed-in recipient's session, or nullopt.
  std::optional<UnlockedKey> session_key(std::string_view session_secret);
  void close_session(std::string_view session_secret);
  // The user changed their password: re-wraps their private key. After an administrator's
  // reset (no old password) call forget_key(): a new pair is made at the next sign-in and
  // other recipients re-share the reports they hold (share_backlog()).
  void change_password(std::int64_t user_id, std::string_view old_password,
                       std::string_view new_password);
  void forget_key(const auth::Principal& by, std::int64_t user_id);
  // Seals the keys of every report this recipient can open to every active recipient who
  // lacks them. Returns how many were sealed. Called when a recipient opens the queue.
  int share_backlog(const UnlockedKey& key);
  // Seals the K of every report waiting in intake to the recipients with keys and deletes its
  // intake copy. Returns how many reports left intake (0 while no recipient has a key).
  int release_intake();
  // Re-encrypts the intake copies under the keyring's active key (`ctis keys rotate`), in the
  // caller's transaction; returns how many fields were rewritten.
  std::int64_t reencrypt(store::Connection& conn, const vault::Keyring& keys);

  // --- Staff ---------------------------------------------------------------------------------
  // A report taken by phone or in person, entered on the reporter's behalf; audited.
  Receipt submit_for(const auth::Principal& by, const Submission& submission);
  std::vector<QueueItem> queue(const auth::Principal& by, const UnlockedKey& key,
                               std::optional<std::string> status = std::nullopt, int limit = 100);
  StaffView read(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id);
  Attachment attachment(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                        std::int64_t attachment_id);
  // visibility: thread (sent to the reporter) or internal (a note).
  StaffView reply(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                  std::string_view text, std::string_view visibility);
  StaffView set_messaging(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                          std::string_view mode);
  StaffView link_to_case(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                         std::int64_t case_id);
  StaffView close(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                  std::string_view reason);

  // Deletes every report past retention that is not linked to a case; returns how many.
  int purge_expired(std::string_view today);  // today: YYYY-MM-DD

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ctis::reports
