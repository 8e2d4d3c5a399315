// `ctis finance scan`, `ctis finance report` and `ctis finance generate`.
//
// scan loads transactions (AMLSim output, or a bank CSV export through a column mapping, with
// an optional accounts file), runs the graph patterns and red-flag typologies and writes every
// hit with its explanation as JSON. With --data DIR it also keeps the scan in DIR/finance/scan/
// (replaced as a whole by the next scan): ledger.bin (the ledger, Ledger::save), hits.json (the
// document scan prints), risk.json (ranked account and party scores with their reasons) and
// networks.json (the counterparty networks of the ten highest-risk accounts). report reads that
// folder and writes a goAML STR about one subject, validated against the FIU's XSD. generate
// writes a synthetic stream with planted typologies (finance::generate_synthetic).
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "cli/commands.h"
#include "core/core.h"
#include "core/refdata.h"
#include "finance/finance.h"
#include "finance/goaml.h"

namespace ctis::cli {
namespace {

namespace fin = ctis::finance;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::ordered_json;

constexpr std::size_t kNetworks = 10;

std::vector<fin::Pattern> patterns_of(const std::vector<std::string>& names) {
  std::vector<fin::Pattern> out;
  if (names.empty()) {
    for (std::size_t i = 0; i < fin::kPatternCount; ++i)
      out.push_back(static_cast<fin::Pattern>(i));
    return out;
  }
  for (const auto& name : names) {
    const auto p = fin::parse_pattern(name);
    if (!p) {
      std::string known;
      for (std::size_t i = 0; i < fin::kPatternCount; ++i) {
        known +=
            (known.empty() ? "" : ", ") + std::string(fin::to_string(static_cast<fin::Pattern>(i)));
      }
      fail_invalid("--patterns", "unknown pattern \"" + name + "\": " + known);
    }
    out.push_back(*p);
  }
  return out;
}

ordered_json time_json(fin::Seconds t) {
  if (t == fin::kNoTime) return nullptr;
  return format_iso8601(t * 1000);
}

fs::path scan_folder(const std::string& data_dir) {
  return fs::path(data_dir) / "finance" / "scan";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out = open_private_output(path.string());
  out << text;
  out.close();
  if (!out) fail_unavailable("out", "cannot write " + path.string());
}

ordered_json risk_json(const fin::Ledger& l, const std::vector<fin::RiskScore>& scores,
                       bool parties) {
  ordered_json out = ordered_json::array();
  for (const auto& s : scores) {
    ordered_json reasons = ordered_json::array();
    for (const auto& r : s.reasons) {
      reasons.push_back({{"hit", r.hit},
                         {"pattern", std::string(fin::to_string(r.pattern))},
                         {"points", r.points}});
    }
    ordered_json entry;
    if (parties) {
      entry["party"] = std::string(l.party_name(s.id));
    } else {
      entry["account"] = std::string(l.account_name(s.id));
      entry["party"] = std::string(l.party_name(l.account_party(s.id)));
    }
    entry["score"] = s.score;
    entry["reasons"] = std::move(reasons);
    out.push_back(std::move(entry));
  }
  return out;
}

// Writes the scan folder next to the old one, then swaps it in: a reader sees one whole scan.
void keep_scan(const std::string& data_dir, const fin::Ledger& ledger,
               const std::vector<fin::Hit>& hits, const std::string& hits_text,
               const fin::TypologyParams& typologies) {
  const fs::path folder = scan_folder(data_dir);
  const fs::path next = folder.string() + ".partial", old = folder.string() + ".old";
  fs::remove_all(next);
  fs::create_directories(next);
  fs::permissions(next, fs::perms::owner_all, fs::perm_options::replace);
  {
    std::ofstream out = open_private_output((next / "ledger.bin").string());
    ledger.save(out);
    out.close();
    if (!out) fail_unavailable("out", "cannot write " + (next / "ledger.bin").string());
  }
  write_file(next / "hits.json", hits_text);
  const auto accounts = fin::account_risk(hits, typologies.risk);
  const auto parties = fin::party_risk(ledger, accounts);
  const ordered_json risk = {{"typologies_version", typologies.version},
                             {"accounts", risk_json(ledger, accounts, false)},
                             {"parties", risk_json(ledger, parties, true)}};
  write_file(next / "risk.json", risk.dump(1) + "\n");
  ordered_json networks = ordered_json::object();
  for (std::size_t i = 0; i < accounts.size() && i < kNetworks; ++i) {
    const auto n = fin::network(ledger, static_cast<fin::AccountId>(accounts[i].id));
    networks[std::string(ledger.account_name(n.subject))] =
        ordered_json::parse(fin::network_json(ledger, n));
  }
  write_file(next / "networks.json", networks.dump() + "\n");
  fs::remove_all(old);
  if (fs::exists(folder)) fs::rename(folder, old);
  fs::rename(next, folder);
  fs::remove_all(old);
  std::cerr << "ctis: scan kept in " << folder.string() << " (" << accounts.size()
            << " accounts scored)" << std::endl;
}

int cmd_finance_scan(const Options& o) {
  if (o.amlsim_dir.empty() == o.csv_file.empty()) {
    fail_invalid("--amlsim", "give either --amlsim DIR or --csv FILE --mapping MAPPING.json");
  }
  if (!o.csv_file.empty() && o.mapping_file.empty()) {
    fail_invalid("--mapping", "--csv needs --mapping MAPPING.json");
  }
  if (!o.accounts_file.empty() && o.csv_file.empty()) {
    fail_invalid("--accounts", "--accounts goes with --csv");
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
    std::vector<fin::AccountRecord> accounts;
    if (!o.accounts_file.empty()) {
      std::istringstream in(read_text_file(o.accounts_file, "--accounts"));
      try {
        accounts = fin::read_accounts_csv(in);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::invalid) throw;
        throw Error(e.kind(), e.code(), o.accounts_file + ": " + e.what(), e.field());
      }
    }
    std::ifstream in(o.csv_file, std::ios::binary);
    if (!in) fail_invalid("--csv", "cannot read " + o.csv_file + ": " + std::strerror(errno));
    try {
      ledger = fin::ingest_csv(in, mapping, ingest, nullptr, accounts);
    } catch (const Error& e) {
      // The message names the row and column; say which file they belong to.
      if (e.kind() != ErrorKind::invalid || e.field().empty()) throw;
      throw Error(e.kind(), e.code(), o.csv_file + ": " + e.what(), e.field());
    }
    source = o.csv_file;
  }
  std::cerr << "ctis: loaded " << ledger.transaction_count() << " transactions between "
            << ledger.account_count() << " accounts in " << millis_since(start) << " ms"
            << std::endl;

