// The built-in value lists behind generate_persons(), most common first.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctis::dedup::detail {

struct Place {
  std::string_view suburb;
  std::string postcode;
  std::string_view state;
};

const std::vector<std::string_view>& given_names();
const std::vector<std::string_view>& surnames();
const std::vector<std::string_view>& street_names();
const std::vector<std::string_view>& street_types();
const std::vector<std::string_view>& localities();  // address_2: a building or locality
const std::vector<Place>& places();
const std::vector<std::pair<std::string_view, std::string_view>>& nicknames();  // name, nickname

}  // namespace ctis::dedup::detail
