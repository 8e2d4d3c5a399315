// goAML 5.0.1 reports: built from small hand-made ledgers, validated with libxml2 and,
// independently, with the xmllint command; the shipped invalid sample is rejected.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/core.h"
#include "finance/finance.h"
#include "finance/goaml.h"

extern char** environ;

namespace ctis::finance::goaml {
namespace {

namespace fs = std::filesystem;

fs::path goaml_dir() {
  const char* root = std::getenv("CTIS_SHARED_DATA");
  if (root == nullptr) ADD_FAILURE() << "CTIS_SHARED_DATA is not set (folder of the data sets)";
  fs::path dir = fs::path(root != nullptr ? root : "") / "finance" / "goaml-5.0.1";
  if (!fs::exists(dir / "goAMLSchema.xsd")) {
    ADD_FAILURE() << "goAML schema missing: " << (dir / "goAMLSchema.xsd").string();
  }
  return dir;
}

fs::path xsd_path() { return goaml_dir() / "goAMLSchema.xsd"; }

const GoamlSchema& schema() {
  static const GoamlSchema s = GoamlSchema::load(xsd_path());
  return s;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A scratch folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("ctis_goaml_" + random_token(8));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct ChildResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs a command (no shell) with stdout and stderr captured in files.
ChildResult run_child(const std::vector<std::string>& args, const fs::path& scratch) {
  const fs::path out = scratch / "child.out", err = scratch / "child.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ChildResult r;
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << args[0] << " (is libxml2-utils installed?)";
    return r;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

int xmllint_validate(const fs::path& file, const fs::path& scratch, std::string* err = nullptr) {
  const ChildResult r = run_child(
      {"xmllint", "--noout", "--nonet", "--schema", xsd_path().string(), file.string()}, scratch);
  if (err != nullptr) *err = r.err;
  return r.exit_code;
}

// Not "W" + std::to_string(i): GCC 12 -O3 warns falsely (-Wrestrict) on that.
std::string numbered(std::string_view prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

constexpr Seconds kT1 = 1773480413;  // 2026-03-14T09:26:53Z

ReportHeader make_header() {
  ReportHeader h;
  h.rentity_id = 4711;
  h.rentity_branch = "Head office";
  h.report_code = "STR";
  h.entity_reference = "CASE-2026-017";
  h.submission_date = 1773619199;  // 2026-03-15T23:59:59Z
  h.currency_code_local = "EUR";
  h.reporting_person.first_name = "Maria";
  h.reporting_person.last_name = "Compliance";
  h.reporting_person.phones.push_back({"1", "M", "49", "301234567"});
  h.reporting_person.email = "mlro@bank.example";
  h.reporting_person.occupation = "Money laundering reporting officer";
  h.location = {"1", "Example Street 1", "", "Berlin", "10115", "DE", ""};
  h.reason = "Wages of several workers paid into one account and moved out within hours.";
  h.action = "Account monitored; relationship under review.";
  h.indicators = {"-"};  // the public schema's placeholder lookup code
  return h;
}

LedgerContext make_context() {
  LedgerContext c;
  c.default_institution.institution_name = "Example Bank AG";
  c.default_institution.swift = "EXAMDEFF";
  c.default_institution.branch = "Berlin Mitte";
  c.default_country = "DE";
  c.transmode_codes[Channel::wire] = "A";
  Person anna;
  anna.first_name = "Anna";
  anna.last_name = "Müller";
  anna.birthdate = 327369600;  // 1980-05-17
  anna.nationality = "DE";
  anna.residence = "DE";
  anna.phones.push_back({"2", "L", "49", "3055555"});
  anna.email = "anna@example.org";
  anna.occupation = "Restaurant owner";
  c.signatories["ACC-1"] = {anna};
  return c;
}

// ACC-1 (Anna Müller, DE) pays ACC-2 and ACC-3; a cash deposit reaches ACC-2.
Ledger make_ledger(const std::string& holder2 = "Bogdan Nowak") {
  LedgerBuilder b;
  b.add_account("ACC-1", "Anna Müller", "DE");
  b.add_account("ACC-2", holder2, "PL");
  b.add_account("ACC-3", "Carla Rossi", "IT");
  b.add_transaction({"T1", kT1, "ACC-1", "ACC-2", 123456, "EUR", Channel::wire, 0, "Berlin", ""});
  b.add_transaction({"T2", kT1 + 3600, "ACC-1", "ACC-3", 5, "EUR", Channel::wire, 0, "", ""});
  b.add_transaction({"T3", kT1 + 7200, "", "ACC-2", 990000, "EUR", Channel::cash, 0, "Warsaw", ""});
  return b.build();
}

const std::vector<TxIndex> kWires{0, 1};

std::string field_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid) << e.what();
    return e.field();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

std::string schema_message_of(const Report& r) {
  try {
    write_goaml(r, schema());
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "goaml_schema") << e.what();
    return e.what();
  }
  ADD_FAILURE() << "report validated but should not";
  return {};
}

TEST(GoamlFormat, DatesAndAmounts) {
  EXPECT_EQ(format_sql_date(0), "1970-01-01T00:00:00");
  EXPECT_EQ(format_sql_date(1700000000), "2023-11-14T22:13:20");
  EXPECT_EQ(format_sql_date(-1), "1969-12-31T23:59:59");
  EXPECT_EQ(format_sql_date(-6847804800), "1753-01-01T00:00:00");
  EXPECT_THROW(format_sql_date(-6847804801), Error);
  EXPECT_EQ(format_amount(-12345, 2), "-123.45");
  EXPECT_EQ(format_amount(5, 2), "0.05");
  EXPECT_EQ(format_amount(100, 0), "100");
  EXPECT_EQ(format_amount(std::numeric_limits<Minor>::min(), 2), "-92233720368547758.08");
}

TEST(GoamlReport, FromLedgerValidatesWithLibxml2AndXmllint) {
  const Ledger ledger = make_ledger();
  const Report report = report_from_ledger(ledger, kWires, make_header(), make_context());
  ASSERT_EQ(report.transactions.size(), 2U);
  EXPECT_EQ(report.transactions[0].from.account->signatories.size(), 1U);
  EXPECT_EQ(report.transactions[0].to.country, "PL");

  const std::string xml = write_goaml(report, schema());
  EXPECT_TRUE(schema().validate(xml).empty());
  EXPECT_NE(xml.find("<amount_local>1234.56</amount_local>"), std::string::npos);
  EXPECT_NE(xml.find("<amount_local>0.05</amount_local>"), std::string::npos);
  EXPECT_NE(xml.find("<date_transaction>2026-03-14T09:26:53</date_transaction>"),
            std::string::npos);
  EXPECT_NE(xml.find("<submission_date>2026-03-15T23:59:59</submission_date>"), std::string::npos);
  EXPECT_NE(xml.find("<transmode_code>A</transmode_code>"), std::string::npos);
  EXPECT_NE(xml.find("<account_name>Bogdan Nowak</account_name>"), std::string::npos);
  EXPECT_NE(xml.find("<last_name>Müller</last_name>"), std::string::npos);  // signatory, UTF-8
  EXPECT_NE(xml.find("<birthdate>1980-05-17T00:00:00</birthdate>"), std::string::npos);
  EXPECT_NE(xml.find("<is_primary>1</is_primary>"), std::string::npos);
  // Sequence order inside a transaction.
  EXPECT_LT(xml.find("<transactionnumber>T1"), xml.find("<date_transaction>"));
  EXPECT_LT(xml.find("<date_transaction>"), xml.find("<transmode_code>"));
  EXPECT_LT(xml.find("<t_from>"), xml.find("<t_to>"));
  EXPECT_LT(xml.find("</transaction>"), xml.find("<report_indicators>"));

  TempDir dir;
  const fs::path file = dir.path() / "str.xml";
  write_goaml_file(report, schema(), file);
  EXPECT_EQ(read_file(file), xml);
  EXPECT_FALSE(fs::exists(dir.path() / "str.xml.partial"));
  std::string err;
  EXPECT_EQ(xmllint_validate(file, dir.path(), &err), 0) << err;

  Report sar = report;
  sar.header.report_code = "SAR";
  const fs::path sar_file = dir.path() / "sar.xml";
  write_goaml_file(sar, schema(), sar_file);
  EXPECT_EQ(xmllint_validate(sar_file, dir.path(), &err), 0) << err;
}

TEST(GoamlReport, CashSideMustBeCompletedByCaller) {
  const Ledger ledger = make_ledger();
  const std::vector<TxIndex> cash{2};
  Report report = report_from_ledger(ledger, cash, make_header(), make_context());
  EXPECT_EQ(field_of([&] { (void)render_goaml(report); }),
            "report/transaction[1]/t_from/from_account");
  Person depositor;
  depositor.first_name = "Unknown";
  depositor.last_name = "Depositor";
  report.transactions[0].from.person = depositor;
  report.transactions[0].from.country = "PL";
  const std::string xml = write_goaml(report, schema());
  EXPECT_NE(xml.find("<from_person>"), std::string::npos);
  EXPECT_NE(xml.find("<transaction_location>Warsaw</transaction_location>"), std::string::npos);
  EXPECT_NE(xml.find("<transmode_code>-</transmode_code>"), std::string::npos);  // default
}

TEST(GoamlReport, HostileNamesAreEscapedAndRoundTrip) {
  const std::string hostile = "O'Brien & <Söhne> \"Ltd\" ]]> 北京 مرحبا";
  const Ledger ledger = make_ledger(hostile);
  Report report = report_from_ledger(ledger, kWires, make_header(), make_context());
  report.header.reason = "</reason><injected>1</injected>\ttab\nnewline\r\nCRLF";
  const std::string xml = write_goaml(report, schema());
  EXPECT_EQ(xml.find("<Söhne>"), std::string::npos);
  EXPECT_EQ(xml.find("<injected>"), std::string::npos);
  EXPECT_NE(xml.find("O&#39;Brien &amp; &lt;Söhne&gt; &quot;Ltd&quot; ]]&gt; 北京 مرحبا"),
            std::string::npos);

  TempDir dir;
  const fs::path file = dir.path() / "hostile.xml";
  write_goaml_file(report, schema(), file);
  const ChildResult r = run_child(
      {"xmllint", "--xpath", "string(//t_to/to_account/account_name)", file.string()}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, hostile + "\n");  // the parser gives back exactly the name (+ newline)
  const ChildResult reason =
      run_child({"xmllint", "--xpath", "string(/report/reason)", file.string()}, dir.path());
  EXPECT_EQ(reason.out, report.header.reason + "\n");  // the CR survives as &#13;
  EXPECT_EQ(xmllint_validate(file, dir.path()), 0);
}

TEST(GoamlReport, ControlCharactersAndBadUtf8AreRefused) {
  Report report = report_from_ledger(make_ledger(), kWires, make_header(), make_context());
  report.transactions[1].to.account->account_name = std::string("Eve\x01Null", 8);
  try {
    (void)render_goaml(report);
    ADD_FAILURE() << "control character accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "report/transaction[2]/t_to/to_account/account_name");
    EXPECT_NE(std::string(e.what()).find("U+0001"), std::string::npos) << e.what();
  }
  report.transactions[1].to.account->account_name = "Bad \xff byte";
  EXPECT_EQ(field_of([&] { (void)render_goaml(report); }),
            "report/transaction[2]/t_to/to_account/account_name");
  report.transactions[1].to.account->account_name = "Non-character \xef\xbf\xbf";
  EXPECT_EQ(field_of([&] { (void)render_goaml(report); }),
            "report/transaction[2]/t_to/to_account/account_name");
}

TEST(GoamlReport, MissingRequiredFieldsAreNamed) {
  const Report good = report_from_ledger(make_ledger(), kWires, make_header(), make_context());
  {
    Report r = good;
    r.header.reporting_person.last_name.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/reporting_person/last_name");
  }
  {
    Report r = good;
    r.header.rentity_branch.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/rentity_branch");
  }
  {
    Report r = good;
    r.header.rentity_id = 0;
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/rentity_id");
  }
  {
    Report r = good;
    r.header.location.city.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/location/city");
  }
  {
    Report r = good;
    r.transactions[0].transmode_code.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/transaction[1]/transmode_code");
  }
  {
    Report r = good;
    r.transactions[1].from.account->swift.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }),
              "report/transaction[2]/t_from/from_account/institution_code");
  }
  {
    Report r = good;
    r.transactions[0].from.account->signatories[0].first_name.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }),
              "report/transaction[1]/t_from/from_account/signatory[1]/t_person/first_name");
  }
  {
    Report r = good;
    r.header.indicators.clear();
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/report_indicators");
  }
  {
    Report r = good;
    r.header.submission_date = kNoTime;
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/submission_date");
  }
  {
    Report r = good;
    r.transactions[0].date = -6847804801;  // one second before 1753
    EXPECT_EQ(field_of([&] { (void)render_goaml(r); }), "report/transaction[1]/date_transaction");
  }
}

