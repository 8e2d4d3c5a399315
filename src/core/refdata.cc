#include "core/refdata.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/core.h"

namespace ctis {

std::vector<std::string> reference_files_under(std::string_view folder) {
  std::vector<std::string> out;
  for (const auto& [path, text] : reference_files()) {
    if (path.compare(0, folder.size(), folder) == 0) out.push_back(path);
  }
  return out;
}

const std::vector<Country>& countries() {
  static const std::vector<Country> all = [] {
    const auto it = reference_files().find("countries.tsv");
    if (it == reference_files().end()) {
      throw Error(ErrorKind::internal, "refdata", "countries.tsv is missing from the build");
    }
    std::vector<Country> list;
    std::istringstream in{std::string(it->second)};
    bool header = true;
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      if (header) {
        header = false;
        continue;
      }
      std::istringstream cells(line);
      Country c;
      std::getline(cells, c.alpha2, '\t');
      std::getline(cells, c.alpha3, '\t');
      std::getline(cells, c.numeric, '\t');
      std::getline(cells, c.name);
      list.push_back(std::move(c));
    }
    return list;
  }();
  return all;
}

const Country* find_country(std::string_view code) {
  std::string upper(code);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  for (const auto& c : countries()) {
    if ((upper.size() == 3 && c.alpha3 == upper) || (upper.size() == 2 && c.alpha2 == upper)) {
      return &c;
    }
  }
  return nullptr;
}

}  // namespace ctis
