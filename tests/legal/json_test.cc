// The JSON forms the API takes and returns as they are: strict on input, stable on output.
#include <gtest/gtest.h>

#include "core/core.h"
#include "legal_test_support.h"

namespace ctis::legal {
namespace {

using namespace ctis::legal::testing;
using nlohmann::json;

// The field of the error that parsing `text` raises.
std::string error_field(const std::string& text, const std::string& at = "") {
  try {
    (void)facts_from_json(json::parse(text), at);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid) << e.what();
    return e.field();
  }
  ADD_FAILURE() << "accepted: " << text;
  return "";
}

TEST(FactsJson, ReadsEveryForm) {
  const auto f = facts_from_json(json::parse(R"({
    "act_recruitment": {"value": true, "note": "job advert", "source": "interview 1"},
    "means_deception": {"value": false},
    "purpose_forced_labour": {"value": "unknown", "note": "not asked yet"},
    "age_at_act": {"band": {"min": 9, "max": 17}},
    "consent_given": {"value": true}
  })"));
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f.at("act_recruitment"), Fact::flag(true, "job advert", "interview 1"));
  EXPECT_EQ(f.at("means_deception").value, Tri::no);
  EXPECT_EQ(f.at("purpose_forced_labour"), Fact::unknown("not asked yet"));
  EXPECT_EQ(f.at("age_at_act").age, (AgeBand{9, 17}));
  EXPECT_EQ(facts_from_json(json::parse(R"({"age_at_act": {"value": 17}})")).at("age_at_act"),
            Fact::age_exact(17));
  EXPECT_EQ(
      facts_from_json(json::parse(R"({"age_at_act": {"band": {"min": 48}}})")).at("age_at_act"),
      Fact::age_band(48, std::nullopt));
  EXPECT_FALSE(
      facts_from_json(json::parse(R"({"age_at_act": {"value": "unknown"}})")).at("age_at_act").age);
}

TEST(FactsJson, RoundTrips) {
  Facts f = facts("act_recruitment ?means_deception purpose_forced_labour age=9-17");
  f["means_fraud"] = Fact::flag(true, "fake contract", "document 4");
  EXPECT_EQ(facts_from_json(facts_to_json(f)), f);
  for (const auto& age : {Fact::age_exact(17), Fact::age_band(48, std::nullopt), Fact::unknown()}) {
    const Facts one{{"age_at_act", age}};
    EXPECT_EQ(facts_from_json(facts_to_json(one)), one) << facts_to_json(one).dump();
  }
  EXPECT_EQ(facts_to_json(Facts{{"age_at_act", Fact::age_exact(17)}}),
            json::parse(R"({"age_at_act": {"value": 17}})"));
}

TEST(FactsJson, RejectsBadInputNamingThePointer) {
  EXPECT_EQ(error_field(R"([])"), "");
  EXPECT_EQ(error_field(R"({"means_bribery": {"value": true}})"), "/means_bribery");
  EXPECT_EQ(error_field(R"({"means_deception": true})"), "/means_deception");
  EXPECT_EQ(error_field(R"({"means_deception": {"value": "yes"}})"), "/means_deception/value");
  EXPECT_EQ(error_field(R"({"means_deception": {"value": 1}})"), "/means_deception/value");
  EXPECT_EQ(error_field(R"({"means_deception": {"value": null}})"), "/means_deception/value");
  EXPECT_EQ(error_field(R"({"means_deception": {}})"), "/means_deception/value");
  EXPECT_EQ(error_field(R"({"means_deception": {"value": true, "colour": 1}})"),
            "/means_deception/colour");
  EXPECT_EQ(error_field(R"({"means_deception": {"value": true, "note": 5}})"),
            "/means_deception/note");
  EXPECT_EQ(error_field(R"({"means_deception": {"value": true, "source": ["a"]}})"),
            "/means_deception/source");
  EXPECT_EQ(error_field(R"({"means_deception": {"band": {"min": 1}}})"), "/means_deception/band");
  EXPECT_EQ(error_field(R"({"age_at_act": {"value": 17.5}})"), "/age_at_act/value");
  EXPECT_EQ(error_field(R"({"age_at_act": {"value": -1}})"), "/age_at_act/value");
  EXPECT_EQ(error_field(R"({"age_at_act": {"value": 400}})"), "/age_at_act/value");
  EXPECT_EQ(error_field(R"({"age_at_act": {"value": true}})"), "/age_at_act/value");
  EXPECT_EQ(error_field(R"({"age_at_act": {"value": 17, "band": {"min": 9}}})"),
            "/age_at_act/band");
  EXPECT_EQ(error_field(R"({"age_at_act": {"band": {"max": 17}}})"), "/age_at_act/band/min");
  EXPECT_EQ(error_field(R"({"age_at_act": {"band": {"min": 18, "max": 17}}})"),
            "/age_at_act/band/max");
  EXPECT_EQ(error_field(R"({"age_at_act": {"band": {"min": 9, "mean": 12}}})"),
            "/age_at_act/band/mean");
  EXPECT_EQ(error_field(R"({"age_at_act": {"band": "9-17"}})"), "/age_at_act/band");
  const std::string long_note(5000, 'x');
  EXPECT_EQ(error_field(json{{"act_receipt", {{"value", true}, {"note", long_note}}}}.dump()),
            "/act_receipt/note");
}

