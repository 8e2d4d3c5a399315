// Settings and models as JSON: strict parsing with pointers in errors, and round trips.
#include <gtest/gtest.h>

#include "core/core.h"
#include "dedup/dedup.h"

namespace ctis::dedup {
namespace {

const char* kSettings = R"({
  "comparisons": [
    {"column": "surname", "kind": "jaro_winkler", "similarity_bands": [0.9], "term_frequency": true},
    {"column": "dob", "kind": "date", "within_days": 5},
    {"column": "age", "kind": "numeric", "distance_bands": [2]},
    {"column": "city"}
  ],
  "blocking_rules": [[{"column": "city"}], [{"column": "surname", "prefix": 1}]],
  "u_sample_pairs": 500,
  "match_probability": 0.8
})";

std::string field_of_error(std::string_view text) {
  try {
    (void)parse_settings(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    return e.field();
  }
  ADD_FAILURE() << "no error for " << text;
  return {};
}

TEST(Json, ParsesSettingsAndKeepsDefaults) {
  const Settings s = parse_settings(kSettings);
  ASSERT_EQ(s.comparisons.size(), 4U);
  EXPECT_EQ(s.comparisons[0].kind, CompareKind::jaro_winkler);
  EXPECT_EQ(s.comparisons[0].similarity_bands, std::vector<double>{0.9});
  EXPECT_TRUE(s.comparisons[0].term_frequency);
  EXPECT_EQ(s.comparisons[1].kind, CompareKind::date);
  EXPECT_EQ(s.comparisons[1].within_days, 5);
  EXPECT_EQ(s.comparisons[2].distance_bands, std::vector<double>{2});
  EXPECT_EQ(s.comparisons[3].kind, CompareKind::exact);
  ASSERT_EQ(s.blocking_rules.size(), 2U);
  EXPECT_EQ(s.blocking_rules[1].keys[0].prefix, 1U);
  EXPECT_EQ(s.u_sample_pairs, 500U);
  EXPECT_EQ(s.match_probability, 0.8);
  EXPECT_EQ(s.em_max_iterations, Settings{}.em_max_iterations);
  // Written out and read back, nothing changes.
  const Settings again = parse_settings(to_json(s));
  EXPECT_EQ(to_json(again), to_json(s));
}

TEST(Json, SettingsErrorsPointAtTheMember) {
  EXPECT_EQ(field_of_error(R"({"comparisons": [{"column": "a", "kinds": "date"}],
                               "blocking_rules": [[{"column": "a"}]]})"),
            "/comparisons/0/kinds");
  EXPECT_EQ(field_of_error(R"({"comparisons": [{"column": "a", "kind": "soundex"}],
                               "blocking_rules": [[{"column": "a"}]]})"),
            "/comparisons/0/kind");
  EXPECT_EQ(field_of_error(R"({"comparisons": [{"column": "a", "within_days": "ten"}],
                               "blocking_rules": [[{"column": "a"}]]})"),
            "/comparisons/0/within_days");
  EXPECT_EQ(field_of_error(R"({"comparisons": [{"column": "a"}],
                               "blocking_rules": [[{"prefix": 2}]]})"),
            "/blocking_rules/0/0/column");
  EXPECT_EQ(field_of_error(R"({"comparisons": [{"column": "a"}]})"), "/blocking_rules");
  EXPECT_EQ(field_of_error("[1, 2"), "");
}

TEST(Json, ModelRoundTripScoresTheSame) {
  Table t;
  t.columns = {"surname", "dob", "age", "city"};
  const char* names[] = {"smith", "smyth", "jones", "brown", "black", "white"};
  for (int i = 0; i < 60; ++i) {
    t.rows.push_back({names[i % 6], "1980010" + std::to_string(1 + i % 9),
                      std::to_string(20 + i % 13), "c" + std::to_string(i % 4)});
  }
  const Model model = train(t, parse_settings(kSettings));
  const Model loaded = parse_model(to_json(model));
  EXPECT_EQ(loaded.prior, model.prior);
  EXPECT_EQ(loaded.comparisons[0].term_frequency.size(),
            model.comparisons[0].term_frequency.size());
  EXPECT_EQ(loaded.comparisons[1].level_names, model.comparisons[1].level_names);
  const auto a = score(t, model);
  const auto b = score(t, loaded);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].pair, b[i].pair);
    ASSERT_EQ(a[i].weight, b[i].weight);
  }
  EXPECT_THROW((void)parse_model(R"({"format": "other"})"), Error);
  std::string broken = to_json(model);
  broken.replace(broken.find("\"prior\""), 7, "\"prio\"");
  EXPECT_THROW((void)parse_model(broken), Error);
}

}  // namespace
}  // namespace ctis::dedup
