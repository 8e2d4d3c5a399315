// PostgreSQL backend through libpq (private to store).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/internal.h"

namespace ctis::store::detail {

std::unique_ptr<Database> open_postgres(const Options& options);

// "SELECT ? WHERE x = '?'" -> "SELECT $1 WHERE x = '?'": placeholders outside string
// literals (also E'' and $$ quoting), quoted identifiers and comments are numbered; `count`
// receives how many. PostgreSQL's jsonb "?" operators cannot be written through the store.
std::string number_placeholders(std::string_view sql, int& count);

}  // namespace ctis::store::detail
