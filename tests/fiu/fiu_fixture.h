// A desk over a fresh database of either kind, and a small hand-made scan: account ACC-A takes
// three cash deposits of 9,500.00 within three days (structuring below 10,000.00); hub ACC-B is
// paid by five senders S1..S5 (fan-in) and pays ACC-A once.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "fiu/fiu.h"
#include "support/platform.h"

namespace ctis::fiu::testing {

// Forwards to the real alerts and keeps what was raised.
struct RecordingRaiser : alerts::Raiser {
  alerts::Raiser* next = nullptr;
  std::vector<alerts::NewAlert> raised;
  std::optional<std::int64_t> raise(const alerts::NewAlert& a) override {
    const auto id = next->raise(a);
    if (id) raised.push_back(a);
    return id;
  }
};

inline std::filesystem::path goaml_xsd() {
  const char* dir = std::getenv("CTIS_SHARED_DATA");
  if (!dir || !*dir) {
    ADD_FAILURE() << "CTIS_SHARED_DATA is not set: it must name the shared data folder";
    return {};
  }
  const auto path = std::filesystem::path(dir) / "finance" / "goaml-5.0.1" / "goAMLSchema.xsd";
  if (!std::filesystem::exists(path)) ADD_FAILURE() << "missing data set " << path.string();
  return path;
}

class DeskFixture : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<ctis::testing::Platform>(GetParam());
    alerts_ = std::make_unique<alerts::Alerts>(*p_->db, p_->keys, *p_->audit);
    raiser_.next = alerts_.get();
    Options o;
    o.alert_min_score = 20;
    o.goaml_xsd = goaml_xsd();
    desk_ = std::make_unique<Desk>(*p_->db, p_->keys, *p_->audit, &raiser_, o);
    fiu_ = p_->person("fiu.analyst", "fiu_analyst", "Financial Intelligence Unit");
    build_scan();
  }

  void build_scan() {
    finance::LedgerBuilder b;
    b.add_account("ACC-A", "Alpha Holder", "DE");
    b.add_account("ACC-B", "Beta Trading", "DE");
    const finance::Seconds day0 = 1704067200;  // 2024-01-01T00:00:00Z
    auto tx = [&](std::string id, finance::Seconds t, std::string from, std::string to,
                  finance::Minor amount, finance::Channel ch) {
      finance::Transaction x;
      x.id = std::move(id);
      x.time = t;
      x.from = std::move(from);
      x.to = std::move(to);
      x.amount = amount;
      x.currency = "EUR";
      x.channel = ch;
      x.location = "Berlin";
      b.add_transaction(x);
    };
    for (int i = 0; i < 3; ++i) {
      tx("D" + std::to_string(i + 1), day0 + i * finance::kSecondsPerDay + 36000, "", "ACC-A",
         950000, finance::Channel::cash);
    }
    for (int i = 0; i < 5; ++i) {
      const std::string s = "S" + std::to_string(i + 1);
      b.add_account(s, "Sender " + std::to_string(i + 1), "FR");
      tx("W" + std::to_string(i + 1), day0 + 10 * finance::kSecondsPerDay + i * 3600, s, "ACC-B",
         20000, finance::Channel::wire);
    }
    tx("W9", day0 + 12 * finance::kSecondsPerDay, "ACC-B", "ACC-A", 50000, finance::Channel::wire);
    ledger_ = b.build();
    const auto& t = finance::TypologyParams::defaults();
    hits_ = finance::structuring(ledger_, t.structuring);
    for (auto& h : finance::fan_in(ledger_, finance::FanParams{})) hits_.push_back(std::move(h));
  }

  LoadResult load() {
    return desk_->load_scan(fiu_, ledger_, hits_, "test", finance::TypologyParams::defaults());
  }

  // The folder `ctis finance scan --data` keeps, for the same scan.
  std::filesystem::path write_scan_folder() {
    const auto dir = p_->test_db.dir() / "scan";
    std::filesystem::create_directories(dir);
    {
      std::ofstream out(dir / "ledger.bin", std::ios::binary);
      ledger_.save(out);
    }
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& h : hits_) {
      nlohmann::json accounts = nlohmann::json::array(), txs = nlohmann::json::array();
      for (const auto a : h.accounts) accounts.push_back(std::string(ledger_.account_name(a)));
      for (const auto t : h.transactions) txs.push_back(std::string(ledger_.transaction_id(t)));
      hits.push_back({{"pattern", std::string(finance::to_string(h.pattern))},
                      {"accounts", accounts},
                      {"transactions", txs},
                      {"total_amount_minor", h.total_amount},
                      {"explanation", h.explanation}});
    }
    std::ofstream(dir / "hits.json") << nlohmann::json{
        {"source", "test"},
        {"typologies_version", finance::TypologyParams::defaults().version},
        {"hits", hits}}.dump();
    return dir;
  }

  std::int64_t item_of(const std::string& pattern) {
    ItemFilter f;
    f.pattern = pattern;
    const auto page = desk_->items(fiu_, f);
    EXPECT_EQ(page.items.size(), 1U) << pattern;
    return page.items.empty() ? 0 : page.items[0].id;
  }

  static std::filesystem::path xsd() { return goaml_xsd(); }

  static ItemFilter filter(std::string status, std::string pattern) {
    ItemFilter f;
    f.status = std::move(status);
    f.pattern = std::move(pattern);
    return f;
  }

  static void expect_error(ErrorKind kind, const std::function<void()>& fn) {
    try {
      fn();
      ADD_FAILURE() << "no error thrown";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
    }
  }

  static std::string synthetic_csv(std::string* accounts) {
    std::ostringstream tx, acc;
    finance::GenerateOptions g;
    g.rows = 3000;
    g.seed = 11;
    finance::generate_synthetic(tx, &acc, g);
    *accounts = acc.str();
    return tx.str();
  }

  Job wait_for(std::int64_t id) {
    for (int i = 0; i < 600; ++i) {
      auto j = desk_->job(fiu_, id);
      if (j.state != "running") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "scan job " << id << " still running after 30 s";
    return desk_->job(fiu_, id);
  }

  std::unique_ptr<ctis::testing::Platform> p_;
  std::unique_ptr<alerts::Alerts> alerts_;
  RecordingRaiser raiser_;
  std::unique_ptr<Desk> desk_;
  auth::Principal fiu_;
  finance::Ledger ledger_;
  std::vector<finance::Hit> hits_;
};

}  // namespace ctis::fiu::testing
