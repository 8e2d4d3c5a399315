// The analysts' reads (items, networks, risk, reports) and their decisions.
#include <chrono>

#include "fiu/internal.h"

namespace ctis::fiu {

namespace fin = ctis::finance;
using nlohmann::json;
using store::Connection;
using store::Value;

namespace {

fin::Seconds now_seconds() {
  return static_cast<fin::Seconds>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
}

bool valid_reason(const std::string& reason) {
  if (!valid_utf8(reason)) return false;
  return std::any_of(reason.begin(), reason.end(),
                     [](char ch) { return ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r'; });
}

}  // namespace

ItemPage Desk::items(const auth::Principal& by, const ItemFilter& f) {
  detail::require_analyst(by);
  if (!f.status.empty() && f.status != "new" && f.status != "escalated" && f.status != "dismissed")
    fail_invalid("status", "status is new, escalated or dismissed");
  if (!f.pattern.empty() && !fin::parse_pattern(f.pattern))
    fail_invalid("typology", "unknown pattern \"" + f.pattern + "\"");
  if (f.limit < 1 || f.limit > 200) fail_invalid("limit", "limit is 1..200");
  if (f.offset < 0) fail_invalid("offset", "offset is 0 or more");
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  if (!f.status.empty()) {
    where += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (!f.pattern.empty()) {
    where += " AND pattern = ?";
    params.emplace_back(f.pattern);
  }
  if (f.scan_id) {
    where += " AND scan_id = ?";
    params.emplace_back(*f.scan_id);
  }
  ItemPage page;
  {
    auto lease = db_.connection();
    page.total = lease->query("SELECT COUNT(*) FROM fiu_hits " + where, params).at(0).integer(0);
    params.emplace_back(std::int64_t{f.limit});
    params.emplace_back(std::int64_t{f.offset});
    for (const auto& r : lease->query(std::string(detail::kItemColumns) + where +
                                          " ORDER BY subject_score DESC, id LIMIT ? OFFSET ?",
                                      params)) {
      page.items.push_back(detail::item_of(r, *keys_));
    }
  }
  auto entry = by.audit("finance.items.read", "");
  entry.detail = std::to_string(page.items.size()) + " of " + std::to_string(page.total);
  audit_.append(entry);
  return page;
}

ItemDetail Desk::item(const auth::Principal& by, std::int64_t id) {
  detail::require_analyst(by);
  std::string tx_json;
  std::optional<Item> found;
  {
    auto lease = db_.connection();
    found = detail::find_item(*lease, *keys_, id, &tx_json);
  }
  if (!found) detail::no_such_item(id);
  ItemDetail d;
  d.item = std::move(*found);
  const auto data = scan_data(d.item.scan_id);
  const fin::Ledger& l = data->ledger;
  const auto txs = json::parse(tx_json).get<std::vector<fin::TxIndex>>();
  for (const auto t : txs) {
    if (d.transactions.size() >= options_.max_item_transactions) {
      d.transactions_truncated = true;
      break;
    }
    if (t >= l.transaction_count()) continue;
    const auto tx = l.transaction(t);
    ItemTransaction out;
    out.id = tx.id;
    if (tx.time != fin::kNoTime) out.time = tx.time;
    out.from = tx.from;
    out.to = tx.to;
    out.amount = tx.amount;
    out.currency = tx.currency;
    out.channel = std::string(fin::to_string(tx.channel));
    out.location = tx.location;
    d.transactions.push_back(std::move(out));
  }
  if (const auto p = fin::parse_pattern(d.item.pattern)) {
    const auto& defaults = fin::TypologyParams::defaults();
    if (data->typologies_version == defaults.version || !fin::is_typology(*p)) {
      d.rule = rule_parameters(*p, defaults);
    } else {
      d.rule = {{"pattern", d.item.pattern},
                {"typologies_version", data->typologies_version},
                {"note", "the scan used its own parameter file"}};
    }
  }
  audit_.append(by.audit("finance.item.read", detail::record_of(id)));
  return d;
}

json Desk::network(const auth::Principal& by, std::int64_t item_id, std::size_t hops,
                   const std::string& account) {
  detail::require_analyst(by);
  if (hops < 1 || hops > options_.max_network_hops) {
    fail_invalid("hops", "hops is 1.." + std::to_string(options_.max_network_hops));
  }
  std::optional<Item> found;
  {
    auto lease = db_.connection();
    found = detail::find_item(*lease, *keys_, item_id, nullptr);
  }
  if (!found) detail::no_such_item(item_id);
  const auto data = scan_data(found->scan_id);
  const std::string& centre = account.empty() ? found->subject : account;
  const auto id = data->ledger.find_account(centre);
  if (!id) {
    throw Error(ErrorKind::not_found, "not_found", "no such account in the item's scan", "account");
  }
  fin::NetworkParams p;
  p.hops = hops;
  p.max_nodes = options_.max_network_nodes;
  const auto n = fin::network(data->ledger, *id, p);
  json out = json::parse(fin::network_json(data->ledger, n));
  out["item_id"] = item_id;
  out["hops"] = hops;
  auto entry = by.audit("finance.network.read", detail::record_of(item_id));
  entry.detail = std::to_string(n.nodes.size()) + " accounts, " + std::to_string(hops) + " hops";
  audit_.append(entry);
  return out;
}

RiskRanking Desk::risk(const auth::Principal& by, std::optional<std::int64_t> scan_id, int limit) {
  detail::require_analyst(by);
  if (limit < 1 || limit > 500) fail_invalid("limit", "limit is 1..500");
  RiskRanking out;
  {
    auto lease = db_.connection();
    if (!scan_id) {
      const auto row = lease->query_one("SELECT MAX(id) FROM fiu_scans");
      if (!row || row->is_null(0)) return out;
      scan_id = row->integer(0);
    }
    out.scan_id = scan_id;
    for (const auto& r : lease->query(
             "SELECT rank_number, names_enc, score, reasons_json, account_key FROM fiu_risk WHERE "
             "scan_id = ? ORDER BY rank_number LIMIT ?",
             {*scan_id, std::int64_t{limit}})) {
      auto names = detail::open_risk(*keys_, r.blob(1));
      RiskEntry e{static_cast<int>(r.integer(0)),
                  std::move(names.account),
                  std::move(names.party),
                  r.integer(2),
                  json::parse(r.text(3)),
                  std::nullopt,
                  {}};
      if (const auto item = lease->query_one(
              "SELECT id FROM fiu_hits WHERE scan_id = ? AND subject_key = ? ORDER BY "
              "subject_score DESC, id LIMIT 1",
              {*scan_id, r.text(4)})) {
        e.item_id = item->integer(0);
      }
      out.accounts.push_back(std::move(e));
    }
    for (const auto& r :
         lease->query("SELECT rank_number, names_enc, score, reasons_json FROM fiu_party_risk "
                      "WHERE scan_id = ? ORDER BY rank_number LIMIT ?",
                      {*scan_id, std::int64_t{limit}})) {
      auto names = detail::open_risk(*keys_, r.blob(1), detail::kPartyNamesField);
      out.parties.push_back({static_cast<int>(r.integer(0)), "", std::move(names.party),
                             r.integer(2), json::parse(r.text(3)), std::nullopt,
                             std::move(names.accounts)});
    }
  }
  auto entry = by.audit("finance.risk.read", detail::scan_record(*scan_id));
  entry.detail = std::to_string(out.accounts.size()) + " accounts, " +
                 std::to_string(out.parties.size()) + " parties";
  audit_.append(entry);
  return out;
}

Item Desk::decide(const auth::Principal& by, std::int64_t item_id, const Decision& decision) {
  detail::require_analyst(by);
  if (decision.action != "escalate" && decision.action != "dismiss") {
    fail_invalid("action", "action is escalate or dismiss");
  }
  if (decision.action == "dismiss") {
    if (!valid_reason(decision.reason)) fail_invalid("reason", "a dismissal needs a reason");
    if (decision.reason.size() > options_.max_reason_bytes) {
      fail_invalid("reason",
                   "a reason is at most " + std::to_string(options_.max_reason_bytes) + " bytes");
    }
  } else if (!decision.reason.empty()) {
    fail_invalid("reason", "an escalation takes no reason: the STR's narrative says why");
  }
  std::string tx_json;
  std::optional<Item> found;
  {
    auto lease = db_.connection();
    found = detail::find_item(*lease, *keys_, item_id, &tx_json);
  }
  if (!found) detail::no_such_item(item_id);
  if (found->status != "new") {
    throw Error(ErrorKind::conflict, "already_decided",
                "item " + std::to_string(item_id) + " is already " + found->status);
  }
  std::string xml;
  if (decision.action == "escalate") {
    if (options_.goaml_xsd.empty()) {
      throw Error(ErrorKind::unavailable, "goaml_xsd",
                  "no goAML schema is configured: an STR cannot be validated, so none is made");
    }
    const auto data = scan_data(found->scan_id);
    const fin::Ledger& l = data->ledger;
    fin::Hit hit;
    hit.pattern = fin::parse_pattern(found->pattern).value_or(fin::Pattern::fan_in);
    for (const auto& a : found->accounts) {
      if (const auto id = l.find_account(a)) hit.accounts.push_back(*id);
    }
    hit.transactions = json::parse(tx_json).get<std::vector<fin::TxIndex>>();
    hit.explanation = found->explanation;
    hit.total_amount = found->total_minor;
    const auto subject = l.find_account(found->subject);
    if (!subject) fail_invalid("subject", "the item's subject is not in its scan's ledger");
    const auto schema = fin::goaml::GoamlSchema::load(options_.goaml_xsd);
    const auto report = fin::goaml::subject_report(
        l, *subject, std::span(&hit, 1), found->subject_score, options_.report, now_seconds());
    xml = fin::goaml::write_goaml(report, schema);  // throws unless it validates
  }
  const Millis now = now_millis();
  db_.transaction([&](Connection& c) {
    const auto changed = c.execute(
        "UPDATE fiu_hits SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? "
        "AND status = 'new'",
        {decision.action == "escalate" ? "escalated" : "dismissed", by.user_id, now,
         decision.action == "dismiss" ? Value(decision.reason) : Value(nullptr), item_id});
    if (changed != 1) {
      throw Error(ErrorKind::conflict, "already_decided",
                  "item " + std::to_string(item_id) + " was decided meanwhile");
    }
    if (!xml.empty()) {
      c.execute(
          "INSERT INTO fiu_reports (hit_id, xml, xml_enc, created_by, created_at) VALUES (?, '', "
          "?, ?, ?)",
          {item_id, keys_->encrypt(xml, detail::kReportField), by.user_id, now});
    }
    auto entry = by.audit("finance.item." + decision.action, detail::record_of(item_id));
    entry.detail = decision.action == "escalate" ? "goAML STR stored, validated" : "dismissed";
    audit_.append(c, entry);
  });
  auto lease = db_.connection();
  return *detail::find_item(*lease, *keys_, item_id, nullptr);
}

StoredReport Desk::report(const auth::Principal& by, std::int64_t item_id) {
  detail::require_analyst(by);
  StoredReport out;
  {
    auto lease = db_.connection();
    const auto item = detail::find_item(*lease, *keys_, item_id, nullptr);
    if (!item) detail::no_such_item(item_id);
    const auto row =
        lease->query_one("SELECT xml_enc, created_at FROM fiu_reports WHERE hit_id = ?", {item_id});
    if (!row) {
      throw Error(ErrorKind::not_found, "not_found",
                  "item " + std::to_string(item_id) + " has no STR: it is " + item->status);
    }
    out.item_id = item_id;
    out.subject = item->subject;
    out.xml = keys_->decrypt(row->blob(0), detail::kReportField);
    out.created_at = row->integer(1);
  }
  audit_.append(by.audit("finance.report.read", detail::record_of(item_id)));
  return out;
}

}  // namespace ctis::fiu
