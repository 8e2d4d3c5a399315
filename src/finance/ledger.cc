// Ledger construction: interning, staging columns, the stable time sort and the CSR adjacency.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <numeric>
#include <utility>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "core/core.h"
#include "finance/finance.h"
#include "finance/pattern_util.h"

namespace ctis::finance {

namespace detail {

void advise_huge_pages(const void* data, std::size_t bytes) {
#ifdef __linux__
  // Random access over hundreds of megabytes: 2 MB pages spare most TLB misses (dearer still
  // under virtualisation). Only a hint; whole 4 KB pages inside the range.
  constexpr std::size_t kPage = 4096;
  if (bytes < (std::size_t{4} << 20)) return;
  char* first = static_cast<char*>(const_cast<void*>(data));
  const std::size_t misaligned = reinterpret_cast<std::uintptr_t>(first) % kPage;
  const std::size_t skip = misaligned == 0 ? 0 : kPage - misaligned;
  const std::size_t length = (bytes - skip) / kPage * kPage;
  if (length > 0) (void)madvise(first + skip, length, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace detail

namespace {

constexpr std::string_view kChannelNames[] = {"other", "cash",   "wire",    "ach",
                                              "card",  "crypto", "prepaid", "check"};

// Capacity for n elements, on 2 MB pages where the kernel has them: a column of ten million
// values then costs tens of page faults, not tens of thousands (each dear in a virtual machine).
template <typename T>
void reserve_huge(std::vector<T>& v, std::size_t n) {
  if (n <= v.capacity()) return;
  v.reserve(n);
  detail::advise_huge_pages(v.data(), n * sizeof(T));
}

// v in the given order, built in `spare` (same size after its first use, so columns of one
// type share two buffers instead of allocating one each); spare receives the old order.
template <typename T>
void permute(std::vector<T>& v, const std::vector<TxIndex>& order, std::vector<T>& spare) {
  spare.clear();  // no zero fill first: every element is written once
  reserve_huge(spare, v.size());
  for (const TxIndex i : order) spare.push_back(v[i]);
  v.swap(spare);
}

// Counting sort of transactions by one endpoint; stable, so each list stays in time order.
void build_csr(std::size_t accounts, const std::vector<AccountId>& endpoint,
               std::vector<std::size_t>& offset, std::vector<TxIndex>& edges) {
  reserve_huge(offset, accounts + 1);
  offset.assign(accounts + 1, 0);
  for (AccountId a : endpoint) {
    if (a != kNoAccount) ++offset[a + 1];
  }
  std::partial_sum(offset.begin(), offset.end(), offset.begin());
  reserve_huge(edges, offset[accounts]);
  edges.assign(offset[accounts], 0);
  std::vector<std::size_t> next(offset.begin(), offset.end() - 1);
  for (std::size_t t = 0; t < endpoint.size(); ++t) {
    if (endpoint[t] != kNoAccount) edges[next[endpoint[t]]++] = static_cast<TxIndex>(t);
  }
}

// Positions in stable time order. Times within 2^32 s of each other (136 years) are packed
// with their position into one 64-bit key and radix-sorted by the time bits (LSD radix sort is
// stable); wider ranges (kNoTime among times) fall back to a comparison sort.
// `scratch` receives a buffer of n + 1 64-bit words already in memory, for the caller to
// reuse rather than fault in a fresh one.
std::vector<TxIndex> stable_time_order(const std::vector<Seconds>& time,
                                       std::vector<std::uint64_t>& scratch) {
  const std::size_t n = time.size();
  std::vector<TxIndex> order;
  reserve_huge(order, n);
  order.resize(n);
  const auto [lo, hi] = std::minmax_element(time.begin(), time.end());
  const auto range = static_cast<std::uint64_t>(*hi) - static_cast<std::uint64_t>(*lo);
  if (range >= (std::uint64_t{1} << 32)) {
    std::iota(order.begin(), order.end(), TxIndex{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](TxIndex a, TxIndex b) { return time[a] < time[b]; });
    return order;
  }
  std::vector<std::uint64_t> keys, spare;
  reserve_huge(keys, n + 1);
  reserve_huge(spare, n + 1);
  keys.resize(n);
  spare.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = (static_cast<std::uint64_t>(time[i]) - static_cast<std::uint64_t>(*lo)) << 32 | i;
  }
  constexpr unsigned kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  unsigned bits = 0;
  while (bits < 32 && (range >> bits) != 0) bits += kBits;
  std::vector<std::size_t> start(kBuckets);
  for (unsigned shift = 32; shift < 32 + bits; shift += kBits) {
    std::fill(start.begin(), start.end(), 0);
    for (std::uint64_t k : keys) ++start[(k >> shift) & (kBuckets - 1)];
    std::size_t sum = 0;
    for (std::size_t& c : start) sum += std::exchange(c, sum);
    for (std::uint64_t k : keys) spare[start[(k >> shift) & (kBuckets - 1)]++] = k;
    keys.swap(spare);
  }
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<TxIndex>(keys[i] & 0xFFFFFFFFULL);
  scratch.swap(spare);
  return order;
}

}  // namespace

std::string_view to_string(Channel c) { return kChannelNames[static_cast<std::size_t>(c)]; }

std::optional<Channel> parse_channel(std::string_view code) {
  for (std::size_t i = 0; i < std::size(kChannelNames); ++i) {
    if (kChannelNames[i] == code) return static_cast<Channel>(i);
  }
  return std::nullopt;
}

std::uint64_t Interner::hash(std::string_view s) {
  // Eight bytes at a time, multiply-mixed, with a final avalanche (a plain, fast string hash).
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = s.size() * kMul;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, s.data() + i, 8);
    h = (h ^ chunk) * kMul;
    h ^= h >> 29;
  }
  if (i < s.size()) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, s.data() + i, s.size() - i);
    h = (h ^ chunk) * kMul;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  return h ^ (h >> 33);
}

