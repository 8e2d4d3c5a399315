// Ledger construction: interning, staging columns, the stable time sort and the CSR adjacency.
#include <algorithm>
#include <cctype>
#include <numeric>

#include "core/core.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

constexpr std::string_view kChannelNames[] = {"other", "cash",   "wire",    "ach",
                                              "card",  "crypto", "prepaid", "check"};

template <typename T>
std::vector<T> permute(const std::vector<T>& v, const std::vector<TxIndex>& order) {
  std::vector<T> out;
  out.reserve(v.size());
  for (TxIndex i : order) out.push_back(v[i]);
  return out;
}

// Counting sort of transactions by one endpoint; stable, so each list stays in time order.
void build_csr(std::size_t accounts, const std::vector<AccountId>& endpoint,
               std::vector<std::size_t>& offset, std::vector<TxIndex>& edges) {
  offset.assign(accounts + 1, 0);
  for (AccountId a : endpoint) {
    if (a != kNoAccount) ++offset[a + 1];
  }
  std::partial_sum(offset.begin(), offset.end(), offset.begin());
  edges.assign(offset[accounts], 0);
  std::vector<std::size_t> next(offset.begin(), offset.end() - 1);
  for (std::size_t t = 0; t < endpoint.size(); ++t) {
    if (endpoint[t] != kNoAccount) edges[next[endpoint[t]]++] = static_cast<TxIndex>(t);
  }
}

}  // namespace

std::string_view to_string(Channel c) { return kChannelNames[static_cast<std::size_t>(c)]; }

std::optional<Channel> parse_channel(std::string_view code) {
  for (std::size_t i = 0; i < std::size(kChannelNames); ++i) {
    if (kChannelNames[i] == code) return static_cast<Channel>(i);
  }
  return std::nullopt;
}

std::uint32_t Interner::intern(std::string_view s) {
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  auto id = static_cast<std::uint32_t>(names_.size());
  names_.emplace_back(s);
  index_.emplace(names_.back(), id);
  return id;
}

std::optional<std::uint32_t> Interner::find(std::string_view s) const {
  auto it = index_.find(s);
  if (it == index_.end()) return std::nullopt;
  return it->second;
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
  if (t.from.empty() && t.to.empty()) {
    fail_invalid("transaction " + t.id, "transaction " + t.id + " has neither sender nor receiver");
  }
  Ledger& s = staged_;
  if (s.time_.size() >= std::numeric_limits<TxIndex>::max() - 1) {
    throw Error(ErrorKind::too_large, "too_large", "more than 4 billion transactions");
  }
  s.from_.push_back(t.from.empty() ? kNoAccount : add_account(t.from));
  s.to_.push_back(t.to.empty() ? kNoAccount : add_account(t.to));
  s.time_.push_back(t.time);
  s.amount_.push_back(t.amount);
  s.currency_.push_back(s.labels_.intern(t.currency));
  s.location_.push_back(s.labels_.intern(t.location));
  s.purpose_.push_back(s.labels_.intern(t.purpose));
  s.channel_.push_back(t.channel);
  s.mcc_.push_back(t.mcc);
  s.tx_id_chars_ += t.id;
  s.tx_id_offset_.push_back(s.tx_id_chars_.size());
}

Ledger LedgerBuilder::build() {
  Ledger l = std::move(staged_);
  staged_ = Ledger{};
  staged_.labels_.intern("");
  staged_.parties_.intern("");
  staged_.party_info_.emplace_back();
  staged_.tx_id_offset_.push_back(0);

  const std::size_t n = l.time_.size();
  std::vector<TxIndex> order(n);
  std::iota(order.begin(), order.end(), TxIndex{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](TxIndex a, TxIndex b) { return l.time_[a] < l.time_[b]; });
  if (!std::is_sorted(l.time_.begin(), l.time_.end())) {
    l.time_ = permute(l.time_, order);
    l.from_ = permute(l.from_, order);
    l.to_ = permute(l.to_, order);
    l.amount_ = permute(l.amount_, order);
    l.currency_ = permute(l.currency_, order);
    l.location_ = permute(l.location_, order);
    l.purpose_ = permute(l.purpose_, order);
    l.channel_ = permute(l.channel_, order);
    l.mcc_ = permute(l.mcc_, order);
    std::string chars;
    std::vector<std::uint64_t> offsets{0};
    chars.reserve(l.tx_id_chars_.size());
    offsets.reserve(n + 1);
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
}

}  // namespace ctis::finance
