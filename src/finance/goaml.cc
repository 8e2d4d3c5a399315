// goAML 5.0.1 report writer: element order follows the sequences of goAMLSchema.xsd (report,
// transaction, t_from/t_to, t_account, t_person, t_address, t_phone).
#include "finance/goaml.h"

#include <chrono>
#include <cstdio>
#include <string>
#include <utility>

#include "core/core.h"
#include "core/markup.h"

namespace ctis::finance::goaml {
namespace {

// The schema's sql_date lower bound (SQL Server datetime) and xs:dateTime's four-digit years.
constexpr int kMinYear = 1753;
constexpr int kMaxYear = 9999;

Seconds min_date() { return days_from_civil(kMinYear, 1, 1) * kSecondsPerDay; }
Seconds max_date() { return days_from_civil(kMaxYear + 1, 1, 1) * kSecondsPerDay - 1; }

// Refuses what XML 1.0 cannot carry: invalid UTF-8, C0 controls other than tab, newline and
// carriage return, and the non-characters U+FFFE / U+FFFF.
void check_text(const std::string& field, std::string_view text) {
  if (!valid_utf8(text)) fail_invalid(field, field + ": not valid UTF-8");
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      char code[8];
      std::snprintf(code, sizeof code, "%02X", c);
      fail_invalid(field, field + ": control character U+00" + code + " at byte " +
                              std::to_string(i) + " cannot be written in XML");
    }
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
      fail_invalid(field, field + ": non-character U+FFFE/U+FFFF cannot be written in XML");
    }
  }
}

// Writes indented elements and keeps the path of open elements for error messages.
class XmlWriter {
 public:
  XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

  void open(std::string_view name, std::string_view path_name = {}) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += ">\n";
    names_.emplace_back(name);
    path_.emplace_back(path_name.empty() ? name : path_name);
  }
  void close() {
    const std::string name = std::move(names_.back());
    names_.pop_back();
    path_.pop_back();
    indent();
    out_ += "</" + name + ">\n";
  }
  // A required element: an empty value is refused with the field named.
  void required(std::string_view name, std::string_view value) {
    if (value.empty()) fail_invalid(field(name), field(name) + ": required field is missing");
    leaf(name, value);
  }
  // An optional element: omitted when empty.
  void optional(std::string_view name, std::string_view value) {
    if (!value.empty()) leaf(name, value);
  }
  // An element that must be present but may be empty (transaction_location, description).
  void always(std::string_view name, std::string_view value) { leaf(name, value); }
  void date(std::string_view name, Seconds t) {
    if (t == kNoTime) fail_invalid(field(name), field(name) + ": required date is missing");
    leaf(name, checked_date(name, t));
  }
  void optional_date(std::string_view name, const std::optional<Seconds>& t) {
    if (t) date(name, *t);
  }
  std::string field(std::string_view name) const {
    std::string f;
    for (const auto& p : path_) f += p + "/";
    return f + std::string(name);
  }
  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(2 * names_.size(), ' '); }
  void leaf(std::string_view name, std::string_view value) {
    check_text(field(name), value);
    indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    append_markup_escaped(out_, value);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  std::string checked_date(std::string_view name, Seconds t) const {
    if (t < min_date() || t > max_date()) {
      fail_invalid(field(name), field(name) + ": date " + std::to_string(t) +
                                    " (Unix seconds) is outside " + std::to_string(kMinYear) +
                                    "-01-01 .. " + std::to_string(kMaxYear) + "-12-31");
    }
    return format_sql_date(t);
  }

  std::string out_;
  std::vector<std::string> names_;
  std::vector<std::string> path_;
};

void write_phone(XmlWriter& w, const Phone& p) {
  w.open("phone");
  w.required("tph_contact_type", p.contact_type);
  w.required("tph_communication_type", p.communication_type);
  w.required("tph_country_prefix", p.country_prefix);
  w.required("tph_number", p.number);
  w.close();
}

