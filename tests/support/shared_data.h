// The public data sets beside the checkout (../shared/data), which tests read and never copy.
// CTIS_SHARED_DATA names the folder (ctest sets it); a missing folder or file is a test
// failure with the path in the message, never a skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ctis::testing {

// The path of `relative` inside the shared data folder; records a failure when it is missing.
inline std::filesystem::path shared(const std::string& relative) {
  const char* root = std::getenv("CTIS_SHARED_DATA");
  if (root == nullptr || *root == '\0') {
    ADD_FAILURE() << "CTIS_SHARED_DATA is not set: it names the shared data folder";
    return {};
  }
  std::filesystem::path p = std::filesystem::path(root) / relative;
  if (!std::filesystem::exists(p)) ADD_FAILURE() << "missing shared data file " << p;
  return p;
}

// A whole file as bytes ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace ctis::testing
