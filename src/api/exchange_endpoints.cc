// The linkage exchange (exchange/exchange.h) endpoints of the policy table.
#include "api/table.h"

namespace ctis::api {

void add_exchange_endpoints(std::vector<Endpoint>& table) {
  const TableBuilder add{table};
  (void)add;
}

}  // namespace ctis::api
