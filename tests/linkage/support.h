// Shared helpers for the linkage tests: synthetic CLK stores and the FEBRL4 reference CLKs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/random.h"
#include "linkage/linkage.h"

namespace ctis::linkage::testing {

// A small deterministic generator for synthetic CLKs.
using Rng = ctis::SplitMix64;

// `rows` CLKs of `bits` bits; each bit is set with probability density/256.
inline ClkStore random_store(std::size_t rows, std::size_t bits, std::uint64_t seed,
                             unsigned density = 128) {
  Rng rng{seed};
  ClkStore store(bits);
  std::vector<std::uint8_t> clk(bits / 8);
  for (std::size_t r = 0; r < rows; ++r) {
    for (auto& byte : clk) {
      byte = 0;
      for (int k = 0; k < 8; ++k) {
        if ((rng.next() & 255U) < density) byte = static_cast<std::uint8_t>(byte | (1U << k));
      }
    }
    store.add(clk, "r" + std::to_string(r));
  }
  return store;
}

// A copy of `source` with each bit flipped with probability flips/1024: near-duplicates.
inline ClkStore noisy_copy(const ClkStore& source, std::uint64_t seed, unsigned flips) {
  Rng rng{seed};
  ClkStore store(source.bits());
  for (std::size_t r = 0; r < source.size(); ++r) {
    auto clk = source.bytes(r);
    for (auto& byte : clk) {
      for (int k = 0; k < 8; ++k) {
        if ((rng.next() & 1023U) < flips) byte = static_cast<std::uint8_t>(byte ^ (1U << k));
      }
    }
    store.add(clk, source.id(r));
  }
  return store;
}

inline std::string reference_dir() {
  const char* root = std::getenv("CTIS_SHARED_DATA");
  if (root == nullptr) {
    throw std::runtime_error("CTIS_SHARED_DATA is not set: it names the shared data folder");
  }
  const auto dir = std::filesystem::path(root) / "linkage" / "clkhash-reference";
  if (!std::filesystem::exists(dir / "febrl4a_clks.csv")) {
    throw std::runtime_error("missing data set: " + dir.string() +
                             "/febrl4a_clks.csv (the clkhash FEBRL4 reference CLKs)");
  }
  return dir.string();
}

struct Febrl {
  ClkStore a{1024}, b{1024};
  std::vector<Pair> truth;  // rec-N in A with rec-N in B
};

// "rec-1070-org" and "rec-1070-dup-0" both give "1070".
inline std::string record_number(const std::string& id) {
  const auto first = id.find('-');
  const auto second = id.find('-', first + 1);
  return id.substr(first + 1, second - first - 1);
}

inline const Febrl& febrl() {
  static const Febrl data = [] {
    Febrl f;
    const std::string dir = reference_dir();
    f.a = ClkStore::read_csv(dir + "/febrl4a_clks.csv");
    f.b = ClkStore::read_csv(dir + "/febrl4b_clks.csv");
    std::unordered_map<std::string, std::uint32_t> b_rows;
    for (std::uint32_t j = 0; j < f.b.size(); ++j) b_rows[record_number(f.b.id(j))] = j;
    for (std::uint32_t i = 0; i < f.a.size(); ++i) {
      const auto it = b_rows.find(record_number(f.a.id(i)));
      if (it != b_rows.end()) f.truth.push_back({i, it->second, 0});
    }
    return f;
  }();
  return data;
}

// The first `rows` records of FEBRL4 A and their partners in B (kept in B's order): a smaller
// real workload for tests whose cost grows with the number of pairs.
inline Febrl febrl_subset(std::size_t rows) {
  const Febrl& full = febrl();
  std::vector<std::uint32_t> partner_of_b(full.b.size(), UINT32_MAX);
  for (const Pair& p : full.truth) {
    if (p.a < rows) partner_of_b[p.b] = p.a;
  }
  Febrl sub;
  for (std::uint32_t i = 0; i < rows; ++i) sub.a.add(full.a.bytes(i), full.a.id(i));
  for (std::uint32_t j = 0; j < full.b.size(); ++j) {
    if (partner_of_b[j] == UINT32_MAX) continue;
    sub.truth.push_back({partner_of_b[j], static_cast<std::uint32_t>(sub.b.size()), 0});
    sub.b.add(full.b.bytes(j), full.b.id(j));
  }
  return sub;
}

// All pairs at or above the threshold by direct computation, in anonlink's order.
inline std::vector<Candidate> brute_force(const ClkStore& a, const ClkStore& b, double threshold) {
  std::vector<Candidate> out;
  for (std::uint32_t i = 0; i < a.size(); ++i) {
    for (std::uint32_t j = 0; j < b.size(); ++j) {
      const double d = dice(a, i, b, j);
      if (d >= threshold) out.push_back({d, i, j});
    }
  }
  std::sort(out.begin(), out.end(), [](const Candidate& x, const Candidate& y) {
    if (x.dice != y.dice) return x.dice > y.dice;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });
  return out;
}

}  // namespace ctis::linkage::testing
