// dedup: finding the records of one agency that describe the same person (Fellegi–Sunter).
//
// Pipeline: read_csv() → train() (blocking, u from a seeded random sample of record pairs, m and
// the match prior by EM on the candidate pairs' comparison vectors, term frequencies) → score()
// (match weight = log2 Bayes factor, match probability, per-field contributions for each
// candidate pair) → cluster() (union-find over pairs at or above a probability). For one new
// record, find_duplicates() scores it against a table and returns the best k with reasons.
//
// Each comparison turns two values into a level: 0 "null" (either value missing: neutral, adds
// nothing), 1 "exact", then kind-specific bands, last "different". A level's weight is
// log2(m/u). With term_frequency, an exact match on value v weighs log2(m_exact / tf(v)), where
// tf(v) is v's share of the training records: a match on a rare surname counts more.
//
// The prior is the share of matches among the blocked candidate pairs, so find_duplicates()
// applies the same blocking rules to the probe and a pair scores the same either way.
//
// Threads: a Table and a trained Model are immutable values, safe to share; every function is
// reentrant. candidate_pairs(), train() and score() split large inputs over
// Settings::threads worker threads (joined before they return; the same results as one
// thread); everything else runs on the calling thread.
// Errors: ctis::Error(invalid) for bad CSV (field() names the row and column), settings that do
// not fit the table (field() is a JSON pointer such as "/comparisons/2/column") and probes of
// the wrong width.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ctis::dedup {

// ---- Data ----------------------------------------------------------------------------------

// Rows of text values; "" is a missing value.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each has columns.size() values

  std::size_t size() const { return rows.size(); }
  // Index of a named column; throws Error(invalid) naming it when absent.
  std::size_t column(std::string_view name) const;
};

// One record: values in the order of its table's columns.
using Record = std::vector<std::string>;

// Comma-separated with a header row; values are trimmed of spaces (FEBRL writes ", "), double
// quotes may enclose commas ("" is a quote). `source` names the input in errors.
Table read_csv(std::istream& in, const std::string& source = "csv");

// ---- Comparisons ---------------------------------------------------------------------------

// Jaro similarity and the Winkler variant (prefix scale 0.1, prefix up to 4 characters, applied
// when Jaro exceeds 0.7 as Winkler did). Two empty strings are identical (1.0).
double jaro(std::string_view a, std::string_view b);
double jaro_winkler(std::string_view a, std::string_view b);

enum class CompareKind : std::uint8_t {
  exact,         // null, exact, different
  jaro_winkler,  // null, exact, one level per similarity band, different
  date,          // null, exact, month/day swapped, within N days, same year, different
  numeric,       // null, exact, one level per distance band, different
};

struct Comparison {
  std::string column;
  CompareKind kind = CompareKind::exact;
  std::vector<double> similarity_bands{0.92, 0.8};  // jaro_winkler: at least, descending
  std::vector<double> distance_bands{1.0, 10.0};    // numeric: |a - b| at most, ascending
  int within_days = 31;                             // date: the "within N days" level
  bool term_frequency = false;                      // weigh exact matches by rarity
};

inline constexpr std::size_t kMaxComparisons = 16;  // levels of a pair fit one 64-bit pattern
inline constexpr std::size_t kMaxLevels = 16;
inline constexpr std::uint8_t kNullLevel = 0;
inline constexpr std::uint8_t kExactLevel = 1;

// Names of the levels of a comparison, index = level ("null", "exact", ...).
std::vector<std::string> level_names(const Comparison& c);
// The level of a pair of values. Dates are YYYYMMDD, YYYY-MM-DD or YYYY/MM/DD and must exist in
// the calendar; a value that does not parse as a date or number only reaches "exact" (equal
// text) or "different". The same date written two ways is "exact".
std::uint8_t compare(const Comparison& c, std::string_view a, std::string_view b);

// ---- Blocking ------------------------------------------------------------------------------

// Records are candidates when every key agrees; prefix 0 takes the whole value (1 on surname is
// the first letter, 4 on a YYYYMMDD date the birth year). A record with an empty key value is
// not blocked by that rule.
struct BlockingKey {
  std::string column;
  std::size_t prefix = 0;
};
struct BlockingRule {
  std::vector<BlockingKey> keys;
};

