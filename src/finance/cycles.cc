// Temporal cycles by bounded depth-first search from each account. On a static graph only larger
// ids are visited, so each cycle is found once, from its smallest member; with times the cycle
// must start at its earliest transaction, which may leave from any member, so every start is
// tried and cycles are deduplicated by their rotation to the smallest member.
#include <algorithm>
#include <set>

#include "finance/finance.h"
#include "finance/pattern_util.h"

namespace ctis::finance {

namespace {

class CycleSearch {
 public:
  CycleSearch(const Ledger& l, const CycleParams& p)
      : l_(l),
        p_(p),
        on_path_(l.account_count(), false),
        seen_(l.account_count(), 0),
        closes_(l.account_count(), 0),
        distance_(l.account_count(), kFar) {}

  std::vector<Hit> run() {
    for (AccountId s = 0; s < l_.account_count() && hits_.size() < p_.max_hits; ++s) {
      if (l_.out_edges(s).empty() || l_.in_edges(s).empty()) continue;
      start_ = s;
      ++start_stamp_;
      for (AccountId u : l_.in_neighbors(s)) {
        if (u != kNoAccount) closes_[u] = start_stamp_;
      }
      if (!l_.timed()) found_.clear();
      if (!l_.timed()) mark_distances();  // on timed ledgers the window prunes instead
      on_path_[s] = true;
      path_ = {s};
      visit(s, kNoTime, kNoTime);
      on_path_[s] = false;
      for (AccountId v : reached_) distance_[v] = kFar;
      reached_.clear();
    }
    return std::move(hits_);
  }

 private:
  static constexpr std::uint32_t kFar = std::numeric_limits<std::uint32_t>::max();

  // Hops from each account (id > start) back to the start, up to max_length: prunes paths
  // that cannot close in time.
  void mark_distances() {
    reached_.clear();
    distance_[start_] = 0;
    reached_.push_back(start_);
    for (std::size_t head = 0; head < reached_.size(); ++head) {
      AccountId v = reached_[head];
      if (distance_[v] + 1 >= p_.max_length) continue;
      for (TxIndex t : l_.in_edges(v)) {
        AccountId u = l_.senders()[t];
        if (u == kNoAccount || u <= start_ || distance_[u] != kFar) continue;
        distance_[u] = distance_[v] + 1;
        reached_.push_back(u);
      }
    }
  }

  void visit(AccountId v, Seconds first, Seconds last) {
    if (hits_.size() >= p_.max_hits) return;
    const bool timed = l_.timed();
    const std::uint64_t frame = ++frame_counter_;
    const auto edges = l_.out_edges(v);
    const auto to = l_.out_neighbors(v);
    std::size_t k = 0;
    if (timed && last != kNoTime) {
      // Edges are time-ordered: skip those before the last hop at once.
      const auto times = l_.times();
      k = static_cast<std::size_t>(
          std::partition_point(edges.begin(), edges.end(),
                               [&](TxIndex t) { return times[t] < last; }) -
          edges.begin());
    }
    for (; k < edges.size(); ++k) {
      const TxIndex t = edges[k];
      const AccountId w = to[k];
      if (w == kNoAccount || w == v || (!timed && w < start_)) continue;
      const Seconds time = l_.times()[t];
      if (timed && first != kNoTime && time - first > p_.window) break;  // edges are time-ordered
      // Past the first hop an earlier transaction to the same account dominates later ones.
      if (path_.size() > 1 || !timed) {
        if (seen_[w] == frame) continue;
        seen_[w] = frame;
      }
      if (w == start_) {
        if (path_.size() >= 2) record(t);
        continue;
      }
      if (on_path_[w] || path_.size() >= p_.max_length) continue;
      // With one hop left, only an account that pays the start can close the cycle.
      if (path_.size() + 1 == p_.max_length && closes_[w] != start_stamp_) continue;
      if (!timed && (distance_[w] == kFar || path_.size() + distance_[w] > p_.max_length)) continue;
      on_path_[w] = true;
      path_.push_back(w);
      edges_.push_back(t);
      visit(w, first == kNoTime ? time : first, time);
      edges_.pop_back();
      path_.pop_back();
      on_path_[w] = false;
    }
  }

  void record(TxIndex closing) {
    if (hits_.size() >= p_.max_hits) return;  // several cycles can close in one loop
    std::vector<AccountId> key = path_;
    std::rotate(key.begin(), std::min_element(key.begin(), key.end()), key.end());
    if (!found_.insert(std::move(key)).second) return;
    std::vector<TxIndex> txs = edges_;
    txs.push_back(closing);
    std::string text = "funds went round " + std::to_string(path_.size()) + " accounts: ";
    for (AccountId a : path_) text += detail::name(l_, a) + " -> ";
    text += detail::name(l_, start_);
    hits_.push_back(detail::make_hit(l_, Pattern::cycle, path_, std::move(txs), text));
  }

  const Ledger& l_;
  const CycleParams& p_;
  AccountId start_ = 0;
  std::vector<bool> on_path_;
  std::vector<std::uint64_t> seen_;
  std::vector<std::uint32_t> closes_;  // start_stamp_: pays the current start
  std::uint32_t start_stamp_ = 0;
  std::uint64_t frame_counter_ = 0;
  std::vector<std::uint32_t> distance_;
  std::vector<AccountId> reached_, path_;
  std::vector<TxIndex> edges_;
  std::set<std::vector<AccountId>> found_;
  std::vector<Hit> hits_;
};

}  // namespace

std::vector<Hit> temporal_cycles(const Ledger& l, const CycleParams& p) {
  if (p.max_length < 2) return {};
  return CycleSearch(l, p).run();
}

}  // namespace ctis::finance