TEST(GoamlReport, ZeroTransactionsAreRefusedAsTheSchemaDemands) {
  Report report = report_from_ledger(make_ledger(), kWires, make_header(), make_context());
  Report empty = report;
  empty.transactions.clear();
  EXPECT_EQ(field_of([&] { (void)render_goaml(empty); }), "report/transaction");
  // The schema itself: a valid report with its transactions cut out no longer validates.
  report.transactions.resize(1);
  std::string xml = write_goaml(report, schema());
  const auto begin = xml.find("  <transaction>");
  const auto end = xml.find("</transaction>\n");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  xml.erase(begin, end + 15 - begin);
  ASSERT_EQ(xml.find("<transaction>"), std::string::npos);
  const std::vector<SchemaError> errors = schema().validate(xml);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().message.find("report_indicators"), std::string::npos)
      << errors.front().text();
}

TEST(GoamlReport, SchemaFailuresFailClosed) {
  const Report good = report_from_ledger(make_ledger(), kWires, make_header(), make_context());
  TempDir dir;
  {
    Report r = good;
    r.header.reporting_person.phones[0].country_prefix = "+00049";  // over 4 characters
    const std::string message = schema_message_of(r);
    EXPECT_NE(message.find("tph_country_prefix"), std::string::npos) << message;
    EXPECT_NE(message.find("line "), std::string::npos) << message;
    EXPECT_THROW(write_goaml_file(r, schema(), dir.path() / "r.xml"), Error);
    EXPECT_FALSE(fs::exists(dir.path() / "r.xml"));
    EXPECT_FALSE(fs::exists(dir.path() / "r.xml.partial"));
  }
  {
    Report r = good;
    r.header.report_code = "XYZ";
    EXPECT_NE(schema_message_of(r).find("report_code"), std::string::npos);
  }
  {
    Report r = good;
    r.header.indicators = {"HT01"};  // not a lookup code of this (public, placeholder) schema
    EXPECT_NE(schema_message_of(r).find("indicator"), std::string::npos);
  }
  {
    Report r = good;
    r.header.currency_code_local = "EURO";
    EXPECT_NE(schema_message_of(r).find("currency_code_local"), std::string::npos);
  }
}

