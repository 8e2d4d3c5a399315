// Blocking (candidate pairs per rule and their union) and the small thread pool the pipeline
// shares.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

#include "dedup/internal.h"

namespace ctis::dedup {

namespace detail {

std::size_t thread_count(std::size_t requested, std::size_t work) {
  constexpr std::size_t kWorthAThread = 20000;  // below this, starting threads costs more
  if (work < kWorthAThread) return 1;
  const std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
  return requested == 0 ? cores : requested;
}

void parallel_for(std::size_t tasks, std::size_t threads,
                  const std::function<void(std::size_t)>& task) {
  threads = std::min(threads, tasks);
  if (threads <= 1) {
    for (std::size_t i = 0; i < tasks; ++i) task(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto work = [&] {
    for (std::size_t i = next++; i < tasks; i = next++) {
      try {
        task(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

std::string block_key(const std::vector<std::string>& row, const BlockingRule& rule,
                      const std::vector<std::size_t>& columns) {
  std::string key;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const std::string& v = row[columns[k]];
    if (v.empty()) return {};
    const std::size_t prefix = rule.keys[k].prefix;
    key.append(prefix == 0 ? v : v.substr(0, prefix));
    key.push_back('\x1f');  // unit separator: "ab"+"c" differs from "a"+"bc"
  }
  return key;
}

namespace {

struct RuleResult {
  std::vector<std::uint64_t> pairs;
  std::size_t skipped = 0;
};

// The parts of a record's key, without building the key: empty when a value is missing.
class KeyView {
 public:
  KeyView(const BlockingRule& rule, const std::vector<std::size_t>& columns)
      : rule_(rule), columns_(columns) {}
  std::string_view part(const std::vector<std::string>& row, std::size_t k) const {
    const std::string_view v = row[columns_[k]];
    const std::size_t prefix = rule_.keys[k].prefix;
    return prefix == 0 ? v : v.substr(0, prefix);
  }
  bool missing(const std::vector<std::string>& row) const {
    for (const std::size_t c : columns_) {
      if (row[c].empty()) return true;
    }
    return false;
  }
  // FNV-1a over the parts with a separator, then a final mix: the same on every platform.
  std::uint64_t hash(const std::vector<std::string>& row) const {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (std::size_t k = 0; k < columns_.size(); ++k) {
      for (const char c : part(row, k)) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
      h = (h ^ 0x1FU) * 0x100000001B3ULL;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    return h ^ (h >> 33);
  }
  bool equal(const std::vector<std::string>& x, const std::vector<std::string>& y) const {
    for (std::size_t k = 0; k < columns_.size(); ++k) {
      if (part(x, k) != part(y, k)) return false;
    }
    return true;
  }
  bool less(const std::vector<std::string>& x, const std::vector<std::string>& y) const {
    for (std::size_t k = 0; k < columns_.size(); ++k) {
      const int c = part(x, k).compare(part(y, k));
      if (c != 0) return c < 0;
    }
    return false;
  }

 private:
  const BlockingRule& rule_;
  const std::vector<std::size_t>& columns_;
};

// Records are grouped by a 64-bit hash of their key (a sort of 16-byte items rather than a hash
// map of strings); the rare group whose keys differ, a hash collision, is split by the keys.
// `hashes` holds each record's key hash, 0 when a key value is missing.
RuleResult pairs_of_rule(const Table& table, const KeyView& key,
                         const std::vector<std::uint64_t>& hashes, std::size_t max_block) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed;
  keyed.reserve(table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (hashes[i] != 0) keyed.emplace_back(hashes[i], static_cast<std::uint32_t>(i));
  }
  std::sort(keyed.begin(), keyed.end());
  RuleResult out;
  std::vector<std::uint32_t> block;
  const auto emit = [&](auto first, auto last) {  // one block: members ascending by row
    if (static_cast<std::size_t>(last - first) > max_block) {
      ++out.skipped;
      return;
    }
    for (auto i = first; i != last; ++i) {
      for (auto j = i + 1; j != last; ++j) out.pairs.push_back(pack(*i, *j));
    }
  };
  for (std::size_t lo = 0, hi = 0; lo < keyed.size(); lo = hi) {
    while (hi < keyed.size() && keyed[hi].first == keyed[lo].first) ++hi;
    if (hi - lo < 2) continue;
    block.clear();
    for (std::size_t i = lo; i < hi; ++i) block.push_back(keyed[i].second);
    const auto& first_row = table.rows[block.front()];
    const bool one_key = std::all_of(block.begin() + 1, block.end(), [&](std::uint32_t r) {
      return key.equal(first_row, table.rows[r]);
    });
    if (!one_key) {
      std::stable_sort(block.begin(), block.end(), [&](std::uint32_t x, std::uint32_t y) {
        return key.less(table.rows[x], table.rows[y]);
      });
    }
    for (auto first = block.begin(); first != block.end();) {
      auto last = first + 1;
      while (last != block.end() && key.equal(table.rows[*first], table.rows[*last])) ++last;
      emit(first, last);
      first = last;
    }
  }
  std::sort(out.pairs.begin(), out.pairs.end());
  return out;
}

}  // namespace

std::vector<std::vector<std::uint64_t>> rule_pairs(const Table& table, const Settings& settings,
                                                   const Resolved& resolved, Candidates& stats) {
  const std::size_t rules = settings.blocking_rules.size();
  const std::size_t threads = thread_count(settings.threads, table.size());
  std::vector<KeyView> keys;
  for (std::size_t r = 0; r < rules; ++r) {
    keys.emplace_back(settings.blocking_rules[r], resolved.rule_columns[r]);
  }
  // Every rule's key hash in one pass over the records (a record is read from memory once).
  std::vector<std::vector<std::uint64_t>> hashes(rules, std::vector<std::uint64_t>(table.size()));
  constexpr std::size_t kChunk = 65536;
  parallel_for((table.size() + kChunk - 1) / kChunk, threads, [&](std::size_t chunk) {
    const std::size_t end = std::min(table.size(), (chunk + 1) * kChunk);
    for (std::size_t i = chunk * kChunk; i < end; ++i) {
      const auto& row = table.rows[i];
      for (std::size_t r = 0; r < rules; ++r) {
        hashes[r][i] = keys[r].missing(row) ? 0 : std::max<std::uint64_t>(1, keys[r].hash(row));
      }
    }
  });
  std::vector<RuleResult> results(rules);
  parallel_for(rules, threads, [&](std::size_t r) {
    results[r] = pairs_of_rule(table, keys[r], hashes[r], settings.max_block_size);
  });
  std::vector<std::vector<std::uint64_t>> out;
  for (auto& result : results) {
    stats.pairs_per_rule.push_back(result.pairs.size());
    stats.skipped_blocks_per_rule.push_back(result.skipped);
    out.push_back(std::move(result.pairs));
  }
  return out;
}

std::vector<std::uint64_t> union_of(const std::vector<std::vector<std::uint64_t>>& rules) {
  std::vector<std::uint64_t> all, merged;
  for (const auto& pairs : rules) {
    merged.clear();
    merged.reserve(all.size() + pairs.size());
    std::set_union(all.begin(), all.end(), pairs.begin(), pairs.end(), std::back_inserter(merged));
    all.swap(merged);
  }
  return all;
}

}  // namespace detail

Candidates candidate_pairs(const Table& table, const Settings& settings) {
  const detail::Resolved resolved = detail::resolve(table, settings);
  Candidates out;
  const std::vector<std::uint64_t> all =
      detail::union_of(detail::rule_pairs(table, settings, resolved, out));
  out.pairs.reserve(all.size());
  for (std::uint64_t p : all) out.pairs.push_back(detail::unpack(p));
  return out;
}

}  // namespace ctis::dedup
