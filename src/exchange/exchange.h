// exchange: the linkage service. Partner organisations learn which of their records describe
// the same people without handing over identities.
//
// A linkage project names a clkhash linkage schema (v3 JSON), a Dice threshold and two or more
// parties (organisations). Each party encodes its records into CLKs with a secret agreed among
// the parties (the service never sees it) and uploads only (record id, CLK) rows, once. When the
// last party has uploaded, the service matches: Dice with the popcount filter at the project's
// threshold, greedy one-to-one for two parties, greedy multi-party grouping for more. It keeps,
// for each party, only that party's matched record ids, each with a group number shared across
// parties (records of different parties in one group were linked to one person). Similarity
// scores are never stored or returned, nor are another party's ids or CLKs; group numbers are
// shuffled so they say nothing about similarity. Once matched, the uploaded CLKs are deleted:
// nothing needs them any more, and a CLK kept is a CLK that could be attacked.
//
// Who may do what: administrators and coordinators create projects (a coordinator only with
// their own organisation among the parties). Partners, coordinators and analysts of a party
// organisation upload and read that party's results. Administrators, the creator and members of
// a party see a project's status. To anyone else a project does not exist (not_found).
//
// Ownership: Exchange keeps references to the database and audit log, which must outlive it.
// Threads: Exchange is thread-safe. Matching a small project runs inside the last upload() (on
// the linkage module's threads); a project of more than Limits::match_in_background_over CLKs
// in all is matched on Exchange's own worker thread instead, so the upload returns at once and
// the project stays "waiting" (results: not_matched) until the match is stored. The destructor
// lets a running match finish and leaves queued ones to match_pending() at the next start.
// Errors: ctis::Error — bad input is kind invalid naming its field ("/schema", "/clks/3/clk",
// "row 4, column clk_base64"), nothing is written; a second upload by a party is kind conflict
// (code "already_uploaded"); results before matching kind conflict (code "not_matched"); roles
// that may not act, kind forbidden.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "audit/audit.h"
#include "auth/auth.h"
#include "store/store.h"

namespace ctis::exchange {

struct Limits {
  std::size_t max_records = 1'000'000;  // per upload
  std::size_t max_id_bytes = 256;       // per record id
  std::size_t max_parties = 16;
  std::size_t max_schema_bytes = std::size_t{64} * 1024;
  // Projects with more CLKs than this (all parties together) match off the upload request.
  std::size_t match_in_background_over = 200'000;
};

struct NewProject {
  std::string name;                  // 1..200 characters
  std::string schema_json;           // clkhash linkage schema v3
  double threshold = 0.8;            // Dice, in (0, 1]
  std::vector<std::string> parties;  // organisation names, 2 or more, distinct
};

struct PartyStatus {
  std::int64_t organisation_id = 0;
  std::string organisation;  // name
  bool uploaded = false;
  std::optional<Millis> uploaded_at;
  std::int64_t records = 0;  // CLKs uploaded
  std::int64_t matched = 0;  // of them, matched (after matching)
};

struct Project {
  std::int64_t id = 0;
  std::string name;
  std::string schema_json;
  std::uint32_t clk_bits = 0;  // from the schema
  double threshold = 0.8;
  std::string status;                // "waiting" (for uploads) or "matched"
  std::int64_t groups = 0;           // matched groups (after matching)
  std::vector<PartyStatus> parties;  // in the order given at creation
  Millis created_at = 0;
  std::optional<Millis> matched_at;
};

struct UploadedClk {
  std::string id;   // the party's own record id
  std::string clk;  // clkhash's base64
};

// Rows of an upload. Errors name the row as a JSON pointer ("/clks/3/clk", index from 0) or,
// when from_csv, as "row 4, column clk_base64" (data rows counted from 1 after the header).
struct Upload {
  std::vector<UploadedClk> rows;
  bool from_csv = false;
};

// clkhash's CLK CSV ("rec_id,clk_base64" header, then one row per record), for uploads.
Upload parse_clk_csv(std::string_view text);

struct Match {
  std::string record_id;
  std::int64_t group = 0;
};

struct Results {
  std::int64_t project_id = 0;
  std::string organisation;
  std::vector<Match> matches;  // sorted by record id
};

class Exchange {
 public:
  Exchange(store::Database& db, audit::AuditLog& audit, Limits limits = {});
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  Project create_project(const auth::Principal& by, const NewProject& project);
  // Projects the caller may see (administrators: all), newest first.
  std::vector<Project> projects(const auth::Principal& by);
  Project project(const auth::Principal& by, std::int64_t id);

  // Stores the caller's party's CLKs; matches when it is the last party to upload. Returns the
  // project's status afterwards.
  Project upload(const auth::Principal& by, std::int64_t project_id, const Upload& upload);
  // The caller's party's matched record ids. Audited as a read.
  Results results(const auth::Principal& by, std::int64_t project_id);

  // Matches every project whose parties have all uploaded but that is not matched yet (after a
  // crash between the last upload and the match). Returns how many were matched.
  int match_pending();
  // The same on the worker thread, for server start: returns how many were queued.
  int match_pending_in_background();
  // Waits until the worker has no match queued or running (tests, orderly shutdown).
  void wait_for_background_matches();

 private:
  void match(const auth::Principal& by, std::int64_t project_id);
  std::vector<std::int64_t> pending_projects();
  void match_later(const auth::Principal& by, std::int64_t project_id);
  void work();

  store::Database& db_;
  audit::AuditLog& audit_;
  Limits limits_;
  // The background matcher: a queue of (who triggered it, project) and one thread, started on
  // first use.
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<std::pair<auth::Principal, std::int64_t>> queue_;
  bool matching_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace ctis::exchange