bool Interner::same(const Slot& slot, std::string_view s) const {
  if (slot.size != s.size()) return false;
  const std::size_t head = std::min<std::size_t>(s.size(), sizeof slot.head);
  if (head >= 8) {
    // Two overlapping 8-byte words cover 8..16 bytes: fixed-size copies, no library call.
    std::uint64_t a = 0, b = 0, c = 0, d = 0;
    std::memcpy(&a, slot.head, 8);
    std::memcpy(&b, s.data(), 8);
    std::memcpy(&c, slot.head + head - 8, 8);
    std::memcpy(&d, s.data() + head - 8, 8);
    if (a != b || c != d) return false;
  } else {
    for (std::size_t i = 0; i < head; ++i) {
      if (slot.head[i] != s[i]) return false;
    }
  }
  if (s.size() <= sizeof slot.head) return true;
  const auto id = static_cast<std::uint32_t>((slot.key & 0xFFFFFFFFULL) - 1);
  return name(id).substr(head) == s.substr(head);
}

void Interner::place(std::uint64_t h, std::uint32_t id, std::string_view s) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = static_cast<std::size_t>(h) & mask;
  while (slots_[i].key != 0) i = (i + 1) & mask;
  Slot& slot = slots_[i];
  slot.key = (h >> 32 << 32) | (std::uint64_t{id} + 1);
  slot.size = s.size();
  if (!s.empty())
    std::memcpy(slot.head, s.data(), std::min<std::size_t>(s.size(), sizeof slot.head));
}

void Interner::reserve(std::size_t names, std::size_t chars) {
  if (chars > chars_.capacity()) {
    chars_.reserve(chars);
    detail::advise_huge_pages(chars_.data(), chars);
  }
  if (names > ends_.capacity()) {
    ends_.reserve(names);
    detail::advise_huge_pages(ends_.data(), names * sizeof(std::uint64_t));
  }
  std::size_t capacity = slots_.empty() ? 64 : slots_.size();
  while (names * 4 > capacity * 3) capacity *= 2;
  if (capacity > slots_.size()) rebuild(capacity);
}

