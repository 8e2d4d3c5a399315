// CSV ingest by a column mapping: the streaming loop that checks every row (time, amount,
// currency, channel, sender and receiver, unique ids) and stages it, all-or-nothing or
// skip-and-report.
#include <algorithm>
#include <istream>

#include "core/core.h"
#include "finance/csv.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

using detail::parse_int;
using detail::trim;

// Times outside these years are taken for a broken export rather than a transfer.
constexpr int kFirstYear = 1900;
constexpr int kLastYear = 2099;

// Channel of a cell value, remembered per distinct value (a file has a handful of them).
class ChannelCache {
 public:
  explicit ChannelCache(const ColumnMapping& m) : m_(m) {}
  // nullopt: not in the map, not a channel code and no default.
  std::optional<Channel> get(std::string_view value) {
    for (const auto& [seen, channel] : seen_) {
      if (seen == value) return channel;
    }
    std::optional<Channel> channel;
    auto it = m_.channels.find(detail::upper(value));
    if (it != m_.channels.end()) {
      channel = it->second;
    } else if (auto direct = parse_channel(detail::lower(value))) {
      channel = *direct;
    } else {
      channel = m_.default_channel;
    }
    if (seen_.size() < 64) seen_.emplace_back(std::string(value), channel);
    return channel;
  }

 private:
  const ColumnMapping& m_;
  std::vector<std::pair<std::string, std::optional<Channel>>> seen_;
};

// The ISO code of a currency cell, remembering the last value (files mostly repeat one).
class CurrencyCache {
 public:
  std::string_view get(std::string_view value) {
    if (value != last_value_) {
      last_value_.assign(value);
      last_code_ = detail::known_currency(value);
    }
    return last_code_;
  }

 private:
  std::string last_value_ = "\n";  // matches no cell
  std::string_view last_code_;
};

// A lower-case view of s, using `buffer` only when s has upper-case letters.
std::string_view lower_view(std::string_view s, std::string& buffer) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') {
      buffer = detail::lower(s);
      return buffer;
    }
  }
  return s;
}

// Transaction ids in strictly increasing order (shorter first, then byte order: T9 < T10; or
// plain byte order: 0009 < 0010) cannot repeat, so a file in either order needs no duplicate
// search at the end. Exports are usually in one of them.
class IdOrder {
 public:
  void add(std::string_view id) {
    if (any_) {
      const std::string_view prev = previous_;
      if (by_length_ && (id.size() < prev.size() || (id.size() == prev.size() && id <= prev)))
        by_length_ = false;
      if (by_bytes_ && id <= prev) by_bytes_ = false;
    }
    any_ = true;
    if (by_length_ || by_bytes_) previous_.assign(id);
  }
  bool increasing() const { return by_length_ || by_bytes_; }

 private:
  std::string previous_;
  bool any_ = false, by_length_ = true, by_bytes_ = true;
};

// The file line of each staged transaction: the position plus an offset that changes only at
// blank lines, multi-line records and skipped rows, so only those changes are kept.
class StagedLines {
 public:
  void add(std::size_t position, std::size_t line) {
    if (marks_.empty() || line - position != marks_.back().second - marks_.back().first)
      marks_.emplace_back(position, line);
  }
  std::size_t line(std::size_t position) const {
    auto it = std::upper_bound(marks_.begin(), marks_.end(), position,
                               [](std::size_t p, const auto& m) { return p < m.first; });
    --it;  // the first mark is position 0
    return it->second + (position - it->first);
  }

 private:
  std::vector<std::pair<std::size_t, std::size_t>> marks_;  // (position, line)
};

[[noreturn]] void fail_row(const RowError& bad) {
  fail_invalid("row " + std::to_string(bad.row) + ", column " + bad.column, bad.message());
}

}  // namespace

