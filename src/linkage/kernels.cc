// Similarity kernels: popcount(a AND row) for one row against many, with runtime dispatch.
//
// Each vector kernel is compiled for its instruction set with a per-function target attribute,
// so the rest of the build keeps the default flags; __builtin_cpu_supports picks at run time.
// GCC 12 (bug 105593) warns that AVX-512 intrinsics read the undefined pass-through vector they
// declare themselves; the warning points into the intrinsics header, so it is silenced there.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif

#include "core/core.h"
#include "linkage/linkage.h"

namespace ctis::linkage {

namespace {

// Bit-parallel popcount: without -mpopcnt, std::popcount becomes a library call per word; this
// form stays inline and the compiler can vectorise the loop with the baseline instruction set.
inline std::uint32_t popcount_swar(std::uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<std::uint32_t>((x * 0x0101010101010101ULL) >> 56);
}

void and_popcounts_portable(const std::uint64_t* a, const std::uint64_t* rows, std::size_t count,
                            std::size_t stride, std::uint32_t* counts) {
  for (std::size_t j = 0; j < count; ++j) {
    const std::uint64_t* row = rows + j * stride;
    std::uint32_t c = 0;
    for (std::size_t w = 0; w < stride; ++w) c += popcount_swar(a[w] & row[w]);
    counts[j] = c;
  }
}

// AVX2: popcount of each byte by two 16-entry table lookups (low and high nibble), bytes summed
// into 64-bit lanes with vpsadbw.
__attribute__((target("avx2"))) inline __m256i byte_popcounts(__m256i v) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibble = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(v, low_nibble);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

__attribute__((target("avx2"))) void and_popcounts_avx2(const std::uint64_t* a,
                                                        const std::uint64_t* rows,
                                                        std::size_t count, std::size_t stride,
                                                        std::uint32_t* counts) {
  const std::size_t vectors = stride / 4;
  for (std::size_t j = 0; j < count; ++j) {
    const std::uint64_t* row = rows + j * stride;
    __m256i total = _mm256_setzero_si256();
    std::size_t v = 0;
    while (v < vectors) {
      // A byte counts at most 8 per vector: flush every 16 vectors, before 255 could overflow.
      __m256i bytes = _mm256_setzero_si256();
      const std::size_t end = std::min(vectors, v + 16);
      for (; v < end; ++v) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + 4 * v));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 4 * v));
        bytes = _mm256_add_epi8(bytes, byte_popcounts(_mm256_and_si256(x, y)));
      }
      total = _mm256_add_epi64(total, _mm256_sad_epu8(bytes, _mm256_setzero_si256()));
    }
    const __m128i half =
        _mm_add_epi64(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    counts[j] = static_cast<std::uint32_t>(_mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1));
  }
}

// AVX-512 VPOPCNTDQ: eight rows at a time, so the eight horizontal sums share one transpose.
__attribute__((target("avx512f,avx512vpopcntdq"))) inline __m512i and_count_lanes(
    const std::uint64_t* a, const std::uint64_t* row, std::size_t lines) {
  __m512i sum = _mm512_setzero_si512();
  for (std::size_t c = 0; c < lines; ++c) {
    const __m512i x = _mm512_loadu_si512(a + 8 * c);
    const __m512i y = _mm512_loadu_si512(row + 8 * c);
    sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
  }
  return sum;
}

// Lanes: [x0+x1, y0+y1, x2+x3, y2+y3, ...].
__attribute__((target("avx512f"))) inline __m512i pair_sums(__m512i x, __m512i y) {
  return _mm512_add_epi64(_mm512_unpacklo_epi64(x, y), _mm512_unpackhi_epi64(x, y));
}

// 128-bit chunks: [x0+x1, x2+x3, y0+y1, y2+y3].
__attribute__((target("avx512f"))) inline __m512i chunk_sums(__m512i x, __m512i y) {
  return _mm512_add_epi64(_mm512_shuffle_i64x2(x, y, 0x88), _mm512_shuffle_i64x2(x, y, 0xDD));
}

// Lane i of the result is the sum of the lanes of v[i].
__attribute__((target("avx512f"))) inline __m512i sum_lanes_of_eight(const __m512i* v) {
  const __m512i s01 = pair_sums(v[0], v[1]);
  const __m512i s23 = pair_sums(v[2], v[3]);
  const __m512i s45 = pair_sums(v[4], v[5]);
  const __m512i s67 = pair_sums(v[6], v[7]);
  return chunk_sums(chunk_sums(s01, s23), chunk_sums(s45, s67));
}

