// Shared between the dedup sources: settings resolved against one table.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dedup/dedup.h"

namespace ctis::dedup::detail {

// Column indices of the comparisons and blocking keys; validates the settings on the way.
struct Resolved {
  std::vector<std::size_t> comparison_columns;
  std::vector<std::vector<std::size_t>> rule_columns;  // per rule, per key
};
Resolved resolve(const Table& table, const Settings& settings);

// The blocking key of a record under one rule; empty when any part is missing.
std::string block_key(const std::vector<std::string>& row, const BlockingRule& rule,
                      const std::vector<std::size_t>& columns);

// Levels of every comparison for two rows.
void compare_rows(const Settings& settings, const Resolved& resolved,
                  const std::vector<std::string>& x, const std::vector<std::string>& y,
                  std::array<std::uint8_t, kMaxComparisons>& levels);

// Threads to use for `work` items of work under a requested count (0: one per core): one when
// the work is too small to pay for starting threads.
std::size_t thread_count(std::size_t requested, std::size_t work);

// Runs task(0), ..., task(tasks - 1) on `threads` threads (the caller's among them) and returns
// when all are done; the first exception a task throws is rethrown. Each task writes only its
// own outputs, so results do not depend on the number of threads.
void parallel_for(std::size_t tasks, std::size_t threads,
                  const std::function<void(std::size_t)>& task);

// A pair packed as a << 32 | b, which sorts as (a, b).
inline std::uint64_t pack(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::uint64_t>(a) << 32 | b;
}
inline RecordPair unpack(std::uint64_t p) {
  return {static_cast<std::uint32_t>(p >> 32), static_cast<std::uint32_t>(p)};
}

// Blocked pairs of each rule, packed, sorted and unique within the rule; `stats` receives the
// per-rule counts (pairs_per_rule, skipped_blocks_per_rule).
std::vector<std::vector<std::uint64_t>> rule_pairs(const Table& table, const Settings& settings,
                                                   const Resolved& resolved, Candidates& stats);

// The sorted union of the rules' pairs.
std::vector<std::uint64_t> union_of(const std::vector<std::vector<std::uint64_t>>& rules);

}  // namespace ctis::dedup::detail
