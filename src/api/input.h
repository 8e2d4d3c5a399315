// Strict reading of JSON request bodies: an object with known fields of the right types.
// Every failure is ctis::Error(invalid) naming the field as a JSON pointer ("/email").
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/core.h"

namespace ctis::api {

class Input {
 public:
  // Fails unless body is an object whose fields are all in `allowed`.
  Input(nlohmann::json body, const std::set<std::string>& allowed);

  std::string text(const std::string& name, std::size_t max_bytes) const;  // required
  std::optional<std::string> opt_text(const std::string& name, std::size_t max_bytes) const;
  std::optional<bool> opt_bool(const std::string& name) const;
  std::optional<std::int64_t> opt_integer(const std::string& name, std::int64_t lo,
                                          std::int64_t hi) const;
  std::vector<std::string> text_list(const std::string& name, std::size_t max_items,
                                     std::size_t max_bytes) const;  // required

 private:
  const nlohmann::json* find(const std::string& name) const;
  nlohmann::json body_;
};

// The integer path parameter `name` ("/api/v1/users/{id}"), or Error(invalid).
std::int64_t path_id(const std::map<std::string, std::string>& params, const std::string& name);

}  // namespace ctis::api