  std::vector<fin::Hit> all;
  ordered_json hits = ordered_json::array();
  ordered_json counts = ordered_json::object();
  std::vector<fin::Pattern> run;
  for (const auto p : patterns) {
    if (fin::is_typology(p) && !ledger.timed() && o.patterns.empty()) {
      std::cerr << "ctis: " << fin::to_string(p) << " skipped: the transactions have no times"
                << std::endl;
    } else {
      run.push_back(p);
    }
  }
  // All at once on every core (the same hits as one by one, in the same order).
  const auto began = Clock::now();
  auto results = fin::run_patterns(ledger, run, typologies);
  std::cerr << "ctis: " << run.size() << " patterns in " << millis_since(began) << " ms"
            << std::endl;
  for (std::size_t i = 0; i < run.size(); ++i) {
    const std::string name(fin::to_string(run[i]));
    auto& found = results[i];
    counts[name] = found.size();
    std::cerr << "ctis: " << name << ": " << found.size() << " hits" << std::endl;
    for (auto& h : found) {
      ordered_json accounts = ordered_json::array();
      for (const auto a : h.accounts) accounts.push_back(std::string(ledger.account_name(a)));
      ordered_json txs = ordered_json::array();
      for (const auto t : h.transactions) txs.push_back(std::string(ledger.transaction_id(t)));
      hits.push_back({{"pattern", name},
                      {"accounts", std::move(accounts)},
                      {"transactions", std::move(txs)},
                      {"first_time", time_json(h.first_time)},
                      {"last_time", time_json(h.last_time)},
                      {"total_amount_minor", h.total_amount},
                      {"explanation", h.explanation}});
      all.push_back(std::move(h));
    }
  }
  ordered_json out = {{"source", source},
                      {"transactions", ledger.transaction_count()},
                      {"accounts", ledger.account_count()},
                      {"timed", ledger.timed()},
                      {"typologies_version", typologies.version},
                      {"counts", std::move(counts)},
                      {"hits", std::move(hits)}};
  const std::string text = out.dump(1) + "\n";
  if (!o.data_dir.empty()) keep_scan(o.data_dir, ledger, all, text, typologies);
  emit(o, text);
  std::cerr << "ctis: scan done in " << millis_since(start) << " ms" << std::endl;
  return 0;
}

fs::path goaml_xsd(const Options& o) {
  if (!o.schema_file.empty()) return o.schema_file;
  const char* shared = std::getenv("CTIS_SHARED_DATA");
  if (shared != nullptr && *shared != '\0') {
    fs::path p = fs::path(shared) / "finance" / "goaml-5.0.1" / "goAMLSchema.xsd";
    if (fs::exists(p)) return p;
  }
  fail_invalid("--xsd", "give the FIU's goAML schema with --xsd FILE (goAMLSchema.xsd)");
}

// The hits of the kept scan that name the subject, rebuilt against the kept ledger.
std::vector<fin::Hit> hits_of(const fin::Ledger& l, const nlohmann::json& doc,
                              fin::AccountId subject) {
  const std::string name(l.account_name(subject));
  std::vector<fin::Hit> out;
  std::vector<std::vector<std::string>> ids;
  std::unordered_set<std::string> wanted;
  for (const auto& h : doc.at("hits")) {
    const auto& accounts = h.at("accounts");
    if (std::find(accounts.begin(), accounts.end(), name) == accounts.end()) continue;
    fin::Hit hit;
    hit.pattern =
        fin::parse_pattern(h.at("pattern").get<std::string>()).value_or(fin::Pattern::fan_in);
    for (const auto& a : accounts) {
      if (auto id = l.find_account(a.get<std::string>())) hit.accounts.push_back(*id);
    }
    hit.explanation = h.at("explanation").get<std::string>();
    ids.push_back(h.at("transactions").get<std::vector<std::string>>());
    wanted.insert(ids.back().begin(), ids.back().end());
    out.push_back(std::move(hit));
  }
  std::unordered_map<std::string, fin::TxIndex> index;
  for (fin::TxIndex t = 0; t < l.transaction_count(); ++t) {
    const std::string id(l.transaction_id(t));
    if (wanted.count(id)) index.emplace(id, t);
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const auto& id : ids[i]) {
      const auto it = index.find(id);
      if (it == index.end())
        fail_invalid("hits.json",
                     "the kept scan names transaction " + id + " that its ledger lacks");
      out[i].transactions.push_back(it->second);
    }
  }
  return out;
}

