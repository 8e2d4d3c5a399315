// Small helpers for the finance tests: ledgers from compact edge lists, hit members by name.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "finance/finance.h"

namespace ctis::finance::testing {

inline constexpr Seconds kDay = 86400;

struct Edge {
  std::string from, to;
  double day;  // negative: no time
  Minor amount = 10000;
};

inline Ledger make_ledger(const std::vector<Edge>& edges) {
  LedgerBuilder b;
  int n = 0;
  for (const Edge& e : edges) {
    Transaction t;
    t.id = std::to_string(++n);
    t.id.insert(0, 1, 't');  // not "t" + ...: GCC 12 -O3 warns falsely (-Wrestrict) on that
    t.from = e.from;
    t.to = e.to;
    t.time = e.day < 0 ? kNoTime : static_cast<Seconds>(e.day * kDay);
    t.amount = e.amount;
    t.currency = "EUR";
    t.channel = Channel::wire;
    b.add_transaction(t);
  }
  return b.build();
}

inline std::vector<std::string> members(const Ledger& l, const Hit& h) {
  std::vector<std::string> out;
  for (AccountId a : h.accounts) out.emplace_back(l.account_name(a));
  std::sort(out.begin(), out.end());
  return out;
}

inline std::filesystem::path shared_data(const std::string& sub) {
  const char* root = std::getenv("CTIS_SHARED_DATA");
  if (root == nullptr) ADD_FAILURE() << "CTIS_SHARED_DATA is not set";
  std::filesystem::path p = std::filesystem::path(root ? root : "/nonexistent") / sub;
  if (!std::filesystem::exists(p)) ADD_FAILURE() << "missing data set " << p;
  return p;
}

}  // namespace ctis::finance::testing
