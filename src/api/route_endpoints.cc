// The route monitor (monitor/monitor.h) endpoints of the policy table.
#include "api/table.h"

namespace ctis::api {

void add_route_endpoints(std::vector<Endpoint>& table) {
  const TableBuilder add{table};
  (void)add;
}

}  // namespace ctis::api