struct RecordPair {
  std::uint32_t a = 0, b = 0;  // row indices, a < b
  friend bool operator==(const RecordPair&, const RecordPair&) = default;
};

struct Candidates {
  std::vector<RecordPair> pairs;                     // union of the rules' pairs, sorted, unique
  std::vector<std::size_t> pairs_per_rule;           // before the union
  std::vector<std::size_t> skipped_blocks_per_rule;  // blocks over Settings::max_block_size
};

// ---- Settings and model --------------------------------------------------------------------

struct Settings {
  std::vector<Comparison> comparisons;
  std::vector<BlockingRule> blocking_rules;
  std::size_t max_block_size = 5000;    // a larger block (a common value) is skipped, not paired
  std::size_t u_sample_pairs = 200000;  // random record pairs for u
  std::uint64_t seed = 20261129;
  double em_start_prior = 0.1;    // starting share of matches among candidate pairs
  double em_start_m_exact = 0.7;  // starting m of "exact"; the rest spread over the other levels
  double em_tolerance = 1e-6;     // stop when no parameter moves more than this
  int em_max_iterations = 200;
  double match_probability = 0.5;  // pairs at or above it are duplicates (cluster, reports)
  // EM runs on at most this many candidate pairs, an even stride through them: the comparison
  // patterns of a million pairs already pin m down, and more only costs time.
  std::size_t em_sample_pairs = 1000000;
  // Estimate m once per blocking rule, leaving out the comparisons of the rule's own columns
  // (its pairs agree there by construction), then average; then the prior as the share of
  // matches among ALL record pairs (pairs outside the blocks counted as non-matches), by EM
  // with m and u fixed. Candidates agree on their blocking keys, so weighing that agreement
  // against random pairs (u) needs the prior of random pairs, not of candidates. For tight
  // blocking on large files, where plain EM takes many candidates for matches.
  bool em_per_blocking_rule = false;
  // Worker threads for blocking, sampling and scoring (0: one per core). Small inputs stay on
  // the calling thread. Results do not depend on it.
  std::size_t threads = 0;
};

// Hashes std::string and std::string_view alike, so lookups by view do not allocate.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using TermFrequencies = std::unordered_map<std::string, double, TextHash, std::equal_to<>>;

struct ComparisonModel {
  std::vector<std::string> level_names;
  std::vector<double> m, u;           // per level; index 0 (null) unused
  TermFrequencies term_frequency;     // value → share of records
  double default_term_frequency = 0;  // for a value unseen in training: 1 / records
};

struct Model {
  Settings settings;
  std::vector<ComparisonModel> comparisons;  // parallel to settings.comparisons
  double prior = 0;  // share of matches among candidate pairs (EM), or among all record
                     // pairs with Settings::em_per_blocking_rule
  int em_iterations = 0;
  bool em_converged = false;
  std::size_t training_records = 0;
  std::size_t training_pairs = 0;

  // log2 Bayes factor of one level of one comparison; `value` feeds the term-frequency
  // adjustment of an exact match (ignored otherwise).
  double level_weight(std::size_t comparison, std::uint8_t level, std::string_view value) const;
  double prior_weight() const;  // log2(prior / (1 - prior))
};

// Blocked candidate pairs of a table under the settings' rules.
Candidates candidate_pairs(const Table& table, const Settings& settings);

// Estimates u (random pairs, seeded), then m and the prior by EM with u fixed, then term
// frequencies. Validates the settings against the table.
Model train(const Table& table, const Settings& settings);

// ---- Scoring -------------------------------------------------------------------------------

struct ScoredPair {
  RecordPair pair;
  double weight = 0;       // prior weight + the sum of contributions
  double probability = 0;  // 2^w / (1 + 2^w)
  std::array<std::uint8_t, kMaxComparisons> levels{};
  std::array<float, kMaxComparisons> contributions{};  // log2 Bayes factor per comparison
};

