// finance: the transaction engine of the financial intelligence unit — a columnar in-memory
// ledger of accounts and transfers, its ingest from bank CSV exports and the AMLSim formats,
// and the graph patterns of laundering typologies (fan-in, fan-out, scatter-gather,
// gather-scatter, bipartite, stack, temporal cycles).
//
// Data model. Accounts and parties (account holders) are interned to dense ids 0..n-1 in order
// of first appearance. Transactions are columns sorted by time (stable, so equal times keep
// their input order); a transaction's position in that order is its TxIndex. Times are UTC
// seconds since the Unix epoch, kNoTime when the source has none (AMLSim graph_1K edges).
// Amounts are signed 64-bit integers in minor units (cents for USD/EUR): exact sums and
// comparisons, no rounding drift; ingest rejects amounts with more decimals than the mapping
// allows. Cash deposits and withdrawals have kNoAccount on the counterparty side and take no
// part in the graph. The graph is a CSR adjacency, out-edges and in-edges per account, each
// list in time order, built once by LedgerBuilder::build().
//
// Patterns take a time window and thresholds and return hits: the member accounts, the
// transactions that form the hit and a one-line explanation. When a ledger has any transaction
// without a time, windows and time order are ignored (the graph is treated as static).
//
// Threads: a built Ledger is immutable and safe to share; pattern functions allocate only their
// own scratch. LedgerBuilder is single-threaded.
// Errors: ctis::Error(invalid) for bad input — ingest names "row N, column X: reason" where N
// is the file's line number (header = 1) and X the header name; (unavailable) for a file that
// cannot be read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ctis::finance {

using AccountId = std::uint32_t;
using PartyId = std::uint32_t;
using TxIndex = std::uint32_t;
using Seconds = std::int64_t;
using Minor = std::int64_t;  // amount in minor units

inline constexpr AccountId kNoAccount = std::numeric_limits<AccountId>::max();
inline constexpr Seconds kNoTime = std::numeric_limits<Seconds>::min();
inline constexpr Seconds kSecondsPerHour = 3600;
inline constexpr Seconds kSecondsPerDay = 86400;

enum class Channel : std::uint8_t { other, cash, wire, ach, card, crypto, prepaid, check };
std::string_view to_string(Channel c);
std::optional<Channel> parse_channel(std::string_view code);  // "wire", "ach", ...

// Interns strings to dense ids in order of first appearance.
class Interner {
 public:
  std::uint32_t intern(std::string_view s);
  std::optional<std::uint32_t> find(std::string_view s) const;
  std::string_view name(std::uint32_t id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  // Transparent hashing: look-ups by string_view allocate nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
};

// One transaction as given to the builder (and as read back from a Ledger).
struct Transaction {
  std::string id;
  Seconds time = kNoTime;
  std::string from;  // external account id; empty for a cash deposit
  std::string to;    // empty for a cash withdrawal
  Minor amount = 0;
  std::string currency;  // ISO 4217, may be empty
  Channel channel = Channel::other;
  std::uint16_t mcc = 0;  // merchant category code, 0 = none
  std::string location;   // branch, city or terminal, may be empty
};

class Ledger {
 public:
  std::size_t account_count() const { return accounts_.size(); }
  std::size_t party_count() const { return parties_.size(); }
  std::size_t transaction_count() const { return time_.size(); }
  // False when some transaction has no time: patterns then ignore windows.
  bool timed() const { return timed_; }

  std::string_view account_name(AccountId a) const { return accounts_.name(a); }
  std::optional<AccountId> find_account(std::string_view external_id) const {
    return accounts_.find(external_id);
  }
  PartyId account_party(AccountId a) const { return account_party_[a]; }
  std::string_view party_name(PartyId p) const { return parties_.name(p); }
  std::string_view account_country(AccountId a) const { return labels_.name(account_country_[a]); }

  // Transaction columns, in time order.
  std::span<const Seconds> times() const { return time_; }
  std::span<const AccountId> senders() const { return from_; }
  std::span<const AccountId> receivers() const { return to_; }
  std::span<const Minor> amounts() const { return amount_; }
  std::span<const Channel> channels() const { return channel_; }
  std::span<const std::uint16_t> mccs() const { return mcc_; }
  std::string_view transaction_id(TxIndex t) const;
  std::string_view currency(TxIndex t) const { return labels_.name(currency_[t]); }
  std::string_view location(TxIndex t) const { return labels_.name(location_[t]); }
  Transaction transaction(TxIndex t) const;

  // Graph: transactions leaving / entering an account, in time order.
  std::span<const TxIndex> out_edges(AccountId a) const {
    return {out_tx_.data() + out_offset_[a], out_offset_[a + 1] - out_offset_[a]};
  }
  std::span<const TxIndex> in_edges(AccountId a) const {
    return {in_tx_.data() + in_offset_[a], in_offset_[a + 1] - in_offset_[a]};
  }

