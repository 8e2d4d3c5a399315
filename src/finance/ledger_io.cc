// Ledger::save / Ledger::load: the columns as little-endian binary, interners as strings. The
// adjacency is rebuilt on load (cheap, and a damaged file cannot smuggle a bad index in).
#include <algorithm>
#include <cstring>
#include <istream>
#include <numeric>
#include <ostream>
#include <type_traits>

#include "core/core.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

constexpr char kMagic[8] = {'C', 'T', 'I', 'S', 'L', 'D', 'G', '1'};

template <typename T>
void put(std::ostream& out, const std::vector<T>& v) {
  static_assert(std::is_trivially_copyable_v<T>);
  const std::uint64_t n = v.size();
  out.write(reinterpret_cast<const char*>(&n), sizeof n);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
}

void put_strings(std::ostream& out, const Interner& in) {
  std::string chars;
  std::vector<std::uint64_t> ends;
  for (std::size_t i = 0; i < in.size(); ++i) {
    chars += in.name(static_cast<std::uint32_t>(i));
    ends.push_back(chars.size());
  }
  put(out, ends);
  put(out, std::vector<char>(chars.begin(), chars.end()));
}

template <typename T>
std::vector<T> get(std::istream& in, const char* what, std::uint64_t expect = UINT64_MAX) {
  std::uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  if (!in || (expect != UINT64_MAX && n != expect) || n > (std::uint64_t{1} << 36)) {
    fail_invalid(what, std::string("ledger file: bad length of ") + what);
  }
  std::vector<T> v(n);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
  if (!in) fail_invalid(what, std::string("ledger file: truncated at ") + what);
  return v;
}

void get_strings(std::istream& in, Interner& out, const char* what) {
  const auto ends = get<std::uint64_t>(in, what);
  const auto chars = get<char>(in, what);
  std::uint64_t begin = 0;
  for (std::uint64_t end : ends) {
    if (end < begin || end > chars.size()) fail_invalid(what, std::string("ledger file: ") + what);
    out.intern(std::string_view(chars.data() + begin, end - begin));
    begin = end;
  }
}

template <typename T>
void check_ids(const std::vector<T>& v, std::size_t limit, const char* what, bool allow_none) {
  for (T x : v) {
    if (static_cast<std::size_t>(x) >= limit && !(allow_none && x == static_cast<T>(kNoAccount))) {
      fail_invalid(what, std::string("ledger file: id out of range in ") + what);
    }
  }
}

}  // namespace

void Ledger::save(std::ostream& out) const {
  out.write(kMagic, sizeof kMagic);
  put_strings(out, accounts_);
  put_strings(out, parties_);
  put_strings(out, labels_);
  put(out, account_party_);
  put(out, account_country_);
  put(out, account_kind_);
  put(out, party_info_);
  put(out, std::vector<char>(tx_id_chars_.begin(), tx_id_chars_.end()));
  put(out, tx_id_offset_);
  put(out, time_);
  put(out, from_);
  put(out, to_);
  put(out, amount_);
  put(out, currency_);
  put(out, location_);
  put(out, purpose_);
  put(out, channel_);
  put(out, mcc_);
  if (!out) fail_unavailable("ledger", "cannot write the ledger file");
}

Ledger Ledger::load(std::istream& in) {
  char magic[sizeof kMagic] = {};
  in.read(magic, sizeof magic);
  if (!in || std::memcmp(magic, kMagic, sizeof kMagic) != 0) {
    fail_invalid("magic", "ledger file: not a CTIS ledger (version 1)");
  }
  Ledger l;
  get_strings(in, l.accounts_, "accounts");
  get_strings(in, l.parties_, "parties");
  get_strings(in, l.labels_, "labels");
  const std::size_t na = l.accounts_.size();
  l.account_party_ = get<PartyId>(in, "account_party", na);
  l.account_country_ = get<std::uint32_t>(in, "account_country", na);
  l.account_kind_ = get<std::uint32_t>(in, "account_kind", na);
  l.party_info_ = get<PartyInfo>(in, "party_info", l.parties_.size());
  const auto chars = get<char>(in, "tx_ids");
  l.tx_id_chars_.assign(chars.begin(), chars.end());
  l.tx_id_offset_ = get<std::uint64_t>(in, "tx_id_offsets");
  const std::size_t n = l.tx_id_offset_.empty() ? 0 : l.tx_id_offset_.size() - 1;
  if (l.tx_id_offset_.empty() || !std::is_sorted(l.tx_id_offset_.begin(), l.tx_id_offset_.end()) ||
      l.tx_id_offset_.back() != l.tx_id_chars_.size()) {
    fail_invalid("tx_id_offsets", "ledger file: bad transaction id offsets");
  }
  l.time_ = get<Seconds>(in, "time", n);
  l.from_ = get<AccountId>(in, "from", n);
  l.to_ = get<AccountId>(in, "to", n);
  l.amount_ = get<Minor>(in, "amount", n);
  l.currency_ = get<std::uint32_t>(in, "currency", n);
  l.location_ = get<std::uint32_t>(in, "location", n);
  l.purpose_ = get<std::uint32_t>(in, "purpose", n);
  l.channel_ = get<Channel>(in, "channel", n);
  l.mcc_ = get<std::uint16_t>(in, "mcc", n);
  check_ids(l.account_party_, l.parties_.size(), "account_party", false);
  for (const auto* v :
       {&l.account_country_, &l.account_kind_, &l.currency_, &l.location_, &l.purpose_}) {
    check_ids(*v, l.labels_.size(), "labels", false);
  }
  for (const PartyInfo& p : l.party_info_) {
    if (p.sector >= l.labels_.size()) fail_invalid("party_info", "ledger file: bad sector");
  }
  check_ids(l.from_, na, "from", true);
  check_ids(l.to_, na, "to", true);
  for (Channel c : l.channel_) {
    if (static_cast<int>(c) > static_cast<int>(Channel::check)) {
      fail_invalid("channel", "ledger file: bad channel");
    }
  }
  if (!std::is_sorted(l.time_.begin(), l.time_.end())) {
    fail_invalid("time", "ledger file: transactions not in time order");
  }
  // Rebuild the adjacency and the timed flag the way the builder does.
  l.build_adjacency();
  return l;
}

}  // namespace ctis::finance
