// Shared between the dedup sources: settings resolved against one table.
#pragma once

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

}  // namespace ctis::dedup::detail
