// The desk at rest, over both stores: no account or party name, explanation, ledger or STR is
// stored in the clear; rows an older version wrote in the clear are sealed when a desk starts;
// a key rotation re-encrypts everything and keeps alerts once per subject; a kept scan folder
// is recognised by its stamp without being read again.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fiu/internal.h"
#include "fiu_fixture.h"

namespace ctis::fiu {
namespace {

namespace fs = std::filesystem;

class SealingTest : public testing::DeskFixture {
 protected:
  // Every value of every desk table, as bytes.
  std::vector<std::string> stored_values() {
    std::vector<std::string> out;
    auto lease = p_->db->connection();
    for (const char* table : {"fiu_scans", "fiu_hits", "fiu_risk", "fiu_reports", "fiu_alerted"}) {
      for (const auto& row : lease->query(std::string("SELECT * FROM ") + table)) {
        for (const auto& v : row.values) {
          if (const auto* s = std::get_if<std::string>(&v)) out.push_back(*s);
          if (const auto* b = std::get_if<store::Blob>(&v)) out.emplace_back(b->begin(), b->end());
        }
      }
    }
    return out;
  }

  static bool any_contains(const std::vector<std::string>& values, const std::string& needle) {
    for (const auto& v : values) {
      if (v.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  std::int64_t escalate_structuring() {
    const auto id = item_of("structuring");
    EXPECT_EQ(desk_->decide(fiu_, id, {"escalate", ""}).status, "escalated");
    return id;
  }

  std::unique_ptr<Desk> new_desk() {
    Options o;
    o.alert_min_score = 20;
    o.goaml_xsd = xsd();
    return std::make_unique<Desk>(*p_->db, p_->keys, *p_->audit, &raiser_, o);
  }

  // Rewrites the sealed rows the way the version before encryption stored them.
  void unseal_like_an_older_version() {
    const auto& keys = *p_->keys;
    p_->db->transaction([&](store::Connection& c) {
      for (const auto& r : c.query("SELECT id, ledger_enc FROM fiu_scans")) {
        const std::string clear = keys.decrypt(r.blob(1), detail::kLedgerField);
        c.execute("UPDATE fiu_scans SET ledger = ?, ledger_enc = NULL WHERE id = ?",
                  {store::Blob(clear.begin(), clear.end()), r.integer(0)});
      }
      for (const auto& r : c.query("SELECT id, names_enc FROM fiu_hits")) {
        const auto n = detail::open_hit(keys, r.blob(1));
        c.execute(
            "UPDATE fiu_hits SET subject = ?, party = ?, accounts_json = ?, explanation = ?, "
            "names_enc = NULL, subject_key = NULL WHERE id = ?",
            {n.subject, n.party, nlohmann::json(n.accounts).dump(), n.explanation, r.integer(0)});
      }
      for (const auto& r : c.query("SELECT scan_id, rank_number, names_enc, account_key FROM "
                                   "fiu_risk")) {
        const auto n = detail::open_risk(keys, r.blob(2));
        c.execute("UPDATE fiu_alerted SET subject = ? WHERE scan_id = ? AND subject = ?",
                  {n.account, r.integer(0), r.text(3)});
        c.execute(
            "UPDATE fiu_risk SET account = ?, party = ?, names_enc = NULL, account_key = NULL "
            "WHERE scan_id = ? AND rank_number = ?",
            {n.account, n.party, r.integer(0), r.integer(1)});
      }
      for (const auto& r : c.query("SELECT hit_id, xml_enc FROM fiu_reports")) {
        c.execute("UPDATE fiu_reports SET xml = ?, xml_enc = NULL WHERE hit_id = ?",
                  {keys.decrypt(r.blob(1), detail::kReportField), r.integer(0)});
      }
    });
  }

  // What an analyst reads of the structuring item: subject, party, members, explanation,
  // its first transaction and its STR.
  std::string analyst_view(std::int64_t id) {
    const auto d = desk_->item(fiu_, id);
    std::string out = d.item.subject + "|" + d.item.party + "|" + d.item.explanation + "|";
    for (const auto& a : d.item.accounts) out += a + ",";
    out += "|" + (d.transactions.empty() ? "" : d.transactions[0].id);
    out += "|" + std::to_string(desk_->report(fiu_, id).xml.size());
    const auto risk = desk_->risk(fiu_, std::nullopt, 10);
    for (const auto& r : risk.accounts) out += "|" + r.account + ":" + r.party;
    for (const auto& r : risk.parties) out += "|" + r.party + ":" + std::to_string(r.score);
    return out;
  }
};

TEST_P(SealingTest, NoNameOrStrIsStoredInTheClear) {
  load();
  const auto id = escalate_structuring();
  ASSERT_GT(desk_->report(fiu_, id).xml.size(), 1000U);
  const auto values = stored_values();
  for (const std::string name :
       {"ACC-A", "ACC-B", "Alpha Holder", "Beta Trading", "Sender 3", "goAMLSchema", "<report"}) {
    EXPECT_FALSE(any_contains(values, name)) << name << " is stored in the clear";
  }
  // The analyst still reads it all.
  const auto view = analyst_view(id);
  EXPECT_NE(view.find("ACC-A|Alpha Holder|"), std::string::npos) << view;
  EXPECT_NE(view.find("ACC-A:Alpha Holder"), std::string::npos) << view;
}

TEST_P(SealingTest, RowsWrittenInTheClearAreSealedWhenTheDeskStarts) {
  load();
  const auto id = escalate_structuring();
  const std::string before = analyst_view(id);
  unseal_like_an_older_version();
  ASSERT_TRUE(any_contains(stored_values(), "Alpha Holder"));  // the older version's rows

  desk_ = new_desk();
  EXPECT_FALSE(any_contains(stored_values(), "Alpha Holder"));
  EXPECT_FALSE(any_contains(stored_values(), "ACC-A"));
  EXPECT_EQ(analyst_view(id), before);
  // The subject alerted before is still known as alerted: loading again raises nothing.
  const auto raised = raiser_.raised.size();
  const auto again = load();
  EXPECT_TRUE(again.already_loaded);
  EXPECT_EQ(again.alerts, 0);
  EXPECT_EQ(raiser_.raised.size(), raised);
}

TEST_P(SealingTest, AKeyRotationReencryptsEverythingAndKeepsAlertsOnce) {
  load();
  const auto id = escalate_structuring();
  const std::string before = analyst_view(id);
  std::string old_key;
  {
    auto lease = p_->db->connection();
    old_key = lease->query_one("SELECT subject_key FROM fiu_hits WHERE id = ?", {id})->text(0);
  }
  p_->keys->add_key();
  std::int64_t fields = 0;
  p_->db->transaction([&](store::Connection& c) { fields = reencrypt(c, *p_->keys); });
  p_->keys->retire_inactive();
  // One ledger, two hits, the ranked accounts and parties, one STR.
  const auto ranking = desk_->risk(fiu_, std::nullopt, 500);
  EXPECT_EQ(fields, static_cast<std::int64_t>(1 + 2 + ranking.accounts.size() +
                                              ranking.parties.size() + 1));

  desk_ = new_desk();  // nothing cached from before the rotation
  EXPECT_EQ(analyst_view(id), before);
  {
    auto lease = p_->db->connection();
    EXPECT_NE(lease->query_one("SELECT subject_key FROM fiu_hits WHERE id = ?", {id})->text(0),
              old_key);
  }
  const auto raised = raiser_.raised.size();
  EXPECT_EQ(load().alerts, 0);
  EXPECT_EQ(raiser_.raised.size(), raised);
}

TEST_P(SealingTest, AStampedFolderIsNotReadAgainUntilItChanges) {
  const auto dir = write_scan_folder();
  const auto first = desk_->load_scan_folder(auth::operator_principal(), dir);
  EXPECT_FALSE(first.already_loaded);
  ASSERT_TRUE(fs::exists(dir / ".desk-loaded"));

  // Same size and time, unreadable content: recognised by the stamp, so not read.
  const auto hits = dir / "hits.json";
  const auto size = fs::file_size(hits);
  const auto time = fs::last_write_time(hits);
  std::ofstream(hits, std::ios::trunc) << std::string(size, 'x');
  fs::last_write_time(hits, time);
  const auto second = desk_->load_scan_folder(auth::operator_principal(), dir);
  EXPECT_TRUE(second.already_loaded);
  EXPECT_EQ(second.scan_id, first.scan_id);

  // Changed: the stamp no longer matches, the folder is read and its error reported.
  std::ofstream(hits, std::ios::trunc) << "not json";
  try {
    desk_->load_scan_folder(auth::operator_principal(), dir);
    ADD_FAILURE() << "a changed folder was not read again";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "hits.json") << e.what();
  }
}

TEST_P(SealingTest, AStampNamingAScanTheDatabaseLacksIsIgnored) {
  const auto dir = write_scan_folder();
  std::ofstream(dir / ".desk-loaded") << "whatever\n" << std::string(64, 'a') << "\n";
  const auto r = desk_->load_scan_folder(auth::operator_principal(), dir);
  EXPECT_FALSE(r.already_loaded);
  EXPECT_EQ(r.items, 2);
  // The load rewrote the stamp: the next load is recognised.
  EXPECT_TRUE(desk_->load_scan_folder(auth::operator_principal(), dir).already_loaded);
}

INSTANTIATE_TEST_SUITE_P(Stores, SealingTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::fiu
