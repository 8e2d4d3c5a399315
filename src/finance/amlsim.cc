// AMLSim (IBM) outputs: the sample_outputs transaction lists and the graph stage of graph_1K.
#include <fstream>

#include "core/core.h"
#include "finance/csv.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

namespace fs = std::filesystem;

// AMLSim's default simulation origin; step n is day n after it.
const Seconds kOrigin = days_from_civil(2017, 1, 1) * 86400;

// Read in large blocks, each row's cells views into the block until the next row.
struct CsvFile {
  std::ifstream stream;
  detail::BlockCsvReader reader;
  std::vector<std::string> header;
  std::vector<std::string_view> row;
  std::string name;

  explicit CsvFile(const fs::path& path)
      : stream(path, std::ios::binary), reader(stream, ','), name(path.filename().string()) {
    if (!stream) fail_unavailable("file_unreadable", "cannot read " + path.string());
    if (!reader.next(row)) fail_invalid(name + ": row 1", name + ": row 1: no header row");
    header.assign(row.begin(), row.end());
  }
  std::size_t column(const std::string& h) const { return detail::header_index(header, h, name); }
};

// Reads every row of a file, calling parse(row, reject) and honouring skip_bad_rows.
template <typename Parse>
void for_each_row(CsvFile& f, const IngestOptions& options, IngestReport& report, Parse parse) {
  while (f.reader.next(f.row)) {
    if (f.row.size() == 1 && f.row[0].empty()) continue;
    ++report.rows;
    if (options.progress && options.progress_every && report.rows % options.progress_every == 0) {
      options.progress(report.rows, f.reader.bytes());
    }
    std::optional<RowError> bad;
    auto cell = [&](std::size_t i) -> std::string_view {
      if (i < f.row.size()) return f.row[i];
      if (!bad) bad = RowError{f.reader.line(), f.header[i], "missing"};
      return {};
    };
    auto reject = [&](std::size_t i, std::string reason) {
      if (!bad) bad = RowError{f.reader.line(), f.header[i], std::move(reason)};
    };
    parse(cell, reject);
    if (!bad) continue;
    const std::string message = f.name + ": " + bad->message();
    if (!options.skip_bad_rows) {
      fail_invalid("row " + std::to_string(bad->row) + ", column " + bad->column, message);
    }
    report.bad_rows.push_back(*bad);
    if (report.bad_rows.size() > options.max_bad_rows) {
      fail_invalid("row " + std::to_string(bad->row), "too many bad rows; last: " + message);
    }
  }
}

Seconds step_time(std::string_view text, bool& ok) {
  ColumnMapping days;
  days.time_format = "days";
  days.time_origin = kOrigin;
  auto t = parse_time(text, days);
  ok = t.has_value();
  return t.value_or(kNoTime);
}

Channel channel_of(std::string_view code) {
  if (code == "WIRE") return Channel::wire;
  if (code == "CHECK") return Channel::check;
  if (code == "CREDIT") return Channel::ach;  // credit transfer
  if (code == "CASH-IN" || code == "CASH-OUT") return Channel::cash;
  return Channel::other;  // DEPOSIT, TRANSFER
}

void load_accounts(const fs::path& path, const char* party_header, const char* country_header,
                   LedgerBuilder& b, const IngestOptions& o, IngestReport& r) {
  CsvFile f(path);
  const std::size_t id = f.column("ACCOUNT_ID"), party = f.column(party_header),
                    country = f.column(country_header);
  for_each_row(f, o, r, [&](auto cell, auto reject) {
    auto account = cell(id);
    if (account.empty()) return reject(id, "empty account id");
    b.add_account(account, cell(party), cell(country));
  });
}

// Where each added transaction came from (file and line), to name a repeated id's row.
struct Origins {
  std::vector<std::string> files, id_columns;
  std::vector<std::pair<std::uint32_t, std::size_t>> at;  // file index, line
  void add(const CsvFile& f, std::size_t id_column) {
    if (files.empty() || files.back() != f.name) {
      files.push_back(f.name);
      id_columns.push_back(f.header[id_column]);
    }
    at.emplace_back(static_cast<std::uint32_t>(files.size() - 1), f.reader.line());
  }
};

// Transaction ids are unique across tx.csv and cash_tx.csv: a repeat is a bad row, reported
// where it stands (or left out with skip_bad_rows).
void drop_repeated_ids(LedgerBuilder& b, const Origins& o, const IngestOptions& options,
                       IngestReport& report) {
  std::vector<std::size_t> drop;
  for (const auto& [position, first] : b.duplicate_ids()) {
    const auto& [file, line] = o.at[position];
    const auto& [first_file, first_line] = o.at[first];
    const RowError bad{line, o.id_columns[file],
                       "duplicate transaction id (first on row " + std::to_string(first_line) +
                           " of " + o.files[first_file] + ")"};
    const std::string message = o.files[file] + ": " + bad.message();
    if (!options.skip_bad_rows) {
      fail_invalid("row " + std::to_string(bad.row) + ", column " + bad.column, message);
    }
    report.bad_rows.push_back(bad);
    if (report.bad_rows.size() > options.max_bad_rows) {
      fail_invalid("row " + std::to_string(bad.row), "too many bad rows; last: " + message);
    }
    drop.push_back(position);
  }
  if (!drop.empty()) b.remove(drop);
}

}  // namespace

