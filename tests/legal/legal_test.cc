#include "legal/legal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/core.h"
#include "legal_test_support.h"

namespace ctis::legal {
namespace {

using namespace ctis::legal::testing;
using nlohmann::json;

Result classify(const std::string& line) { return shipped().evaluate(facts(line)); }

const ElementResult& element(const Result& r, const std::string& id) {
  const ElementResult* e = r.element(id);
  if (e == nullptr) throw std::runtime_error("no element " + id);
  return *e;
}

// --- children

TEST(Children, SeventeenYearOldWithoutMeansIsTrafficked) {
  const auto r = classify("act_recruitment purpose_forced_labour age=17");
  EXPECT_EQ(r.outcome, "presumed_trafficking");
  expect_elements(r, "child=met means=not_met trafficking=met");
  EXPECT_TRUE(has_note(r, "child_means_not_required"));
  EXPECT_EQ(element(r, "child").decided_by, std::vector<std::string>{"age_at_act"});
}

TEST(Children, EighteenYearOldWithoutMeansIsNot) {
  const auto r = classify("act_recruitment purpose_forced_labour age=18");
  EXPECT_EQ(r.outcome, "exploitation_without_trafficking_elements");
  expect_elements(r, "child=not_met means=not_met trafficking=not_met");
  EXPECT_FALSE(has_note(r, "child_means_not_required"));
}

TEST(Children, AgeBandsDecideWhenTheyLieOnOneSideOf18) {
  EXPECT_EQ(classify("act_recruitment purpose_forced_labour age=0-8").outcome,
            "presumed_trafficking");
  EXPECT_EQ(classify("act_recruitment purpose_forced_labour age=48+").outcome,
            "exploitation_without_trafficking_elements");
  EXPECT_EQ(classify("act_recruitment purpose_forced_labour age=18-20").outcome,
            "exploitation_without_trafficking_elements");
  EXPECT_EQ(classify("act_recruitment purpose_forced_labour age=17-18").outcome,
            "insufficient_information");
}

TEST(Children, UnknownAgeWithoutMeansNamesTheAge) {
  const auto r = classify("act_recruitment purpose_forced_labour age=?");
  EXPECT_EQ(r.outcome, "insufficient_information");
  EXPECT_FALSE(r.determined);
  ASSERT_EQ(r.to_establish.size(), 1u);
  EXPECT_EQ(r.to_establish[0].id, "age_at_act");
  EXPECT_FALSE(r.to_establish[0].is_element);
  EXPECT_NE(r.explanation.at("en").find("To decide, establish: age at the time of the act."),
            std::string::npos)
      << r.explanation.at("en");
  EXPECT_TRUE(has_note(r, "age_uncertain"));
}

TEST(Children, UnknownAgeAndMeansNamesBoth) {
  const auto r =
      classify("act_recruitment purpose_forced_labour ?means_deception ?means_threat age=?");
  EXPECT_EQ(r.outcome, "insufficient_information");
  EXPECT_NE(r.explanation.at("en").find("To decide, establish: age at the time of the act; means."),
            std::string::npos)
      << r.explanation.at("en");
  EXPECT_NE(r.explanation.at("en").find(
                "Still possible: presumed trafficking; exploitation without trafficking elements."),
            std::string::npos)
      << r.explanation.at("en");
  ASSERT_EQ(r.to_establish.size(), 2u);
  EXPECT_TRUE(r.to_establish[1].is_element);
  EXPECT_EQ(r.to_establish[1].facts, (std::vector<std::string>{"means_threat", "means_deception"}));
}

TEST(Children, ChildConsentIsIrrelevant) {
  const auto r = classify("act_recruitment purpose_prostitution_of_others consent_given age=15");
  EXPECT_EQ(r.outcome, "presumed_trafficking");
  EXPECT_TRUE(has_note(r, "consent_irrelevant_child"));
}

// --- consent

TEST(Consent, AdultWhoConsentedButWasDeceivedIsTrafficked) {
  const auto r = classify("act_recruitment means_deception purpose_forced_labour consent_given");
  EXPECT_EQ(r.outcome, "presumed_trafficking");
  EXPECT_TRUE(has_note(r, "consent_irrelevant_means"));
  EXPECT_FALSE(has_note(r, "adult_consent_no_means"));
}

TEST(Consent, AdultWhoConsentedWithoutMeansIsNotTrafficked) {
  const auto r = classify("act_recruitment purpose_prostitution_of_others consent_given");
  expect_elements(r, "means=not_met trafficking=not_met");
  EXPECT_NE(r.outcome, "presumed_trafficking");
  EXPECT_TRUE(has_note(r, "adult_consent_no_means"));
  EXPECT_FALSE(has_note(r, "consent_irrelevant_means"));
}

TEST(Consent, DoesNotEnterTheDecision) {
  // Consent is never asked for: it cannot change the outcome.
  const auto r = classify("act_recruitment ?means_deception purpose_forced_labour ?consent_given");
  for (const auto& n : r.to_establish) EXPECT_NE(n.id, "consent_given");
}

// --- borders and smuggling

TEST(Border, NoBorderCrossingIsStillTrafficking) {
  const auto r = classify("act_harbouring means_force purpose_servitude");
  EXPECT_EQ(r.outcome, "presumed_trafficking");
  expect_elements(r, "border_crossed=not_met trafficking=met");
  EXPECT_TRUE(has_note(r, "no_border_needed"));
}

TEST(Smuggling, SmuggledThenExploitedUnderContinuedControl) {
  auto f = facts(
      "act_transportation act_harbouring means_other_coercion purpose_forced_labour crossed_border "
      "entry_irregular benefit_to_facilitator");
  f["control_after_arrival"] = Fact::flag(true, "passport kept by the driver", "interview");
  const auto r = shipped().evaluate(f);
  EXPECT_EQ(r.outcome, "smuggling_then_trafficking");
  expect_elements(r, "smuggling=met trafficking=met continued_control=met");
  EXPECT_TRUE(has_note(r, "control_after_smuggling"));
  const auto& control = element(r, "continued_control");
  ASSERT_EQ(control.evidence.size(), 1u);
  EXPECT_EQ(control.evidence[0].fact, "control_after_arrival");
  EXPECT_EQ(control.evidence[0].recorded.note, "passport kept by the driver");
  EXPECT_EQ(control.evidence[0].recorded.source, "interview");
}

TEST(Smuggling, ContinuedControlWithoutMeansPromptsACloserLook) {
  const auto r = classify(
      "act_transportation crossed_border entry_irregular benefit_to_facilitator "
      "control_after_arrival labour_exploitation_indicators");
  EXPECT_EQ(r.outcome, "exploitation_without_trafficking_elements");
  EXPECT_TRUE(has_note(r, "continued_control_check"));
  EXPECT_TRUE(has_note(r, "also_smuggling"));
}

TEST(Smuggling, NationalOfDestinationIsNotSmuggled) {
  const auto r = classify(
      "act_transportation crossed_border entry_irregular benefit_to_facilitator "
      "national_or_resident_of_destination");
  EXPECT_EQ(r.outcome, "no_indication");
  expect_elements(r, "non_national=not_met smuggling=not_met");
  EXPECT_EQ(element(r, "smuggling").decided_by, std::vector<std::string>{"non_national"});
  const auto& ev = element(r, "smuggling").evidence;
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].fact, "national_or_resident_of_destination");
}