// Scores the table's candidate pairs (blocking by the model's rules), highest weight first.
std::vector<ScoredPair> score(const Table& table, const Model& model);
// Scores given pairs of the table, in their order.
std::vector<ScoredPair> score_pairs(const Table& table, const Model& model,
                                    std::span<const RecordPair> pairs);

struct Reason {
  std::string column;
  std::string level;
  double weight = 0;
  std::string text() const;  // "surname: exact (+8.1)"
};
// Why a pair scored as it did: one reason per comparison, nulls included (weight 0).
std::vector<Reason> explain(const Model& model, const ScoredPair& scored);

// ---- Clustering and lookup -----------------------------------------------------------------

struct Clusters {
  std::vector<std::uint32_t> cluster_of;  // per record; ids dense, in order of first record
  std::size_t count = 0;
};
// Connected components of the pairs with probability >= min_probability (union-find).
Clusters cluster(std::size_t record_count, std::span<const ScoredPair> pairs,
                 double min_probability);

struct Match {
  std::uint32_t record = 0;  // row in the table
  double weight = 0;
  double probability = 0;
  std::vector<Reason> reasons;
};
// Is `probe` (values in the table's column order) a possible duplicate of a record in the
// table? Scores it against the records that share a blocking key with it and returns the best
// k at or above min_probability, highest weight first.
std::vector<Match> find_duplicates(const Table& table, const Record& probe, const Model& model,
                                   std::size_t k, double min_probability = 0.0);

// ---- JSON, for the CLI and HTTP handlers ----------------------------------------------------

// Settings as a JSON object: {"comparisons": [{"column", "kind": "exact" | "jaro_winkler" |
// "date" | "numeric", "similarity_bands", "distance_bands", "within_days", "term_frequency"}],
// "blocking_rules": [[{"column", "prefix"}]], "max_block_size", "u_sample_pairs", "seed",
// "em_start_prior", "em_start_m_exact", "em_tolerance", "em_max_iterations",
// "match_probability", "em_sample_pairs", "em_per_blocking_rule", "threads"}. Omitted members
// keep their defaults; unknown members are errors.
Settings parse_settings(std::string_view json_text);
std::string to_json(const Settings& settings);
// A trained model, to score later without training again. It holds term frequencies of the
// training values (names): store it as personal data.
std::string to_json(const Model& model);
Model parse_model(std::string_view json_text);

// ---- Quality against known truth -----------------------------------------------------------

struct PairQuality {
  std::size_t true_pairs = 0;       // pairs of records with the same (non-empty) entity
  std::size_t predicted_pairs = 0;  // distinct
  std::size_t true_positives = 0;
  double precision = 0, recall = 0, f1 = 0;
};
// `entity` gives each record's true entity ("" when unknown: never a true pair).
PairQuality evaluate_pairs(std::span<const RecordPair> predicted,
                           std::span<const std::string> entity);

// ---- Synthetic person records, for scale tests and benchmarks -------------------------------

// `rows` FEBRL-shaped person records (rec_id, given_name, surname, street_number, address_1,
// address_2, suburb, postcode, state, date_of_birth as YYYYMMDD, soc_sec_id) of which
// round(rows × duplicate_share) are corrupted copies of the others: one to three typos (insert,
// delete, substitute, transpose), missing values, day and month swapped, nicknames or a new
// address. Names and places come from built-in lists of varied origin with Zipf-like
// frequencies. The truth is in the id: "rec-12-org" and "rec-12-dup-0" are one person. The same
// arguments give the same table everywhere. Throws Error(invalid) for a share outside [0, 0.9].
Table generate_persons(std::size_t rows, double duplicate_share, std::uint64_t seed);

// Each record's entity from FEBRL-style ids in `column` ("rec-12-dup-0" → "12"; "" when the id
// has another form), for evaluate_pairs().
std::vector<std::string> entities_from_ids(const Table& table, std::string_view column = "rec_id");

// The table as CSV with a header, quoting values that hold commas, quotes, line ends or edge
// spaces; read_csv() reads it back unchanged.
void write_csv(std::ostream& out, const Table& table);

}  // namespace ctis::dedup
