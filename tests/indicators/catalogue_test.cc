#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "indicators/indicators.h"
#include "support.h"

namespace ctis::indicators {
namespace {

using nlohmann::json;
using testing::graded_doc;
using testing::shipped;
using testing::text_json;
using testing::write_temp;

TEST(Shipped, EveryCatalogueLoads) {
  const auto list = shipped().list();
  std::map<std::string, CatalogueInfo> by_id;
  for (const auto& info : list) by_id[info.id] = info;
  for (const char* id : {"ilo-ec-adult-labour", "ilo-ec-adult-sexual", "ilo-ec-child-labour",
                         "ilo-ec-child-sexual", "ilo-forced-labour-11", "unodc-indicator-sheets"}) {
    ASSERT_TRUE(by_id.count(id)) << id;
    EXPECT_FALSE(by_id[id].version.empty());
    EXPECT_EQ(shipped().catalogue_version(id), by_id[id].version);
  }
  EXPECT_TRUE(by_id["ilo-ec-adult-labour"].has_victim_rule);
  EXPECT_FALSE(by_id["ilo-forced-labour-11"].has_victim_rule);
  EXPECT_EQ(by_id["ilo-forced-labour-11"].indicators, 11u);
  EXPECT_EQ(by_id["unodc-indicator-sheets"].elements, 6u);
}

TEST(Shipped, EveryIndicatorHasAllFourLanguagesAndASource) {
  for (const auto& info : shipped().list()) {
    const Catalogue& c = shipped().get(info.id);
    EXPECT_FALSE(c.source().title.empty()) << info.id;
    EXPECT_FALSE(c.source().notes.empty()) << info.id << ": say what was verified";
    for (const auto& ind : c.indicators()) {
      for (std::size_t l = 0; l < kLanguages.size(); ++l) {
        EXPECT_FALSE(ind.text.by_language[l].empty()) << ind.id << " " << kLanguages[l];
      }
      // Translations are real, not copies of the English.
      EXPECT_NE(ind.text.by_language[1], ind.text.by_language[0]) << ind.id;
      EXPECT_NE(ind.text.by_language[3], ind.text.by_language[0]) << ind.id;
    }
  }
}

// Counts per element and per strength, as published (see the file's source.notes).
std::vector<std::array<int, 4>> strength_counts(const Catalogue& c) {
  std::vector<std::array<int, 4>> out(c.elements().size());  // [none, weak, medium, strong]
  for (const auto& ind : c.indicators()) ++out[ind.element][static_cast<int>(ind.strength)];
  return out;
}

TEST(Shipped, AdultLabourListHasThePublishedCountsAndGrades) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  const std::vector<std::string> elements = {"deceptive_recruitment",
                                             "coercive_recruitment",
                                             "recruitment_abuse_of_vulnerability",
                                             "exploitative_conditions",
                                             "coercion_at_destination",
                                             "abuse_of_vulnerability_at_destination"};
  ASSERT_EQ(c.elements().size(), elements.size());
  for (std::size_t e = 0; e < elements.size(); ++e) EXPECT_EQ(c.elements()[e].id, elements[e]);
  const std::vector<int> sizes = {10, 10, 16, 9, 15, 7};
  const std::vector<std::array<int, 4>> grades = {{0, 1, 8, 1}, {0, 0, 9, 1},  {0, 2, 14, 0},
                                                  {0, 1, 7, 1}, {0, 1, 10, 4}, {0, 2, 5, 0}};
  const auto counts = strength_counts(c);
  for (std::size_t e = 0; e < sizes.size(); ++e) {
    EXPECT_EQ(c.indicators_of(static_cast<ElementIndex>(e)).size(),
              static_cast<std::size_t>(sizes[e]))
        << elements[e];
    EXPECT_EQ(counts[e], grades[e]) << elements[e];
  }
  EXPECT_EQ(c.size(), 67u);
  EXPECT_EQ(c.version(), "2009.1-ctis1");
}

TEST(Shipped, ChildListsHaveNoWeakGradesAndTheChildRule) {
  for (const char* id : {"ilo-ec-child-labour", "ilo-ec-child-sexual"}) {
    const Catalogue& c = shipped().get(id);
    for (const auto& counts : strength_counts(c)) EXPECT_EQ(counts[1], 0) << id;
    ASSERT_TRUE(c.victim_rules());
    EXPECT_EQ(c.victim_rules()->applies_to, VictimGroup::children);
    for (const auto& rule : c.victim_rules()->rules) EXPECT_EQ(rule.all_of.size(), 2u) << id;
  }
  const Catalogue& cl = shipped().get("ilo-ec-child-labour");
  std::vector<std::size_t> sizes;
  for (std::size_t e = 0; e < cl.elements().size(); ++e) {
    sizes.push_back(cl.indicators_of(static_cast<ElementIndex>(e)).size());
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 15, 8, 15, 7}));
}