TEST(Smuggling, UnknownBenefitLeavesSmugglingUndecidedAndNamesBenefit) {
  const auto r =
      classify("act_transportation crossed_border entry_irregular ?benefit_to_facilitator");
  EXPECT_EQ(r.outcome, "insufficient_information");
  expect_elements(r, "benefit=unknown smuggling=unknown");
  EXPECT_EQ(element(r, "smuggling").decided_by, std::vector<std::string>{"benefit"});
  ASSERT_EQ(r.to_establish.size(), 1u);
  EXPECT_EQ(r.to_establish[0].id, "benefit_to_facilitator");
  EXPECT_NE(r.explanation.at("en").find("financial or other material benefit to the facilitator"),
            std::string::npos);
  EXPECT_EQ(r.possible_outcomes, (std::vector<std::string>{"smuggling", "no_indication"}));
}

TEST(Smuggling, ConsentOfTheMigrantDoesNotChangeIt) {
  const auto r = classify(
      "act_transportation crossed_border entry_irregular benefit_to_facilitator consent_given");
  EXPECT_EQ(r.outcome, "smuggling");
  EXPECT_TRUE(has_note(r, "smuggled_migrant_consent"));
}

// --- evidence, notes, languages, versions

TEST(Evidence, NamesTheDecidingFactsThroughNestedElements) {
  auto f = facts("act_recruitment act_transportation purpose_forced_labour");
  f["means_deception"] = Fact::flag(true, "promised hotel work, sent to a farm", "interview 3");
  const auto r = shipped().evaluate(f);
  const auto& means = element(r, "means");
  EXPECT_EQ(means.value, Tri::yes);
  EXPECT_EQ(means.decided_by, std::vector<std::string>{"means_deception"});
  ASSERT_EQ(means.evidence.size(), 1u);
  EXPECT_EQ(means.evidence[0].recorded.note, "promised hotel work, sent to a farm");
  EXPECT_FALSE(means.sources.empty());
  EXPECT_NE(means.sources[0].find("art. 3(a)"), std::string::npos);

  const auto& act = element(r, "act");
  EXPECT_EQ(act.decided_by, (std::vector<std::string>{"act_recruitment", "act_transportation"}));

  // Trafficking met: all its operands count; for the child-or-means choice only the met one.
  const auto& trafficking = element(r, "trafficking");
  EXPECT_EQ(trafficking.decided_by, (std::vector<std::string>{"act", "purpose", "means"}));
  std::vector<std::string> behind;
  for (const auto& e : trafficking.evidence) behind.push_back(e.fact);
  EXPECT_EQ(behind, (std::vector<std::string>{"act_recruitment", "act_transportation",
                                              "purpose_forced_labour", "means_deception"}));

  // Not met through an any-rule: every operand was checked and failed.
  const auto none = classify("");
  EXPECT_EQ(element(none, "means").decided_by.size(), 9u);
}

