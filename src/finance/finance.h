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

#include <array>
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
#include <utility>
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
enum class PartyKind : std::uint8_t { unknown, person, business };
std::string_view to_string(Channel c);
std::optional<Channel> parse_channel(std::string_view code);  // "wire", "ach", ...

// Interns strings to dense ids in order of first appearance.
class Interner {
 public:
  std::uint32_t intern(std::string_view s);
  std::optional<std::uint32_t> find(std::string_view s) const;
  // Valid until the next intern() of a new string (names share one growing buffer).
  std::string_view name(std::uint32_t id) const {
    const std::uint64_t begin = id == 0 ? 0 : ends_[id - 1];
    return {chars_.data() + begin, ends_[id] - begin};
  }
  std::size_t size() const { return ends_.size(); }
  // Room for about this many names of about this total length without regrowing.
  void reserve(std::size_t names, std::size_t chars);

 private:
  // Every name back to back in one buffer, and an open-addressing table (linear probing, at
  // most 3/4 full) whose slots hold the start of the name: a look-up allocates nothing and
  // usually reads one cache line.
  // Aligned to its size so that no slot straddles two cache lines: one miss per probe.
  struct alignas(32) Slot {
    std::uint64_t key = 0;   // (hash >> 32) << 32 | (id + 1); 0 = empty
    std::uint64_t size = 0;  // of the name
    char head[16] = {};      // its first bytes: names up to 16 bytes compare here alone
  };
  friend class LedgerBuilder;  // hashes a batch first and prefetches the slots
  static std::uint64_t hash(std::string_view s);
  void prefetch(std::uint64_t h) const;
  std::uint32_t intern(std::string_view s, std::uint64_t h);
  bool same(const Slot& slot, std::string_view s) const;
  void place(std::uint64_t h, std::uint32_t id, std::string_view s);
  void grow();
  void rebuild(std::size_t capacity);  // a table of this many slots, every name placed again
  std::string chars_;
  std::vector<std::uint64_t> ends_;  // end of name i in chars_
  std::vector<Slot> slots_;
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
  std::string purpose;    // lower-case code such as "payroll", "rent"; may be empty
};

// An account holder as given to the builder. Contact data is hashed on the way in (SHA-256 of
// the normalised value, first 64 bits): the ledger can tell that two parties share a phone but
// holds no phone number, and explanations never print one.
struct PartyDetails {
  PartyKind kind = PartyKind::unknown;
  std::string sector;                   // free text, e.g. "nail salon"
  int open_hour = -1, close_hour = -1;  // business hours [open, close) local time; -1 unknown
  std::string phone, email, address;
};
struct PartyInfo {
  PartyKind kind = PartyKind::unknown;
  std::uint32_t sector = 0;  // label id
  std::int8_t open_hour = -1, close_hour = -1;
  std::uint64_t phone = 0, email = 0, address = 0;  // contact hashes, 0 = none
};
// The hash a contact value is stored as: case, spaces and punctuation are ignored.
std::uint64_t contact_hash(std::string_view value);

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
  // What the account is to the bank: "escort_ad_site", "payment_processor", ... or empty.
  std::string_view account_kind(AccountId a) const { return labels_.name(account_kind_[a]); }
  const PartyInfo& party_info(PartyId p) const { return party_info_[p]; }
  std::string_view party_sector(PartyId p) const { return labels_.name(party_info_[p].sector); }

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
  std::string_view purpose(TxIndex t) const { return labels_.name(purpose_[t]); }
  Transaction transaction(TxIndex t) const;

  // Graph: transactions leaving / entering an account, in time order.
  std::span<const TxIndex> out_edges(AccountId a) const {
    return {out_tx_.data() + out_offset_[a], out_offset_[a + 1] - out_offset_[a]};
  }
  std::span<const TxIndex> in_edges(AccountId a) const {
    return {in_tx_.data() + in_offset_[a], in_offset_[a + 1] - in_offset_[a]};
  }
  // The counterparty of each of those edges, position for position (receivers()[out_edges(a)[i]]
  // is out_neighbors(a)[i], kNoAccount for cash): scans read one array in order.
  std::span<const AccountId> out_neighbors(AccountId a) const {
    return {out_nbr_.data() + out_offset_[a], out_offset_[a + 1] - out_offset_[a]};
  }
  std::span<const AccountId> in_neighbors(AccountId a) const {
    return {in_nbr_.data() + in_offset_[a], in_offset_[a + 1] - in_offset_[a]};
  }

 private:
  friend class LedgerBuilder;
  void build_adjacency();                 // timed flag and CSR from the sorted columns
  Interner accounts_, parties_, labels_;  // labels_: countries, currencies, locations ("" = 0)
  std::vector<PartyId> account_party_;
  std::vector<std::uint32_t> account_country_, account_kind_;
  std::vector<PartyInfo> party_info_;
  std::string tx_id_chars_;
  std::vector<std::uint64_t> tx_id_offset_;
  std::vector<Seconds> time_;
  std::vector<AccountId> from_, to_;
  std::vector<Minor> amount_;
  std::vector<std::uint32_t> currency_, location_, purpose_;
  std::vector<Channel> channel_;
  std::vector<std::uint16_t> mcc_;
  std::vector<std::size_t> out_offset_, in_offset_;
  std::vector<TxIndex> out_tx_, in_tx_;
  std::vector<AccountId> out_nbr_, in_nbr_;
  bool timed_ = true;

 public:
  // A compact binary copy (the scan folder's ledger.bin); load() throws Error(invalid) for a
  // file that is not one, naming the part at fault.
  void save(std::ostream& out) const;
  static Ledger load(std::istream& in);
};

