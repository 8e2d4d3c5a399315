// A minimal blocking HTTP/1.1 client for tests: one request per call, on a new connection
// unless a Connection is kept. Plain TCP only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ctis::testing {

struct HttpResult {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const;
};

HttpResult http_request(const std::string& host, unsigned short port, const std::string& method,
                        const std::string& target, const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {});

}  // namespace ctis::testing
