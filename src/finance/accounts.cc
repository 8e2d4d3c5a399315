// The accounts file: holders, businesses with opening hours, account kinds and contact data.
#include <algorithm>
#include <charconv>
#include <optional>

#include "core/core.h"
#include "finance/csv.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

const std::vector<std::string> kAccountColumns = {
    "account",   "party",      "party_kind", "sector", "country", "account_kind",
    "open_hour", "close_hour", "phone",      "email",  "address"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::vector<AccountRecord> read_accounts_csv(std::istream& in) {
  detail::CsvReader reader(in, ',');
  std::vector<std::string> header, row;
  if (!reader.next(header)) fail_invalid("row 1", "accounts: row 1: no header row");
  if (header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);
  std::vector<std::optional<std::size_t>> column(kAccountColumns.size());
  for (std::size_t c = 0; c < kAccountColumns.size(); ++c) {
    auto it = std::find(header.begin(), header.end(), kAccountColumns[c]);
    if (it != header.end()) column[c] = static_cast<std::size_t>(it - header.begin());
  }
  if (!column[0]) fail_invalid("row 1, column account", "accounts: row 1: no account column");
  std::vector<AccountRecord> out;
  while (reader.next(row)) {
    if (row.size() == 1 && row[0].empty()) continue;
    const std::string row_text = "row " + std::to_string(reader.line());
    auto bad = [&](std::size_t c, const std::string& reason) {
      const std::string at = row_text + ", column " + kAccountColumns[c];
      fail_invalid(at, "accounts: " + at + ": " + reason);
    };
    auto cell = [&](std::size_t c) -> std::string {
      if (!column[c]) return {};
      if (*column[c] >= row.size()) bad(c, "missing");
      return std::string(trim(row[*column[c]]));
    };
    auto hour = [&](std::size_t c) {
      const std::string v = cell(c);
      if (v.empty()) return -1;
      int h = -1;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), h);
      if (ec != std::errc() || p != v.data() + v.size() || h < 0 || h > 24) {
        bad(c, "hour must be 0..24");
      }
      return h;
    };
    AccountRecord r;
    r.account = cell(0);
    if (r.account.empty()) bad(0, "empty account id");
    r.party = cell(1);
    const std::string kind = cell(2);
    if (kind == "person") {
      r.details.kind = PartyKind::person;
    } else if (kind == "business") {
      r.details.kind = PartyKind::business;
    } else if (!kind.empty()) {
      bad(2, "party_kind must be person or business");
    }
    r.details.sector = cell(3);
    r.country = cell(4);
    r.account_kind = cell(5);
    r.details.open_hour = hour(6);
    r.details.close_hour = hour(7);
    r.details.phone = cell(8);
    r.details.email = cell(9);
    r.details.address = cell(10);
    if (r.party.empty() && (!r.details.phone.empty() || !r.details.email.empty() ||
                            !r.details.address.empty() || !kind.empty())) {
      bad(1, "party attributes need a party");
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ctis::finance
