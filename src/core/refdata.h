// refdata: the reference data shipped inside the program — the reviewed text files of the
// repository's data/ folder (countries, indicator catalogues, legal rule sets), compiled in so
// that a deployment is one binary and its rules are exactly the reviewed ones.
//
// Thread-safe: everything here is immutable after first use.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ctis {

// Every file under data/, by path relative to it ("indicators/ilo-forced-labour.json").
const std::map<std::string, std::string_view>& reference_files();
// The files directly or indirectly under a folder ("indicators/"), sorted by path.
std::vector<std::string> reference_files_under(std::string_view folder);

struct Country {
  std::string alpha2;   // "NG"
  std::string alpha3;   // "NGA"
  std::string numeric;  // "566"
  std::string name;     // "Nigeria"
};

// All ISO 3166-1 countries, ordered by alpha-3.
const std::vector<Country>& countries();
// By alpha-2 or alpha-3 code, any case; nullptr when unknown.
const Country* find_country(std::string_view code);

}  // namespace ctis