// The common prefix of t_person and t_person_registration_in_report.
void write_person_fields(XmlWriter& w, const Person& p) {
  w.optional("gender", p.gender);
  w.optional("title", p.title);
  w.required("first_name", p.first_name);
  w.optional("middle_name", p.middle_name);
  w.required("last_name", p.last_name);
  w.optional_date("birthdate", p.birthdate);
  w.optional("id_number", p.id_number);
  w.optional("nationality1", p.nationality);
  w.optional("residence", p.residence);
  if (!p.phones.empty()) {
    w.open("phones");
    for (const Phone& ph : p.phones) write_phone(w, ph);
    w.close();
  }
  w.optional("email", p.email);
  w.optional("occupation", p.occupation);
}

void write_address(XmlWriter& w, const Address& a) {
  w.required("address_type", a.address_type);
  w.required("address", a.address);
  w.optional("town", a.town);
  w.required("city", a.city);
  w.optional("zip", a.zip);
  w.required("country_code", a.country_code);
  w.optional("state", a.state);
}

void write_account(XmlWriter& w, const Account& a) {
  w.required("institution_name", a.institution_name);
  if (!a.institution_code.empty()) {
    w.always("institution_code", a.institution_code);
  } else if (!a.swift.empty()) {
    w.always("swift", a.swift);
  } else {
    fail_invalid(w.field("institution_code"),
                 w.field("institution_code") + ": required field is missing (or swift)");
  }
  w.optional("branch", a.branch);
  w.required("account", a.account);
  w.optional("currency_code", a.currency_code);
  w.optional("account_name", a.account_name);
  w.optional("iban", a.iban);
  w.optional("client_number", a.client_number);
  for (std::size_t i = 0; i < a.signatories.size(); ++i) {
    w.open("signatory", "signatory[" + std::to_string(i + 1) + "]");
    if (i == 0) w.always("is_primary", "1");
    w.open("t_person");
    write_person_fields(w, a.signatories[i]);
    w.close();
    w.close();
  }
  w.optional_date("opened", a.opened);
}

void write_side(XmlWriter& w, const Side& s, std::string_view prefix) {
  const std::string p(prefix);
  w.open("t_" + p);
  w.required(p + "_funds_code", s.funds_code);
  w.optional(p + "_funds_comment", s.funds_comment);
  if (s.account.has_value() == s.person.has_value()) {
    const std::string f = w.field(p + "_account");
    fail_invalid(f, f + ": exactly one of " + p + "_account and " + p + "_person is required");
  }
  if (s.account) {
    w.open(p + "_account");
    write_account(w, *s.account);
    w.close();
  } else {
    w.open(p + "_person");
    write_person_fields(w, *s.person);
    w.close();
  }
  w.required(p + "_country", s.country);
  w.close();
}

void write_transaction(XmlWriter& w, const ReportTransaction& t, int digits) {
  w.required("transactionnumber", t.number);
  w.optional("internal_ref_number", t.internal_ref_number);
  w.always("transaction_location", t.location);
  w.always("transaction_description", t.description);
  w.date("date_transaction", t.date);
  w.optional_date("value_date", t.value_date);
  w.required("transmode_code", t.transmode_code);
  w.optional("transmode_comment", t.transmode_comment);
  w.always("amount_local", format_amount(t.amount_local, digits));
  write_side(w, t.from, "from");
  write_side(w, t.to, "to");
  w.optional("comments", t.comments);
}

}  // namespace

std::string format_sql_date(Seconds t) {
  using namespace std::chrono;
  if (t < min_date() || t > max_date()) {
    fail_invalid("date", "date " + std::to_string(t) + " (Unix seconds) is outside " +
                             std::to_string(kMinYear) + "-01-01 .. " + std::to_string(kMaxYear) +
                             "-12-31");
  }
  const Seconds day_count =
      t >= 0 ? t / kSecondsPerDay : -((-t + kSecondsPerDay - 1) / kSecondsPerDay);
  const Seconds rest = t - day_count * kSecondsPerDay;
  const year_month_day ymd{sys_days{days{day_count}}};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60));
  return buf;
}

std::string format_amount(Minor amount, int digits) {
  if (digits < 0 || digits > 13) fail_invalid("minor_digits", "minor_digits must be 0..13");
  // Work on the magnitude as unsigned so the most negative value does not overflow.
  const bool negative = amount < 0;
  const auto magnitude =
      negative ? static_cast<std::uint64_t>(-(amount + 1)) + 1 : static_cast<std::uint64_t>(amount);
  std::string text = std::to_string(magnitude);
  const auto width = static_cast<std::size_t>(digits);
  if (width > 0) {
    if (text.size() <= width) text.insert(0, width + 1 - text.size(), '0');
    text.insert(text.size() - width, 1, '.');
  }
  return negative ? "-" + text : text;
}

