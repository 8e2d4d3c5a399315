// Locating and reading the shared public data sets (FEBRL, the clkhash reference output).
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace ctis::clk::testing {

// Reads CTIS_SHARED_DATA/<relative>; a missing data set is a failure, never a skip.
inline std::string read_shared(const std::string& relative) {
  const char* root = std::getenv("CTIS_SHARED_DATA");
  if (root == nullptr || *root == '\0') {
    ADD_FAILURE() << "CTIS_SHARED_DATA is not set; it must name the shared data folder";
    return {};
  }
  const std::string path = std::string(root) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "missing data set " << path;
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline const char* kReference = "linkage/clkhash-reference/";
inline const char* kSecret = "ctis-interop-2026";

}  // namespace ctis::clk::testing