void Interner::grow() { rebuild(slots_.empty() ? 64 : slots_.size() * 2); }

void Interner::rebuild(std::size_t capacity) {
  slots_ = std::vector<Slot>();
  slots_.reserve(capacity);
  detail::advise_huge_pages(slots_.data(), capacity * sizeof(Slot));
  slots_.resize(capacity);
  for (std::uint32_t id = 0; id < ends_.size(); ++id) place(hash(name(id)), id, name(id));
}

void Interner::prefetch(std::uint64_t h) const {
  if (!slots_.empty())
    __builtin_prefetch(&slots_[static_cast<std::size_t>(h) & (slots_.size() - 1)]);
}

std::uint32_t Interner::intern(std::string_view s) { return intern(s, hash(s)); }

std::uint32_t Interner::intern(std::string_view s, std::uint64_t h) {
  if ((ends_.size() + 1) * 4 > slots_.size() * 3) grow();
  const std::uint64_t tag = h >> 32 << 32;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(h) & mask; slots_[i].key != 0; i = (i + 1) & mask) {
    if ((slots_[i].key & ~0xFFFFFFFFULL) == tag && same(slots_[i], s)) {
      return static_cast<std::uint32_t>((slots_[i].key & 0xFFFFFFFFULL) - 1);
    }
  }
  const auto id = static_cast<std::uint32_t>(ends_.size());
  chars_.append(s);
  ends_.push_back(chars_.size());
  place(h, id, s);
  return id;
}

std::optional<std::uint32_t> Interner::find(std::string_view s) const {
  if (slots_.empty()) return std::nullopt;
  const std::uint64_t h = hash(s);
  const std::uint64_t tag = h >> 32 << 32;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(h) & mask; slots_[i].key != 0; i = (i + 1) & mask) {
    if ((slots_[i].key & ~0xFFFFFFFFULL) == tag && same(slots_[i], s)) {
      return static_cast<std::uint32_t>((slots_[i].key & 0xFFFFFFFFULL) - 1);
    }
  }
  return std::nullopt;
}

std::string_view Ledger::transaction_id(TxIndex t) const {
  return std::string_view(tx_id_chars_)
      .substr(tx_id_offset_[t], tx_id_offset_[t + 1] - tx_id_offset_[t]);
}

Transaction Ledger::transaction(TxIndex t) const {
  Transaction out;
  out.id = std::string(transaction_id(t));
  out.time = time_[t];
  if (from_[t] != kNoAccount) out.from = std::string(account_name(from_[t]));
  if (to_[t] != kNoAccount) out.to = std::string(account_name(to_[t]));
  out.amount = amount_[t];
  out.currency = std::string(currency(t));
  out.channel = channel_[t];
  out.mcc = mcc_[t];
  out.location = std::string(location(t));
  out.purpose = std::string(purpose(t));
  return out;
}

std::uint64_t contact_hash(std::string_view value) {
  std::string normal;
  for (char c : value) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '@') {
      normal += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (normal.empty()) return 0;
  const std::string hex = sha256_hex("ctis-contact:" + normal).substr(0, 16);
  const std::uint64_t h = std::stoull(hex, nullptr, 16);
  return h == 0 ? 1 : h;  // 0 means "none"
}

LedgerBuilder::LedgerBuilder() {
  staged_.labels_.intern("");
  staged_.parties_.intern("");
  staged_.party_info_.emplace_back();
  staged_.tx_id_offset_.push_back(0);
}

