// goaml: suspicious transaction and activity reports (STR/SAR) for the financial intelligence
// unit in UNODC goAML XML, schema version 5.0.1.
//
// A Report is plain data a caller fills, or report_from_ledger() fills from selected
// transactions of a finance::Ledger (the caller then completes what a ledger does not know:
// institutions, signatories, the person behind a cash deposit). render_goaml() writes the XML
// in the order the schema's sequences require, every text escaped; write_goaml() renders AND
// validates against the FIU's XSD and throws instead of returning a report that does not
// validate (fail closed), so nothing unvalidated is ever handed on as final.
//
// The XSD is the FIU's and is not shipped in the repository: each FIU sets its own lookup codes
// (funds, transmode, report indicators), so the caller passes the path of its copy. The public
// 5.0.1 schema holds the placeholder "-" for these codes. Dates are written as
// "YYYY-MM-DDThh:mm:ss" in UTC, without zone; amounts from minor units with minor_digits
// decimals. Only the t_from / t_to form of a transaction side is written (not *_my_client).
//
// Threads: all functions are reentrant; a loaded GoamlSchema is immutable and may be shared,
// each validate() call uses its own libxml2 validation context.
// Errors: ctis::Error(invalid) with field() set to the path of the element at fault
// ("report/transaction[2]/t_from/from_account/account") for a missing required field, a text
// with control characters or invalid UTF-8, a date before 1753 or a report without
// transactions; Error(invalid, "goaml_schema") whose message lists every schema error with its
// line when the rendered XML does not validate; Error(unavailable, "goaml_xsd") when the XSD
// cannot be read or parsed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finance/finance.h"

