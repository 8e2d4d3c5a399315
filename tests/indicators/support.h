// Shared helpers for the indicator tests: the shipped catalogues and small synthetic ones.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/core.h"
#include "indicators/indicators.h"

namespace ctis::indicators::testing {

inline std::string data_dir() {
  const char* root = std::getenv("CTIS_SOURCE_DIR");  // set by ctest
  if (root == nullptr) throw std::runtime_error("CTIS_SOURCE_DIR is set by the test harness");
  return (std::filesystem::path(root) / "data" / "indicators").string();
}

inline const Catalogues& shipped() {
  static const Catalogues all = Catalogues::load_directory(data_dir());
  return all;
}

inline nlohmann::json shipped_json(const std::string& file) {
  std::ifstream in(std::filesystem::path(data_dir()) / file);
  return nlohmann::json::parse(in);
}

inline nlohmann::json text_json(const std::string& s) {
  return {{"en", s}, {"fr", s + " fr"}, {"es", s + " es"}, {"ar", s + " ar"}};
}

// A small graded catalogue: element "e" with `strong`, `medium` and `weak` indicators (in that
// order) and element "f" with one strong indicator, under the shipped ILO/EC element rule.
inline nlohmann::json graded_doc(int strong, int medium, int weak) {
  nlohmann::json doc = {
      {"schema", 1},
      {"id", "test-graded"},
      {"version", "1"},
      {"title", text_json("Test")},
      {"source",
       {{"title", "T"}, {"publisher", "P"}, {"year", 2024}, {"url", "https://example.org"}}},
      {"elements",
       {{{"id", "e"}, {"label", text_json("E")}}, {{"id", "f"}, {"label", text_json("F")}}}},
      {"element_rule", shipped_json("ilo-ec-adult-labour.json")["element_rule"]},
      {"victim_rule", nullptr},
      {"indicators", nlohmann::json::array()}};
  int n = 0;
  const auto add = [&](const char* element, const char* strength) {
    doc["indicators"].push_back({{"id", "t-" + std::to_string(++n)},
                                 {"element", element},
                                 {"strength", strength},
                                 {"text", text_json("indicator " + std::to_string(n))}});
  };
  for (int i = 0; i < strong; ++i) add("e", "strong");
  for (int i = 0; i < medium; ++i) add("e", "medium");
  for (int i = 0; i < weak; ++i) add("e", "weak");
  add("f", "strong");
  return doc;
}

inline std::string write_temp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / ("ctis-ind-" + random_token(6));
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace ctis::indicators::testing