AccountId LedgerBuilder::add_account(std::string_view external_id, std::string_view party,
                                     std::string_view country, std::string_view account_kind) {
  if (external_id.empty()) fail_invalid("account", "an account needs an id");
  AccountId a = staged_.accounts_.intern(external_id);
  if (a == staged_.account_party_.size()) {
    staged_.account_party_.push_back(0);
    staged_.account_country_.push_back(0);
    staged_.account_kind_.push_back(0);
  }
  if (!party.empty()) {
    staged_.account_party_[a] = staged_.parties_.intern(party);
    staged_.party_info_.resize(staged_.parties_.size());
  }
  if (!country.empty()) staged_.account_country_[a] = staged_.labels_.intern(country);
  if (!account_kind.empty()) staged_.account_kind_[a] = staged_.labels_.intern(account_kind);
  return a;
}

void LedgerBuilder::set_party(std::string_view party, const PartyDetails& d) {
  if (party.empty()) fail_invalid("party", "a party needs a name");
  const PartyId p = staged_.parties_.intern(party);
  staged_.party_info_.resize(staged_.parties_.size());
  auto hour = [&](int h, const char* what) {
    if (h < -1 || h > 24) fail_invalid(what, std::string(what) + " must be 0..24");
    return static_cast<std::int8_t>(h);
  };
  PartyInfo& info = staged_.party_info_[p];
  info.kind = d.kind;
  info.sector = staged_.labels_.intern(d.sector);
  info.open_hour = hour(d.open_hour, "open_hour");
  info.close_hour = hour(d.close_hour, "close_hour");
  info.phone = contact_hash(d.phone);
  info.email = contact_hash(d.email);
  info.address = contact_hash(d.address);
}

void LedgerBuilder::add_transaction(const Transaction& t) {
  add_transaction_view(
      {t.id, t.time, t.from, t.to, t.amount, t.currency, t.channel, t.mcc, t.location, t.purpose});
}

void LedgerBuilder::add_transaction_view(const TransactionView& t) {
  if (t.from.empty() && t.to.empty()) {
    const std::string id(t.id);
    fail_invalid("transaction " + id, "transaction " + id + " has neither sender nor receiver");
  }
  Ledger& s = staged_;
  if (s.time_.size() >= std::numeric_limits<TxIndex>::max() - 1) {
    throw Error(ErrorKind::too_large, "too_large", "more than 4 billion transactions");
  }
  const AccountId from = t.from.empty() ? kNoAccount : add_account(t.from);
  append(t, from, t.to.empty() ? kNoAccount : add_account(t.to));
}

void LedgerBuilder::append(const TransactionView& t, AccountId from, AccountId to) {
  Ledger& s = staged_;
  s.from_.push_back(from);
  s.to_.push_back(to);
  s.time_.push_back(t.time);
  s.amount_.push_back(t.amount);
  s.currency_.push_back(label(t.currency, last_currency_));
  s.location_.push_back(label(t.location, last_location_));
  s.purpose_.push_back(label(t.purpose, last_purpose_));
  s.channel_.push_back(t.channel);
  s.mcc_.push_back(t.mcc);
  s.tx_id_chars_ += t.id;
  s.tx_id_offset_.push_back(s.tx_id_chars_.size());
}

std::uint32_t LedgerBuilder::label(std::string_view value, std::uint32_t& last) {
  if (value != staged_.labels_.name(last)) last = staged_.labels_.intern(value);
  return last;
}

AccountId LedgerBuilder::account(std::string_view external_id, std::uint64_t hash) {
  const AccountId a = staged_.accounts_.intern(external_id, hash);
  if (a == staged_.account_party_.size()) {
    staged_.account_party_.push_back(0);
    staged_.account_country_.push_back(0);
    staged_.account_kind_.push_back(0);
  }
  return a;
}

