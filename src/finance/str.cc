// The STR of one subject: settings from the reporting entity's file, transactions and narrative
// from the hits of a scan.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/core.h"
#include "core/refdata.h"
#include "finance/goaml.h"

namespace ctis::finance::goaml {

namespace {

using nlohmann::json;

std::string text(const json& j, const std::string& at, const char* key, std::string fallback = {}) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string())
    fail_invalid(at + "/" + key, "reporting entity: " + at + "/" + key + " must be a string");
  return j[key].get<std::string>();
}

const json& object(const json& j, const std::string& at, const char* key) {
  static const json empty = json::object();
  if (!j.contains(key)) return empty;
  if (!j[key].is_object())
    fail_invalid(at + "/" + key, "reporting entity: " + at + "/" + key + " must be an object");
  return j[key];
}

ReportSettings parse(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    fail_invalid("", std::string("reporting entity: not JSON: ") + e.what());
  }
  if (!j.is_object()) fail_invalid("", "reporting entity: not a JSON object");
  ReportSettings s;
  ReportHeader& h = s.header;
  if (!j.contains("rentity_id") || !j["rentity_id"].is_number_integer() ||
      j["rentity_id"].get<long long>() < 1 || j["rentity_id"].get<long long>() > 2147483647) {
    fail_invalid("/rentity_id", "reporting entity: /rentity_id must be a positive integer");
  }
  h.rentity_id = j["rentity_id"].get<int>();
  h.rentity_branch = text(j, "", "rentity_branch");
  h.report_code = text(j, "", "report_code", "STR");
  h.currency_code_local = text(j, "", "currency");
  if (j.contains("minor_digits")) {
    if (!j["minor_digits"].is_number_integer() || j["minor_digits"].get<int>() < 0 ||
        j["minor_digits"].get<int>() > 4) {
      fail_invalid("/minor_digits", "reporting entity: /minor_digits must be 0..4");
    }
    h.minor_digits = j["minor_digits"].get<int>();
  }
  h.action = text(j, "", "action");
  if (j.contains("indicators")) {
    if (!j["indicators"].is_array())
      fail_invalid("/indicators", "reporting entity: /indicators must be an array");
    for (const auto& v : j["indicators"]) {
      if (!v.is_string())
        fail_invalid("/indicators", "reporting entity: /indicators must hold strings");
      h.indicators.push_back(v.get<std::string>());
    }
  }
  const json& person = object(j, "", "reporting_person");
  h.reporting_person.first_name = text(person, "/reporting_person", "first_name");
  h.reporting_person.last_name = text(person, "/reporting_person", "last_name");
  h.reporting_person.email = text(person, "/reporting_person", "email");
  h.reporting_person.occupation = text(person, "/reporting_person", "occupation");
  if (person.contains("phone")) {
    const json& ph = object(person, "/reporting_person", "phone");
    const std::string at = "/reporting_person/phone";
    h.reporting_person.phones.push_back({text(ph, at, "contact_type"),
                                         text(ph, at, "communication_type"),
                                         text(ph, at, "country_prefix"), text(ph, at, "number")});
  }
  const json& address = object(j, "", "address");
  h.location.address_type = text(address, "/address", "address_type");
  h.location.address = text(address, "/address", "address");
  h.location.city = text(address, "/address", "city");
  h.location.zip = text(address, "/address", "zip");
  h.location.country_code = text(address, "/address", "country_code");
  const json& inst = object(j, "", "institution");
  s.context.default_institution.institution_name = text(inst, "/institution", "name");
  s.context.default_institution.swift = text(inst, "/institution", "swift");
  s.context.default_institution.institution_code = text(inst, "/institution", "code");
  s.context.default_institution.branch = text(inst, "/institution", "branch");
  s.context.default_country = text(j, "", "country");
  s.context.funds_code = text(j, "", "funds_code", "-");
  s.context.default_transmode = text(j, "", "default_transmode", "-");
  for (const auto& [name, code] : object(j, "", "transmode_codes").items()) {
    const auto channel = parse_channel(name);
    if (!channel || !code.is_string()) {
      fail_invalid("/transmode_codes/" + name, "reporting entity: /transmode_codes/" + name +
                                                   " must be a channel with a string code");
    }
    s.context.transmode_codes[*channel] = code.get<std::string>();
  }
  if (j.contains("max_transactions")) {
    if (!j["max_transactions"].is_number_integer() || j["max_transactions"].get<long long>() < 1) {
      fail_invalid("/max_transactions", "reporting entity: /max_transactions must be at least 1");
    }
    s.max_transactions = j["max_transactions"].get<std::size_t>();
  }
  return s;
}

}  // namespace

