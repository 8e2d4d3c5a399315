// `ctis finance scan` and `ctis finance generate`.
//
// scan loads transactions (AMLSim output, or a bank CSV export through a column mapping), runs
// the graph patterns and the red-flag typologies and writes every hit with its explanation as
// JSON. generate writes a synthetic transaction stream of any size, streamed so that memory
// stays flat, with planted typologies and a label column; the shipped mapping
// data/finance/mappings/ctis-synthetic.json reads it back. The generated data is synthetic:
// accounts, amounts and places are made up.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/core.h"
#include "core/random.h"
#include "finance/finance.h"

namespace ctis::cli {
namespace {

namespace fin = ctis::finance;
using Clock = std::chrono::steady_clock;

constexpr fin::Pattern kAllPatterns[] = {
    fin::Pattern::fan_in,         fin::Pattern::fan_out,       fin::Pattern::scatter_gather,
    fin::Pattern::gather_scatter, fin::Pattern::bipartite,     fin::Pattern::stack,
    fin::Pattern::cycle,          fin::Pattern::structuring,   fin::Pattern::funnel,
    fin::Pattern::rapid_in_out,   fin::Pattern::night_activity};

bool is_typology(fin::Pattern p) {
  return p == fin::Pattern::structuring || p == fin::Pattern::funnel ||
         p == fin::Pattern::rapid_in_out || p == fin::Pattern::night_activity;
}

std::vector<fin::Pattern> patterns_of(const std::vector<std::string>& names) {
  if (names.empty()) return {std::begin(kAllPatterns), std::end(kAllPatterns)};
  std::vector<fin::Pattern> out;
  for (const auto& name : names) {
    const auto* it = std::find_if(std::begin(kAllPatterns), std::end(kAllPatterns),
                                  [&](fin::Pattern p) { return fin::to_string(p) == name; });
    if (it == std::end(kAllPatterns)) {
      std::string known;
      for (const auto p : kAllPatterns)
        known += (known.empty() ? "" : ", ") + std::string(fin::to_string(p));
      fail_invalid("--patterns", "unknown pattern \"" + name + "\": " + known);
    }
    out.push_back(*it);
  }
  return out;
}

std::vector<fin::Hit> run_pattern(const fin::Ledger& l, fin::Pattern p,
                                  const fin::TypologyParams& t) {
  switch (p) {
    case fin::Pattern::fan_in:
      return fin::fan_in(l, {});
    case fin::Pattern::fan_out:
      return fin::fan_out(l, {});
    case fin::Pattern::scatter_gather:
      return fin::scatter_gather(l, {});
    case fin::Pattern::gather_scatter:
      return fin::gather_scatter(l, {});
    case fin::Pattern::bipartite:
      return fin::bipartite(l, {});
    case fin::Pattern::stack:
      return fin::stack(l, {});
    case fin::Pattern::cycle:
      return fin::temporal_cycles(l, {});
    case fin::Pattern::structuring:
      return fin::structuring(l, t.structuring);
    case fin::Pattern::funnel:
      return fin::funnel_accounts(l, t.funnel);
    case fin::Pattern::rapid_in_out:
      return fin::rapid_in_out(l, t.rapid_in_out);
    case fin::Pattern::night_activity:
      return fin::night_activity(l, t.night);
  }
  return {};
}

nlohmann::json time_json(fin::Seconds t) {
  if (t == fin::kNoTime) return nullptr;
  return format_iso8601(t * 1000);
}

int cmd_finance_scan(const Options& o) {
  if (o.amlsim_dir.empty() == o.csv_file.empty()) {
    fail_invalid("--amlsim", "give either --amlsim DIR or --csv FILE --mapping MAPPING.json");
  }
  if (!o.csv_file.empty() && o.mapping_file.empty()) {
    fail_invalid("--mapping", "--csv needs --mapping MAPPING.json");
  }
  const auto patterns = patterns_of(o.patterns);
  const fin::TypologyParams typologies =
      o.typologies_file.empty()
          ? fin::TypologyParams::defaults()
          : fin::TypologyParams::from_json(read_text_file(o.typologies_file, "--typologies"));

  const auto start = Clock::now();
  fin::IngestOptions ingest;
  ingest.progress = [start](std::size_t rows, std::size_t bytes) {
    std::cerr << "ctis: read " << rows << " rows (" << bytes / (std::size_t{1024} * 1024)
              << " MiB, " << millis_since(start) << " ms)" << std::endl;
  };
  fin::Ledger ledger;
  std::string source;
  if (!o.amlsim_dir.empty()) {
    ledger = fin::load_amlsim(o.amlsim_dir, ingest);
    source = o.amlsim_dir;
  } else {
    const auto mapping = fin::ColumnMapping::from_json(read_text_file(o.mapping_file, "--mapping"));
    std::ifstream in(o.csv_file, std::ios::binary);
    if (!in) fail_invalid("--csv", "cannot read " + o.csv_file + ": " + std::strerror(errno));
    try {
      ledger = fin::ingest_csv(in, mapping, ingest);
    } catch (const Error& e) {
      // The row and column are in field(); say which file they belong to.
      if (e.kind() != ErrorKind::invalid || e.field().empty()) throw;
      throw Error(e.kind(), e.code(), o.csv_file + ": " + e.field() + ": " + e.what(), e.field());
    }
    source = o.csv_file;
  }
  std::cerr << "ctis: loaded " << ledger.transaction_count() << " transactions between "
            << ledger.account_count() << " accounts in " << millis_since(start) << " ms"
            << std::endl;

  nlohmann::ordered_json hits = nlohmann::ordered_json::array();
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const auto p : patterns) {
    const std::string name(fin::to_string(p));
    if (is_typology(p) && !ledger.timed()) {
      if (o.patterns.empty()) {
        std::cerr << "ctis: " << name << " skipped: the transactions have no times" << std::endl;
        continue;
      }
    }
    const auto began = Clock::now();
    const auto found = run_pattern(ledger, p, typologies);
    counts[name] = found.size();
    std::cerr << "ctis: " << name << ": " << found.size() << " hits in " << millis_since(began)
              << " ms" << std::endl;
    for (const auto& h : found) {
      nlohmann::ordered_json accounts = nlohmann::ordered_json::array();
      for (const auto a : h.accounts) accounts.push_back(std::string(ledger.account_name(a)));
      nlohmann::ordered_json txs = nlohmann::ordered_json::array();
      for (const auto t : h.transactions) txs.push_back(std::string(ledger.transaction_id(t)));
      hits.push_back({{"pattern", name},
                      {"accounts", std::move(accounts)},
                      {"transactions", std::move(txs)},
                      {"first_time", time_json(h.first_time)},
                      {"last_time", time_json(h.last_time)},
                      {"total_amount_minor", h.total_amount},
                      {"explanation", h.explanation}});
    }
  }
  nlohmann::ordered_json out = {{"source", source},
                                {"transactions", ledger.transaction_count()},
                                {"accounts", ledger.account_count()},
                                {"timed", ledger.timed()},
                                {"typologies_version", typologies.version},
                                {"counts", std::move(counts)},
                                {"hits", std::move(hits)}};
  emit(o, out.dump(1) + "\n");
  std::cerr << "ctis: scan done in " << millis_since(start) << " ms" << std::endl;
  return 0;
}

// ---- The synthetic stream ----

// The same stream for the same seed on every platform.
using Random = ctis::SplitMix64;

constexpr fin::Seconds kDay = 86400;
constexpr fin::Seconds kHour = 3600;

// "YYYY-MM-DD HH:MM:SS" (UTC) of seconds since the epoch (days-to-civil, proleptic Gregorian).
void append_time(std::string& out, fin::Seconds t) {
  const fin::Seconds days = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
  const fin::Seconds secs = t - days * kDay;
  const fin::Seconds z = days + 719468;
  const fin::Seconds era = (z >= 0 ? z : z - 146096) / 146097;
  const fin::Seconds doe = z - era * 146097;
  const fin::Seconds yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const fin::Seconds doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const fin::Seconds mp = (5 * doy + 2) / 153;
  const fin::Seconds d = doy - (153 * mp + 2) / 5 + 1;
  const fin::Seconds m = mp < 10 ? mp + 3 : mp - 9;
  const fin::Seconds y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[96];  // room for any 64-bit fields, though the values are small
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / kHour), static_cast<long long>(secs % kHour / 60),
                static_cast<long long>(secs % 60));
  out += buf;
}