void LedgerBuilder::add_transactions(std::span<const TransactionView> batch) {
  constexpr std::size_t kChunk = 32;
  std::array<std::uint64_t, kChunk> from_hash{}, to_hash{};
  Ledger& s = staged_;
  for (std::size_t base = 0; base < batch.size(); base += kChunk) {
    const std::size_t n = std::min(kChunk, batch.size() - base);
    // Hash every account of the chunk and ask for its table slot before using any of them.
    for (std::size_t i = 0; i < n; ++i) {
      const TransactionView& t = batch[base + i];
      if (t.from.empty() && t.to.empty()) {
        add_transaction_view(t);  // throws, naming the transaction
      }
      from_hash[i] = t.from.empty() ? 0 : Interner::hash(t.from);
      to_hash[i] = t.to.empty() ? 0 : Interner::hash(t.to);
      if (!t.from.empty()) s.accounts_.prefetch(from_hash[i]);
      if (!t.to.empty()) s.accounts_.prefetch(to_hash[i]);
    }
    if (s.time_.size() + n >= std::numeric_limits<TxIndex>::max() - 1) {
      throw Error(ErrorKind::too_large, "too_large", "more than 4 billion transactions");
    }
    for (std::size_t i = 0; i < n; ++i) {
      const TransactionView& t = batch[base + i];
      const AccountId from = t.from.empty() ? kNoAccount : account(t.from, from_hash[i]);
      append(t, from, t.to.empty() ? kNoAccount : account(t.to, to_hash[i]));
    }
  }
}

void LedgerBuilder::reserve(std::size_t transactions) {
  Ledger& s = staged_;
  const std::size_t n = s.time_.size() + transactions;
  reserve_huge(s.from_, n);
  reserve_huge(s.to_, n);
  reserve_huge(s.time_, n);
  reserve_huge(s.amount_, n);
  reserve_huge(s.currency_, n);
  reserve_huge(s.location_, n);
  reserve_huge(s.purpose_, n);
  reserve_huge(s.channel_, n);
  reserve_huge(s.mcc_, n);
  reserve_huge(s.tx_id_offset_, n + 1);
  if (!s.time_.empty()) {
    // Ids twice as long as those so far: numbered ids grow longer down the file, and a regrown
    // buffer costs a copy and fresh page faults while unused capacity costs nothing.
    const std::size_t chars = s.tx_id_chars_.size() * 2 * n / s.time_.size() + n;
    s.tx_id_chars_.reserve(chars);
    detail::advise_huge_pages(s.tx_id_chars_.data(), chars);
  }
  // Accounts: about one new account in four transactions in the exports seen so far (2.2 M
  // in 10 M); the table only grows if there are more. Names about as long as the first.
  if (s.accounts_.size() < n / 4) {
    const std::size_t length = s.accounts_.size() == 0 ? 16 : s.accounts_.name(0).size() + 1;
    s.accounts_.reserve(n / 4, n / 4 * length);
    reserve_huge(s.account_party_, n / 4);
    reserve_huge(s.account_country_, n / 4);
    reserve_huge(s.account_kind_, n / 4);
  }
}

std::vector<std::pair<std::size_t, std::size_t>> LedgerBuilder::duplicate_ids() const {
  const Ledger& s = staged_;
  const std::size_t n = s.time_.size();
  auto id = [&](std::size_t i) {
    return std::string_view(s.tx_id_chars_)
        .substr(s.tx_id_offset_[i], s.tx_id_offset_[i + 1] - s.tx_id_offset_[i]);
  };
  // High 32 bits of the id's hash above its position (positions fit 32 bits): sorted, equal
  // ids are neighbours within a run of equal hashes, in the order they were added.
  std::vector<std::uint64_t> keys(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = Interner::hash(id(i)) >> 32 << 32 | i;
  std::sort(keys.begin(), keys.end());
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t run = 0; run < n;) {
    std::size_t end = run + 1;
    while (end < n && keys[end] >> 32 == keys[run] >> 32) ++end;
    for (std::size_t j = run + 1; j < end; ++j) {
      const std::size_t later = keys[j] & 0xFFFFFFFFULL;
      for (std::size_t k = run; k < j; ++k) {
        const std::size_t first = keys[k] & 0xFFFFFFFFULL;
        if (id(first) == id(later)) {
          out.emplace_back(later, first);
          break;
        }
      }
    }
    run = end;
  }
  std::sort(out.begin(), out.end());
  return out;
}

