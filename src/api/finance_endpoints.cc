// The FIU desk (fiu/fiu.h) endpoints of the policy table and their handlers: the review queue
// of finance hits, an item with its explanation and transactions, a subject's network, the risk
// ranking, decisions (escalate to a goAML STR, dismiss with a reason), the STR download and the
// scan of an uploaded bank export. FIU analysts only: the items are financial personal data.
#include <charconv>

#include "api/input.h"
#include "api/table.h"
#include "fiu/fiu.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

fiu::Desk& desk_of(Call& call) {
  if (!call.services.fiu) {
    throw Error(ErrorKind::unavailable, "fiu_unavailable", "the finance desk is not set up here");
  }
  return *call.services.fiu;
}

json time_json(const std::optional<finance::Seconds>& t) {
  if (!t) return nullptr;
  return format_iso8601(*t * 1000);
}

// A non-negative integer query parameter within [lo, hi], or Error(invalid) naming it.
std::optional<std::int64_t> query_number(const http::Request& r, const std::string& name,
                                         std::int64_t lo, std::int64_t hi) {
  const auto v = r.query_param(name);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < lo || n > hi) {
    fail_invalid(name,
                 name + " is a whole number in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return n;
}

json item_json(const fiu::Item& it) {
  return {{"id", it.id},
          {"scan_id", it.scan_id},
          {"typology", it.pattern},
          {"red_flag", it.typology},
          {"subject", it.subject},
          {"party", it.party},
          {"accounts", it.accounts},
          {"transaction_count", it.transaction_count},
          {"first_time", time_json(it.first_time)},
          {"last_time", time_json(it.last_time)},
          {"total_minor", it.total_minor},
          {"explanation", it.explanation},
          {"subject_score", it.subject_score},
          {"status", it.status},
          {"decided_at", it.decided_at ? json(format_iso8601(*it.decided_at)) : json(nullptr)},
          {"reason", it.reason.empty() ? json(nullptr) : json(it.reason)}};
}

http::Response list_items(Call& call) {
  fiu::ItemFilter f;
  f.status = call.request.query_param("status").value_or("");
  f.pattern = call.request.query_param("typology").value_or("");
  f.scan_id = query_number(call.request, "scan", 1, INT64_MAX);
  f.offset = static_cast<int>(query_number(call.request, "offset", 0, 1'000'000).value_or(0));
  f.limit = static_cast<int>(query_number(call.request, "limit", 1, 200).value_or(50));
  const auto page = desk_of(call).items(call.who, f);
  json items = json::array();
  for (const auto& it : page.items) items.push_back(item_json(it));
  return http::Response::json(
      200, {{"items", items}, {"total", page.total}, {"offset", f.offset}, {"limit", f.limit}});
}

http::Response get_item(Call& call) {
  const auto d = desk_of(call).item(call.who, path_id(call.request.params, "id"));
  json txs = json::array();
  for (const auto& t : d.transactions) {
    txs.push_back({{"id", t.id},
                   {"time", time_json(t.time)},
                   {"from", t.from.empty() ? json(nullptr) : json(t.from)},
                   {"to", t.to.empty() ? json(nullptr) : json(t.to)},
                   {"amount_minor", t.amount},
                   {"currency", t.currency},
                   {"channel", t.channel},
                   {"location", t.location}});
  }
  json out = item_json(d.item);
  out["rule"] = d.rule;
  out["transactions"] = txs;
  out["transactions_truncated"] = d.transactions_truncated;
  return http::Response::json(200, out);
}

http::Response get_network(Call& call) {
  const auto hops = query_number(call.request, "hops", 1, 100).value_or(2);
  const auto account = call.request.query_param("account").value_or("");
  if (account.size() > 200) fail_invalid("account", "an account id is at most 200 bytes");
  return http::Response::json(200,
                              desk_of(call).network(call.who, path_id(call.request.params, "id"),
                                                    static_cast<std::size_t>(hops), account));
}

http::Response get_risk(Call& call) {
  const auto scan = query_number(call.request, "scan", 1, INT64_MAX);
  const auto limit = query_number(call.request, "limit", 1, 500).value_or(50);
  const auto ranking = desk_of(call).risk(call.who, scan, static_cast<int>(limit));
  json accounts = json::array(), parties = json::array();
  for (const auto& r : ranking.accounts) {
    accounts.push_back({{"rank", r.rank},
                        {"account", r.account},
                        {"party", r.party},
                        {"score", r.score},
                        {"reasons", r.reasons},
                        {"item_id", r.item_id ? json(*r.item_id) : json(nullptr)}});
  }
  for (const auto& r : ranking.parties) {
    parties.push_back({{"rank", r.rank},
                       {"party", r.party},
                       {"score", r.score},
                       {"accounts", r.accounts},
                       {"reasons", r.reasons}});
  }
  return http::Response::json(
      200, {{"scan_id", ranking.scan_id ? json(*ranking.scan_id) : json(nullptr)},
            {"accounts", accounts},
            {"parties", parties}});
}

http::Response post_decision(Call& call) {
  const json body = call.request.json();
  Input in(body, {"action", "reason"});
  fiu::Decision d;
  d.action = in.text("action", 20);
  d.reason = in.opt_text("reason", 4000).value_or("");
  return http::Response::json(
      200, item_json(desk_of(call).decide(call.who, path_id(call.request.params, "id"), d)));
}

http::Response get_str(Call& call) {
  const auto report = desk_of(call).report(call.who, path_id(call.request.params, "id"));
  http::Response r;
  r.content_type = "application/xml; charset=utf-8";
  r.body = report.xml;
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"str-item-" +
                                                    std::to_string(report.item_id) + ".xml\"");
  return r;
}