Ledger load_amlsim(const std::filesystem::path& dir, const IngestOptions& options) {
  LedgerBuilder b;
  IngestReport report;
  Origins origins;
  const ColumnMapping money;  // two decimals, '.' separator
  if (fs::exists(dir / "tx.csv")) {
    load_accounts(dir / "accounts.csv", "PRIMARY_CUSTOMER_ID", "country", b, options, report);
    CsvFile tx(dir / "tx.csv");
    const std::size_t id = tx.column("TXN_ID"), from = tx.column("ACCOUNT_ID"),
                      to = tx.column("COUNTER_PARTY_ACCOUNT_NUM"),
                      type = tx.column("TXN_SOURCE_TYPE_CODE"),
                      amount = tx.column("TXN_AMOUNT_ORIG"), start = tx.column("start");
    for_each_row(tx, options, report, [&](auto cell, auto reject) {
      LedgerBuilder::TransactionView t;
      t.id = cell(id);
      t.from = cell(from);
      t.to = cell(to);
      if (t.from.empty()) return reject(from, "empty account");
      if (t.to.empty()) return reject(to, "empty account");
      bool ok = false;
      t.time = step_time(cell(start), ok);
      if (!ok) return reject(start, "not a step number");
      std::string why;
      auto a = parse_amount(cell(amount), money, &why);
      if (!a) return reject(amount, why);
      t.amount = *a;
      t.currency = "USD";
      t.channel = channel_of(cell(type));
      b.add_transaction_view(t);
      origins.add(tx, id);
    });
    CsvFile cash(dir / "cash_tx.csv");
    const std::size_t cid = cash.column("TXN_ID"), account = cash.column("ACCOUNT_ID"),
                      branch = cash.column("BRANCH_ID"),
                      ctype = cash.column("TXN_SOURCE_TYPE_CODE"),
                      camount = cash.column("TXN_AMOUNT_ORIG"), date = cash.column("RUN_DATE");
    std::string location;
    for_each_row(cash, options, report, [&](auto cell, auto reject) {
      LedgerBuilder::TransactionView t;
      t.id = cell(cid);
      auto kind = cell(ctype);
      if (kind == "CASH-IN") {
        t.to = cell(account);
      } else if (kind == "CASH-OUT") {
        t.from = cell(account);
      } else {
        return reject(ctype, "expected CASH-IN or CASH-OUT");
      }
      if (cell(account).empty()) return reject(account, "empty account");
      bool ok = false;
      t.time = step_time(cell(date), ok);
      if (!ok) return reject(date, "not a step number");
      std::string why;
      auto a = parse_amount(cell(camount), money, &why);
      if (!a) return reject(camount, why);
      t.amount = *a;
      t.currency = "USD";
      t.channel = Channel::cash;
      location.assign("branch ").append(cell(branch));
      t.location = location;
      b.add_transaction_view(t);
      origins.add(cash, cid);
    });
  } else if (fs::exists(dir / "transactions.csv")) {
    load_accounts(dir / "accounts.csv", "CUSTOMER_ID", "COUNTRY", b, options, report);
    CsvFile tx(dir / "transactions.csv");
    const std::size_t id = tx.column("id"), src = tx.column("src"), dst = tx.column("dst");
    for_each_row(tx, options, report, [&](auto cell, auto reject) {
      LedgerBuilder::TransactionView t;
      t.id = cell(id);
      t.from = cell(src);
      t.to = cell(dst);
      if (t.from.empty()) return reject(src, "empty account");
      if (t.to.empty()) return reject(dst, "empty account");
      t.channel = Channel::other;
      b.add_transaction_view(t);
      origins.add(tx, id);
    });
  } else {
    fail_unavailable("file_unreadable",
                     dir.string() + ": neither tx.csv (sample_outputs) nor transactions.csv");
  }
  drop_repeated_ids(b, origins, options, report);
  if (options.progress) options.progress(report.rows, 0);
  return b.build();
}

std::vector<PlantedAlert> load_amlsim_alerts(const std::filesystem::path& dir) {
  const bool graph = fs::exists(dir / "alert_members.csv");
  CsvFile f(graph ? dir / "alert_members.csv" : dir / "alerts.csv");
  const std::size_t id = f.column(graph ? "alertID" : "ALERT_KEY"),
                    reason = f.column(graph ? "reason" : "CHECK_NAME"),
                    account = f.column(graph ? "accountID" : "ACCOUNT_ID");
  std::vector<PlantedAlert> alerts;
  IngestReport report;
  for_each_row(f, IngestOptions{}, report, [&](auto cell, auto reject) {
    if (cell(id).empty()) return reject(id, "empty alert id");
    if (cell(account).empty()) return reject(account, "empty account");
    if (alerts.empty() || alerts.back().alert_id != cell(id)) {
      alerts.push_back({std::string(cell(id)), std::string(cell(reason)), {}});
    }
    alerts.back().accounts.emplace_back(cell(account));
  });
  return alerts;
}

}  // namespace ctis::finance