class StreamWriter {
 public:
  StreamWriter(std::ofstream& out, std::uint64_t rows) : out_(out), rows_(rows) {
    buffer_ = "id,time,from,to,amount,currency,channel,location,label,alert_id\n";
  }
  bool full() const { return written_ >= rows_; }
  std::uint64_t written() const { return written_; }

  // One transaction; from or to empty for cash. Rows past the requested count are dropped.
  void row(fin::Seconds time, const std::string& from, const std::string& to, fin::Minor amount,
           const char* channel, const std::string& location, const char* label,
           std::uint64_t alert) {
    if (full()) return;
    ++written_;
    buffer_ += 'T';
    buffer_ += std::to_string(written_);
    buffer_ += ',';
    append_time(buffer_, time);
    buffer_ += ',';
    buffer_ += from;
    buffer_ += ',';
    buffer_ += to;
    buffer_ += ',';
    buffer_ += std::to_string(amount / 100);
    buffer_ += '.';
    buffer_ += static_cast<char>('0' + amount % 100 / 10);
    buffer_ += static_cast<char>('0' + amount % 10);
    buffer_ += ",EUR,";
    buffer_ += channel;
    buffer_ += ',';
    buffer_ += location;
    buffer_ += ',';
    buffer_ += label;
    buffer_ += ',';
    buffer_ += std::to_string(alert);
    buffer_ += '\n';
    if (buffer_.size() >= (std::size_t{1} << 20)) flush();
    if (written_ % 1000000 == 0) std::cerr << "ctis: wrote " << written_ << " rows" << std::endl;
  }
  void flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!out_) fail_unavailable("out", "cannot write the output file");
  }

 private:
  std::ofstream& out_;
  std::uint64_t rows_;
  std::uint64_t written_ = 0;
  std::string buffer_;
};

