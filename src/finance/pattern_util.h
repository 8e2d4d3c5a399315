// Internal helpers shared by the pattern detectors.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "finance/finance.h"

namespace ctis::finance::detail {

// Fills first/last time and total amount, sorts and dedups the transactions.
Hit make_hit(const Ledger& l, Pattern p, std::vector<AccountId> accounts,
             std::vector<TxIndex> transactions, std::string explanation);

// "A1" style display name of an account, and "3 days" style spans.
std::string name(const Ledger& l, AccountId a);
std::string span_text(const Ledger& l, const Hit& h);
// "1234.50" from minor units.
std::string money(Minor v);
// Reads the optional sections of the typologies file added after the first four.
void read_more_typologies(const nlohmann::json& j, TypologyParams& p);

}  // namespace ctis::finance::detail