TEST(Shipped, IdsAreStableAndInterned) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  ASSERT_EQ(c.find("ilo-ec-al-dr-01"), IndicatorIndex{0});
  EXPECT_EQ(c.indicators()[0].strength, Strength::strong);
  EXPECT_EQ(c.elements()[c.indicators()[0].element].id, "deceptive_recruitment");
  EXPECT_EQ(c.index_of("ilo-ec-al-ad-07"), 66);
  EXPECT_FALSE(c.find("ilo-ec-al-dr-99"));
  try {
    (void)c.index_of("nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  EXPECT_THROW((void)shipped().get("no-such-catalogue"), Error);
}

TEST(Text, LooksUpByLanguageWithEnglishFallback) {
  const Catalogue& c = shipped().get("ilo-forced-labour-11");
  const auto& t = c.indicators()[0].text.by_language;
  EXPECT_EQ(c.text(0, "en"), t[0]);
  EXPECT_EQ(c.text(0, "fr"), t[1]);
  EXPECT_EQ(c.text(0, "fr-CA"), t[1]);
  EXPECT_EQ(c.text(0, "ES_mx"), t[2]);
  EXPECT_EQ(c.text(0, "ar"), t[3]);
  EXPECT_EQ(c.text(0, "de"), t[0]);
  EXPECT_EQ(c.text(0, ""), t[0]);
  EXPECT_EQ(c.element_label(0, "es"), c.elements()[0].label.by_language[2]);
  Text partial{{"hello", "", "hola", ""}};
  EXPECT_EQ(partial.get("fr"), "hello");
}

// One broken catalogue per row: how it is broken, the JSON pointer and words of the reason.
struct BadCase {
  const char* name;
  std::function<void(json&)> mutate;
  const char* pointer;
  const char* reason;
};

void PrintTo(const BadCase& row, std::ostream* os) { *os << row.name; }

class BadCatalogue : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadCatalogue, NamesFilePointerAndReason) {
  json doc = graded_doc(2, 2, 1);
  GetParam().mutate(doc);
  const std::string path = write_temp("bad.json", doc.dump(2));
  try {
    (void)Catalogue::load(path);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), GetParam().pointer);
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find(GetParam().pointer), std::string::npos) << what;
    EXPECT_NE(what.find(GetParam().reason), std::string::npos) << what;
  }
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BadCatalogue,
    ::testing::Values(
        BadCase{"duplicate_id", [](json& d) { d["indicators"][1]["id"] = "t-1"; },
                "/indicators/1/id", "duplicate indicator id"},
        BadCase{"unknown_element", [](json& d) { d["indicators"][0]["element"] = "zz"; },
                "/indicators/0/element", "unknown element"},
        BadCase{"missing_language", [](json& d) { d["indicators"][2]["text"].erase("ar"); },
                "/indicators/2/text/ar", "missing language"},
        BadCase{"empty_text", [](json& d) { d["indicators"][2]["text"]["fr"] = ""; },
                "/indicators/2/text/fr", "must not be empty"},
        BadCase{"weak_only_clause",
                [](json& d) {
                  d["element_rule"]["any_of"][3] = {{"weak", 3}};
                },
                "/element_rule/any_of/3", "weak indicators alone"},
        BadCase{"medium_or_weak_only_clause",
                [](json& d) {
                  d["element_rule"]["any_of"][0] = {{"medium_or_weak", 3}};
                },
                "/element_rule/any_of/0", "weak indicators alone"},
        BadCase{"unknown_count",
                [](json& d) {
                  d["element_rule"]["any_of"][0] = {{"strongest", 1}};
                },
                "/element_rule/any_of/0/strongest", "unknown count"},
        BadCase{"zero_count", [](json& d) { d["element_rule"]["any_of"][1]["strong"] = 0; },
                "/element_rule/any_of/1/strong", "count from 1"},
        BadCase{"rule_not_list", [](json& d) { d["element_rule"]["any_of"] = "2 strong"; },
                "/element_rule/any_of", "non-empty array"},
        BadCase{"victim_rule_unknown_element",
                [](json& d) {
                  d["victim_rule"] = {{"applies_to", "adults"},
                                      {"rules",
                                       {{{"id", "r"},
                                         {"label", text_json("R")},
                                         {"all_of", {"e", {{"any_of", {"f", "g"}}}}}}}}};
                },
                "/victim_rule/rules/0/all_of/1/any_of/1", "unknown element"},
        BadCase{"victim_rule_bad_group",
                [](json& d) {
                  d["victim_rule"] = {{"applies_to", "elders"}, {"rules", json::array()}};
                },
                "/victim_rule/applies_to", "adults"},
        BadCase{"victim_rule_without_element_rule",
                [](json& d) {
                  d["element_rule"] = nullptr;
                  for (auto& i : d["indicators"]) i["strength"] = nullptr;
                  d["victim_rule"] = {{"applies_to", "adults"}, {"rules", json::array()}};
                },
                "/victim_rule", "needs an element_rule"},
        BadCase{"bad_strength", [](json& d) { d["indicators"][0]["strength"] = "very strong"; },
                "/indicators/0/strength", "must be \"strong\""},
        BadCase{"mixed_grading", [](json& d) { d["indicators"][3]["strength"] = nullptr; },
                "/indicators/3/strength", "graded"},
        BadCase{"missing_version", [](json& d) { d.erase("version"); }, "/version", "missing"},
        BadCase{"unknown_field", [](json& d) { d["colour"] = "red"; }, "/colour", "unknown field"},
        BadCase{"bad_id", [](json& d) { d["indicators"][0]["id"] = "Has Space"; },
                "/indicators/0/id", "not a valid id"},
        BadCase{"duplicate_element", [](json& d) { d["elements"][1]["id"] = "e"; },
                "/elements/1/id", "duplicate element"},
        BadCase{"empty_element",
                [](json& d) {
                  d["elements"].push_back({{"id", "g"}, {"label", text_json("G")}});
                },
                "/elements/2", "no indicators"},
        BadCase{"no_source_reference", [](json& d) { d["source"].erase("url"); }, "/source",
                "document number or a URL"},
        BadCase{"bad_schema", [](json& d) { d["schema"] = 2; }, "/schema", "unsupported"}),
    [](const ::testing::TestParamInfo<BadCase>& row) { return std::string(row.param.name); });