class LedgerBuilder {
 public:
  LedgerBuilder();
  // Declares an account (optional: transactions intern unknown accounts with no party).
  // Declaring it again updates its party and country.
  AccountId add_account(std::string_view external_id, std::string_view party = {},
                        std::string_view country = {}, std::string_view account_kind = {});
  // Declares a party's attributes (the party is created if new).
  void set_party(std::string_view party, const PartyDetails& details);
  // Throws Error(invalid) for a transaction with neither sender nor receiver.
  void add_transaction(const Transaction& t);
  // The same by views, copied on the way in (the CSV ingest's path: no string per field).
  struct TransactionView {
    std::string_view id;
    Seconds time = kNoTime;
    std::string_view from, to;
    Minor amount = 0;
    std::string_view currency;
    Channel channel = Channel::other;
    std::uint16_t mcc = 0;
    std::string_view location, purpose;
  };
  void add_transaction_view(const TransactionView& t);
  // Several in order, as add_transaction_view() each; faster, since the account look-ups of
  // the batch overlap. The views need only live for the call.
  void add_transactions(std::span<const TransactionView> batch);
  // Capacity for about this many more transactions (avoids regrowing the columns).
  void reserve(std::size_t transactions);
  std::size_t transaction_count() const { return staged_.time_.size(); }
  // Transactions whose id an earlier one already has, as (position, position of the first) in
  // the order they were added, by position; empty when the ids are unique.
  std::vector<std::pair<std::size_t, std::size_t>> duplicate_ids() const;
  // Drops the transactions at these positions (in the order added), e.g. skipped duplicates.
  void remove(std::span<const std::size_t> positions);
  // Sorts by time and builds the adjacency; the builder is empty afterwards.
  Ledger build();

 private:
  AccountId account(std::string_view external_id, std::uint64_t hash);
  // Appends one transaction's columns once its accounts are known.
  void append(const TransactionView& t, AccountId from, AccountId to);
  // Label id of a currency, location or purpose: the previous one again when the value repeats
  // (as it mostly does), without hashing.
  std::uint32_t label(std::string_view value, std::uint32_t& last);
  Ledger staged_;
  std::uint32_t last_currency_ = 0, last_location_ = 0, last_purpose_ = 0;
};

// ---- Ingest ----

// How a bank's CSV export maps onto transaction fields; loaded from a small JSON file:
//   {"version": 1, "delimiter": ",",
//    "columns": {"id": "TXN_ID", "time": "Date", "from": "Sender", "to": "Receiver",
//                "amount": "Amount", "currency": "Ccy", "channel": "Type", "mcc": "MCC",
//                "location": "Branch", "purpose": "Purpose"},
//    "time_format": "%Y-%m-%d %H:%M:%S",   // or "unix_seconds", "unix_millis", "days"
//    "time_origin": "2017-01-01",          // for "days": day n is origin + n days
//    "amount": {"decimal_separator": ".", "thousands_separator": ",", "minor_digits": 2},
//    "default_currency": "USD",
//    "channels": {"WIRE": "wire", "CASH-IN": "cash"}, "default_channel": "other"}
// Only "from" or "to", "amount" and "time" columns are required; "id" defaults to the line
// number. Channel values not in the map (case-insensitive) fall back to the default channel,
// or are an error when "default_channel" is absent. Currencies must be ISO 4217 codes (any
// case; stored upper-case), times within 1900..2099, ids unique, and sender and receiver
// different unless "self_transfers": true (AMLSim simulates some).
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
  bool self_transfers = false;  // accept rows whose sender is their receiver

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

