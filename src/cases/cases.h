// cases: presumed victims of trafficking — their case records, who may see what of them, and
// every change kept as field-level history.
//
// A case holds the person's identifiers (names, birth date, document number, contact, address:
// encrypted as one record, with keyed blind indexes on the full name, the family name and the
// document number for exact search), the CTDC variables (gender, age band, citizenship,
// country of exploitation, means of control, exploitation types, sectors, recruiter relation,
// duration — pseudonymous, kept in clear for statistics), the route as ordered legs,
// immigration status (encrypted; see below), the non-punishment flag, the identifying
// organisation, the assigned caseworker and a status.
//
// Need-to-know, decided here and nowhere else (see access()):
//  - coordinators see every case of their organisation; caseworkers the cases of their
//    organisation and those assigned to them; both see the cases referred to their
//    organisation while the person's consent to the referral stands;
//  - analysts see the pseudonymous profile only (no identifiers, no notes) of their
//    organisation's cases;
//  - law enforcement (police, prosecutors, labour inspectors) sees the cases of its
//    organisation and those referred to it with consent: identifiers, route, profile, status
//    and legal classification, always with the non-punishment flag; never the immigration
//    status, notes, screening answers, services, referrals or attachments;
//  - administrators, FIU analysts and partners see no case (partners get aggregates elsewhere);
//  - immigration status is shown only to the case's assigned caseworker and to coordinators of
//    its organisation, and is never part of an export or an aggregate;
//  - nothing about assistance depends on cooperation with the authorities: there is no such
//    field.
//
// The API speaks JSON; so does this module: inputs are validated strictly (Error(invalid) with
// the JSON pointer of the field at fault, nothing written), views are built per caller.
// Every read of a case is audited; every change is written with its history and audit entry
// in one transaction. Threads: Cases is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit.h"
#include "auth/auth.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::cases {

// Ordered: each level sees at least what the one before it sees.
enum class Access { none, profile, enforcement, full };

// Where a case sits, for access decisions.
struct Placement {
  std::int64_t organisation_id = 0;
  std::optional<std::int64_t> assigned_to;
  // Organisations the case was referred to with the person's consent, not withdrawn: their
  // coordinators and caseworkers work on it too.
  std::vector<std::int64_t> shared_with;
};

Access access(const auth::Principal& who, const Placement& where);
bool sees_immigration_status(const auth::Principal& who, const Placement& where);

// A case input after validation: what the store writes.
struct Record {
  nlohmann::json person = nlohmann::json::object();   // identifiers (encrypted at rest)
  nlohmann::json profile = nlohmann::json::object();  // CTDC variables
  nlohmann::json legs = nlohmann::json::array();
  std::optional<std::string> immigration_status;
  bool non_punishment = false;
  std::optional<std::int64_t> assigned_to;
};

// Validates a full input (create, import) or a partial one (update: only the fields present,
// merged over `base`). Throws Error(invalid) naming the field ("/profile/citizenship").
Record validate(const nlohmann::json& input, const Record* base = nullptr);

struct Filter {
  std::optional<std::string> status;
  std::optional<std::string> citizenship;      // alpha-3
  std::optional<std::string> exploitation;     // forced_labour, sexual, other
  std::optional<std::string> name;             // exact full or family name (blind index)
  std::optional<std::string> document_number;  // exact (blind index)
  int limit = 50;
  std::int64_t before_id = 0;  // paging: cases with a smaller id
};

// The indicator catalogues and legal rule sets compiled into the program, for clients that
// build screening and classification forms.
nlohmann::json catalogues_json();
nlohmann::json rule_sets_json();

struct PersonIndex;  // the persons of all cases, decrypted, for duplicate search (internal.h)

class Cases {
 public:
  Cases(store::Database& db, std::shared_ptr<const vault::Keyring> keys, audit::AuditLog& audit);
  ~Cases();
  Cases(const Cases&) = delete;
  Cases& operator=(const Cases&) = delete;

  // The case as the caller may see it. Creating needs full access to the organisation.
  nlohmann::json create(const auth::Principal& by, const nlohmann::json& input);
  nlohmann::json get(const auth::Principal& by, std::int64_t id);
  nlohmann::json update(const auth::Principal& by, std::int64_t id, const nlohmann::json& patch);
  nlohmann::json list(const auth::Principal& by, const Filter& filter);
  // Status workflow: identified -> referred -> assisted -> closed; closed -> identified (reopen).
  nlohmann::json set_status(const auth::Principal& by, std::int64_t id, const std::string& status,
                            const std::string& reason);
  nlohmann::json history(const auth::Principal& by, std::int64_t id);
  nlohmann::json add_note(const auth::Principal& by, std::int64_t id, const std::string& text);
  nlohmann::json notes(const auth::Principal& by, std::int64_t id);