template <std::size_t kLines>  // 0: any length; 2: 1024-bit CLKs, fully unrolled
__attribute__((target("avx512f,avx512vpopcntdq"))) void and_popcounts_avx512_impl(
    const std::uint64_t* a, const std::uint64_t* rows, std::size_t count, std::size_t stride,
    std::uint32_t* counts) {
  const std::size_t lines = kLines == 0 ? stride / 8 : kLines;
  std::size_t j = 0;
  for (; j + 8 <= count; j += 8) {
    __m512i v[8];
    for (std::size_t r = 0; r < 8; ++r) v[r] = and_count_lanes(a, rows + (j + r) * stride, lines);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(counts + j),
                        _mm512_cvtepi64_epi32(sum_lanes_of_eight(v)));
  }
  for (; j < count; ++j) {
    counts[j] = static_cast<std::uint32_t>(
        _mm512_reduce_add_epi64(and_count_lanes(a, rows + j * stride, lines)));
  }
}

__attribute__((target("avx512f,avx512vpopcntdq"))) void and_popcounts_avx512(
    const std::uint64_t* a, const std::uint64_t* rows, std::size_t count, std::size_t stride,
    std::uint32_t* counts) {
  if (stride == 16) {
    and_popcounts_avx512_impl<2>(a, rows, count, stride, counts);
  } else {
    and_popcounts_avx512_impl<0>(a, rows, count, stride, counts);
  }
}

}  // namespace

std::string_view to_string(Kernel k) {
  switch (k) {
    case Kernel::portable:
      return "portable";
    case Kernel::avx2:
      return "avx2";
    case Kernel::avx512:
      return "avx512";
  }
  return "unknown";
}

bool kernel_supported(Kernel k) {
  // Needed when this runs from a static initialiser, before the runtime has probed the CPU.
  __builtin_cpu_init();
  switch (k) {
    case Kernel::portable:
      return true;
    case Kernel::avx2:
      return __builtin_cpu_supports("avx2") != 0;
    case Kernel::avx512:
      return __builtin_cpu_supports("avx512f") != 0 &&
             __builtin_cpu_supports("avx512vpopcntdq") != 0;
  }
  return false;
}

std::vector<Kernel> supported_kernels() {
  std::vector<Kernel> out;
  for (Kernel k : {Kernel::portable, Kernel::avx2, Kernel::avx512}) {
    if (kernel_supported(k)) out.push_back(k);
  }
  return out;
}

Kernel best_kernel() {
  static const Kernel best = supported_kernels().back();
  return best;
}

void and_popcounts(Kernel kernel, const std::uint64_t* a, const std::uint64_t* rows,
                   std::size_t count, std::size_t stride_words, std::uint32_t* counts) {
  if (!kernel_supported(kernel)) {
    throw Error(ErrorKind::invalid, "kernel_unsupported",
                "this CPU cannot run the " + std::string(to_string(kernel)) + " kernel", "kernel");
  }
  if (stride_words % 8 != 0) {
    fail_invalid("stride_words", "the row stride must be a multiple of 8 words, not " +
                                     std::to_string(stride_words));
  }
  switch (kernel) {
    case Kernel::portable:
      and_popcounts_portable(a, rows, count, stride_words, counts);
      break;
    case Kernel::avx2:
      and_popcounts_avx2(a, rows, count, stride_words, counts);
      break;
    case Kernel::avx512:
      and_popcounts_avx512(a, rows, count, stride_words, counts);
      break;
  }
}

double dice(std::uint32_t and_count, std::uint32_t popcount_a, std::uint32_t popcount_b) {
  const std::uint32_t sum = popcount_a + popcount_b;
  if (sum == 0) return 0.0;
  return 2.0 * and_count / sum;
}

double dice(const ClkStore& a, std::size_t i, const ClkStore& b, std::size_t j) {
  if (a.stride_words() != b.stride_words() || a.bits() != b.bits()) {
    fail_invalid("bits", "the stores hold CLKs of different lengths");
  }
  std::uint32_t count = 0;
  and_popcounts(Kernel::portable, a.row(i), b.row(j), 1, a.stride_words(), &count);
  return dice(count, a.popcount(i), b.popcount(j));
}

}  // namespace ctis::linkage