std::string account_name(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "AC%09llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string branch(Random& r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "BR-%03llu", static_cast<unsigned long long>(r.below(400)));
  return buf;
}

// Background: transfers between uniformly chosen ordinary accounts, about 10 per account and
// year, with small cash deposits now and then. Planted: about 3 groups per 1,000 rows, each
// among accounts of its own (numbered after the ordinary ones), labelled with its typology
// and a group number so that detections can be scored.
int cmd_finance_generate(const Options& o) {
  if (o.rows == 0) fail_invalid("--rows", "--rows must be at least 1");
  if (o.out.empty() || o.out == "-") fail_invalid("--out", "finance generate needs --out FILE");
  const std::string partial = o.out + ".partial";
  const auto start = Clock::now();
  Random r(o.seed);
  const std::uint64_t ordinary = std::max<std::uint64_t>(1000, o.rows / 5);
  std::uint64_t next_account = ordinary;
  std::uint64_t alerts = 0;
  const fin::Seconds origin = fin::days_from_civil(2025, 1, 1) * kDay;
  const fin::Seconds span = 365 * kDay;
  const auto fresh = [&] { return account_name(next_account++); };
  const auto someone = [&] { return account_name(r.below(ordinary)); };
  const auto amount = [&](fin::Minor low, fin::Minor high) {
    return low + static_cast<fin::Minor>(r.below(static_cast<std::uint64_t>(high - low)));
  };
  std::uint64_t planted[5] = {};
  try {
    std::ofstream out = open_private_output(partial);
    StreamWriter w(out, o.rows);
    while (!w.full()) {
      const auto now = origin + static_cast<fin::Seconds>(static_cast<double>(w.written()) /
                                                          static_cast<double>(o.rows) *
                                                          static_cast<double>(span));
      const std::uint64_t kind = r.below(1000);
      if (kind >= 5 || now > origin + span - 10 * kDay) {
        // Ordinary business happens in the daytime (08:00-21:00), so night activity stands out.
        const fin::Seconds day_time =
            now - now % kDay + 8 * kHour + static_cast<fin::Seconds>(r.below(13 * kHour));
        if (r.below(20) == 0) {
          w.row(day_time, "", someone(), amount(2000, 200000), "CASH", branch(r), "normal", 0);
        } else {
          static const char* const kChannels[] = {"WIRE", "ACH", "CARD"};
          std::string from = someone(), to = someone();
          while (to == from) to = someone();
          w.row(day_time, from, to, amount(1000, 500000), kChannels[r.below(3)], "", "normal", 0);
        }
        continue;
      }
      ++planted[kind];
      const std::uint64_t id = ++alerts;
      switch (kind) {
        case 0: {  // fan-in: 8 payers into one account within a day
          const std::string hub = fresh();
          for (fin::Seconds i = 1; i <= 8; ++i) {
            w.row(now + i * kHour, someone(), hub, amount(80000, 300000), "WIRE", "", "fan_in", id);
          }
          break;
        }
        case 1: {  // fan-out: one account pays 8 within a day
          const std::string hub = fresh();
          for (fin::Seconds i = 1; i <= 8; ++i) {
            w.row(now + i * kHour, hub, someone(), amount(80000, 300000), "WIRE", "", "fan_out",
                  id);
          }
          break;
        }
        case 2: {  // cycle of 4, one day apart, a fee taken at each step
          std::string ring[4] = {fresh(), fresh(), fresh(), fresh()};
          fin::Minor value = amount(2000000, 5000000);
          for (fin::Seconds i = 0; i < 4; ++i) {
            w.row(now + i * kDay, ring[i], ring[(i + 1) % 4], value, "WIRE", "", "cycle", id);
            value -= value / 50;
          }
          break;
        }
        case 3: {  // scatter-gather: a source pays 4 intermediates who pay one sink
          const std::string source = fresh(), sink = fresh();
          for (fin::Seconds i = 1; i <= 4; ++i) {
            const std::string mid = fresh();
            const fin::Minor value = amount(300000, 900000);
            w.row(now, source, mid, value, "WIRE", "", "scatter_gather", id);
            w.row(now + i * kHour * 6, mid, sink, value - value / 100, "WIRE", "", "scatter_gather",
                  id);
          }
          break;
        }
        default: {  // structuring: 4 cash deposits just under 10,000.00 within 3 days
          const std::string holder = fresh();
          for (fin::Seconds i = 0; i < 4; ++i) {
            w.row(now + i * 18 * kHour, "", holder, amount(910000, 999000), "CASH", branch(r),
                  "structuring", id);
          }
          break;
        }
      }
    }
    w.flush();
    out.close();
    if (!out) fail_unavailable("out", "cannot write " + o.out);
  } catch (...) {
    std::remove(partial.c_str());
    throw;
  }
  if (std::rename(partial.c_str(), o.out.c_str()) != 0) {
    fail_unavailable("out", "cannot write " + o.out + ": " + std::strerror(errno));
  }
  std::cerr << "ctis: wrote " << o.rows << " synthetic transactions to " << o.out << " in "
            << millis_since(start) << " ms; planted " << planted[0] << " fan_in, " << planted[1]
            << " fan_out, " << planted[2] << " cycle, " << planted[3] << " scatter_gather, "
            << planted[4] << " structuring (the last may be cut by --rows)" << std::endl;
  return 0;
}

}  // namespace