json job_json(const fiu::Job& j) {
  json out = {{"id", j.id},
              {"state", j.state},
              {"rows", j.rows},
              {"bytes", j.bytes},
              {"total_bytes", j.total_bytes},
              {"error", j.error.empty() ? json(nullptr) : json(j.error)}};
  if (j.result) {
    out["scan_id"] = j.result->scan_id;
    out["already_loaded"] = j.result->already_loaded;
    out["items"] = j.result->items;
    out["alerts"] = j.result->alerts;
  }
  return out;
}

// {"name": "export.csv", "csv": "...", "accounts_csv": "...", "mapping": {...}}
http::Response post_scan(Call& call) {
  const json body = call.request.json();
  Input in(body, {"name", "csv", "accounts_csv", "mapping"});
  fiu::ScanUpload up;
  up.source = in.opt_text("name", 200).value_or("upload");
  up.csv = in.text("csv", std::size_t{64} * 1024 * 1024);
  up.accounts_csv = in.opt_text("accounts_csv", std::size_t{16} * 1024 * 1024).value_or("");
  if (body.contains("mapping")) {
    if (!body["mapping"].is_object())
      fail_invalid("/mapping", "mapping is a column mapping object");
    up.mapping_json = body["mapping"].dump();
  }
  return http::Response::json(202, job_json(desk_of(call).start_scan(call.who, std::move(up))));
}

http::Response get_job(Call& call) {
  return http::Response::json(
      200, job_json(desk_of(call).job(call.who, path_id(call.request.params, "id"))));
}

}  // namespace

void add_finance_endpoints(std::vector<Endpoint>& table) {
  const TableBuilder add{table};
  const std::set<Role> kFiu = {Role::fiu_analyst};
  const json nullable_string = {{"type", {"string", "null"}}};
  const json integer = {{"type", "integer"}};
  const json item =
      object({{"id", integer},
              {"scan_id", integer},
              {"typology", kString},
              {"red_flag", {{"type", "boolean"}}},
              {"subject", kString},
              {"party", kString},
              {"accounts", {{"type", "array"}, {"items", kString}}},
              {"transaction_count", integer},
              {"first_time", nullable_string},
              {"last_time", nullable_string},
              {"total_minor", integer},
              {"explanation", kString},
              {"subject_score", integer},
              {"status", {{"type", "string"}, {"enum", {"new", "escalated", "dismissed"}}}},
              {"decided_at", nullable_string},
              {"reason", nullable_string}});
  json detail = item;
  detail["properties"]["rule"] = any_object;
  detail["properties"]["transactions"] = list_any;
  detail["properties"]["transactions_truncated"] = {{"type", "boolean"}};
  const json job = object({{"id", integer},
                           {"state", {{"type", "string"}, {"enum", {"running", "done", "failed"}}}},
                           {"rows", integer},
                           {"bytes", integer},
                           {"total_bytes", integer},
                           {"error", nullable_string},
                           {"scan_id", integer},
                           {"already_loaded", {{"type", "boolean"}}},
                           {"items", integer},
                           {"alerts", integer}});
  add("GET", "/api/v1/finance/items", kFiu,
      "The review queue of finance hits (filters: status, typology, scan; offset, limit), "
      "highest subject risk first.",
      list_items, nullptr, 200,
      object({{"items", {{"type", "array"}, {"items", item}}},
              {"total", integer},
              {"offset", integer},
              {"limit", integer}}));
  add("GET", "/api/v1/finance/items/{id}", kFiu,
      "One finance hit: its explanation, the rule and thresholds behind it, its transactions.",
      get_item, nullptr, 200, detail);
  add("GET", "/api/v1/finance/items/{id}/network", kFiu,
      "The item's subject's (or ?account=) counterparty network to ?hops= (1..3) hops.",
      get_network, nullptr, 200, any_object);
  add("GET", "/api/v1/finance/risk", kFiu,
      "Accounts and parties of the newest (or ?scan=) scan ranked by risk score, with their "
      "reasons; each account with its highest-scored item.",
      get_risk, nullptr, 200, object({{"accounts", list_any}}));
  add("POST", "/api/v1/finance/items/{id}/decision", kFiu,
      "Escalate an item to a goAML STR (validated against the FIU's schema) or dismiss it with "
      "a reason; decisions are final.",
      post_decision,
      object({{"action", {{"type", "string"}, {"enum", {"escalate", "dismiss"}}}},
              {"reason", kString}},
             {"action"}),
      200, item);
  add("GET", "/api/v1/finance/items/{id}/str", kFiu,
      "The goAML STR XML (application/xml) of an escalated item, as a download.", get_str);
  add("POST", "/api/v1/finance/scans", kFiu,
      "Scan a bank CSV export (with an optional accounts CSV and column mapping) in the "
      "background; poll the returned job.",
      post_scan,
      object(
          {{"name", kString}, {"csv", kString}, {"accounts_csv", kString}, {"mapping", any_object}},
          {"csv"}),
      202, job);
  add("GET", "/api/v1/finance/scans/jobs/{id}", kFiu,
      "A background scan's progress (rows read) and, when done, the scan it loaded.", get_job,
      nullptr, 200, job);
}

}  // namespace ctis::api