ReportSettings report_settings_from_json(std::string_view json_text) {
  try {
    return parse(json_text);
  } catch (const json::exception& e) {
    fail_invalid("", std::string("reporting entity: ") + e.what());
  }
}

const ReportSettings& example_report_settings() {
  static const ReportSettings s = [] {
    const auto it = reference_files().find("finance/reporting-entity.json");
    if (it == reference_files().end()) {
      throw Error(ErrorKind::internal, "internal",
                  "finance/reporting-entity.json is not compiled in");
    }
    return report_settings_from_json(it->second);
  }();
  return s;
}

Report subject_report(const Ledger& ledger, AccountId subject, std::span<const Hit> hits,
                      long long score, const ReportSettings& settings, Seconds now) {
  if (subject >= ledger.account_count()) fail_invalid("subject", "report: no such account");
  const std::string name(ledger.account_name(subject));
  std::vector<const Hit*> own;
  std::vector<TxIndex> txs;
  for (const Hit& h : hits) {
    if (std::find(h.accounts.begin(), h.accounts.end(), subject) == h.accounts.end()) continue;
    own.push_back(&h);
    txs.insert(txs.end(), h.transactions.begin(), h.transactions.end());
  }
  if (own.empty()) fail_invalid("subject", "report: no hit names account " + name);
  std::sort(txs.begin(), txs.end());
  txs.erase(std::unique(txs.begin(), txs.end()), txs.end());

  ReportHeader header = settings.header;
  if (header.currency_code_local.empty()) {
    for (TxIndex t : txs) {
      if (!ledger.currency(t).empty()) {
        header.currency_code_local = std::string(ledger.currency(t));
        break;
      }
    }
  }
  std::size_t other_currency = 0, left_out = 0;
  std::vector<TxIndex> selected;
  for (TxIndex t : txs) {
    if (!ledger.currency(t).empty() && ledger.currency(t) != header.currency_code_local) {
      ++other_currency;
    } else if (selected.size() >= settings.max_transactions) {
      ++left_out;
    } else {
      selected.push_back(t);
    }
  }
  if (selected.empty())
    fail_invalid("subject",
                 "report: no transaction of " + name + " in " + header.currency_code_local);

  const std::string holder(ledger.party_name(ledger.account_party(subject)));
  std::string reason = "Subject account " + name +
                       (holder.empty() ? "" : " (holder " + holder + ")") + ", risk score " +
                       std::to_string(score) + ", named in " + std::to_string(own.size()) +
                       " red-flag and pattern hits:";
  // The schema allows 8,000 characters; keep room for the closing notes.
  constexpr std::size_t kNarrativeBudget = 7000;
  std::set<std::string> patterns;
  std::size_t unlisted = 0;
  for (const Hit* h : own) {
    patterns.insert(std::string(to_string(h->pattern)));
    std::string line = "\n- [" + std::string(to_string(h->pattern)) + "] " + h->explanation;
    if (reason.size() + line.size() > kNarrativeBudget) {
      ++unlisted;
      continue;
    }
    reason += line;
  }
  if (unlisted > 0) reason += "\n" + std::to_string(unlisted) + " further hits are not listed.";
  if (other_currency > 0) {
    reason +=
        "\n" + std::to_string(other_currency) + " transactions in other currencies are not listed.";
  }
  if (left_out > 0) {
    reason += "\n" + std::to_string(left_out) + " further transactions are not listed (limit " +
              std::to_string(settings.max_transactions) + ").";
  }
  header.reason = std::move(reason);
  header.submission_date = now;
  if (header.entity_reference.empty()) header.entity_reference = "CTIS-" + name;
  if (header.action.empty()) {
    std::string list;
    for (const auto& p : patterns) list += (list.empty() ? "" : ", ") + p;
    header.action = "Reported for " + list + ".";
  }
  Report report = report_from_ledger(ledger, selected, header, settings.context);
  for (std::size_t i = 0; i < report.transactions.size(); ++i) {
    for (Side* side : {&report.transactions[i].from, &report.transactions[i].to}) {
      if (side->account) continue;
      Person unknown;
      unknown.first_name = "Unidentified";
      unknown.last_name =
          side == &report.transactions[i].from ? "cash depositor" : "cash recipient";
      side->person = unknown;
      side->country = settings.context.default_country;
      side->funds_comment = "Cash over the counter; the person is not identified in the ledger";
    }
  }
  return report;
}

}  // namespace ctis::finance::goaml
