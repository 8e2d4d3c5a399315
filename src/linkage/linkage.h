// linkage: matching CLKs (Bloom-filter encodings of records) by Dice similarity.
//
// A ClkStore holds fixed-length CLKs packed in 64-byte aligned rows with their popcounts. Dice is
// 2|A∧B| / (|A|+|B|), computed in double exactly as anonlink does, so candidate counts and greedy
// matches agree with anonlink on the same CLKs. Bit i of a CLK is byte i/8, mask 0x80 >> (i%8)
// (the clkhash serialisation).
//
// Pipeline: candidates() (all pairs at or above a threshold, with the popcount filter, optional
// top-k per record, over several threads) or blocking (psig_blocks(), lsh_blocks() then
// candidates_in_blocks()) → greedy_one_to_one() or, for more than two parties,
// multi_party_candidates() → greedy_multi_party().
//
// Threads: a ClkStore is filled by one thread, then only read: safe to share. Every function here
// is reentrant. candidates() starts its own std::threads and returns the same output whatever
// their number; candidates_in_blocks() runs on the calling thread.
// Errors: ctis::Error(invalid) for bad CLKs (wrong length, bad base64; the field names the row),
// thresholds outside [0, 1] and mismatched stores; (unavailable) for a CSV that cannot be read;
// (invalid, "kernel_unsupported") for a kernel the CPU lacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ctis::linkage {

class ClkStore {
 public:
  // An empty store of CLKs of `bits` bits (a positive multiple of 8).
  explicit ClkStore(std::size_t bits = 1024);

  // Appends one CLK of bits()/8 bytes. `row_name` names the input in errors ("row 12").
  void add(std::span<const std::uint8_t> clk, std::string id = {}, std::string_view row_name = {});
  // Appends one CLK given in standard padded base64 (clkhash's serialisation).
  void add_base64(std::string_view clk_base64, std::string id = {}, std::string_view row_name = {});
  // "rec_id,clk_base64" with a header row; `name` names the source in errors.
  static ClkStore parse_csv(std::string_view text, std::size_t bits, const std::string& name);
  static ClkStore read_csv(const std::string& path, std::size_t bits = 1024);

  std::size_t size() const { return popcounts_.size(); }
  std::size_t bits() const { return bits_; }
  // Words per row: bits rounded up to whole 512-bit lines; the padding is zero.
  std::size_t stride_words() const { return stride_words_; }
  // Row i < size(), 64-byte aligned, stride_words() words long.
  const std::uint64_t* row(std::size_t i) const {
    return reinterpret_cast<const std::uint64_t*>(lines_.data()) + i * stride_words_;
  }
  std::uint32_t popcount(std::size_t i) const { return popcounts_[i]; }
  std::span<const std::uint32_t> popcounts() const { return popcounts_; }
  const std::string& id(std::size_t i) const { return ids_[i]; }
  bool bit(std::size_t i, std::size_t position) const;
  std::vector<std::uint8_t> bytes(std::size_t i) const;

 private:
  struct alignas(64) Line {
    std::uint64_t words[8];
  };
  std::size_t bits_;
  std::size_t stride_words_;
  std::vector<Line> lines_;  // over-aligned type: every row starts on a 64-byte boundary
  std::vector<std::uint32_t> popcounts_;
  std::vector<std::string> ids_;
};

// Similarity kernels: popcount(a AND b) of one row against many. All give identical results.
enum class Kernel : std::uint8_t { portable, avx2, avx512 };
std::string_view to_string(Kernel k);
bool kernel_supported(Kernel k);
std::vector<Kernel> supported_kernels();
Kernel best_kernel();  // AVX-512 VPOPCNTDQ, else AVX2, else portable

// counts[j] = popcount(a AND rows[j]) for j < count; rows are `stride_words` apart, stride a
// multiple of 8 and every row 64-byte aligned (ClkStore rows are). Error for unsupported kernels.
void and_popcounts(Kernel kernel, const std::uint64_t* a, const std::uint64_t* rows,
                   std::size_t count, std::size_t stride_words, std::uint32_t* counts);

// anonlink's Dice: 2c/(pa+pb) in double; 0 when both CLKs are empty.
double dice(std::uint32_t and_count, std::uint32_t popcount_a, std::uint32_t popcount_b);
double dice(const ClkStore& a, std::size_t i, const ClkStore& b, std::size_t j);