TEST(GoamlReport, LedgerSelectionErrors) {
  const Ledger ledger = make_ledger();
  const std::vector<TxIndex> bad{0, 7};
  EXPECT_EQ(field_of([&] { (void)report_from_ledger(ledger, bad, make_header()); }), "selected[1]");
  ReportHeader usd = make_header();
  usd.currency_code_local = "USD";
  EXPECT_EQ(field_of([&] { (void)report_from_ledger(ledger, kWires, usd); }), "selected[0]");
}

TEST(GoamlReport, LargeReportValidatesAndSchemaIsSharedAcrossThreads) {
  LedgerBuilder b;
  constexpr int kCount = 2000;
  for (int i = 0; i < kCount; ++i) {
    b.add_transaction({numbered("W", i), kT1 + i, numbered("ACC-", i % 37),
                       numbered("ACC-", 100 + i % 11), 1000 + i, "EUR", Channel::wire, 0, "", ""});
  }
  const Ledger ledger = b.build();
  std::vector<TxIndex> all(kCount);
  for (int i = 0; i < kCount; ++i) all[static_cast<std::size_t>(i)] = static_cast<TxIndex>(i);
  const auto start = std::chrono::steady_clock::now();
  const std::string xml =
      write_goaml(report_from_ledger(ledger, all, make_header(), make_context()), schema());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::cout << "render+validate " << kCount << " transactions, " << xml.size() << " bytes: " << ms
            << " ms\n";
  EXPECT_NE(xml.find("<transactionnumber>W1999</transactionnumber>"), std::string::npos);

  // One loaded schema, several validating threads, each with its own verdicts.
  std::string broken = xml;
  broken.replace(broken.find("<currency_code_local>EUR"), 24, "<currency_code_local>EURO");
  std::vector<std::size_t> counts(4, 99);
  std::vector<std::thread> threads;
  threads.reserve(counts.size());
  for (std::size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] { counts[t] = schema().validate(t % 2 ? broken : xml).size(); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counts[0], 0U);
  EXPECT_EQ(counts[1], 1U);
  EXPECT_EQ(counts[2], 0U);
  EXPECT_EQ(counts[3], 1U);
}

