// clk: Cryptographic Long-term Keys (Bloom-filter encodings of identifying records) that are
// bit-identical to clkhash 0.18.3, so CTIS agencies can link with partners running the
// clkhash/anonlink tools without exchanging names.
//
// A Schema is a clkhash linkage schema v3 (JSON): the filter length, the HKDF settings and one
// feature per CSV column (ignored columns included: they still take key slots). An Encoder
// derives the per-feature keys from the shared secret once; encode() validates a record (one
// string per feature, UTF-8), tokenises each feature, hashes the tokens into the filter (HMAC
// double hashing or keyed BLAKE2b), ORs the features and XOR-folds. Bit i of a Clk is byte i/8,
// mask 0x80 >> (i % 8); to_base64() is the form clkhash and anonlink exchange.
//
// clkhash quirks kept on purpose (see the reference README in the shared data): the folding
// count is read from "xor_folds", not the v3 "xorFolds" key (a schema whose "xorFolds"
// disagrees gets a warning in Schema::warnings); a missing "hash" means blakeHash; numeric
// comparison reads "fractional_precision". Differences: "case" is checked for ASCII letters
// only; "pattern" uses ECMAScript regular expressions (std::regex), not Python's re; dates
// support %Y %m %d %y %H %M %S %b %B %% and literal text (whitespace matches any run).
// Bounds clkhash lacks, so a hostile schema cannot exhaust memory: n <= 64, bitsPerToken and
// bitsPerFeature <= 65536, l * 2^xor_folds <= 2^24, at least one feature.
//
// Ownership: Schema and Encoder are values; the Encoder copies what it needs from the schema
// and keeps the derived keys, not the secret (treat an Encoder's memory as secret).
// Threads: a Schema and an Encoder are immutable after construction and safe to share;
// encode_csv() uses its own worker threads and writes rows in input order.
// Errors: ctis::Error(invalid). Schema errors have field() = the feature identifier (or
// "clkConfig"/"version"/"features") and a message with the reason; record errors have
// field() = the feature identifier, and encode_csv() rethrows them with field() =
// "row N, column <identifier>" (N counts data rows from 1, after the header).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ctis::clk {

namespace detail {
struct Hashers;  // per-feature hash states keyed once (encoder.cc)
}

enum class FormatType : std::uint8_t { string, integer, date, enumeration };
enum class TextEncoding : std::uint8_t { utf8, ascii, utf16, utf32 };  // Python codec names
enum class LetterCase : std::uint8_t { mixed, lower, upper };
enum class Comparison : std::uint8_t { ngram, exact, numeric };
enum class HashType : std::uint8_t { double_hash, blake_hash };
enum class KdfHash : std::uint8_t { sha256, sha512 };

struct Feature {
  std::string identifier;
  bool ignored = false;  // an ignored feature has no format or hashing, but takes key slots

  // format
  FormatType type = FormatType::string;
  TextEncoding encoding = TextEncoding::utf8;
  LetterCase letter_case = LetterCase::mixed;
  std::optional<std::int64_t> min_length, max_length;  // in code points
  std::optional<std::string> pattern;                  // the whole value must match
  std::shared_ptr<const std::regex> pattern_regex;     // compiled `pattern`
  std::optional<std::int64_t> minimum, maximum;        // integer bounds, inclusive
  std::string date_format;                             // strptime-style
  std::vector<std::string> enum_values;                // the permitted values of an enum

  // hashing
  Comparison comparison = Comparison::ngram;
  int ngram_n = 2;
  bool positional = false;
  double threshold_distance = 0;        // numeric
  int resolution = 0;                   // numeric
  int fractional_precision = 0;         // numeric
  std::optional<int> bits_per_token;    // exactly one of these two is set
  std::optional<int> bits_per_feature;  //
  HashType hash = HashType::blake_hash;
  bool prevent_singularity = false;
  std::optional<std::string> missing_sentinel;  // a value equal to it is not validated ...
  std::optional<std::string> missing_replace;   // ... and is hashed as this (or as itself)
};

struct Schema {
  std::uint32_t l = 1024;  // CLK length in bits after folding
  unsigned xor_folds = 0;
  KdfHash kdf_hash = KdfHash::sha256;
  std::vector<std::uint8_t> kdf_salt;  // empty: RFC 5869 default (HashLen zero bytes)
  std::vector<std::uint8_t> kdf_info;
  std::size_t key_size = 64;  // bytes per derived key
  std::vector<Feature> features;
  std::vector<std::string> warnings;  // accepted but probably not what the author meant