namespace ctis::finance::goaml {

// FIU lookup codes are strings (e.g. contact type "1", communication type "M"); empty = absent.
struct Phone {
  std::string contact_type;        // tph_contact_type, required
  std::string communication_type;  // tph_communication_type, required
  std::string country_prefix;      // tph_country_prefix, required (the schema allows 1..4 chars)
  std::string number;              // tph_number, required
};

struct Address {
  std::string address_type;  // contact_type lookup code, required
  std::string address;       // street and number, required
  std::string town;
  std::string city;  // required
  std::string zip;
  std::string country_code;  // ISO 3166-1 alpha-2, required
  std::string state;
};

struct Person {
  std::string gender;  // gender_type lookup code
  std::string title;
  std::string first_name;  // required
  std::string middle_name;
  std::string last_name;  // required
  std::optional<Seconds> birthdate;
  std::string id_number;
  std::string nationality;  // nationality1, alpha-2
  std::string residence;    // alpha-2
  std::vector<Phone> phones;
  std::string email;
  std::string occupation;
};

struct Account {
  std::string institution_name;  // required
  std::string institution_code;  // one of institution_code and swift is required
  std::string swift;
  std::string branch;
  std::string account;  // the account number, required
  std::string currency_code;
  std::string account_name;  // the holder's name as the bank knows it
  std::string iban;
  std::string client_number;
  std::vector<Person> signatories;  // the first is written as the primary one
  std::optional<Seconds> opened;
};

// One side of a transaction: exactly one of account and person.
struct Side {
  std::string funds_code;  // from_funds_code / to_funds_code lookup, required
  std::string funds_comment;
  std::optional<Account> account;
  std::optional<Person> person;
  std::string country;  // from_country / to_country, alpha-2, required
};

struct ReportTransaction {
  std::string number;  // transactionnumber, required, up to 100 characters
  std::string internal_ref_number;
  std::string location;     // transaction_location, may be empty
  std::string description;  // transaction_description, may be empty
  Seconds date = kNoTime;   // date_transaction, required
  std::optional<Seconds> value_date;
  std::string transmode_code;  // required lookup
  std::string transmode_comment;
  Minor amount_local = 0;  // in the report's local currency, minor units
  Side from, to;
  std::string comments;
};

struct ReportHeader {
  int rentity_id = 0;  // the reporting entity's id at the FIU, >= 1
  std::string rentity_branch;
  std::string submission_code = "E";  // E electronic, M manual
  std::string report_code = "STR";    // STR, SAR, ... as the schema enumerates
  std::string entity_reference;       // the reporting entity's own reference
  Seconds submission_date = kNoTime;
  std::string currency_code_local;  // ISO 4217, required
  int minor_digits = 2;             // decimals of the local currency's minor unit
  Person reporting_person;
  Address location;                     // the reporting entity's address
  std::string reason;                   // why the activity is suspicious (narrative)
  std::string action;                   // what the reporting entity has done about it
  std::vector<std::string> indicators;  // FIU report indicator codes, at least one
};

struct Report {
  ReportHeader header;
  std::vector<ReportTransaction> transactions;  // at least one: the schema's transaction+
};

// Writes the XML without schema validation (a draft, for display). Throws Error(invalid) with
// the field path for missing required fields, bad text or dates, no transactions.
std::string render_goaml(const Report& report);

struct SchemaError {
  int line = 0;  // 1-based line of the report XML, 0 when unknown
  std::string message;
  std::string text() const;  // "line 12: Element 'tph_country_prefix': ..."
};

class GoamlSchema {
 public:
  // Parses the XSD once; Error(unavailable, "goaml_xsd") names the file and the first error.
  static GoamlSchema load(const std::filesystem::path& xsd);
  // Every schema (and well-formedness) error of the document; empty when it validates.
  std::vector<SchemaError> validate(std::string_view xml) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

std::vector<SchemaError> validate_goaml(std::string_view xml, const std::filesystem::path& xsd);

// Renders and validates; throws Error(invalid, "goaml_schema") listing every schema error.
std::string write_goaml(const Report& report, const GoamlSchema& schema);
// Same, then writes the file atomically (temporary file, then rename): a report that does not
// validate leaves no file behind. Error(unavailable, "goaml_write") when it cannot be written.
void write_goaml_file(const Report& report, const GoamlSchema& schema,
                      const std::filesystem::path& out);

// What a ledger does not know, supplied by the caller.
struct LedgerContext {
  Account default_institution;  // institution_* and branch fields copied onto every account
  std::map<std::string, Account, std::less<>> institutions;  // by account id: overrides default
  std::map<std::string, std::vector<Person>, std::less<>> signatories;  // by account id
  std::string default_country;  // when the ledger has no country for an account
  std::string funds_code = "-";
  std::map<Channel, std::string> transmode_codes;  // FIU transmode code per channel
  std::string default_transmode = "-";
};

// One ReportTransaction per selected index, in the given order: account number = the ledger's
// account id, account_name = its holder (party), currency and country from the ledger. A cash
// side (no account) is left with neither account nor person, for the caller to fill (the
// depositor is the conductor, whom only the branch knows); render_goaml() refuses it until
// then. Error(invalid) for an index out of range, a transaction without time, or a currency
// other than the header's local currency (no exchange rate is known).
Report report_from_ledger(const Ledger& ledger, std::span<const TxIndex> selected,
                          const ReportHeader& header, const LedgerContext& context = {});

// Who reports, and the FIU codes to use: everything an STR needs that the ledger does not hold.
// Read from a JSON file (data/finance/reporting-entity.json shows every key, with an invented
// example entity the demo uses):
//   {"rentity_id": 1, "rentity_branch": "...", "report_code": "STR", "currency": "EUR",
//    "minor_digits": 2, "country": "DE", "indicators": ["-"], "action": "...",
//    "reporting_person": {"first_name", "last_name", "email", "occupation",
//                         "phone": {"contact_type", "communication_type", "country_prefix",
//                                   "number"}},
//    "address": {"address_type", "address", "city", "zip", "country_code"},
//    "institution": {"name", "swift" or "code", "branch"},
//    "funds_code": "-", "transmode_codes": {"wire": "-"}, "default_transmode": "-",
//    "max_transactions": 500}
// An empty currency takes the subject's first transaction's.
struct ReportSettings {
  ReportHeader header;
  LedgerContext context;
  std::size_t max_transactions = 500;
};
ReportSettings report_settings_from_json(std::string_view json);  // Error(invalid): JSON pointer
const ReportSettings& example_report_settings();                  // the compiled-in example entity

// An STR about one subject account built from the hits that name it: their transactions (the
// earliest max_transactions in the report's currency), the pattern names and explanations in
// the narrative, the score. A cash side is filled with an unidentified depositor (the branch
// knows who it was, the ledger does not) and says so. Error(invalid) when no hit names the
// subject.
Report subject_report(const Ledger& ledger, AccountId subject, std::span<const Hit> hits,
                      long long score, const ReportSettings& settings, Seconds now);

// "YYYY-MM-DDThh:mm:ss" (UTC, no zone), the schema's sql_date form.
std::string format_sql_date(Seconds t);
// Minor units as a decimal with `digits` fraction digits: -12345, 2 -> "-123.45".
std::string format_amount(Minor amount, int digits);

}  // namespace ctis::finance::goaml
