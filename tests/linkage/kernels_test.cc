// Kernels: every kernel this CPU supports gives the same counts as the portable one.
#include <algorithm>

#include "core/core.h"
#include "support.h"

namespace ctis::linkage {
namespace {

std::vector<std::uint32_t> counts_of(Kernel k, const ClkStore& a, std::size_t i,
                                     const ClkStore& b) {
  std::vector<std::uint32_t> out(b.size(), 0xdeadbeef);
  and_popcounts(k, a.row(i), b.row(0), b.size(), b.stride_words(), out.data());
  return out;
}

TEST(Kernels, PortableIsAlwaysSupportedAndBestIsTheLast) {
  const auto kernels = supported_kernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(kernels.front(), Kernel::portable);
  EXPECT_EQ(best_kernel(), kernels.back());
  EXPECT_EQ(to_string(Kernel::avx512), "avx512");
  EXPECT_EQ(to_string(Kernel::avx2), "avx2");
  std::cout << "[ info ] kernels on this CPU:";
  for (Kernel k : kernels) std::cout << ' ' << to_string(k);
  std::cout << '\n';
}

TEST(Kernels, HandMadeCounts) {
  ClkStore a(1024);
  ClkStore b(1024);
  std::vector<std::uint8_t> ones(128, 0xff), zeros(128, 0), half(128, 0xf0), alt(128, 0xaa);
  a.add(ones);
  a.add(half);
  for (const auto& v : {ones, zeros, half, alt}) b.add(v);
  for (Kernel k : supported_kernels()) {
    EXPECT_EQ(counts_of(k, a, 0, b), (std::vector<std::uint32_t>{1024, 0, 512, 512}))
        << to_string(k);
    EXPECT_EQ(counts_of(k, a, 1, b), (std::vector<std::uint32_t>{512, 0, 512, 256}))
        << to_string(k);
  }
}

// Lengths cover one and several 512-bit lines, a length that is not a whole line, and one long
// enough for the AVX2 kernel to flush its byte counters; row counts are not multiples of 8.
TEST(Kernels, AllSupportedKernelsAgreeWithPortable) {
  for (std::size_t bits : {64, 512, 1000, 1024, 2048, 8192 + 512}) {
    for (unsigned density : {20U, 128U, 230U, 256U}) {
      const ClkStore a = testing::random_store(5, bits, bits + density, density);
      const ClkStore b = testing::random_store(37, bits, 3 * bits + density, density);
      for (std::size_t i = 0; i < a.size(); ++i) {
        const auto expected = counts_of(Kernel::portable, a, i, b);
        for (std::size_t j = 0; j < b.size(); ++j) {
          // The portable kernel itself against the bytes.
          std::uint32_t direct = 0;
          const auto x = a.bytes(i);
          const auto y = b.bytes(j);
          for (std::size_t k = 0; k < x.size(); ++k) {
            direct += static_cast<std::uint32_t>(__builtin_popcount(x[k] & y[k]));
          }
          ASSERT_EQ(expected[j], direct) << bits << " bits, row " << j;
        }
        for (Kernel k : supported_kernels()) {
          EXPECT_EQ(counts_of(k, a, i, b), expected)
              << to_string(k) << ", " << bits << " bits, density " << density;
        }
      }
    }
  }
}

TEST(Kernels, RejectsAStrideThatIsNotWholeLines) {
  const ClkStore a = testing::random_store(1, 1024, 1);
  std::uint32_t count = 0;
  EXPECT_THROW(and_popcounts(Kernel::portable, a.row(0), a.row(0), 1, 12, &count), Error);
}

TEST(Dice, MatchesTheDefinition) {
  EXPECT_EQ(dice(0, 0, 0), 0.0);
  EXPECT_EQ(dice(10, 10, 10), 1.0);
  EXPECT_EQ(dice(3, 4, 8), 0.5);
  EXPECT_DOUBLE_EQ(dice(5, 7, 9), 10.0 / 16.0);
}

}  // namespace
}  // namespace ctis::linkage