  static Schema parse(std::string_view json);
  std::uint32_t hash_length() const { return l << xor_folds; }  // bits hashed before folding
};

struct Clk {
  std::vector<std::uint8_t> bytes;  // bit i: bytes[i / 8] & (0x80 >> (i % 8))
  std::size_t bits = 0;

  bool test(std::size_t i) const { return (bytes[i / 8] & (0x80U >> (i % 8))) != 0; }
  std::size_t popcount() const;
  std::vector<std::uint32_t> set_bits() const;
  bool operator==(const Clk&) const = default;
};

std::string to_base64(const Clk& clk);
// Throws Error(invalid) on malformed base64; bits = 8 * bytes.
Clk from_base64(std::string_view text);

// Steps of the encoding, public so interoperability problems can be diagnosed step by step
// (the reference vectors give the same intermediate values).
// Validates `raw` against the feature's format (unless it is the missing-value sentinel) and
// returns the value that is tokenised. Throws Error(invalid) with field() = the identifier.
std::string format_value(const Feature& feature, std::string_view raw);
std::vector<std::string> tokenize(const Feature& feature, std::string_view formatted);
std::vector<int> bits_per_token(const Feature& feature, std::size_t token_count);
// HKDF(secret) cut into key_size keys; feature j owns keys 2j and 2j+1.
std::vector<std::vector<std::uint8_t>> derive_keys(const Schema& schema,
                                                   std::span<const std::uint8_t> secret);

// Hardening beyond clkhash. NOT clkhash compatible: every party must encode with CTIS and the
// same options, and the options must be agreed like the schema.
//  - Salting: each token of `feature` is hashed followed by a 0x1F byte and the formatted value
//    of `with` (say, the year of birth), so a frequent name falls on different bits in different
//    salt groups, which blunts frequency attacks; records then match only within a group.
//  - Balancing: the l bits are followed by their complement and the 2l bits are permuted by a
//    permutation keyed from the secret (HKDF info "ctis-clk-balance"), so every CLK has exactly
//    l set bits (nothing leaks through the popcount) and bit patterns are harder to align.
//    For two records, |A and B| balanced = |A and B| + (l - |A or B|).
struct FeatureSalt {
  std::string feature;  // identifier of the hashed feature to salt
  std::string with;     // identifier of the feature whose value salts it (may be ignored)
};
struct Hardening {
  std::vector<FeatureSalt> salts;
  bool balance = false;
};

class Encoder {
 public:
  Encoder(const Schema& schema, std::span<const std::uint8_t> secret,
          const Hardening& hardening = {});
  // The secret's UTF-8 bytes, as clkhash takes a str.
  Encoder(const Schema& schema, std::string_view secret, const Hardening& hardening = {});

  // One string per schema feature, in schema order (ignored ones included). The CLK has l
  // bits (2l when balanced). Throws Error(invalid) with field() = the feature at fault, or
  // "record" when the number of values is wrong.
  Clk encode(std::span<const std::string_view> fields) const;
  Clk encode(std::span<const std::string> fields) const;

  const Schema& schema() const { return schema_; }
  std::span<const std::uint8_t> key(std::size_t index) const { return keys_[index]; }

 private:
  Schema schema_;
  std::vector<std::vector<std::uint8_t>> keys_;
  std::shared_ptr<const detail::Hashers> hashers_;
  std::vector<int> salt_source_;            // per feature: index of its salting feature, or -1
  std::vector<std::uint32_t> permutation_;  // balancing: output bit j is extended bit perm[j]
};

// Progress of encode_csv(), readable from another thread; setting `cancel` stops it at the
// next batch with Error(invalid, "cancelled").
struct Progress {
  std::atomic<std::uint64_t> records{0};
  std::atomic<bool> cancel{false};
};

struct CsvOptions {
  bool header = true;               // the first row names the columns
  bool check_header = true;         // ... and must equal the schema's identifiers
  bool skip_initial_space = false;  // drop spaces after a comma (Python's skipinitialspace)
  unsigned threads = 0;             // 0: hardware concurrency
};

// Reads RFC 4180 CSV (one column per schema feature, the first column is the record id) and
// writes "rec_id,clk_base64" then one "<first column>,<base64>" line per record, in input
// order (LF line ends, the id quoted only when it must be, as Python's csv.writer does). Blank
// lines and a leading UTF-8 byte order mark are skipped. Returns the number of records
// encoded; a write failure is Error(unavailable).
std::uint64_t encode_csv(std::istream& in, std::ostream& out, const Encoder& encoder,
                         Progress* progress = nullptr, const CsvOptions& options = {});

}  // namespace ctis::clk