std::string render_goaml(const Report& report) {
  const ReportHeader& h = report.header;
  XmlWriter w;
  w.open("report");
  if (h.rentity_id < 1) fail_invalid("report/rentity_id", "report/rentity_id: must be >= 1");
  w.always("rentity_id", std::to_string(h.rentity_id));
  w.required("rentity_branch", h.rentity_branch);
  w.required("submission_code", h.submission_code);
  w.required("report_code", h.report_code);
  w.optional("entity_reference", h.entity_reference);
  w.date("submission_date", h.submission_date);
  w.required("currency_code_local", h.currency_code_local);
  w.open("reporting_person");
  write_person_fields(w, h.reporting_person);
  w.close();
  w.open("location");
  write_address(w, h.location);
  w.close();
  w.optional("reason", h.reason);
  w.optional("action", h.action);
  if (report.transactions.empty()) {
    // The schema's choice is transaction+ (then an optional activity) or an activity alone;
    // an activity report is not what this writer produces.
    fail_invalid("report/transaction", "report/transaction: at least one transaction is required");
  }
  for (std::size_t i = 0; i < report.transactions.size(); ++i) {
    w.open("transaction", "transaction[" + std::to_string(i + 1) + "]");
    write_transaction(w, report.transactions[i], h.minor_digits);
    w.close();
  }
  if (h.indicators.empty()) {
    fail_invalid("report/report_indicators",
                 "report/report_indicators: at least one indicator is required");
  }
  w.open("report_indicators");
  for (const std::string& code : h.indicators) w.required("indicator", code);
  w.close();
  w.close();
  return w.take();
}

Report report_from_ledger(const Ledger& ledger, std::span<const TxIndex> selected,
                          const ReportHeader& header, const LedgerContext& context) {
  Report report;
  report.header = header;
  report.transactions.reserve(selected.size());
  const auto side_for = [&](AccountId a, TxIndex t) {
    Side s;
    s.funds_code = context.funds_code;
    if (a == kNoAccount) return s;  // cash: the caller names the person
    const std::string_view id = ledger.account_name(a);
    const auto inst = context.institutions.find(id);
    Account acc = inst != context.institutions.end() ? inst->second : context.default_institution;
    acc.account = std::string(id);
    acc.account_name = std::string(ledger.party_name(ledger.account_party(a)));
    acc.currency_code = std::string(ledger.currency(t));
    if (const auto sig = context.signatories.find(id); sig != context.signatories.end()) {
      acc.signatories = sig->second;
    }
    s.account = std::move(acc);
    const std::string_view country = ledger.account_country(a);
    s.country = country.empty() ? context.default_country : std::string(country);
    return s;
  };
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const TxIndex t = selected[i];
    const std::string field = "selected[" + std::to_string(i) + "]";
    if (t >= ledger.transaction_count()) {
      fail_invalid(field, field + ": transaction index " + std::to_string(t) + " out of range");
    }
    const Seconds time = ledger.times()[t];
    const std::string id(ledger.transaction_id(t));
    if (time == kNoTime) fail_invalid(field, field + ": transaction " + id + " has no time");
    const std::string_view currency = ledger.currency(t);
    if (!currency.empty() && currency != header.currency_code_local) {
      fail_invalid(field, field + ": transaction " + id + " is in " + std::string(currency) +
                              ", not the local currency " + header.currency_code_local);
    }
    ReportTransaction rt;
    rt.number = id;
    rt.location = std::string(ledger.location(t));
    rt.date = time;
    const Channel channel = ledger.channels()[t];
    const auto mode = context.transmode_codes.find(channel);
    rt.transmode_code =
        mode != context.transmode_codes.end() ? mode->second : context.default_transmode;
    rt.transmode_comment = std::string(to_string(channel));
    rt.amount_local = ledger.amounts()[t];
    rt.from = side_for(ledger.senders()[t], t);
    rt.to = side_for(ledger.receivers()[t], t);
    report.transactions.push_back(std::move(rt));
  }
  return report;
}

}  // namespace ctis::finance::goaml
