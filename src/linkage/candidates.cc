// Candidate generation: all pairs at or above a Dice threshold, with the popcount filter.
//
// The second store is copied once, sorted by popcount, so the rows whose popcounts can still
// reach the threshold form one contiguous range for each row of the first store; the kernel
// runs over that range only. Rows of the first store are handed out in chunks to the threads;
// each chunk's output is kept apart and the whole is sorted in one total order, so the result
// does not depend on the number of threads or on their timing.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "core/core.h"
#include "linkage/linkage.h"

namespace ctis::linkage {

namespace {

constexpr std::size_t kChunkRows = 32;   // rows of the first store per unit of work
constexpr std::size_t kBatchRows = 512;  // rows of the second store per kernel call

void check_inputs(const ClkStore& a, const ClkStore& b, double threshold) {
  if (!(threshold >= 0.0 && threshold <= 1.0)) {
    fail_invalid("threshold", "the Dice threshold must lie in [0, 1]");
  }
  if (a.bits() != b.bits()) {
    fail_invalid("bits", "cannot compare " + std::to_string(a.bits()) + "-bit CLKs with " +
                             std::to_string(b.bits()) + "-bit CLKs");
  }
}

bool before(const Candidate& x, const Candidate& y) {
  if (x.dice != y.dice) return x.dice > y.dice;
  if (x.a != y.a) return x.a < y.a;
  return x.b < y.b;
}

// min_count[s]: the least AND popcount whose Dice reaches the threshold when the two popcounts
// add up to s, by the same double arithmetic as dice(); s/2 + 1 when none can.
std::vector<std::uint32_t> min_counts(std::size_t bits, double threshold) {
  std::vector<std::uint32_t> out(2 * bits + 1);
  for (std::uint32_t s = 0; s < out.size(); ++s) {
    auto c = static_cast<std::uint32_t>(std::max(0.0, std::floor(threshold * s / 2.0) - 1.0));
    while (c <= s / 2 && dice(c, s, 0) < threshold) ++c;
    out[s] = c;
  }
  return out;
}

struct SortedStore {
  ClkStore rows;
  std::vector<std::uint32_t> original;  // original[k]: row of the input store at sorted row k
};

SortedStore sort_by_popcount(const ClkStore& b) {
  SortedStore out{ClkStore(b.bits()), std::vector<std::uint32_t>(b.size())};
  std::iota(out.original.begin(), out.original.end(), 0U);
  std::stable_sort(out.original.begin(), out.original.end(),
                   [&](std::uint32_t x, std::uint32_t y) { return b.popcount(x) < b.popcount(y); });
  for (std::uint32_t k : out.original) {
    out.rows.add({reinterpret_cast<const std::uint8_t*>(b.row(k)), b.bits() / 8});
  }
  return out;
}

void keep_top_k(std::vector<Candidate>& found, std::size_t begin, std::size_t k) {
  if (k == 0 || found.size() - begin <= k) return;
  auto first = found.begin() + static_cast<std::ptrdiff_t>(begin);
  std::partial_sort(first, first + static_cast<std::ptrdiff_t>(k), found.end(), before);
  found.resize(begin + k);
}

unsigned thread_count(const MatchOptions& options, std::size_t chunks) {
  unsigned n = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  n = std::max(1U, n);
  return static_cast<unsigned>(std::min<std::size_t>(n, std::max<std::size_t>(1, chunks)));
}

// Runs work(chunk) for every chunk on the threads; output order is fixed by the chunk index. The
// first exception a worker meets (say, out of memory) stops the others and is rethrown here.
template <class Work>
void run_chunks(std::size_t chunks, unsigned threads, Work work) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    try {
      for (std::size_t c = next++; c < chunks; c = next++) work(c);
    } catch (...) {
      next = chunks;
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::vector<Candidate> candidates(const ClkStore& a, const ClkStore& b, double threshold,
                                  const MatchOptions& options, CandidateStats* stats) {
  check_inputs(a, b, threshold);
  if (!kernel_supported(options.kernel)) {
    throw Error(ErrorKind::invalid, "kernel_unsupported",
                "this CPU cannot run the " + std::string(to_string(options.kernel)) + " kernel",
                "kernel");
  }
  const SortedStore sorted = sort_by_popcount(b);
  const std::span<const std::uint32_t> pops = sorted.rows.popcounts();
  const std::vector<std::uint32_t> need = min_counts(a.bits(), threshold);

  const std::size_t chunks = (a.size() + kChunkRows - 1) / kChunkRows;
  std::vector<std::vector<Candidate>> found(chunks);
  std::atomic<std::size_t> compared{0};
  run_chunks(chunks, thread_count(options, chunks), [&](std::size_t chunk) {
    std::vector<std::uint32_t> counts(kBatchRows);
    std::vector<Candidate>& out = found[chunk];
    const std::size_t end = std::min(a.size(), (chunk + 1) * kChunkRows);
    for (std::size_t i = chunk * kChunkRows; i < end; ++i) {
      const std::uint32_t pa = a.popcount(i);
      // Dice <= 2 min(pa, pb) / (pa + pb): outside [lo, hi] the threshold is out of reach. The
      // bounds are widened slightly; the exact test below decides.
      std::uint32_t lo = 0;
      std::uint32_t hi = static_cast<std::uint32_t>(2 * a.bits());
      if (threshold > 0) {
        lo = static_cast<std::uint32_t>(
            std::max(0.0, std::floor(threshold * pa / (2 - threshold)) - 1));
        hi = static_cast<std::uint32_t>(
            std::min<double>(hi, std::ceil(pa * (2 - threshold) / threshold) + 1));
      }
      const auto first =
          static_cast<std::size_t>(std::lower_bound(pops.begin(), pops.end(), lo) - pops.begin());
      const auto last =
          static_cast<std::size_t>(std::upper_bound(pops.begin(), pops.end(), hi) - pops.begin());
      compared.fetch_add(last - first, std::memory_order_relaxed);
      const std::size_t row_begin = out.size();
      for (std::size_t k = first; k < last; k += kBatchRows) {
        const std::size_t n = std::min(kBatchRows, last - k);
        and_popcounts(options.kernel, a.row(i), sorted.rows.row(k), n, a.stride_words(),
                      counts.data());
        for (std::size_t q = 0; q < n; ++q) {
          const std::uint32_t pb = pops[k + q];
          if (counts[q] < need[pa + pb]) continue;
          out.push_back(
              {dice(counts[q], pa, pb), static_cast<std::uint32_t>(i), sorted.original[k + q]});
        }
      }
      keep_top_k(out, row_begin, options.top_k);
    }
  });

  if (stats != nullptr) {
    stats->compared = compared.load();
    stats->skipped = a.size() * b.size() - stats->compared;
  }
  std::vector<Candidate> all;
  std::size_t total = 0;
  for (const auto& part : found) total += part.size();
  all.reserve(total);
  for (const auto& part : found) all.insert(all.end(), part.begin(), part.end());
  std::sort(all.begin(), all.end(), before);
  return all;
}

std::vector<Candidate> candidates_in_blocks(const ClkStore& a, const ClkStore& b,
                                            std::span<const Block> blocks, double threshold,
                                            const MatchOptions& options) {
  check_inputs(a, b, threshold);
  std::vector<std::uint64_t> pairs;
  for (const Block& block : blocks) {
    for (std::uint32_t i : block.a) {
      if (i >= a.size())
        fail_invalid("blocks", "a block names row " + std::to_string(i) +
                                   " of the first store, which has " + std::to_string(a.size()));
      for (std::uint32_t j : block.b) {
        if (j >= b.size())
          fail_invalid("blocks", "a block names row " + std::to_string(j) +
                                     " of the second store, which has " + std::to_string(b.size()));
        pairs.push_back(std::uint64_t{i} << 32 | j);
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

  const std::vector<std::uint32_t> need = min_counts(a.bits(), threshold);
  std::vector<Candidate> out;
  for (std::size_t p = 0; p < pairs.size();) {
    const auto i = static_cast<std::uint32_t>(pairs[p] >> 32);
    const std::size_t row_begin = out.size();
    for (; p < pairs.size() && (pairs[p] >> 32) == i; ++p) {
      const auto j = static_cast<std::uint32_t>(pairs[p]);
      std::uint32_t count = 0;
      and_popcounts(options.kernel, a.row(i), b.row(j), 1, a.stride_words(), &count);
      const std::uint32_t pa = a.popcount(i);
      const std::uint32_t pb = b.popcount(j);
      if (count >= need[pa + pb]) out.push_back({dice(count, pa, pb), i, j});
    }
    keep_top_k(out, row_begin, options.top_k);
  }
  std::sort(out.begin(), out.end(), before);
  return out;
}

std::vector<PartyCandidate> multi_party_candidates(std::span<const ClkStore* const> stores,
                                                   double threshold, const MatchOptions& options) {
  std::vector<PartyCandidate> out;
  for (std::uint32_t p = 0; p < stores.size(); ++p) {
    for (std::uint32_t q = p + 1; q < stores.size(); ++q) {
      for (const Candidate& c : candidates(*stores[p], *stores[q], threshold, options)) {
        out.push_back({c.dice, {p, c.a}, {q, c.b}});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const PartyCandidate& x, const PartyCandidate& y) {
    if (x.dice != y.dice) return x.dice > y.dice;
    if (x.x != y.x) return x.x < y.x;
    return x.y < y.y;
  });
  return out;
}

}  // namespace ctis::linkage
