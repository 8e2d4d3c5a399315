// Private to the cases module: calendar dates, CTDC age bands, the CTDC vocabulary, the index
// of persons behind possible duplicates.
#pragma once

#include <compare>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/cases.h"
#include "dedup/dedup.h"

namespace ctis::cases {

// A case as stored, decrypted.
struct Cases::Loaded {
  std::int64_t id = 0;
  std::string reference;
  Placement placement;
  std::string status;
  Record record;
  Millis created_at = 0, updated_at = 0;
};

// Possible duplicates (person_match.cc, duplicates.cc) ---------------------------------------

// The Fellegi–Sunter model in use and where it came from: learned from the stored persons
// (m by EM, u by random sampling, term frequencies on names) or the documented priors.
struct PersonModel {
  dedup::Model model;
  bool learned = false;
  std::size_t chosen_at = 0;  // persons in the index when this model was chosen
};

// The persons of every case, normalised for comparison, with their blocks and the candidate
// pairs at or above the model's threshold. Readers share it through a shared_ptr to const;
// the cache changes it in place only when no reader holds it (otherwise it copies first).
struct PersonIndex {
  struct Signature {
    std::int64_t count = 0, max_id = 0, max_updated_at = 0;
    bool operator==(const Signature&) const = default;
  };
  Signature signature;
  std::shared_ptr<const PersonModel> model;
  std::size_t changed_since_model = 0;  // persons added or replaced since the model was chosen
  dedup::Table table;                   // one row per case
  std::vector<std::int64_t> case_ids;   // per row
  std::unordered_map<std::int64_t, std::uint32_t> row_of;              // case id -> row
  std::unordered_map<std::string, std::vector<std::uint32_t>> blocks;  // rule + key -> rows
  std::vector<dedup::ScoredPair> proposals;  // pairs at or above the threshold, best first
};

namespace person_match {

// Below this many persons EM has too little to learn from: the priors are used.
inline constexpr std::size_t kMinPersonsToLearn = 200;
// A block larger than this is a common value (a frequent surname): its rows are not paired.
inline constexpr std::size_t kMaxBlockSize = 1000;

const std::vector<std::string>& columns();  // of the person table, in order
dedup::Settings settings();                 // comparisons (names with term frequencies), blocks
const dedup::Model& priors();               // fixed m and u, no term frequencies
// A case's person as a row of the person table: names and document number normalised.
dedup::Record row(const nlohmann::json& person, const nlohmann::json& profile);
// The blocks a row belongs to, as "rule index, then the key" strings; none for a missing key.
std::vector<std::string> block_keys(const dedup::Record& row);
// The model for a table: learned when it has kMinPersonsToLearn persons or more and EM gives a
// sane model (agreement likelier for the same person than by chance on every field), otherwise
// the priors.
std::shared_ptr<const PersonModel> choose_model(const dedup::Table& table);
// Whether the person set has changed enough since the model was chosen to choose again: it
// crossed kMinPersonsToLearn, or a tenth of it was added or replaced.
bool needs_new_model(const PersonIndex& ix);
// Blocks and proposals of every row from scratch, under ix.model.
void rebuild(PersonIndex& ix);
// Adds a case's person, or replaces it: only that row is re-blocked and scored against the
// rows it shares a block with; its old proposals go. Returns the pairs scored, or nothing when
// the person was indexed already as they are (a case written for another reason). Proposals
// are left unsorted: call sort_proposals() after a batch of puts.
std::optional<std::size_t> put(PersonIndex& ix, std::int64_t case_id, dedup::Record person);
void sort_proposals(PersonIndex& ix);
// The comparisons that decided a pair: nulls left out, the strongest first.
nlohmann::json reasons_json(const dedup::Model& model, const dedup::ScoredPair& scored);

}  // namespace person_match

// Rebuilt or brought up to date when the cases change; shared by readers while they use it.
struct Cases::DuplicateCache {
  std::mutex mutex;
  std::shared_ptr<PersonIndex> index;
  DuplicateStats stats;
};

struct Date {
  int year = 0, month = 0, day = 0;
  // "YYYY-MM-DD" with a real calendar day; throws Error(invalid) otherwise.
  static Date parse(const std::string& text, const std::string& where = "");
  std::string iso() const;
  auto operator<=>(const Date&) const = default;  // NOLINT(modernize-use-nullptr)
};

Date parse_date(const nlohmann::json& value, const std::string& where);
Date today();
Date next_day(const Date& d);
int age_on(const Date& born, const Date& on);

// CTDC age bands ("0-8", ..., "48+").
std::string band_for(int age);
bool band_contains(const std::string& band, int age);

// The keyed blind indexes of a person's identifiers (NULL where the field is empty).
struct PersonIndexes {
  store::Value name, family_name, document;
};
PersonIndexes person_indexes(const nlohmann::json& person, const vault::Keyring& keys);
// The route as kept in clear: each leg's country only (route statistics need no more); the
// whole route is stored encrypted beside it.
nlohmann::json route_in_clear(const nlohmann::json& legs);
// " forced_labour sexual ": searchable with LIKE '% code %'; "" for no codes.
std::string join_codes(const nlohmann::json& codes);

// The cases `by` may see at all, as an SQL condition on the `cases` table (the same rule as
// access(), for listing without loading every case); adds its parameters to `params`.
// Empty for roles that see no case.
std::string visible_cases(const auth::Principal& by, std::vector<store::Value>& params);

// data/ctdc/ctdc-2024.json, parsed once.
const nlohmann::json& ctdc_standard();

}  // namespace ctis::cases