TEST(Evidence, AbsentFactsAreUnknown) {
  const auto r = shipped().evaluate(Facts{});
  EXPECT_EQ(r.outcome, "insufficient_information");
  expect_elements(r, "act=unknown means=unknown child=unknown smuggling=unknown");
  EXPECT_EQ(r.possible_outcomes.size(), 5u);
}

TEST(Notes, OtherExploitationIsFlaggedAsBeyondTheMinimumList) {
  const auto r = classify("act_recruitment means_deception purpose_other_exploitation");
  expect_elements(r, "purpose=not_met exploitation=met");
  EXPECT_TRUE(has_note(r, "other_exploitation_beyond_minimum"));
  EXPECT_EQ(r.outcome, "exploitation_without_trafficking_elements");
}

TEST(Languages, EveryTextIsGivenInFourLanguagesWithPlaceholdersFilled) {
  for (const auto* line :
       {"act_recruitment purpose_forced_labour ?means_deception ?means_fraud age=?",
        "act_recruitment means_deception purpose_forced_labour consent_given"}) {
    const auto r = classify(line);
    for (auto lang : RuleSet::languages()) {
      const std::string l(lang);
      ASSERT_TRUE(r.explanation.contains(l)) << l;
      EXPECT_FALSE(r.explanation.at(l).empty());
      EXPECT_EQ(r.explanation.at(l).find('{'), std::string::npos) << r.explanation.at(l);
      EXPECT_TRUE(r.outcome_label.contains(l));
      for (const auto& n : r.notes) EXPECT_TRUE(n.text.contains(l)) << n.id;
      for (const auto& n : r.to_establish) EXPECT_TRUE(n.label.contains(l)) << n.id;
      for (const auto& e : r.elements) EXPECT_TRUE(e.label.contains(l)) << e.id;
    }
  }
  const auto r = classify("act_recruitment purpose_forced_labour age=?");
  EXPECT_NE(r.explanation.at("fr").find("âge au moment des faits"), std::string::npos);
  EXPECT_NE(r.explanation.at("ar").find("العمر وقت وقوع الفعل"), std::string::npos);
}

TEST(Versions, ResultCarriesTheRuleSetThatDecided) {
  const auto r = classify("act_recruitment means_deception purpose_forced_labour");
  EXPECT_EQ(r.rule_set_id, "palermo-2000");
  EXPECT_EQ(r.rule_set_version, 1);
  const auto j = result_to_json(r);
  EXPECT_EQ(j["rule_set"], (json{{"id", "palermo-2000"}, {"version", 1}}));
}

