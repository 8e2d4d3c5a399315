// Helpers for the legal tests: the shipped rule set and a compact way to write a case's facts.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "legal/legal.h"

namespace ctis::legal::testing {

inline std::string rule_dir() {
  const char* root = std::getenv("CTIS_SOURCE_DIR");  // set by ctest
  return (std::filesystem::path(root ? root : CTIS_LEGAL_SOURCE_DIR) / "data" / "legal").string();
}

inline std::string shipped_path() { return rule_dir() + "/palermo-2000.v1.json"; }

inline const RuleSet& shipped() {
  static const RuleSet rules = RuleSet::load(shipped_path());
  return rules;
}

// Facts from a line such as "act_recruitment means_deception ?purpose_forced_labour age=17":
// a name is true, "?name" is unknown, "age=N" / "age=?" / "age=A-B" / "age=A+" set the age.
// Every other flag fact is false and the age is 30, so each case states only what matters.
inline Facts facts(const std::string& line) {
  Facts out;
  for (const auto& info : fact_catalogue()) {
    if (info.kind == FactKind::flag) out[std::string(info.name)] = Fact::flag(false, "not found");
  }
  out["age_at_act"] = Fact::age_exact(30);
  std::istringstream in(line);
  for (std::string token; in >> token;) {
    if (token.rfind("age=", 0) == 0) {
      const std::string v = token.substr(4);
      const auto dash = v.find('-');
      if (v == "?") {
        out["age_at_act"] = Fact::unknown();
      } else if (v.back() == '+') {
        out["age_at_act"] = Fact::age_band(std::stoi(v), std::nullopt);
      } else if (dash != std::string::npos) {
        out["age_at_act"] =
            Fact::age_band(std::stoi(v.substr(0, dash)), std::stoi(v.substr(dash + 1)));
      } else {
        out["age_at_act"] = Fact::age_exact(std::stoi(v));
      }
    } else if (token[0] == '?') {
      out[token.substr(1)] = Fact::unknown();
    } else {
      out[token] = Fact::flag(true, "recorded: " + token, "test");
    }
  }
  for (const auto& [name, fact] : out) {
    if (find_fact(name) == nullptr) ADD_FAILURE() << "no such fact in test case: " << name;
  }
  return out;
}

// "act=met means=not_met" checked against a result; the elements not named are not checked.
inline void expect_elements(const Result& r, const std::string& expected) {
  std::istringstream in(expected);
  for (std::string token; in >> token;) {
    const auto eq = token.find('=');
    const std::string id = token.substr(0, eq);
    const ElementResult* e = r.element(id);
    if (e == nullptr) {
      ADD_FAILURE() << "no element " << id;
      continue;
    }
    EXPECT_EQ(element_value_name(e->value), token.substr(eq + 1)) << "element " << id;
  }
}

inline std::string joined_ids(const std::vector<Needed>& needed) {
  std::string s;
  for (const auto& n : needed) s += (s.empty() ? "" : " ") + n.id;
  return s;
}

inline std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

inline bool has_note(const Result& r, const std::string& id) {
  for (const auto& n : r.notes) {
    if (n.id == id) return true;
  }
  return false;
}

}  // namespace ctis::legal::testing
