// The real route data sets, read once per test binary from CTIS_SHARED_DATA (tables are
// immutable, so tests share them). A missing data set fails the test; it is never skipped.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "routes/routes.h"

namespace ctis::routes::testing {

inline std::string shared_file(const std::string& name) {
  const char* dir = std::getenv("CTIS_SHARED_DATA");
  if (!dir) ADD_FAILURE() << "CTIS_SHARED_DATA is not set";
  const std::string path = std::string(dir ? dir : "") + "/routes/" + name;
  if (!std::filesystem::exists(path)) ADD_FAILURE() << "data set missing: " << path;
  return path;
}

struct Loaded {
  Dataset data;
  ReadReport report;
};

inline Loaded load(const std::string& name, std::size_t max_rows = 0) {
  Loaded out;
  ReadOptions options;
  options.max_rows = max_rows;
  options.max_issues = 1000;
  out.data = read_file(shared_file(name), options, &out.report);
  return out;
}

inline const Loaded& frontex() {
  static const Loaded l = load("frontex_detections_route_nationality_monthly.csv");
  return l;
}
inline const Loaded& mmp_europe() {
  static const Loaded l = load("missing_migrants_europe_2014_2026.csv");
  return l;
}
inline const Loaded& mmp_export() {
  static const Loaded l = load("missing_migrants_global_2026_export.csv");
  return l;
}
// The DTM file takes over 10 s under AddressSanitizer, so most tests share a streamed prefix
// of it; RealDtm.FullFileStreamsWithKnownTotals alone reads it all.
inline constexpr std::size_t dtm_prefix_rows = 200000;
inline const Loaded& dtm() {
  static const Loaded l = load("dtm_flow_monitoring_west_central_africa.csv.gz", dtm_prefix_rows);
  return l;
}

}  // namespace ctis::routes::testing