 private:
  friend class LedgerBuilder;
  Interner accounts_, parties_, labels_;  // labels_: countries, currencies, locations ("" = 0)
  std::vector<PartyId> account_party_;
  std::vector<std::uint32_t> account_country_;
  std::string tx_id_chars_;
  std::vector<std::uint64_t> tx_id_offset_;
  std::vector<Seconds> time_;
  std::vector<AccountId> from_, to_;
  std::vector<Minor> amount_;
  std::vector<std::uint32_t> currency_, location_;
  std::vector<Channel> channel_;
  std::vector<std::uint16_t> mcc_;
  std::vector<std::size_t> out_offset_, in_offset_;
  std::vector<TxIndex> out_tx_, in_tx_;
  bool timed_ = true;
};

class LedgerBuilder {
 public:
  LedgerBuilder();
  // Declares an account (optional: transactions intern unknown accounts with no party).
  // Declaring it again updates its party and country.
  AccountId add_account(std::string_view external_id, std::string_view party = {},
                        std::string_view country = {});
  // Throws Error(invalid) for a transaction with neither sender nor receiver.
  void add_transaction(const Transaction& t);
  std::size_t transaction_count() const { return staged_.time_.size(); }
  // Sorts by time and builds the adjacency; the builder is empty afterwards.
  Ledger build();

 private:
  Ledger staged_;
};

// ---- Ingest ----

// How a bank's CSV export maps onto transaction fields; loaded from a small JSON file:
//   {"version": 1, "delimiter": ",",
//    "columns": {"id": "TXN_ID", "time": "Date", "from": "Sender", "to": "Receiver",
//                "amount": "Amount", "currency": "Ccy", "channel": "Type", "mcc": "MCC",
//                "location": "Branch"},
//    "time_format": "%Y-%m-%d %H:%M:%S",   // or "unix_seconds", "unix_millis", "days"
//    "time_origin": "2017-01-01",          // for "days": day n is origin + n days
//    "amount": {"decimal_separator": ".", "thousands_separator": ",", "minor_digits": 2},
//    "default_currency": "USD",
//    "channels": {"WIRE": "wire", "CASH-IN": "cash"}, "default_channel": "other"}
// Only "from" or "to", "amount" and "time" columns are required; "id" defaults to the line
// number. Channel values not in the map (case-insensitive) fall back to the default channel,
// or are an error when "default_channel" is absent.
struct ColumnMapping {
  char delimiter = ',';
  std::map<std::string, std::string> columns;  // field -> header
  std::string time_format = "%Y-%m-%d %H:%M:%S";
  Seconds time_origin = 0;
  char decimal_separator = '.';
  char thousands_separator = '\0';
  int minor_digits = 2;
  std::string default_currency;
  std::map<std::string, Channel> channels;  // upper-cased source value -> channel
  std::optional<Channel> default_channel = Channel::other;