struct Candidate {
  double dice = 0;
  std::uint32_t a = 0;  // row in the first store
  std::uint32_t b = 0;  // row in the second store
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

struct MatchOptions {
  Kernel kernel = best_kernel();
  unsigned threads = 0;   // 0: all hardware threads
  std::size_t top_k = 0;  // keep the k best per row of the first store; 0: all
};

struct CandidateStats {
  std::size_t compared = 0;  // pairs the kernel compared
  std::size_t skipped = 0;   // pairs the popcount filter ruled out without comparing
};

// Every pair with dice >= threshold, sorted by decreasing dice, then a, then b (anonlink's
// order). Pairs whose popcounts alone rule the threshold out are never compared.
std::vector<Candidate> candidates(const ClkStore& a, const ClkStore& b, double threshold,
                                  const MatchOptions& options = {},
                                  CandidateStats* stats = nullptr);

struct Pair {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  double dice = 0;
  friend bool operator==(const Pair&, const Pair&) = default;
};

// Highest similarity first (ties by a, then b); a pair is taken when neither row is matched yet.
std::vector<Pair> greedy_one_to_one(std::span<const Candidate> candidates);

struct LinkageQuality {
  std::size_t true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision = 0, recall = 0;
};
LinkageQuality evaluate_matches(std::span<const Pair> matches, std::span<const Pair> truth);

// --- Blocking ---------------------------------------------------------------------------------

// A block groups rows of the first and of the second store that may match; only pairs inside a
// block are compared.
struct Block {
  std::vector<std::uint32_t> a, b;
};

// P-Sig on CLKs: each signature is a set of bit positions; a record joins the signature's block
// when it has all of them set. Blocks larger than max_block_size (records of both stores) are
// dropped as uninformative, as P-Sig drops its most frequent signatures.
struct PSigOptions {
  std::vector<std::vector<std::uint32_t>> signatures;
  std::size_t max_block_size = 0;  // 0: no limit
};
// `count` signatures of `bits_per_signature` positions drawn from `seed` (deterministic).
std::vector<std::vector<std::uint32_t>> random_signatures(std::size_t clk_bits, std::size_t count,
                                                          std::size_t bits_per_signature,
                                                          std::uint64_t seed);
std::vector<Block> psig_blocks(const ClkStore& a, const ClkStore& b, const PSigOptions& options);

// Hamming LSH: `bands` bands of `bits_per_band` (1..64) sampled positions; records with the same
// bits in one band share a block. A pair with Hamming similarity s collides in a band with
// probability s^bits_per_band.
struct LshOptions {
  std::size_t bands = 16;
  std::size_t bits_per_band = 24;
  std::uint64_t seed = 1;
};
std::vector<Block> lsh_blocks(const ClkStore& a, const ClkStore& b, const LshOptions& options);

struct BlockingStats {
  std::size_t blocks = 0;
  std::size_t compared_pairs = 0;  // distinct (a, b) pairs sharing at least one block
  double reduction_ratio = 0;      // 1 - compared_pairs / (|A| |B|)
  std::size_t true_pairs_found = 0;
  double pair_completeness = 0;  // blocking recall: true pairs sharing a block / true pairs
};
BlockingStats blocking_stats(std::span<const Block> blocks, std::size_t size_a, std::size_t size_b,
                             std::span<const Pair> truth);

// Candidates among pairs that share a block, in the same order as candidates().
std::vector<Candidate> candidates_in_blocks(const ClkStore& a, const ClkStore& b,
                                            std::span<const Block> blocks, double threshold,
                                            const MatchOptions& options = {});

// --- More than two parties --------------------------------------------------------------------

struct Record {
  std::uint32_t party = 0;
  std::uint32_t row = 0;
  friend bool operator==(const Record&, const Record&) = default;
  friend bool operator<(const Record& x, const Record& y) {
    return x.party != y.party ? x.party < y.party : x.row < y.row;
  }
};

struct PartyCandidate {
  double dice = 0;
  Record x, y;  // x.party < y.party
};

// candidates() between every pair of stores, in one list sorted by decreasing dice, then x, y.
std::vector<PartyCandidate> multi_party_candidates(std::span<const ClkStore* const> stores,
                                                   double threshold,
                                                   const MatchOptions& options = {});

// Greedy grouping: candidates in order; two records (or their groups) are joined unless the
// joined group would hold two records of one party. Unlike anonlink's solver there is no
// merge threshold: one candidate pair is enough to join two groups. Groups of two or more records
// are returned, each sorted by party, the list sorted by first record.
std::vector<std::vector<Record>> greedy_multi_party(std::span<const PartyCandidate> candidates);

}  // namespace ctis::linkage