  // Screenings against the indicator catalogues (indicators module). start_screening opens
  // one on the current version of a catalogue; update_screening merges answers
  // ({"answers": {"<indicator id>": {"answer", "source"?, "note"?}}, "complete"?: true}) and
  // returns the screening with its evaluation. A completed screening is not changed again.
  nlohmann::json screenings(const auth::Principal& by, std::int64_t id);
  nlohmann::json start_screening(const auth::Principal& by, std::int64_t id,
                                 const std::string& catalogue);
  nlohmann::json update_screening(const auth::Principal& by, std::int64_t id,
                                  std::int64_t screening_id, const nlohmann::json& patch);
  // Legal classification (legal module) under the latest rule set; each one is kept with the
  // rule set and version that decided it. classification() is the latest, or not_found.
  nlohmann::json classification(const auth::Principal& by, std::int64_t id);
  nlohmann::json classify(const auth::Principal& by, std::int64_t id, const nlohmann::json& facts);

  // Protection and assistance. Services: {kind, provider, start_date?, end_date?, outcome?,
  // note?}. Referrals: {to_organisation (id), purpose, consent: true} — refused without the
  // person's consent; withdraw_consent() ends the receiving organisation's access at once.
  // Procedures: reflection_period, residence_permit, compensation_claim with a status, dates
  // (due_date drives reminders), amount and currency for claims, and a note.
  nlohmann::json services(const auth::Principal& by, std::int64_t id);
  nlohmann::json add_service(const auth::Principal& by, std::int64_t id, const nlohmann::json& in);
  nlohmann::json referrals(const auth::Principal& by, std::int64_t id);
  nlohmann::json refer(const auth::Principal& by, std::int64_t id, const nlohmann::json& in);
  nlohmann::json withdraw_consent(const auth::Principal& by, std::int64_t id,
                                  std::int64_t referral_id);
  nlohmann::json procedures(const auth::Principal& by, std::int64_t id);
  nlohmann::json add_procedure(const auth::Principal& by, std::int64_t id,
                               const nlohmann::json& in);
  nlohmann::json update_procedure(const auth::Principal& by, std::int64_t id,
                                  std::int64_t procedure_id, const nlohmann::json& in);
  // Open procedures due within `days` (or overdue) on the cases the caller works on.
  nlohmann::json reminders(const auth::Principal& by, int days);

  // Attachments: {name, content_base64}; the type is recognised from the bytes (PDF, PNG,
  // JPEG, plain UTF-8 text) — anything else is refused — and the content is at most
  // kMaxAttachmentBytes. Listing gives metadata; attachment() gives the bytes.
  static constexpr std::size_t kMaxAttachmentBytes = std::size_t{4} * 1024 * 1024;
  struct File {
    std::string name, content_type, content;
  };
  nlohmann::json attachments(const auth::Principal& by, std::int64_t id);
  nlohmann::json attach(const auth::Principal& by, std::int64_t id, const nlohmann::json& in);
  File attachment(const auth::Principal& by, std::int64_t id, std::int64_t attachment_id);

  // Writes many validated records for one organisation in one transaction (import); returns
  // the new ids. Audited as one import entry plus one create entry per case.
  std::vector<std::int64_t> insert_many(const auth::Principal& by, std::int64_t organisation_id,
                                        const std::vector<Record>& records);
  // The same, streaming: `next` fills the next record and returns true, or returns false at
  // the end; records are written as they come, so memory stays flat however long the input.
  // If `next` throws, nothing is written. `next` is never asked again for a record it gave:
  // should the database ask for the transaction to be retried after records were consumed,
  // this fails with Error(unavailable) and nothing is written. Returns the number written;
  // `ids`, when given, receives the new ids in order.
  using RecordSource = std::function<bool(Record& out)>;
  std::size_t insert_stream(const auth::Principal& by, std::int64_t organisation_id,
                            const RecordSource& next, std::vector<std::int64_t>* ids = nullptr);
  // Pseudonymous profiles (no identifiers, no immigration status) of every case the caller
  // may see, for exports and statistics. Audited as an export.
  std::vector<nlohmann::json> export_profiles(const auth::Principal& by);