TEST(GoamlReport, SubjectReportFromHitsValidates) {
  const Ledger ledger = make_ledger();
  const AccountId acc2 = *ledger.find_account("ACC-2");
  std::vector<Hit> hits(2);
  hits[0] = {Pattern::structuring, {acc2}, {2}, kT1, kT1, 990000, "ACC-2 took cash just below"};
  hits[1] = {Pattern::fan_out, {0, 1, 2}, {0, 1}, kT1, kT1, 0, "ACC-1 pays many"};
  const ReportSettings& settings = example_report_settings();
  EXPECT_EQ(settings.header.rentity_id, 1);
  EXPECT_EQ(settings.context.default_institution.swift, "EXAMDEFF");
  const Report r = subject_report(ledger, acc2, hits, 55, settings, kT1 + 86400);
  ASSERT_EQ(r.transactions.size(), 3u);            // both hits name ACC-2
  EXPECT_EQ(r.header.currency_code_local, "EUR");  // from the transactions
  EXPECT_NE(r.header.reason.find("Subject account ACC-2 (holder Bogdan Nowak), risk score 55"),
            std::string::npos);
  EXPECT_NE(r.header.reason.find("[structuring] ACC-2 took cash just below"), std::string::npos);
  ASSERT_TRUE(r.transactions[2].from.person.has_value());  // the cash deposit
  EXPECT_EQ(r.transactions[2].from.person->last_name, "cash depositor");
  const std::string xml = write_goaml(r, schema());
  EXPECT_NE(xml.find("<rentity_id>1</rentity_id>"), std::string::npos);

  // Many hits: the narrative stays within the schema's 8,000 characters.
  std::vector<Hit> many(400, hits[0]);
  const Report big = subject_report(ledger, acc2, many, 1, settings, kT1 + 86400);
  EXPECT_LE(big.header.reason.size(), 8000u);
  EXPECT_NE(big.header.reason.find("further hits are not listed"), std::string::npos);
  (void)write_goaml(big, schema());

  EXPECT_EQ(field_of([&] {
              (void)subject_report(ledger, 0, {hits.data(), 1}, 1, settings, kT1);
            }),
            "subject");  // no hit names ACC-1
  EXPECT_EQ(field_of([] { (void)report_settings_from_json(R"({"rentity_id": 0})"); }),
            "/rentity_id");
  EXPECT_EQ(
      field_of([] {
        (void)report_settings_from_json(R"({"rentity_id": 3, "transmode_codes": {"fax": "A"}})");
      }),
      "/transmode_codes/fax");
}

