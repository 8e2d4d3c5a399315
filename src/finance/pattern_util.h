// Internal helpers shared by the pattern detectors.
#pragma once

#include <string>
#include <utility>

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
// Asks the kernel for 2 MB pages over a large, not yet touched buffer (a hint; no-op elsewhere).
void advise_huge_pages(const void* data, std::size_t bytes);
// bipartite() and stack() from one search for blocks (run_patterns() when it wants both).
std::pair<std::vector<Hit>, std::vector<Hit>> bipartite_and_stack(const Ledger& l,
                                                                  const BlockParams& p);
// Reads the optional sections of the typologies file added after the first four.
void read_more_typologies(const nlohmann::json& j, TypologyParams& p);

}  // namespace ctis::finance::detail
