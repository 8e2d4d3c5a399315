// random: a small deterministic generator (SplitMix64) for synthetic data, sampling and
// simulation. The same seed gives the same sequence on every platform and standard library,
// which std::mt19937 with the standard distributions does not promise, so demos, benchmarks
// and evaluations are reproducible. Not for secrets or keys: those come from libsodium.
// Threads: one generator per thread; it is a plain value.
#pragma once

#include <cstdint>
#include <limits>

namespace ctis {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n) for n > 0, without the bias of a plain modulo (the rare values of the
  // incomplete last block are drawn again).
  std::uint64_t below(std::uint64_t n) {
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = kMax - kMax % n;
    for (;;) {
      const std::uint64_t x = next();
      if (x < limit) return x % n;
    }
  }

  // Uniform in [0, 1), with 53 random bits.
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

}  // namespace ctis