void add_finance_commands(CLI::App& app, Options& o) {
  auto* finance = app.add_subcommand("finance", "Financial intelligence: transaction analysis");
  finance->require_subcommand(1);

  auto* scan = add_leaf(finance, "scan",
                        "Run the graph patterns and red-flag typologies over transactions and "
                        "write the hits as JSON",
                        o, cmd_finance_scan);
  scan->add_option("--amlsim", o.amlsim_dir, "AMLSim output folder");
  scan->add_option("--csv", o.csv_file, "Transactions CSV (with --mapping)");
  scan->add_option("--mapping", o.mapping_file, "Column mapping JSON for --csv");
  scan->add_option("--patterns", o.patterns, "Patterns to run (default: all)")->delimiter(',');
  scan->add_option("--typologies", o.typologies_file,
                   "Red-flag parameters JSON (default: data/finance/typologies.json)");
  scan->add_option("--out", o.out, "JSON file to write (default stdout)");

  auto* generate = add_leaf(finance, "generate",
                            "Write a synthetic transaction CSV with planted typologies and labels",
                            o, cmd_finance_generate);
  generate->add_option("--rows", o.rows, "Number of transactions")->required();
  generate->add_option("--out", o.out, "CSV file to write")->required();
  generate->add_option("--seed", o.seed, "Seed (default 1): the same seed gives the same file");
}

}  // namespace ctis::cli
