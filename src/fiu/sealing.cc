// The desk's rows at rest: account and party names, explanations, ledgers and STRs encrypted
// under the data key; lookups by subject through blind indexes; rotation and the upgrade of rows
// written in the clear.
#include <nlohmann/json.hpp>

#include "fiu/internal.h"

namespace ctis::fiu {

namespace detail {

using nlohmann::json;
using store::Blob;
using store::Connection;
using store::Value;

void require_analyst(const auth::Principal& by) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
  if (by.role != auth::Role::fiu_analyst) {
    throw Error(ErrorKind::forbidden, "forbidden", "only FIU analysts use the finance desk");
  }
}

void require_loader(const auth::Principal& by) {
  if (by.role == auth::Role::admin && by.user_id == 0 && !by.via_token) return;
  require_analyst(by);
}

void no_such_item(std::int64_t id) {
  throw Error(ErrorKind::not_found, "not_found", "no finance item " + std::to_string(id));
}

std::string subject_key(const vault::Keyring& keys, const std::string& account) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(account.data());
  return keys.blind_index(to_hex({bytes, account.size()}), "fiu.subject");
}

Blob seal_hit(const vault::Keyring& keys, const HitNames& n) {
  const json j = {{"subject", n.subject},
                  {"party", n.party},
                  {"accounts", n.accounts},
                  {"explanation", n.explanation}};
  return keys.encrypt(j.dump(), kHitNamesField);
}

HitNames open_hit(const vault::Keyring& keys, const Blob& sealed) {
  const json j = json::parse(keys.decrypt(sealed, kHitNamesField));
  return {j.at("subject").get<std::string>(), j.at("party").get<std::string>(),
          j.at("explanation").get<std::string>(), j.at("accounts").get<std::vector<std::string>>()};
}

Blob seal_risk(const vault::Keyring& keys, const RiskNames& n, const char* field) {
  json j = {{"account", n.account}, {"party", n.party}};
  if (!n.accounts.empty()) j["accounts"] = n.accounts;
  return keys.encrypt(j.dump(), field);
}

RiskNames open_risk(const vault::Keyring& keys, const Blob& sealed, const char* field) {
  const json j = json::parse(keys.decrypt(sealed, field));
  return {j.at("account").get<std::string>(), j.at("party").get<std::string>(),
          j.value("accounts", std::vector<std::string>{})};
}

const char* const kItemColumns =
    "SELECT id, scan_id, pattern, names_enc, transactions_json, first_time, last_time, "
    "total_minor, subject_score, status, decided_by, decided_at, reason FROM fiu_hits ";

Item item_of(const store::Row& r, const vault::Keyring& keys) {
  Item it;
  it.id = r.integer(0);
  it.scan_id = r.integer(1);
  it.pattern = r.text(2);
  if (const auto p = finance::parse_pattern(it.pattern)) it.typology = finance::is_typology(*p);
  HitNames names = open_hit(keys, r.blob(3));
  it.subject = std::move(names.subject);
  it.party = std::move(names.party);
  it.accounts = std::move(names.accounts);
  it.explanation = std::move(names.explanation);
  it.transaction_count = static_cast<std::int64_t>(json::parse(r.text(4)).size());
  it.first_time = r.opt_integer(5);
  it.last_time = r.opt_integer(6);
  it.total_minor = r.integer(7);
  it.subject_score = r.integer(8);
  it.status = r.text(9);
  it.decided_by = r.opt_integer(10);
  it.decided_at = r.opt_integer(11);
  it.reason = r.opt_text(12).value_or("");
  return it;
}

std::optional<Item> find_item(Connection& c, const vault::Keyring& keys, std::int64_t id,
                              std::string* transactions_json) {
  auto row = c.query_one(std::string(kItemColumns) + "WHERE id = ?", {id});
  if (!row) return std::nullopt;
  if (transactions_json) *transactions_json = row->text(4);
  return item_of(*row, keys);
}