  static ColumnMapping from_json(std::string_view json_text);  // Error(invalid) names the key
};

struct RowError {
  std::size_t row = 0;  // line number in the file, header = 1
  std::string column;
  std::string reason;
  std::string message() const;  // "row 12, column amount: not a number"
};

struct IngestOptions {
  bool skip_bad_rows = false;       // false: the first bad row throws and nothing is returned
  std::size_t max_bad_rows = 1000;  // with skip_bad_rows: more than this throws
  std::size_t progress_every = 100000;
  std::function<void(std::size_t rows, std::size_t bytes)> progress;
};

struct IngestReport {
  std::size_t rows = 0;  // data rows read
  std::vector<RowError> bad_rows;
};

Ledger ingest_csv(std::istream& in, const ColumnMapping& mapping, const IngestOptions& options = {},
                  IngestReport* report = nullptr);

// Parses "1,234.56" style amounts into minor units; nullopt with a reason on failure.
std::optional<Minor> parse_amount(std::string_view text, const ColumnMapping& m,
                                  std::string* reason = nullptr);
// Parses a time by the mapping's time_format; nullopt on failure.
std::optional<Seconds> parse_time(std::string_view text, const ColumnMapping& m);
// Days since the epoch for a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);

// AMLSim: `dir` holds either the sample_outputs files (accounts.csv, tx.csv, cash_tx.csv) or the
// graph stage files (accounts.csv, transactions.csv: edges without amounts or times). A step is
// one day from 2017-01-01 UTC, AMLSim's default origin. Amounts are in USD cents.
Ledger load_amlsim(const std::filesystem::path& dir, const IngestOptions& options = {});

struct PlantedAlert {
  std::string alert_id;
  std::string reason;  // "fan_in", "fan_out", "cycle", ...
  std::vector<std::string> accounts;
};
// alert_members.csv (graph stage) or alerts.csv (sample_outputs).
std::vector<PlantedAlert> load_amlsim_alerts(const std::filesystem::path& dir);

// ---- Graph patterns ----

enum class Pattern : std::uint8_t {
  fan_in,
  fan_out,
  scatter_gather,
  gather_scatter,
  bipartite,
  stack,
  cycle,
  structuring,
  funnel,
  rapid_in_out,
  night_activity,
};
std::string_view to_string(Pattern p);

struct Hit {
  Pattern pattern{};
  std::vector<AccountId> accounts;  // the central account first where there is one
  std::vector<TxIndex> transactions;
  Seconds first_time = kNoTime, last_time = kNoTime;
  Minor total_amount = 0;
  std::string explanation;
};

struct FanParams {
  std::size_t min_counterparties = 5;  // distinct senders (fan-in) or receivers (fan-out)
  Seconds window = 30 * kSecondsPerDay;
  Minor min_amount = 0;  // transactions below are ignored
};
std::vector<Hit> fan_in(const Ledger& l, const FanParams& p);
std::vector<Hit> fan_out(const Ledger& l, const FanParams& p);

// Scatter-gather: one source pays at least min_intermediates accounts which each pay on to one
// common sink, every forward after its receipt, the whole within the window.
// Gather-scatter: at least min_sources pay one hub which then pays at least min_targets.
struct FlowParams {
  std::size_t min_intermediates = 3;
  std::size_t min_sources = 3;
  std::size_t min_targets = 3;
  Seconds window = 30 * kSecondsPerDay;
};
std::vector<Hit> scatter_gather(const Ledger& l, const FlowParams& p);
std::vector<Hit> gather_scatter(const Ledger& l, const FlowParams& p);

// Bipartite: a set of at least min_senders accounts each paying every one of at least
// min_receivers accounts (a complete bipartite block), within the window. Stack: such blocks
// chained layer to layer (each layer pays every member of the next, later in time), at least
// min_layers layers and at most max_layers.
struct BlockParams {
  std::size_t min_senders = 2;
  std::size_t min_receivers = 2;
  std::size_t min_layers = 3;
  std::size_t max_layers = 5;
  Seconds window = 30 * kSecondsPerDay;
};
std::vector<Hit> bipartite(const Ledger& l, const BlockParams& p);
std::vector<Hit> stack(const Ledger& l, const BlockParams& p);

// Temporal cycles: simple cycles of 2..max_length accounts whose transactions have
// non-decreasing times and span at most the window. Each cycle is reported once (from its
// smallest account id, with its earliest qualifying transactions). Search stops at max_hits.
struct CycleParams {
  std::size_t max_length = 6;
  Seconds window = 30 * kSecondsPerDay;
  std::size_t max_hits = 100000;
};
std::vector<Hit> temporal_cycles(const Ledger& l, const CycleParams& p);

// ---- Red-flag typologies (domain.md section 5) ----
// Parameters come from a versioned JSON file; the reviewed defaults are data/finance/
// typologies.json, compiled in. Amounts are in minor units. Each detector needs times and
// throws Error(invalid) on an untimed ledger.

struct StructuringParams {
  Minor threshold = 1000000;  // the reporting threshold (10,000.00)
  int margin_percent = 10;    // deposits in [threshold * (1 - margin), threshold)
  std::size_t min_count = 3;
  Seconds window = 7 * kSecondsPerDay;
  std::vector<Channel> channels{Channel::cash};
};
struct FunnelParams {
  std::size_t min_locations = 3;  // distinct places the cash came in
  std::size_t min_deposits = 3;
  Seconds window = 7 * kSecondsPerDay;
  Seconds outflow_within = 3 * kSecondsPerDay;  // after the last deposit
  int outflow_share_percent = 80;
};
struct RapidInOutParams {
  Minor min_amount = 100000;
  Seconds within = 48 * kSecondsPerHour;
  int outflow_share_percent = 90;
  std::size_t min_events = 3;
};
struct NightParams {
  int start_hour = 22, end_hour = 6;  // local hours [start, 24) and [0, end)
  int utc_offset_minutes = 0;
  std::size_t min_count = 5;
  int min_share_percent = 50;
};
struct TypologyParams {
  std::string version;
  StructuringParams structuring;
  FunnelParams funnel;
  RapidInOutParams rapid_in_out;
  NightParams night;
  // Error(invalid) names the JSON pointer at fault.
  static TypologyParams from_json(std::string_view json_text);
  static const TypologyParams& defaults();  // data/finance/typologies.json
};

// Several deposits just below the threshold within the window that together reach it.
std::vector<Hit> structuring(const Ledger& l, const StructuringParams& p);
// Cash paid in at several locations within the window, then mostly moved out soon after.
std::vector<Hit> funnel_accounts(const Ledger& l, const FunnelParams& p);
// Incoming payments of which most leaves again within hours, repeatedly.
std::vector<Hit> rapid_in_out(const Ledger& l, const RapidInOutParams& p);
// Accounts whose activity is mostly between late evening and early morning (local time).
std::vector<Hit> night_activity(const Ledger& l, const NightParams& p);
// All four with one parameter set.
std::vector<Hit> red_flags(const Ledger& l, const TypologyParams& p = TypologyParams::defaults());

}  // namespace ctis::finance