TEST(GoamlSchemaCheck, ShippedInvalidSampleIsRejectedLikeXmllint) {
  const fs::path sample = goaml_dir() / "sample-report-invalid.xml";
  const std::string xml = read_file(sample);
  ASSERT_FALSE(xml.empty()) << "missing " << sample.string();
  const std::vector<SchemaError> errors = validate_goaml(xml, xsd_path());
  ASSERT_FALSE(errors.empty());

  std::size_t before_1753 = 0, prefix = 0;
  for (const SchemaError& e : errors) {
    EXPECT_GT(e.line, 0) << e.message;
    if (e.message.find("1753-01-01T00:00:00") != std::string::npos) ++before_1753;
    if (e.message.find("tph_country_prefix") != std::string::npos &&
        e.message.find("maxLength") != std::string::npos) {
      ++prefix;
    }
  }
  EXPECT_GT(before_1753, 0U);
  EXPECT_GT(prefix, 0U);
  // report_date on line 8 of the sample is the first error.
  EXPECT_EQ(errors.front().line, 8);
  EXPECT_NE(errors.front().message.find("report_date"), std::string::npos);

  // The same verdict, error for error, as the xmllint command.
  TempDir dir;
  std::string err;
  EXPECT_NE(xmllint_validate(sample, dir.path(), &err), 0);
  std::size_t xmllint_errors = 0;
  for (std::size_t at = err.find("Schemas validity error"); at != std::string::npos;
       at = err.find("Schemas validity error", at + 1)) {
    ++xmllint_errors;
  }
  EXPECT_EQ(errors.size(), xmllint_errors);
}

TEST(GoamlSchemaCheck, MalformedXmlAndMissingSchema) {
  const std::vector<SchemaError> errors = schema().validate("<report><rentity_id>1</report>");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().line, 1);
  try {
    (void)GoamlSchema::load("/nonexistent/goAMLSchema.xsd");
    ADD_FAILURE() << "missing schema loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
    EXPECT_EQ(e.code(), "goaml_xsd");
  }
}

}  // namespace
}  // namespace ctis::finance::goaml