int cmd_finance_report(const Options& o) {
  if (o.format != "goaml") fail_invalid("--format", "the only report format is goaml");
  if (o.out.empty() || o.out == "-") fail_invalid("--out", "finance report needs --out FILE.xml");
  const Config c = load_options(o);
  const fs::path folder = scan_folder(c.data_dir);
  if (!fs::exists(folder / "ledger.bin")) {
    fail_invalid("--data", "no finance scan in " + c.data_dir + ": run `ctis finance scan --data " +
                               c.data_dir + " ...` first");
  }
  const auto settings =
      o.entity_file.empty()
          ? fin::goaml::example_report_settings()
          : fin::goaml::report_settings_from_json(read_text_file(o.entity_file, "--entity"));
  const auto schema = fin::goaml::GoamlSchema::load(goaml_xsd(o));
  std::ifstream in(folder / "ledger.bin", std::ios::binary);
  const fin::Ledger ledger = fin::Ledger::load(in);
  const auto risk =
      nlohmann::json::parse(read_text_file((folder / "risk.json").string(), "risk.json"));
  const auto hits =
      nlohmann::json::parse(read_text_file((folder / "hits.json").string(), "hits.json"));

  std::string subject_name = o.subject;
  long long score = 0;
  for (const auto& entry : risk.at("accounts")) {
    if (subject_name.empty() || entry.at("account") == subject_name) {
      subject_name = entry.at("account").get<std::string>();
      score = entry.at("score").get<long long>();
      break;
    }
  }
  if (subject_name.empty())
    fail_invalid("--subject", "the kept scan has no hits, so no subject to report");
  const auto subject = ledger.find_account(subject_name);
  if (!subject) fail_invalid("--subject", "no account " + subject_name + " in the kept scan");
  const auto own = hits_of(ledger, hits, *subject);
  const auto now =
      static_cast<fin::Seconds>(std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
  const auto report = fin::goaml::subject_report(ledger, *subject, own, score, settings, now);
  fin::goaml::write_goaml_file(report, schema, o.out);
  std::cerr << "ctis: wrote an STR about " << subject_name << " (score " << score << ", "
            << own.size() << " hits, " << report.transactions.size() << " transactions) to "
            << o.out << "; it validates against " << goaml_xsd(o).string() << std::endl;
  return 0;
}

int cmd_finance_generate(const Options& o) {
  if (o.rows == 0) fail_invalid("--rows", "--rows must be at least 1");
  if (o.out.empty() || o.out == "-") fail_invalid("--out", "finance generate needs --out FILE");
  const std::string partial = o.out + ".partial";
  const auto start = Clock::now();
  std::map<std::string, std::uint64_t> planted;
  try {
    std::ofstream out = open_private_output(partial);
    std::ofstream accounts;
    if (!o.accounts_file.empty()) accounts = open_private_output(o.accounts_file);
    fin::GenerateOptions g;
    g.rows = o.rows;
    g.seed = o.seed;
    g.progress = [](std::uint64_t rows) {
      std::cerr << "ctis: wrote " << rows << " rows" << std::endl;
    };
    planted = fin::generate_synthetic(out, o.accounts_file.empty() ? nullptr : &accounts, g);
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
            << millis_since(start) << " ms; planted";
  for (const auto& [kind, n] : planted) std::cerr << " " << n << " " << kind;
  std::cerr << " (the last may be cut by --rows)" << std::endl;
  return 0;
}

}  // namespace

void load_demo_finance(const std::string& data_dir) {
  const fs::path folder = fs::path(data_dir) / "finance";
  fs::create_directories(folder);
  Options o;
  o.rows = 20000;
  o.seed = 2026;
  o.out = (folder / "demo-transactions.csv").string();
  o.accounts_file = (folder / "demo-accounts.csv").string();
  cmd_finance_generate(o);
  Options scan;
  scan.csv_file = o.out;
  scan.accounts_file = o.accounts_file;
  scan.data_dir = data_dir;
  scan.out = (folder / "demo-hits.json").string();
  scan.mapping_file.clear();
  // The shipped mapping is compiled in; write it beside the data for the scan (and the user).
  const auto mapping = reference_files().find("finance/mappings/ctis-synthetic.json");
  if (mapping == reference_files().end())
    fail_unavailable("mapping", "ctis-synthetic.json is not compiled in");
  scan.mapping_file = (folder / "ctis-synthetic-mapping.json").string();
  write_file(scan.mapping_file, std::string(mapping->second));
  cmd_finance_scan(scan);
}

void add_finance_commands(CLI::App& app, Options& o) {
  auto* finance = app.add_subcommand("finance", "Financial intelligence: transaction analysis");
  finance->require_subcommand(1);

  auto* scan = add_leaf(finance, "scan",
                        "Run the graph patterns and red-flag typologies over transactions and "
                        "write the hits as JSON (with --data, keep the scan for reports)",
                        o, cmd_finance_scan);
  scan->add_option("--amlsim", o.amlsim_dir, "AMLSim output folder");
  scan->add_option("--csv", o.csv_file, "Transactions CSV (with --mapping)");
  scan->add_option("--mapping", o.mapping_file, "Column mapping JSON for --csv");
  scan->add_option("--accounts", o.accounts_file, "Accounts CSV: holders, kinds, hours, contacts");
  scan->add_option("--patterns", o.patterns, "Patterns to run (default: all)")->delimiter(',');
  scan->add_option("--typologies", o.typologies_file,
                   "Red-flag parameters JSON (default: data/finance/typologies.json)");
  scan->add_option("--out", o.out, "JSON file to write (default stdout)");

  auto* report = add_leaf(finance, "report",
                          "Write a goAML STR about the highest-risk (or the given) account of "
                          "the last kept scan, validated against the FIU's schema",
                          o, cmd_finance_report);
  report->add_option("--format", o.format, "Report format: goaml")->required();
  report->add_option("--out", o.out, "XML file to write")->required();
  report->add_option("--subject", o.subject, "Account to report (default: highest risk)");
  report->add_option("--xsd", o.schema_file,
                     "The FIU's goAMLSchema.xsd (default: $CTIS_SHARED_DATA/finance/goaml-5.0.1)");
  report->add_option("--entity", o.entity_file,
                     "Reporting entity JSON (default: the example of data/finance/"
                     "reporting-entity.json)");

  auto* generate = add_leaf(finance, "generate",
                            "Write a synthetic transaction CSV with planted typologies and labels",
                            o, cmd_finance_generate);
  generate->add_option("--rows", o.rows, "Number of transactions")->required();
  generate->add_option("--out", o.out, "CSV file to write")->required();
  generate->add_option("--seed", o.seed, "Seed (default 1): the same seed gives the same file");
  generate->add_option("--accounts", o.accounts_file,
                       "Also plant the red flags that need account attributes and write the "
                       "accounts CSV here");
}

}  // namespace ctis::cli