TEST(FactsJson, PointersAreEscapedAndPrefixed) {
  EXPECT_EQ(error_field(R"({"a/b~c": {"value": true}})"), "/a~1b~0c");
  EXPECT_EQ(error_field(R"({"means_fraud": {"value": 2}})", "/facts"), "/facts/means_fraud/value");
  EXPECT_EQ(error_field(R"(3)", "/facts"), "/facts");
}

TEST(ResultJson, CarriesOutcomeElementsEvidenceAndWhatToEstablish) {
  const auto input = json::parse(R"({
    "act_recruitment": {"value": true, "note": "online advert", "source": "interview 1"},
    "purpose_forced_labour": {"value": true, "note": "14-hour days, no pay"},
    "means_deception": {"value": "unknown"},
    "age_at_act": {"value": "unknown", "note": "no documents"},
    "crossed_border": {"value": false}
  })");
  const auto r = result_to_json(shipped().evaluate(facts_from_json(input)));
  EXPECT_EQ(r["rule_set"]["id"], "palermo-2000");
  EXPECT_EQ(r["rule_set"]["version"], 1);
  EXPECT_EQ(r["outcome"], "insufficient_information");
  EXPECT_EQ(r["determined"], false);
  EXPECT_EQ(r["outcome_label"]["en"], "insufficient information");
  EXPECT_TRUE(r["explanation"].contains("ar"));
  ASSERT_TRUE(r["elements"].is_array());
  const auto& act = r["elements"][0];
  EXPECT_EQ(act["id"], "act");
  EXPECT_EQ(act["value"], "met");
  EXPECT_EQ(act["decided_by"], json::array({"act_recruitment"}));
  EXPECT_EQ(act["evidence"][0],
            json::parse(R"({"fact": "act_recruitment", "value": true, "note": "online advert",
                            "source": "interview 1"})"));
  EXPECT_EQ(r["elements"][3]["id"], "child");
  EXPECT_EQ(r["elements"][3]["value"], "unknown");
  EXPECT_EQ(r["elements"][3]["evidence"][0]["note"], "no documents");
  // Facts not given at all are unknown, so every means is still open.
  ASSERT_EQ(r["to_establish"].size(), 2u);
  EXPECT_EQ(r["to_establish"][0]["id"], "age_at_act");
  EXPECT_EQ(r["to_establish"][0]["kind"], "fact");
  EXPECT_EQ(r["to_establish"][1]["id"], "means");
  EXPECT_EQ(r["to_establish"][1]["kind"], "element");
  EXPECT_EQ(r["to_establish"][1]["facts"].size(), 9u);
  EXPECT_TRUE(r["notes"].is_array());
  EXPECT_EQ(r["possible_outcomes"],
            json::array({"presumed_trafficking", "exploitation_without_trafficking_elements"}));
}

}  // namespace
}  // namespace ctis::legal