TEST(BadCatalogueFile, SyntaxErrorGivesLineAndColumn) {
  const std::string path = write_temp("broken.json", "{\n  \"id\": \"x\",\n  oops\n}\n");
  try {
    (void)Catalogue::load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "");
    const std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("line 3"), std::string::npos) << what;
  }
}

TEST(BadCatalogueFile, MissingFileOrDirectoryIsUnavailable) {
  try {
    (void)Catalogues::load_directory("/nonexistent/ctis/indicators");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  }
  EXPECT_THROW((void)Catalogue::load("/nonexistent/x.json"), Error);
}

TEST(BadCatalogueDirectory, DuplicateIdsAcrossFilesNameBothFiles) {
  const std::string first = write_temp("a.json", graded_doc(2, 0, 0).dump());
  const auto dir = std::filesystem::path(first).parent_path();
  json second = graded_doc(2, 0, 0);
  second["indicators"][0]["id"] = "other-1";
  second["indicators"][1]["id"] = "other-2";
  second["indicators"][2]["id"] = "other-3";
  std::ofstream(dir / "b.json") << second.dump();
  try {
    (void)Catalogues::load_directory(dir.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/id");
    const std::string what = e.what();
    EXPECT_NE(what.find("b.json"), std::string::npos) << what;
    EXPECT_NE(what.find("a.json"), std::string::npos) << what;
  }
  second["id"] = "test-other";
  second["indicators"][1]["id"] = "t-2";  // clashes with a.json
  std::ofstream(dir / "b.json") << second.dump();
  try {
    (void)Catalogues::load_directory(dir.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/indicators/1/id");
    EXPECT_NE(std::string(e.what()).find("a.json"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ctis::indicators
