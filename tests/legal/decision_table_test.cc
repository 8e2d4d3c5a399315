// The decision table of data/legal/palermo-2000.v1.json, case by case. Each case lists only the
// facts that are true ("?name" unknown); every other flag fact is false and the age is 30.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "legal_test_support.h"

namespace ctis::legal {
namespace {

using namespace ctis::legal::testing;

struct Case {
  const char* name;
  const char* facts;
  const char* outcome;
  const char* elements;  // expected element values; unnamed elements not checked
  const char* to_establish = "";
  const char* possible = "";  // checked when the outcome is undetermined
};

// clang-format off
const Case kCases[] = {
  // --- row 1: smuggling_then_trafficking = trafficking ∧ smuggling
  {"smuggled_then_deceived_into_forced_labour",
   "act_transportation act_recruitment means_deception purpose_forced_labour crossed_border "
   "entry_irregular benefit_to_facilitator control_after_arrival age=28",
   "smuggling_then_trafficking",
   "act=met means=met purpose=met child=not_met trafficking=met border_crossed=met "
   "irregular_entry=met benefit=met non_national=met smuggling=met continued_control=met exploitation=met"},
  {"child_smuggled_then_sexually_exploited_without_means",
   "act_transportation act_receipt purpose_other_sexual_exploitation crossed_border entry_irregular "
   "benefit_to_facilitator age=16",
   "smuggling_then_trafficking",
   "means=not_met child=met trafficking=met smuggling=met continued_control=not_met"},
  {"smuggled_and_trafficked_control_unknown",
   "act_harbouring means_force purpose_servitude crossed_border entry_irregular benefit_to_facilitator "
   "?control_after_arrival",
   "smuggling_then_trafficking", "trafficking=met smuggling=met continued_control=unknown"},

  // --- row 2: presumed_trafficking = trafficking (and smuggling not met)
  {"adult_deceived_into_forced_labour_at_home",
   "act_recruitment means_deception purpose_forced_labour",
   "presumed_trafficking",
   "act=met means=met purpose=met child=not_met trafficking=met border_crossed=not_met smuggling=not_met"},
  {"child_17_recruited_for_prostitution_without_means",
   "act_recruitment purpose_prostitution_of_others age=17",
   "presumed_trafficking", "means=not_met child=met trafficking=met"},
  {"child_in_band_9_17_harboured_for_servitude",
   "act_harbouring purpose_servitude age=9-17", "presumed_trafficking", "child=met trafficking=met"},
  {"adult_abducted_for_organ_removal",
   "act_transfer means_abduction purpose_organ_removal", "presumed_trafficking", "trafficking=met"},
  {"regular_entry_then_abuse_of_vulnerability_for_servitude",
   "act_transportation act_receipt means_abuse_of_vulnerability purpose_servitude crossed_border "
   "benefit_to_facilitator",
   "presumed_trafficking", "irregular_entry=not_met smuggling=not_met trafficking=met"},
  {"payment_to_parent_for_slavery",
   "act_transfer means_payments_to_controller purpose_slavery age=19",
   "presumed_trafficking", "means=met child=not_met trafficking=met"},
  {"trafficked_national_smuggling_does_not_apply",
   "act_recruitment means_threat purpose_forced_labour crossed_border entry_irregular "
   "benefit_to_facilitator national_or_resident_of_destination",
   "presumed_trafficking", "non_national=not_met smuggling=not_met trafficking=met"},
  {"trafficked_with_smuggling_facts_unknown_but_national",
   "act_recruitment means_fraud purpose_forced_labour ?crossed_border ?entry_irregular "
   "?benefit_to_facilitator national_or_resident_of_destination",
   "presumed_trafficking", "smuggling=not_met trafficking=met"},

  // --- row 3: exploitation_without_trafficking_elements = exploitation ∧ ¬trafficking
  {"adult_recruited_for_forced_labour_without_means",
   "act_recruitment purpose_forced_labour age=18",
   "exploitation_without_trafficking_elements",
   "means=not_met child=not_met trafficking=not_met exploitation=met"},
  {"labour_indicators_without_act",
   "labour_exploitation_indicators ?means_deception ?purpose_forced_labour",
   "exploitation_without_trafficking_elements", "act=not_met trafficking=not_met exploitation=met"},
  {"other_exploitation_only_beyond_minimum_list",
   "act_recruitment means_deception purpose_other_exploitation",
   "exploitation_without_trafficking_elements", "purpose=not_met trafficking=not_met exploitation=met"},
  {"smuggled_then_exploited_without_means",
   "act_transportation crossed_border entry_irregular benefit_to_facilitator "
   "labour_exploitation_indicators",
   "exploitation_without_trafficking_elements", "smuggling=met trafficking=not_met exploitation=met"},

  // --- row 4: smuggling = smuggling (no trafficking, no exploitation)
  {"paid_irregular_crossing_consented",
   "act_transportation crossed_border entry_irregular benefit_to_facilitator consent_given",
   "smuggling",
   "border_crossed=met irregular_entry=met benefit=met non_national=met smuggling=met "
   "trafficking=not_met exploitation=not_met"},
  {"smuggling_with_act_and_means_unknown_but_no_purpose",
   "?act_transportation ?means_deception crossed_border entry_irregular benefit_to_facilitator",
   "smuggling", "purpose=not_met trafficking=not_met smuggling=met"},

  // --- row 5: no_indication = ¬trafficking ∧ ¬smuggling ∧ ¬exploitation
  {"nothing_found", "", "no_indication",
   "act=not_met means=not_met purpose=not_met trafficking=not_met smuggling=not_met exploitation=not_met"},
  {"regular_migration_with_paid_agent",
   "act_transportation crossed_border benefit_to_facilitator", "no_indication",
   "irregular_entry=not_met smuggling=not_met"},
  {"national_returning_irregularly_for_a_fee",
   "crossed_border entry_irregular benefit_to_facilitator national_or_resident_of_destination",
   "no_indication", "non_national=not_met smuggling=not_met"},
  {"irregular_crossing_without_benefit",
   "act_transportation crossed_border entry_irregular", "no_indication",
   "benefit=not_met smuggling=not_met"},

  // --- undetermined: insufficient_information, naming what would decide
  {"everything_unknown",
   "?act_recruitment ?act_transportation ?act_transfer ?act_harbouring ?act_receipt ?means_threat "
   "?means_force ?means_other_coercion ?means_abduction ?means_fraud ?means_deception "
   "?means_abuse_of_power ?means_abuse_of_vulnerability ?means_payments_to_controller "
   "?purpose_prostitution_of_others ?purpose_other_sexual_exploitation ?purpose_forced_labour "
   "?purpose_slavery ?purpose_servitude ?purpose_organ_removal ?purpose_other_exploitation "
   "?crossed_border ?entry_irregular ?benefit_to_facilitator ?national_or_resident_of_destination "
   "?labour_exploitation_indicators age=?",
   "insufficient_information",
   "act=unknown means=unknown purpose=unknown child=unknown trafficking=unknown smuggling=unknown "
   "exploitation=unknown",
   "act purpose age_at_act means crossed_border entry_irregular benefit_to_facilitator "
   "national_or_resident_of_destination purpose_other_exploitation labour_exploitation_indicators",
   "smuggling_then_trafficking presumed_trafficking exploitation_without_trafficking_elements "
   "smuggling no_indication"},
  {"unknown_age_without_means",
   "act_recruitment purpose_forced_labour age=?",
   "insufficient_information", "means=not_met child=unknown trafficking=unknown",
   "age_at_act", "presumed_trafficking exploitation_without_trafficking_elements"},
  {"age_band_straddling_18",
   "act_recruitment purpose_forced_labour age=15-20",
   "insufficient_information", "child=unknown trafficking=unknown", "age_at_act",
   "presumed_trafficking exploitation_without_trafficking_elements"},
  {"unknown_age_and_means",
   "act_recruitment purpose_forced_labour ?means_deception ?means_abuse_of_vulnerability age=?",
   "insufficient_information", "means=unknown child=unknown trafficking=unknown",
   "age_at_act means", "presumed_trafficking exploitation_without_trafficking_elements"},
  {"adult_one_means_unknown",
   "act_recruitment purpose_forced_labour ?means_abuse_of_vulnerability",
   "insufficient_information", "means=unknown trafficking=unknown",
   "means_abuse_of_vulnerability", "presumed_trafficking exploitation_without_trafficking_elements"},
  {"trafficked_but_benefit_unknown",
   "act_transportation means_deception purpose_forced_labour crossed_border entry_irregular "
   "?benefit_to_facilitator",
   "insufficient_information", "trafficking=met benefit=unknown smuggling=unknown",
   "benefit_to_facilitator", "smuggling_then_trafficking presumed_trafficking"},
  {"smuggling_but_benefit_unknown",
   "act_transportation crossed_border entry_irregular ?benefit_to_facilitator",
   "insufficient_information", "benefit=unknown smuggling=unknown trafficking=not_met",
   "benefit_to_facilitator", "smuggling no_indication"},
  {"smuggled_and_act_unknown_with_purpose",
   "?act_recruitment means_deception purpose_forced_labour crossed_border entry_irregular "
   "benefit_to_facilitator",
   "insufficient_information", "act=unknown trafficking=unknown smuggling=met",
   "act_recruitment", "smuggling_then_trafficking exploitation_without_trafficking_elements"},
};
// clang-format on

class DecisionTable : public ::testing::TestWithParam<Case> {};

TEST_P(DecisionTable, GivesTheExpectedOutcomeAndElements) {
  const Case& c = GetParam();
  const Result r = shipped().evaluate(facts(c.facts));
  EXPECT_EQ(r.outcome, c.outcome) << "explanation: " << r.explanation.at("en");
  expect_elements(r, c.elements);
  EXPECT_EQ(joined_ids(r.to_establish), c.to_establish);
  EXPECT_EQ(r.determined, std::string(c.outcome) != "insufficient_information");
  if (r.determined) {
    EXPECT_EQ(joined(r.possible_outcomes), c.outcome);
  } else {
    EXPECT_EQ(joined(r.possible_outcomes), c.possible);
  }
  EXPECT_EQ(r.rule_set_id, "palermo-2000");
  EXPECT_EQ(r.rule_set_version, 1);
}

INSTANTIATE_TEST_SUITE_P(Palermo2000v1, DecisionTable, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return std::string(p.param.name);
                         });

// Every row of the shipped table (and the undetermined outcome) has at least one case above.
TEST(DecisionTableCoverage, EveryRowHasACase) {
  std::ifstream in(shipped_path());
  const auto rules = nlohmann::json::parse(in);
  std::set<std::string> covered;
  for (const auto& c : kCases) covered.insert(c.outcome);
  for (const auto& row : rules["decision_table"]) {
    EXPECT_TRUE(covered.contains(row["outcome"].get<std::string>())) << row["outcome"];
  }
  EXPECT_TRUE(covered.contains(rules["undetermined_outcome"].get<std::string>()));
}

}  // namespace
}  // namespace ctis::legal