void LedgerBuilder::remove(std::span<const std::size_t> positions) {
  if (positions.empty()) return;
  Ledger& s = staged_;
  const std::size_t n = s.time_.size();
  std::vector<bool> gone(n);
  for (std::size_t p : positions) gone[p] = true;
  auto compact = [&](auto& column) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!gone[i]) column[kept++] = column[i];
    }
    column.resize(kept);
  };
  compact(s.time_);
  compact(s.from_);
  compact(s.to_);
  compact(s.amount_);
  compact(s.currency_);
  compact(s.location_);
  compact(s.purpose_);
  compact(s.channel_);
  compact(s.mcc_);
  std::string chars;
  std::vector<std::uint64_t> offsets{0};
  for (std::size_t i = 0; i < n; ++i) {
    if (gone[i]) continue;
    chars.append(s.tx_id_chars_, s.tx_id_offset_[i], s.tx_id_offset_[i + 1] - s.tx_id_offset_[i]);
    offsets.push_back(chars.size());
  }
  s.tx_id_chars_ = std::move(chars);
  s.tx_id_offset_ = std::move(offsets);
}

Ledger LedgerBuilder::build() {
  Ledger l = std::move(staged_);
  staged_ = Ledger{};
  last_currency_ = last_location_ = last_purpose_ = 0;
  staged_.labels_.intern("");
  staged_.parties_.intern("");
  staged_.party_info_.emplace_back();
  staged_.tx_id_offset_.push_back(0);

  const std::size_t n = l.time_.size();
  if (!std::is_sorted(l.time_.begin(), l.time_.end())) {
    std::vector<std::uint64_t> offsets;  // the sort's spare buffer, reused
    const std::vector<TxIndex> order = stable_time_order(l.time_, offsets);
    std::vector<std::int64_t> spare64;
    std::vector<std::uint32_t> spare32;
    std::vector<Channel> spare_channel;
    std::vector<std::uint16_t> spare_mcc;
    permute(l.time_, order, spare64);
    permute(l.amount_, order, spare64);
    permute(l.from_, order, spare32);
    permute(l.to_, order, spare32);
    permute(l.currency_, order, spare32);
    permute(l.location_, order, spare32);
    permute(l.purpose_, order, spare32);
    permute(l.channel_, order, spare_channel);
    permute(l.mcc_, order, spare_mcc);
    spare64 = {};
    spare32 = {};
    std::string chars;
    chars.reserve(l.tx_id_chars_.size());
    detail::advise_huge_pages(chars.data(), l.tx_id_chars_.size());
    offsets.clear();
    reserve_huge(offsets, n + 1);
    offsets.push_back(0);
    for (TxIndex i : order) {
      chars.append(l.tx_id_chars_, l.tx_id_offset_[i], l.tx_id_offset_[i + 1] - l.tx_id_offset_[i]);
      offsets.push_back(chars.size());
    }
    l.tx_id_chars_ = std::move(chars);
    l.tx_id_offset_ = std::move(offsets);
  }
  l.build_adjacency();
  return l;
}

void Ledger::build_adjacency() {
  timed_ = time_.empty() || time_.front() != kNoTime;  // kNoTime sorts first
  build_csr(accounts_.size(), from_, out_offset_, out_tx_);
  build_csr(accounts_.size(), to_, in_offset_, in_tx_);
  out_nbr_.clear();
  reserve_huge(out_nbr_, out_tx_.size());
  for (const TxIndex t : out_tx_) out_nbr_.push_back(to_[t]);
  in_nbr_.clear();
  reserve_huge(in_nbr_, in_tx_.size());
  for (const TxIndex t : in_tx_) in_nbr_.push_back(from_[t]);
}

}  // namespace ctis::finance