std::int64_t seal_clear_rows(store::Database& db, const vault::Keyring& keys) {
  std::int64_t sealed = 0;
  db.transaction([&](Connection& c) {
    sealed = 0;
    for (const auto& r : c.query("SELECT id, ledger FROM fiu_scans WHERE ledger_enc IS NULL")) {
      const Blob& clear = r.blob(1);
      c.execute(
          "UPDATE fiu_scans SET ledger_enc = ?, ledger = ? WHERE id = ?",
          {keys.encrypt({reinterpret_cast<const char*>(clear.data()), clear.size()}, kLedgerField),
           Blob{}, r.integer(0)});
      ++sealed;
    }
    for (const auto& r : c.query("SELECT id, subject, party, accounts_json, explanation FROM "
                                 "fiu_hits WHERE names_enc IS NULL")) {
      const HitNames n{r.text(1), r.text(2), r.text(4),
                       json::parse(r.text(3)).get<std::vector<std::string>>()};
      c.execute(
          "UPDATE fiu_hits SET names_enc = ?, subject_key = ?, subject = '', party = '', "
          "accounts_json = '[]', explanation = '' WHERE id = ?",
          {seal_hit(keys, n), subject_key(keys, n.subject), r.integer(0)});
      ++sealed;
    }
    // A scan is written whole, so its alerted subjects are clear exactly when its risk rows are.
    for (const auto& s :
         c.query("SELECT DISTINCT scan_id FROM fiu_risk WHERE names_enc IS NULL ORDER BY 1")) {
      for (const auto& a :
           c.query("SELECT subject FROM fiu_alerted WHERE scan_id = ?", {s.integer(0)})) {
        c.execute("UPDATE fiu_alerted SET subject = ? WHERE scan_id = ? AND subject = ?",
                  {subject_key(keys, a.text(0)), s.integer(0), a.text(0)});
      }
    }
    for (const auto& r : c.query("SELECT scan_id, rank_number, account, party FROM fiu_risk "
                                 "WHERE names_enc IS NULL")) {
      c.execute(
          "UPDATE fiu_risk SET names_enc = ?, account_key = ?, account = '', party = '' WHERE "
          "scan_id = ? AND rank_number = ?",
          {seal_risk(keys, {r.text(2), r.text(3), {}}), subject_key(keys, r.text(2)), r.integer(0),
           r.integer(1)});
      ++sealed;
    }
    for (const auto& r : c.query("SELECT hit_id, xml FROM fiu_reports WHERE xml_enc IS NULL")) {
      c.execute("UPDATE fiu_reports SET xml_enc = ?, xml = '' WHERE hit_id = ?",
                {keys.encrypt(r.text(1), kReportField), r.integer(0)});
      ++sealed;
    }
  });
  return sealed;
}

}  // namespace detail

std::int64_t reencrypt(store::Connection& c, const vault::Keyring& keys) {
  using detail::subject_key;
  std::int64_t fields = 0;
  for (const auto& r : c.query("SELECT id FROM fiu_scans WHERE ledger_enc IS NOT NULL")) {
    // One ledger in memory at a time: they can be large.
    const auto row = c.query_one("SELECT ledger_enc FROM fiu_scans WHERE id = ?", {r.integer(0)});
    const std::string clear = keys.decrypt(row->blob(0), detail::kLedgerField);
    c.execute("UPDATE fiu_scans SET ledger_enc = ? WHERE id = ?",
              {keys.encrypt(clear, detail::kLedgerField), r.integer(0)});
    ++fields;
  }
  for (const auto& r : c.query("SELECT id, names_enc FROM fiu_hits WHERE names_enc IS NOT NULL")) {
    const auto n = detail::open_hit(keys, r.blob(1));
    c.execute("UPDATE fiu_hits SET names_enc = ?, subject_key = ? WHERE id = ?",
              {detail::seal_hit(keys, n), subject_key(keys, n.subject), r.integer(0)});
    ++fields;
  }
  for (const auto& r : c.query("SELECT scan_id, rank_number, names_enc, account_key FROM fiu_risk "
                               "WHERE names_enc IS NOT NULL")) {
    const auto n = detail::open_risk(keys, r.blob(2));
    const std::string key = subject_key(keys, n.account);
    // Alerted subjects are kept by the same blind index: they move with the risk row's.
    c.execute("UPDATE fiu_alerted SET subject = ? WHERE scan_id = ? AND subject = ?",
              {key, r.integer(0), r.text(3)});
    c.execute(
        "UPDATE fiu_risk SET names_enc = ?, account_key = ? WHERE scan_id = ? AND rank_number = ?",
        {detail::seal_risk(keys, n), key, r.integer(0), r.integer(1)});
    ++fields;
  }
  for (const auto& r : c.query("SELECT scan_id, rank_number, names_enc FROM fiu_party_risk")) {
    const auto n = detail::open_risk(keys, r.blob(2), detail::kPartyNamesField);
    c.execute("UPDATE fiu_party_risk SET names_enc = ? WHERE scan_id = ? AND rank_number = ?",
              {detail::seal_risk(keys, n, detail::kPartyNamesField), r.integer(0), r.integer(1)});
    ++fields;
  }
  for (const auto& r :
       c.query("SELECT hit_id, xml_enc FROM fiu_reports WHERE xml_enc IS NOT NULL")) {
    c.execute("UPDATE fiu_reports SET xml_enc = ? WHERE hit_id = ?",
              {keys.encrypt(keys.decrypt(r.blob(1), detail::kReportField), detail::kReportField),
               r.integer(0)});
    ++fields;
  }
  return fields;
}

}  // namespace ctis::fiu