// Accounts and their holders, declared before the transactions so that the red flags know
// businesses, opening hours, account kinds and (hashed) contact data. A CSV with a header row
// naming any of: account (required), party, party_kind (person|business), sector, country,
// account_kind, open_hour, close_hour (0..24), phone, email, address. Error(invalid) names
// "row N, column X".
struct AccountRecord {
  std::string account, party, country, account_kind;
  PartyDetails details;
};
std::vector<AccountRecord> read_accounts_csv(std::istream& in);

Ledger ingest_csv(std::istream& in, const ColumnMapping& mapping, const IngestOptions& options = {},
                  IngestReport* report = nullptr, std::span<const AccountRecord> accounts = {});

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

// ---- Synthetic data ----

// Writes `rows` transactions in the CSV form data/finance/mappings/ctis-synthetic.json reads
// (columns id,time,from,to,amount,currency,channel,location,mcc,purpose,label,alert_id; label
// and alert_id name the planted typology and group). With `accounts`, also plants the red
// flags that need account attributes (ad payments, wage pooling, shared contact, travel,
// off-hours deposits) and writes those accounts there as read_accounts_csv() reads them.
// Returns the planted groups per typology (the last may be cut short by rows).
struct GenerateOptions {
  std::uint64_t rows = 0;
  std::uint64_t seed = 1;
  std::function<void(std::uint64_t rows)> progress;  // every million rows
};
std::map<std::string, std::uint64_t> generate_synthetic(std::ostream& transactions,
                                                        std::ostream* accounts,
                                                        const GenerateOptions& options);

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
  ad_payments,
  travel_bursts,
  off_hours_deposits,
  cash_no_payroll,
  no_payroll,
  wage_pooling,
  shared_contact,
  opaque_channels,
  high_risk_corridor,
};
inline constexpr std::size_t kPatternCount = 20;
std::optional<Pattern> parse_pattern(std::string_view name);
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
// Merchant category codes as inclusive ranges ("mccs": [7273, [3501, 3999]] in the file).
struct MccSet {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;
  bool contains(std::uint16_t mcc) const;
};
// Transactions a rule looks at: by merchant category, by the counterparty account's kind, or
// by channel (any one matches).
struct Selector {
  MccSet mccs;
  std::vector<std::string> counterparty_kinds;
  std::vector<Channel> channels;
};
// Frequent small payments to escort / online classified ad sites.
struct AdPaymentParams {
  Selector targets;
  Minor max_amount = 20000;
  std::size_t min_count = 5;
  Seconds window = 30 * kSecondsPerDay;
};
// Lodging, travel and ride payments in several cities within a short window.
struct TravelParams {
  Selector targets;
  std::size_t min_cities = 3;  // distinct transaction locations
  std::size_t min_count = 5;
  Seconds window = 7 * kSecondsPerDay;
};
// Deposits into a business's account outside its declared opening hours.
struct OffHoursParams {
  std::vector<Channel> channels{Channel::cash};
  std::size_t min_count = 3;
  int min_share_percent = 25;
  int utc_offset_minutes = 0;
};
// Steady cash deposits and no payroll payments at all. Cash_no_payroll looks at any account;
// no_payroll at business accounts with revenue and no payroll, payroll tax or insurance.
struct PayrollParams {
  std::vector<std::string> payroll_purposes{"payroll", "payroll_tax", "insurance"};
  std::size_t min_cash_deposits = 10;
  Minor min_cash_total = 1000000;
  std::size_t min_cash_weeks = 4;  // deposits in this many distinct weeks: "steady"
  std::size_t min_receipts = 10;   // no_payroll: incoming payments of a business
  Minor min_revenue = 2000000;
};
// Several wage credits into one account within the window, then mostly moved out.
struct WagePoolingParams {
  std::vector<std::string> wage_purposes{"payroll", "salary", "wage"};
  std::size_t min_wages = 3;
  Seconds window = 14 * kSecondsPerDay;
  Seconds outflow_within = 3 * kSecondsPerDay;
  int outflow_share_percent = 80;
};
// Many different senders to one beneficiary who share a phone, e-mail or address.
struct SharedContactParams {
  std::size_t min_senders = 3;
};
// Prepaid cards, crypto and payment processors that hide the counterparty.
struct OpaqueParams {
  Selector targets;
  std::size_t min_count = 5;
  Minor min_total = 100000;
  Seconds window = 30 * kSecondsPerDay;
};
// Transfers between the countries of a high-risk corridor ("*" matches any country).
struct CorridorParams {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t min_count = 1;
  Minor min_total = 0;
};
// How hits add up to a risk score: points per pattern for the central account of a hit (its
// first account); other members get member_percent of them.
struct RiskParams {
  std::array<int, kPatternCount> weights{};
  int member_percent = 50;
};
struct TypologyParams {
  std::string version;
  StructuringParams structuring;
  FunnelParams funnel;
  RapidInOutParams rapid_in_out;
  NightParams night;
  AdPaymentParams ad_payments;
  TravelParams travel;
  OffHoursParams off_hours;
  PayrollParams payroll;
  WagePoolingParams wage_pooling;
  SharedContactParams shared_contact;
  OpaqueParams opaque;
  CorridorParams corridors;
  RiskParams risk;
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
std::vector<Hit> ad_payments(const Ledger& l, const AdPaymentParams& p);
std::vector<Hit> travel_bursts(const Ledger& l, const TravelParams& p);
std::vector<Hit> off_hours_deposits(const Ledger& l, const OffHoursParams& p);
std::vector<Hit> cash_no_payroll(const Ledger& l, const PayrollParams& p);
std::vector<Hit> no_payroll(const Ledger& l, const PayrollParams& p);
// Not covered by rapid_in_out, which needs repeated large receipts each followed by an
// outflow; this one is about several wage credits (of several people) pooled in one account.
std::vector<Hit> wage_pooling(const Ledger& l, const WagePoolingParams& p);
std::vector<Hit> shared_contact(const Ledger& l, const SharedContactParams& p);
std::vector<Hit> opaque_channels(const Ledger& l, const OpaqueParams& p);
std::vector<Hit> high_risk_corridors(const Ledger& l, const CorridorParams& p);
// Every red-flag typology with one parameter set.
std::vector<Hit> red_flags(const Ledger& l, const TypologyParams& p = TypologyParams::defaults());
// One pattern or typology by its enum, graph patterns with their default parameters.
std::vector<Hit> run_pattern(const Ledger& l, Pattern p, const TypologyParams& t);
bool is_typology(Pattern p);  // needs transaction times
// Several at once on up to `threads` threads (0: one per core): results[i] is exactly
// run_pattern(l, patterns[i], t) whatever the thread count (the ledger is shared read-only).
// Bipartite and stack share one block search when both are asked for. Throws the error of the
// first failing pattern in the given order.
std::vector<std::vector<Hit>> run_patterns(const Ledger& l, std::span<const Pattern> patterns,
                                           const TypologyParams& t, unsigned threads = 0);

// ---- Risk and networks ----

struct RiskReason {
  std::size_t hit = 0;  // index into the hits given
  Pattern pattern{};
  int points = 0;
};
struct RiskScore {
  std::uint32_t id = 0;  // AccountId or PartyId
  long long score = 0;
  std::vector<RiskReason> reasons;  // largest first
};
// Scores of every account (party) named in some hit, highest first (ties: lower id first).
// Party scores add the scores of the party's accounts; accounts without party are left out.
std::vector<RiskScore> account_risk(std::span<const Hit> hits, const RiskParams& p);
std::vector<RiskScore> party_risk(const Ledger& l, std::span<const RiskScore> account_scores);

struct NetworkParams {
  std::size_t hops = 2;
  std::size_t max_nodes = 200;           // breadth-first: nearer counterparties are kept first
  Seconds from = kNoTime, to = kNoTime;  // optional time range, inclusive
};
struct NetworkEdge {
  AccountId from = 0, to = 0;
  std::size_t count = 0;
  Minor total = 0;
  Seconds first_time = kNoTime, last_time = kNoTime;
};
struct Network {
  AccountId subject = 0;
  std::vector<std::pair<AccountId, std::size_t>> nodes;  // account, hops from the subject
  std::vector<NetworkEdge> edges;  // aggregated per ordered pair, between kept nodes only
  bool truncated = false;          // max_nodes was reached
};
Network network(const Ledger& l, AccountId subject, const NetworkParams& p = {});
// {"subject", "truncated", "nodes": [{"id", "party", "country", "hops"}], "edges": [{"from",
// "to", "count", "total_minor", "first_time", "last_time"}]}; times ISO 8601 UTC.
std::string network_json(const Ledger& l, const Network& n);

}  // namespace ctis::finance