  // Possible duplicates (duplicates.cc, person_match.cc). The persons of all cases are compared
  // with a Fellegi–Sunter model (dedup module) over given and family name, birth date, document
  // number, citizenship and gender, blocked on birth date, family name, given name with birth
  // year and document number. From 200 persons on, the model is learned from the stored persons
  // (m by EM, u by random sampling, exact name matches weighed by the name's rarity) and learned
  // again once a tenth of them changed; below that, or when EM gives an implausible model, fixed
  // priors are used. The output's "model" says which. The index of persons is kept in memory and
  // brought up to date by re-reading only the cases changed since (see DuplicateStats).
  // A candidate is shown only to callers who may read both cases' identifiers (coordinators,
  // caseworkers, law enforcement under access()), with its match probability and the
  // comparisons that decided it (field, level, weight); never with an immigration status.
  // Decided pairs are not proposed again. Reads and decisions are audited.
  //  - duplicates(): the case and its candidates, best first;
  //  - duplicate_pair(): the two records side by side with their comparisons, any decision and
  //    any link;
  //  - duplicate_queue(): open candidate pairs among the cases the caller may read, best first;
  //  - decide_duplicate(): "not_duplicate" or "same_person", by a caller with full access to
  //    both cases (coordinators, caseworkers). Deciding again replaces the decision.
  //    "same_person" links the two cases (get() lists them as "linked_cases", to callers who
  //    may read both cases' identifiers); a later "not_duplicate" ends the link. Both audited
  //    (case.link, case.unlink); ended links stay in the table with who ended them and when.
  nlohmann::json duplicates(const auth::Principal& by, std::int64_t id);
  nlohmann::json duplicate_pair(const auth::Principal& by, std::int64_t id, std::int64_t other);
  nlohmann::json duplicate_queue(const auth::Principal& by, int limit = 50);
  nlohmann::json decide_duplicate(const auth::Principal& by, std::int64_t id, std::int64_t other,
                                  const std::string& decision);

  // What the duplicate index has done since this object was made: for operators and tests.
  struct DuplicateStats {
    std::int64_t full_builds = 0;          // every case read and decrypted, every block paired
    std::int64_t incremental_updates = 0;  // only the cases changed since were read
    std::int64_t persons_reindexed = 0;    // persons re-blocked and re-scored incrementally
    std::int64_t pairs_scored_incrementally = 0;
    std::int64_t model_choices = 0;    // times the model was chosen (learned or priors)
    std::int64_t model_trainings = 0;  // of which EM ran on the stored persons
    bool learned_model = false;        // the model in use
    std::int64_t model_persons = 0;    // persons the model in use was trained on (0: priors)
    std::int64_t indexed_persons = 0;
  };
  DuplicateStats duplicate_stats() const;

  std::int64_t count();
  // Re-encrypts every encrypted case field under `keys` (key rotation), in the caller's
  // transaction.
  std::int64_t reencrypt(store::Connection& conn, const vault::Keyring& keys);

 private:
  struct Loaded;
  Loaded load(store::Connection& conn, std::int64_t id);
  nlohmann::json view(const auth::Principal& by, const Loaded& c, store::Connection& conn);
  // The case if the caller has the access needed; otherwise not_found, and the attempt is
  // audited unless `audit_refusal` is false.
  Loaded require(const auth::Principal& by, store::Connection& conn, std::int64_t id, Access needed,
                 bool audit_refusal = true);
  // Runs fn on the case inside one transaction. Access is checked first outside it, so that a
  // refusal is audited (and kept) without holding the write lock, then again inside it.
  void in_case(const auth::Principal& by, std::int64_t id, Access needed,
               const std::function<void(store::Connection&, const Loaded&)>& fn);
  std::int64_t insert(const auth::Principal& by, store::Connection& conn,
                      std::int64_t organisation_id, const Record& record);
  void write(store::Connection& conn, std::int64_t id, const Record& record);
  nlohmann::json screening_view(const store::Row& row) const;
  void write_procedure(store::Connection& conn, const auth::Principal& by, std::int64_t id,
                       std::int64_t procedure_id, const nlohmann::json& in);
  static void check_assignee(store::Connection& conn, std::int64_t organisation_id,
                             std::int64_t user_id);

  std::shared_ptr<const PersonIndex> person_index(store::Connection& conn);
  // Full rebuild from every case (the cache's mutex held).
  std::shared_ptr<PersonIndex> build_person_index(store::Connection& conn);
  // The cases linked to `id` as "same person" whose identifiers the caller may read.
  nlohmann::json linked_cases(const auth::Principal& by, store::Connection& conn, std::int64_t id);
  std::vector<nlohmann::json> duplicate_candidates(const auth::Principal& by,
                                                   store::Connection& conn, const Loaded& l,
                                                   std::int64_t only_other);

  store::Database& db_;
  std::shared_ptr<const vault::Keyring> keys_;
  audit::AuditLog& audit_;
  struct DuplicateCache;
  std::unique_ptr<DuplicateCache> duplicate_cache_;
};

}  // namespace ctis::cases
