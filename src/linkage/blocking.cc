// Blocking on CLKs: P-Sig style signatures over bit positions, and Hamming LSH.
#include <algorithm>
#include <bit>
#include <utility>

#include "core/core.h"
#include "core/random.h"
#include "linkage/linkage.h"

namespace ctis::linkage {

namespace {

// A fully specified generator: the same seed gives the same positions everywhere.
using SplitMix64 = ctis::SplitMix64;

std::vector<std::uint32_t> distinct_positions(SplitMix64& rng, std::size_t clk_bits,
                                              std::size_t count) {
  std::vector<std::uint32_t> out;
  while (out.size() < count) {
    const auto p = static_cast<std::uint32_t>(rng.below(clk_bits));
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

// Where bit `position` of a CLK sits in a store row: rows hold the CLK bytes in order, read as
// little-endian 64-bit words.
std::pair<std::size_t, std::uint64_t> word_and_mask(std::uint32_t position) {
  static_assert(std::endian::native == std::endian::little, "rows are read as little-endian words");
  const std::size_t byte = position / 8;
  return {byte / 8, std::uint64_t{0x80U >> (position % 8)} << (8 * (byte % 8))};
}

void check_same_length(const ClkStore& a, const ClkStore& b) {
  if (a.bits() != b.bits()) fail_invalid("bits", "the stores hold CLKs of different lengths");
}

void check_positions(std::span<const std::uint32_t> positions, std::size_t bits) {
  for (std::uint32_t p : positions) {
    if (p >= bits) {
      fail_invalid("signatures", "bit position " + std::to_string(p) + " is outside a " +
                                     std::to_string(bits) + "-bit CLK");
    }
  }
}

}  // namespace

std::vector<std::vector<std::uint32_t>> random_signatures(std::size_t clk_bits, std::size_t count,
                                                          std::size_t bits_per_signature,
                                                          std::uint64_t seed) {
  if (bits_per_signature == 0 || bits_per_signature > clk_bits) {
    fail_invalid("bits_per_signature",
                 "a signature needs 1 to " + std::to_string(clk_bits) + " bit positions");
  }
  SplitMix64 rng{seed};
  std::vector<std::vector<std::uint32_t>> out;
  for (std::size_t s = 0; s < count; ++s) {
    auto positions = distinct_positions(rng, clk_bits, bits_per_signature);
    std::sort(positions.begin(), positions.end());
    out.push_back(std::move(positions));
  }
  return out;
}

std::vector<Block> psig_blocks(const ClkStore& a, const ClkStore& b, const PSigOptions& options) {
  check_same_length(a, b);
  const std::size_t stride = a.stride_words();
  std::vector<Block> out;
  std::vector<std::uint64_t> mask(stride);
  // The signature as a row mask: a record has it when row AND mask == mask.
  auto has_all = [&](const ClkStore& s, std::size_t row) {
    const std::uint64_t* words = s.row(row);
    for (std::size_t w = 0; w < stride; ++w) {
      if ((words[w] & mask[w]) != mask[w]) return false;
    }
    return true;
  };
  for (const auto& signature : options.signatures) {
    check_positions(signature, a.bits());
    if (signature.empty()) fail_invalid("signatures", "a signature needs at least one position");
    std::fill(mask.begin(), mask.end(), 0);
    for (std::uint32_t p : signature) {
      const auto [word, bit] = word_and_mask(p);
      mask[word] |= bit;
    }
    Block block;
    for (std::uint32_t i = 0; i < a.size(); ++i) {
      if (has_all(a, i)) block.a.push_back(i);
    }
    for (std::uint32_t j = 0; j < b.size(); ++j) {
      if (has_all(b, j)) block.b.push_back(j);
    }
    if (block.a.empty() || block.b.empty()) continue;
    if (options.max_block_size != 0 && block.a.size() + block.b.size() > options.max_block_size) {
      continue;
    }
    out.push_back(std::move(block));
  }
  return out;
}

std::vector<Block> lsh_blocks(const ClkStore& a, const ClkStore& b, const LshOptions& options) {
  check_same_length(a, b);
  if (options.bits_per_band == 0 || options.bits_per_band > 64 ||
      options.bits_per_band > a.bits()) {
    fail_invalid("bits_per_band", "a band samples 1 to 64 bit positions of the CLK");
  }
  SplitMix64 rng{options.seed};
  std::vector<Block> out;
  // (band key, store << 32 | row): sorting groups the records of one bucket together.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keyed(a.size() + b.size());
  std::vector<std::pair<std::size_t, std::uint64_t>> probes;  // (word, mask) per sampled bit
  for (std::size_t band = 0; band < options.bands; ++band) {
    probes.clear();
    for (std::uint32_t p : distinct_positions(rng, a.bits(), options.bits_per_band)) {
      probes.push_back(word_and_mask(p));
    }
    auto key_of = [&](const ClkStore& s, std::size_t row) {
      const std::uint64_t* words = s.row(row);
      std::uint64_t key = 0;
      for (const auto& [word, mask] : probes)
        key = key << 1 | ((words[word] & mask) != 0 ? 1U : 0U);
      return key;
    };
    for (std::uint32_t i = 0; i < a.size(); ++i) keyed[i] = {key_of(a, i), i};
    for (std::uint32_t j = 0; j < b.size(); ++j) {
      keyed[a.size() + j] = {key_of(b, j), std::uint64_t{1} << 32 | j};
    }
    std::sort(keyed.begin(), keyed.end());
    for (std::size_t k = 0; k < keyed.size();) {
      std::size_t end = k;
      while (end < keyed.size() && keyed[end].first == keyed[k].first) ++end;
      // Sorted by store within the bucket: a split point means both stores are present.
      if ((keyed[k].second >> 32) == 0 && (keyed[end - 1].second >> 32) == 1) {
        Block block;
        for (; k < end; ++k) {
          const auto row = static_cast<std::uint32_t>(keyed[k].second);
          (keyed[k].second >> 32 == 0 ? block.a : block.b).push_back(row);
        }
        out.push_back(std::move(block));
      }
      k = end;
    }
  }
  return out;
}

BlockingStats blocking_stats(std::span<const Block> blocks, std::size_t size_a, std::size_t size_b,
                             std::span<const Pair> truth) {
  std::vector<std::uint64_t> pairs;
  for (const Block& block : blocks) {
    for (std::uint32_t i : block.a) {
      for (std::uint32_t j : block.b) pairs.push_back(std::uint64_t{i} << 32 | j);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

  BlockingStats stats;
  stats.blocks = blocks.size();
  stats.compared_pairs = pairs.size();
  const double all = static_cast<double>(size_a) * static_cast<double>(size_b);
  stats.reduction_ratio = all == 0 ? 0.0 : 1.0 - static_cast<double>(pairs.size()) / all;
  for (const Pair& p : truth) {
    if (std::binary_search(pairs.begin(), pairs.end(), std::uint64_t{p.a} << 32 | p.b)) {
      ++stats.true_pairs_found;
    }
  }
  stats.pair_completeness = truth.empty() ? 0.0
                                          : static_cast<double>(stats.true_pairs_found) /
                                                static_cast<double>(truth.size());
  return stats;
}

}  // namespace ctis::linkage
