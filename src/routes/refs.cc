// Reference tables of data/routes/: country names, country boxes, corridors.
#include <algorithm>
#include <array>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "core/refdata.h"
#include "routes/csv.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

std::string_view reference(const std::string& path) {
  const auto& files = reference_files();
  const auto it = files.find(path);
  if (it == files.end())
    throw Error(ErrorKind::internal, "refdata", path + " is missing from the build");
  return it->second;
}

// Calls row(fields) for each data line of a tab-separated file; '#' lines and the header skip.
template <typename Row>
void for_each_tsv_row(const std::string& path, Row row) {
  std::string_view text = reference(path);
  bool header = true;
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line = detail::trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    row(detail::split_list(line, '\t'));
  }
}

struct Box {
  double min_lat, max_lat, min_lon, max_lon;
};

}  // namespace

std::optional<std::string> country_from_name(std::string_view name) {
  static const auto table = [] {
    std::unordered_map<std::string, std::string> names;
    // ISO short names first, so the table only needs the names that differ or say "none".
    for (const auto& c : countries()) names[c.name] = c.alpha3;
    for_each_tsv_row("routes/country-names.tsv", [&](const auto& f) {
      if (f.size() != 2)
        throw Error(ErrorKind::internal, "refdata", "routes/country-names.tsv: bad line");
      names[std::string(f[0])] = f[1] == "-" ? std::string() : std::string(f[1]);
    });
    return names;
  }();
  const auto it = table.find(std::string(detail::trim(name)));
  if (it == table.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> near_country(std::string_view alpha3, double latitude, double longitude) {
  static const auto boxes = [] {
    std::unordered_map<std::string, Box> table;
    for_each_tsv_row("routes/country-boxes.tsv", [&](const auto& f) {
      std::array<double, 4> v{};
      for (std::size_t i = 0; i < 4; ++i) {
        const auto x = f.size() == 5 ? detail::parse_double(f[i + 1]) : std::nullopt;
        if (!x) throw Error(ErrorKind::internal, "refdata", "routes/country-boxes.tsv: bad line");
        v[i] = *x;
      }
      table[std::string(f[0])] = Box{v[0], v[1], v[2], v[3]};
    });
    return table;
  }();
  const auto it = boxes.find(std::string(alpha3));
  if (it == boxes.end()) return std::nullopt;
  const Box& b = it->second;
  const double t = box_tolerance_degrees;
  return latitude >= b.min_lat - t && latitude <= b.max_lat + t && longitude >= b.min_lon - t &&
         longitude <= b.max_lon + t;
}

bool Corridor::has_leg(std::string_view from, std::string_view to) const {
  const auto a = std::find(countries.begin(), countries.end(), from);
  const auto b = std::find(countries.begin(), countries.end(), to);
  return a != countries.end() && b != countries.end() && a < b;
}

const Corridors& corridors() {
  static const Corridors all = [] {
    const std::string path = "routes/corridors.json";
    Corridors out;
    try {
      const auto doc = nlohmann::json::parse(reference(path));
      for (const auto& c : doc.at("corridors")) {
        Corridor k;
        k.id = c.at("id").get<std::string>();
        k.name = c.at("name").get<std::string>();
        k.countries = c.at("countries").get<std::vector<std::string>>();
        k.frontex_routes = c.at("frontex").get<std::vector<std::string>>();
        k.mmp_routes = c.at("mmp").get<std::vector<std::string>>();
        k.dtm_routes = c.at("dtm").get<std::vector<std::string>>();
        for (const auto& code : k.countries)
          if (!find_country(code) && code != "XKX")
            throw Error(ErrorKind::internal, "refdata", path + ": unknown country " + code);
        out.push_back(std::move(k));
      }
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorKind::internal, "refdata", path + ": " + e.what());
    }
    return out;
  }();
  return all;
}

const Corridor* find_corridor(std::string_view id) {
  for (const auto& c : corridors())
    if (c.id == id) return &c;
  return nullptr;
}

}  // namespace ctis::routes
