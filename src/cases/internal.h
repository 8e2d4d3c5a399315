// Private to the cases module: calendar dates, CTDC age bands, the CTDC vocabulary.
#pragma once

#include <compare>
#include <mutex>
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

// The persons of every case, normalised for comparison (duplicates.cc), with their blocks and
// the candidate pairs at or above the model's threshold. Immutable once built.
struct Cases::PersonIndex {
  struct Signature {
    std::int64_t count = 0, max_id = 0, max_updated_at = 0;
    bool operator==(const Signature&) const = default;
  };
  Signature signature;
  dedup::Table table;                                                  // one row per case
  std::vector<std::int64_t> case_ids;                                  // per row
  std::unordered_map<std::int64_t, std::uint32_t> row_of;              // case id -> row
  std::unordered_map<std::string, std::vector<std::uint32_t>> blocks;  // rule + key -> rows
  std::vector<dedup::ScoredPair> proposals;  // pairs at or above the threshold, best first
};

// Rebuilt when the cases change; shared by readers while they use it.
struct Cases::DuplicateCache {
  std::mutex mutex;
  std::shared_ptr<const PersonIndex> index;
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