TEST(Versions, LibraryFindsTheLatestAndAGivenVersion) {
  const auto lib = RuleLibrary::load(rule_dir());
  EXPECT_EQ(lib.latest("palermo-2000").version(), 1);
  EXPECT_EQ(lib.find("palermo-2000", 1).id(), "palermo-2000");
  try {
    (void)lib.find("palermo-2000", 99);
    ADD_FAILURE() << "expected not_found";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  EXPECT_THROW((void)lib.latest("nope"), Error);
}

TEST(Facts, EvaluateRejectsNamesOutsideTheCatalogueAndWrongKinds) {
  try {
    (void)shipped().evaluate(Facts{{"means_bribery", Fact::flag(true)}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "/means_bribery");
  }
  try {
    (void)shipped().evaluate(Facts{{"age_at_act", Fact::flag(true)}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/age_at_act/value");
  }
  try {
    (void)shipped().evaluate(Facts{{"consent_given", Fact::age_exact(3)}});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/consent_given/band");
  }
}

// --- loading errors: each names the file and the JSON pointer

class RuleFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ctis-legal-" + random_token(6));
    std::filesystem::create_directories(dir_);
    std::ifstream in(shipped_path());
    doc_ = json::parse(in);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "palermo-2000.v1.json") {
    const auto path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  // Loads the document (or text) and returns the error it must raise.
  Error error_for(const std::string& text, const std::string& name = "palermo-2000.v1.json") {
    const auto path = write(text, name);
    try {
      (void)RuleSet::load(path);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid);
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      return e;
    }
    ADD_FAILURE() << "no error";
    return Error(ErrorKind::internal, "none", "none");
  }
  Error error_for(const json& doc) { return error_for(doc.dump(2), "palermo-2000.v1.json"); }

  std::filesystem::path dir_;
  json doc_;
};

TEST_F(RuleFile, ShippedFileLoadsAndACopyToo) {
  EXPECT_EQ(RuleSet::load(write(doc_.dump())).version(), 1);
}

TEST_F(RuleFile, UnknownFactInARule) {
  doc_["elements"][1]["rule"]["any"][2] = "means_bribery";
  const auto e = error_for(doc_);
  EXPECT_EQ(e.field(), "/elements/1/rule/any/2");
  EXPECT_NE(std::string(e.what()).find("means_bribery"), std::string::npos);
}

TEST_F(RuleFile, UnknownFactInTheLabels) {
  doc_["facts"]["act_bribery"] = doc_["facts"]["act_transfer"];
  EXPECT_EQ(error_for(doc_).field(), "/facts/act_bribery");
}

TEST_F(RuleFile, UsedFactWithoutALabel) {
  doc_["facts"].erase("act_transfer");
  const auto e = error_for(doc_);
  EXPECT_EQ(e.field(), "/facts");
  EXPECT_NE(std::string(e.what()).find("act_transfer"), std::string::npos);
}

TEST_F(RuleFile, ElementUsedBeforeItIsDefined) {
  std::swap(doc_["elements"][0], doc_["elements"][4]);  // trafficking before act
  EXPECT_EQ(error_for(doc_).field(), "/elements/0/rule/all/0");
}

TEST_F(RuleFile, MissingOutcome) {
  doc_["outcomes"].erase(4);  // no_indication
  const auto e = error_for(doc_);
  EXPECT_EQ(e.field(), "/outcomes");
  EXPECT_NE(std::string(e.what()).find("no_indication"), std::string::npos);
}

TEST_F(RuleFile, MissingElement) {
  doc_["elements"].erase(10);  // continued_control
  EXPECT_EQ(error_for(doc_).field(), "/elements");
}

TEST_F(RuleFile, RowNamingAnUnknownOutcome) {
  doc_["decision_table"][1]["outcome"] = "presumed_traffiking";
  EXPECT_EQ(error_for(doc_).field(), "/decision_table/1/outcome");
}

TEST_F(RuleFile, OutcomeNoRowDecides) {
  doc_["decision_table"].erase(3);  // the smuggling row
  const auto e = error_for(doc_);
  EXPECT_EQ(e.field(), "/outcomes/3");
}

TEST_F(RuleFile, IncompleteTable) {
  doc_["decision_table"][4]["when"] =
      json::parse(R"({"all": [{"not": "trafficking"}, "smuggling"]})");
  const auto e = error_for(doc_);
  EXPECT_EQ(e.field(), "/decision_table");
  EXPECT_NE(
      std::string(e.what()).find("no row applies when trafficking not met, smuggling not met"),
      std::string::npos)
      << e.what();
}

TEST_F(RuleFile, BadStructure) {
  auto d = doc_;
  d["elements"] = json::object();
  EXPECT_EQ(error_for(d).field(), "/elements");
  d = doc_;
  d["version"] = "1";
  EXPECT_EQ(error_for(d).field(), "/version");
  d = doc_;
  d["elements"][0]["colour"] = "red";
  EXPECT_EQ(error_for(d).field(), "/elements/0/colour");
  d = doc_;
  d["elements"][2]["label"].erase("ar");
  EXPECT_EQ(error_for(d).field(), "/elements/2/label/ar");
  d = doc_;
  d["elements"][0]["rule"] =
      json::parse(R"({"any": ["act_recruitment"], "all": ["act_transfer"]})");
  EXPECT_EQ(error_for(d).field(), "/elements/0/rule");
  d = doc_;
  d["elements"][3]["rule"] = "age_at_act";
  EXPECT_EQ(error_for(d).field(), "/elements/3/rule");
  d = doc_;
  d["elements"][0]["rule"] = json::parse(R"({"unknown": "act_recruitment"})");
  EXPECT_EQ(error_for(d).field(), "/elements/0/rule/unknown");
  d = doc_;
  d["elements"][0]["sources"][0] = "palermo-9z";
  EXPECT_EQ(error_for(d).field(), "/elements/0/sources/0");
  d = doc_;
  d["outcomes"][5]["explanation"]["es"] = "Falta: {faltan}.";
  EXPECT_EQ(error_for(d).field(), "/outcomes/5/explanation/es");
  d = doc_;
  d["notes"][0]["when"] = "consent";
  EXPECT_EQ(error_for(d).field(), "/notes/0/when");
}

TEST_F(RuleFile, FileNameMustMatchIdAndVersion) {
  EXPECT_EQ(error_for(doc_.dump(), "palermo-2000.v2.json").field(), "/version");
  EXPECT_EQ(error_for(doc_.dump(), "palermo-2001.v1.json").field(), "/id");
  EXPECT_THROW((void)RuleSet::load(write(doc_.dump(), "rules.json")), Error);
}

TEST_F(RuleFile, SyntaxErrorsAndDuplicateKeys) {
  const auto syntax = error_for(std::string("{\"id\": \"palermo-2000\","));
  EXPECT_NE(std::string(syntax.what()).find("not valid JSON"), std::string::npos);
  auto text = doc_.dump(1);
  text.replace(text.find("\"title\""), 7, "\"id\": \"x\",\n \"title\"");
  EXPECT_EQ(error_for(text).field(), "/id");
  const auto e =
      error_for(R"({"elements": [{"id": "a"}, {"id": "b", "rule": 1, "rule": 2}]})", "x.v1.json");
  EXPECT_EQ(e.field(), "/elements/1/rule");
}

TEST_F(RuleFile, LibraryPicksTheHighestVersion) {
  write(doc_.dump());
  auto v2 = doc_;
  v2["version"] = 2;
  write(v2.dump(), "palermo-2000.v2.json");
  const auto lib = RuleLibrary::load(dir_.string());
  EXPECT_EQ(lib.all().size(), 2u);
  EXPECT_EQ(lib.latest("palermo-2000").version(), 2);
  const auto r =
      lib.latest("palermo-2000").evaluate(facts("act_recruitment means_fraud purpose_slavery"));
  EXPECT_EQ(r.rule_set_version, 2);
  EXPECT_EQ(lib.find("palermo-2000", 1).evaluate(facts("")).rule_set_version, 1);
}

TEST_F(RuleFile, MissingFileOrDirectoryIsUnavailable) {
  try {
    (void)RuleSet::load((dir_ / "palermo-2000.v7.json").string());
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  }
  try {
    (void)RuleLibrary::load(dir_.string());  // empty
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  }
}

}  // namespace
}  // namespace ctis::legal