Ledger ingest_csv(std::istream& in, const ColumnMapping& mapping, const IngestOptions& options,
                  IngestReport* report, std::span<const AccountRecord> accounts) {
  // The input's size when it can tell (a file): the columns are then sized once, early.
  std::size_t input_bytes = 0;
  if (const auto here = in.tellg(); here != std::istream::pos_type(-1)) {
    in.seekg(0, std::ios::end);
    const auto end = in.tellg();
    in.seekg(here);
    if (end != std::istream::pos_type(-1) && end > here) {
      input_bytes = static_cast<std::size_t>(end - here);
    }
  }
  detail::BlockCsvReader reader(in, mapping.delimiter);
  std::vector<std::string_view> header_views, row;
  if (!reader.next(header_views)) fail_invalid("row 1", "row 1: no header row");
  std::vector<std::string> header(header_views.begin(), header_views.end());
  if (header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);  // UTF-8 byte order mark
  // Field index -> column index in the file.
  constexpr std::size_t kId = 0, kTime = 1, kFrom = 2, kTo = 3, kAmount = 4, kCurrency = 5,
                        kChannel = 6, kMcc = 7, kLocation = 8, kPurpose = 9;
  std::vector<std::optional<std::size_t>> column(detail::kMappedFields.size());
  for (std::size_t f = 0; f < detail::kMappedFields.size(); ++f) {
    auto it = mapping.columns.find(std::string(detail::kMappedFields[f]));
    if (it != mapping.columns.end()) column[f] = detail::header_index(header, it->second, "");
  }
  auto header_of = [&](std::size_t f) {
    return mapping.columns.at(std::string(detail::kMappedFields[f]));
  };
  const Seconds earliest = days_from_civil(kFirstYear, 1, 1) * kSecondsPerDay;
  const Seconds latest = days_from_civil(kLastYear + 1, 1, 1) * kSecondsPerDay - 1;
  const std::string out_of_range =
      "time out of range (" + std::to_string(kFirstYear) + ".." + std::to_string(kLastYear) + ")";

  LedgerBuilder builder;
  for (const AccountRecord& a : accounts) {
    builder.add_account(a.account, a.party, a.country, a.account_kind);
    if (!a.party.empty()) builder.set_party(a.party, a.details);
  }
  IngestReport local;
  IngestReport& rep = report ? *report : local;
  rep = IngestReport{};
  ChannelCache channels(mapping);
  CurrencyCache currencies;
  IdOrder id_order;
  StagedLines lines;
  std::string line_id, purpose_buffer;
  LedgerBuilder::TransactionView t;
  // Good rows wait in a short batch (their views stay valid until the reader moves on).
  std::vector<LedgerBuilder::TransactionView> batch;
  batch.reserve(64);
  std::size_t staged = 0;
  auto flush = [&] {
    builder.add_transactions(batch);
    batch.clear();
  };
  reader.before_invalidate = flush;
  while (reader.next(row)) {
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    ++rep.rows;
    if (rep.rows == 4096 && input_bytes > 0) {
      builder.reserve(input_bytes / reader.bytes() * 4096 * 21 / 20);
    }
    if (options.progress && options.progress_every && rep.rows % options.progress_every == 0) {
      options.progress(rep.rows, reader.bytes());
    }
    std::optional<RowError> bad;
    auto reject = [&](std::size_t f, std::string reason) {
      if (!bad) bad = RowError{reader.line(), header_of(f), std::move(reason)};
    };
    auto cell = [&](std::size_t f) -> std::string_view {
      if (!column[f]) return {};
      if (*column[f] >= row.size()) {
        reject(f, "missing (row has " + std::to_string(row.size()) + " fields)");
        return {};
      }
      return trim(row[*column[f]]);
    };
    t = LedgerBuilder::TransactionView{};
    if (column[kId]) {
      t.id = cell(kId);
      if (t.id.empty()) reject(kId, "empty transaction id");
    } else {
      line_id = std::to_string(reader.line());
      t.id = line_id;
    }
    if (auto v = parse_time(cell(kTime), mapping)) {
      t.time = *v;
      if (t.time < earliest || t.time > latest) reject(kTime, out_of_range);
    } else {
      reject(kTime, "not a time in format " + mapping.time_format);
    }
    t.from = cell(kFrom);
    t.to = cell(kTo);
    if (t.from.empty() && t.to.empty()) {
      reject(column[kFrom] ? kFrom : kTo, "no sender or receiver");
    } else if (t.from == t.to && !mapping.self_transfers) {
      reject(kTo,
             "a transaction to itself (sender and receiver are both " + std::string(t.to) + ")");
    }
    std::string reason;
    if (auto v = parse_amount(cell(kAmount), mapping, &reason)) {
      t.amount = *v;
    } else {
      reject(kAmount, reason);
    }
    const std::string_view currency = column[kCurrency] ? cell(kCurrency) : std::string_view{};
    if (currency.empty()) {
      t.currency = mapping.default_currency;
    } else {
      t.currency = currencies.get(currency);
      if (t.currency.empty()) reject(kCurrency, "unknown currency " + std::string(currency));
    }
    if (column[kChannel]) {
      const std::string_view value = cell(kChannel);
      if (auto c = channels.get(value)) {
        t.channel = *c;
      } else {
        reject(kChannel, "unknown channel " + std::string(value));
      }
    } else {
      t.channel = mapping.default_channel.value_or(Channel::other);
    }
    if (column[kMcc] && !cell(kMcc).empty()) {
      unsigned v = 0;
      if (!parse_int(cell(kMcc), v) || v > 9999) {
        reject(kMcc, "merchant category code must be 0..9999");
      } else {
        t.mcc = static_cast<std::uint16_t>(v);
      }
    }
    t.location = cell(kLocation);
    t.purpose = lower_view(cell(kPurpose), purpose_buffer);
    if (bad) {
      if (!options.skip_bad_rows) fail_row(*bad);
      rep.bad_rows.push_back(*bad);
      if (rep.bad_rows.size() > options.max_bad_rows) {
        fail_invalid("row " + std::to_string(bad->row), "more than " +
                                                            std::to_string(options.max_bad_rows) +
                                                            " bad rows; last: " + bad->message());
      }
      continue;
    }
    if (column[kId]) id_order.add(t.id);
    lines.add(staged++, reader.line());
    if (!column[kId] || t.purpose.data() == purpose_buffer.data()) {
      flush();  // the row's id or purpose lives in a buffer the next row reuses
      builder.add_transaction_view(t);
    } else {
      batch.push_back(t);
      if (batch.size() == batch.capacity()) flush();
    }
  }
  flush();
  reader.before_invalidate = nullptr;
  if (!id_order.increasing()) {
    // Ids out of order: look for repeats among all of them (line-number ids never repeat).
    const auto repeats = builder.duplicate_ids();
    std::vector<std::size_t> drop;
    for (const auto& [position, first] : repeats) {
      const RowError bad{
          lines.line(position), header_of(kId),
          "duplicate transaction id (first on row " + std::to_string(lines.line(first)) + ")"};
      if (!options.skip_bad_rows) fail_row(bad);
      rep.bad_rows.push_back(bad);
      drop.push_back(position);
    }
    if (rep.bad_rows.size() > options.max_bad_rows) {
      fail_invalid("row " + std::to_string(rep.bad_rows.back().row),
                   "more than " + std::to_string(options.max_bad_rows) +
                       " bad rows; last: " + rep.bad_rows.back().message());
    }
    builder.remove(drop);
    std::stable_sort(rep.bad_rows.begin(), rep.bad_rows.end(),
                     [](const RowError& a, const RowError& b) { return a.row < b.row; });
  }
  if (options.progress) options.progress(rep.rows, reader.bytes());
  return builder.build();
}

}  // namespace ctis::finance
