#include <gtest/gtest.h>

#include <random>

#include "indicators/indicators.h"
#include "support.h"

namespace ctis::indicators {
namespace {

using nlohmann::json;
using testing::graded_doc;
using testing::shipped;

// Answers for a graded test catalogue: element "e" holds 3 strong, 4 medium, 4 weak indicators
// (indices 0-2, 3-6, 7-10); element "f" one strong (index 11).
class ElementRule : public ::testing::Test {
 protected:
  ElementRule() : c_(Catalogue::parse(graded_doc(3, 4, 4).dump(), "test")) {}

  // `yes` and `open` give numbers of strong, medium and weak indicators; the rest answer no.
  std::vector<Answer> answers(std::array<int, 3> yes, std::array<int, 3> open = {0, 0, 0},
                              Answer open_as = Answer::unknown) const {
    std::vector<Answer> a(c_.size(), Answer::no);
    const std::array<int, 3> first = {0, 3, 7};
    for (int s = 0; s < 3; ++s) {
      for (int k = 0; k < yes[s]; ++k) a[first[s] + k] = Answer::yes;
      for (int k = 0; k < open[s]; ++k) a[first[s] + yes[s] + k] = open_as;
    }
    return a;
  }

  Catalogue c_;
};

struct Row {
  int strong, medium, weak;
  ElementStatus status;
  int clause;
};

TEST_F(ElementRule, EveryCombinationRow) {
  const std::vector<Row> rows = {
      // The four published combinations.
      {2, 0, 0, ElementStatus::present, 0},
      {1, 1, 0, ElementStatus::present, 1},
      {1, 0, 1, ElementStatus::present, 1},
      {0, 3, 0, ElementStatus::present, 2},
      {0, 2, 1, ElementStatus::present, 3},
      // More than enough.
      {3, 4, 4, ElementStatus::present, 0},
      {0, 4, 0, ElementStatus::present, 2},
      // Not enough.
      {0, 0, 0, ElementStatus::absent, -1},
      {1, 0, 0, ElementStatus::absent, -1},
      {0, 1, 0, ElementStatus::absent, -1},
      {0, 2, 0, ElementStatus::absent, -1},
      {0, 1, 1, ElementStatus::absent, -1},
      {0, 1, 2, ElementStatus::absent, -1},
      {0, 1, 3, ElementStatus::absent, -1},
      {0, 1, 4, ElementStatus::absent, -1},
      // Weak alone never suffices, however many.
      {0, 0, 1, ElementStatus::absent, -1},
      {0, 0, 2, ElementStatus::absent, -1},
      {0, 0, 3, ElementStatus::absent, -1},
      {0, 0, 4, ElementStatus::absent, -1},
  };
  for (const Row& row : rows) {
    const auto a = answers({row.strong, row.medium, row.weak});
    const Evaluation ev = evaluate(c_, a);
    SCOPED_TRACE(::testing::Message()
                 << row.strong << "S " << row.medium << "M " << row.weak << "W");
    EXPECT_EQ(ev.elements[0].status, row.status);
    EXPECT_EQ(ev.elements[0].clause, row.clause);
    EXPECT_EQ(ev.elements[0].tally.yes, row.strong + row.medium + row.weak);
    EXPECT_EQ(ev.drivers_of(0).size(),
              static_cast<std::size_t>(row.strong + row.medium + row.weak));
    for (const IndicatorIndex i : ev.drivers_of(0)) EXPECT_EQ(a[i], Answer::yes);
    EXPECT_TRUE(ev.open_of(0).empty());
    EXPECT_EQ(ev.elements[1].status, ElementStatus::absent);  // one strong, answered no
  }
}

struct OpenRow {
  std::array<int, 3> yes, open;
  ElementStatus status;
};

TEST_F(ElementRule, UndeterminedOnlyWhenOpenAnswersCouldChangeIt) {
  const std::vector<OpenRow> rows = {
      {{1, 0, 0}, {0, 1, 0}, ElementStatus::undetermined},  // one medium more would do
      {{1, 0, 0}, {0, 0, 1}, ElementStatus::undetermined},  // so would one weak
      {{0, 2, 0}, {0, 0, 1}, ElementStatus::undetermined},
      {{0, 0, 2}, {1, 0, 0}, ElementStatus::undetermined},
      {{0, 0, 0}, {2, 0, 0}, ElementStatus::undetermined},
      {{0, 1, 0}, {0, 0, 3}, ElementStatus::absent},  // 1 medium + 3 weak meets nothing
      {{0, 0, 2}, {0, 0, 2}, ElementStatus::absent},  // weak only, even at best
      {{0, 1, 0}, {0, 0, 1}, ElementStatus::absent},
      {{2, 0, 0}, {1, 4, 4}, ElementStatus::present},  // decided whatever the rest says
      {{0, 3, 0}, {3, 1, 4}, ElementStatus::present},
  };
  for (const Answer open_as : {Answer::unknown, Answer::not_asked}) {
    for (const OpenRow& row : rows) {
      const auto a = answers(row.yes, row.open, open_as);
      const Evaluation ev = evaluate(c_, a);
      SCOPED_TRACE(::testing::Message() << "yes " << row.yes[0] << row.yes[1] << row.yes[2]
                                        << " open " << row.open[0] << row.open[1] << row.open[2]);
      EXPECT_EQ(ev.elements[0].status, row.status);
      const auto open = ev.open_of(0);
      if (row.status == ElementStatus::undetermined) {
        ASSERT_EQ(open.size(), static_cast<std::size_t>(row.open[0] + row.open[1] + row.open[2]));
        for (const IndicatorIndex i : open) EXPECT_EQ(a[i], open_as);
      } else {
        EXPECT_TRUE(open.empty());
      }
    }
  }
}

// Answers putting each of the six ILO/EC elements in the given state: present (every
// indicator yes), absent (every indicator no) or undetermined (every indicator unknown).
enum class S { P, A, U };

std::vector<Answer> six(const Catalogue& c, std::array<S, 6> states) {
  std::vector<Answer> a(c.size(), Answer::no);
  for (ElementIndex e = 0; e < 6; ++e) {
    const Answer v = states[e] == S::P   ? Answer::yes
                     : states[e] == S::A ? Answer::no
                                         : Answer::unknown;
    for (const IndicatorIndex i : c.indicators_of(e)) a[i] = v;
  }
  return a;
}

std::vector<std::string> rule_ids(const Catalogue& c, const std::vector<std::uint8_t>& k) {
  std::vector<std::string> out;
  for (const auto r : k) out.push_back(c.victim_rules()->rules[r].id);
  return out;
}

struct VictimRow {
  std::array<S, 6> states;  // DR CR AR EX CD AD
  Outcome outcome;
  std::vector<std::string> fired_or_possible;
};

TEST(VictimRule, Adults) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  using enum S;
  const std::vector<VictimRow> rows = {
      {{P, A, A, P, P, A}, Outcome::presumed_victim, {"via_deceptive_recruitment"}},
      {{A, P, A, P, A, P}, Outcome::presumed_victim, {"via_coercive_recruitment"}},
      {{A, A, P, P, P, A}, Outcome::presumed_victim, {"via_recruitment_abuse_of_vulnerability"}},
      {{P, P, A, P, P, P},
       Outcome::presumed_victim,
       {"via_deceptive_recruitment", "via_coercive_recruitment"}},
      {{P, P, P, P, A, A},
       Outcome::not_presumed_victim,
       {}},  // no coercion or abuse at destination
      {{P, A, A, A, P, P}, Outcome::not_presumed_victim, {}},  // no exploitation
      {{A, A, A, P, P, P}, Outcome::not_presumed_victim, {}},  // no recruitment element
      {{P, A, A, P, U, A}, Outcome::undetermined, {"via_deceptive_recruitment"}},
      {{U, A, A, P, P, A}, Outcome::undetermined, {"via_deceptive_recruitment"}},
      {{U, U, A, U, P, A},
       Outcome::undetermined,
       {"via_deceptive_recruitment", "via_coercive_recruitment"}},
      {{U, A, A, A, U, U}, Outcome::not_presumed_victim, {}},  // exploitation already absent
      {{U, U, U, U, U, U},
       Outcome::undetermined,
       {"via_deceptive_recruitment", "via_coercive_recruitment",
        "via_recruitment_abuse_of_vulnerability"}},
      {{P, U, U, P, P, U}, Outcome::presumed_victim, {"via_deceptive_recruitment"}},
  };
  for (const auto& row : rows) {
    const Evaluation ev = evaluate(c, six(c, row.states));
    EXPECT_EQ(ev.outcome, row.outcome) << &row - rows.data();
    const auto& listed = row.outcome == Outcome::presumed_victim ? ev.fired : ev.possible;
    EXPECT_EQ(rule_ids(c, listed), row.fired_or_possible) << &row - rows.data();
    if (row.outcome != Outcome::presumed_victim) {
      EXPECT_TRUE(ev.fired.empty());
    }
  }
}

TEST(VictimRule, ChildrenNeedNoMeansAtDestination) {
  for (const char* id : {"ilo-ec-child-labour", "ilo-ec-child-sexual"}) {
    const Catalogue& c = shipped().get(id);
    using enum S;
    const std::vector<VictimRow> rows = {
        {{P, A, A, P, A, A}, Outcome::presumed_victim, {"via_deceptive_recruitment"}},
        {{A, A, P, P, A, A}, Outcome::presumed_victim, {"via_recruitment_abuse_of_vulnerability"}},
        {{A, A, A, P, P, P}, Outcome::not_presumed_victim, {}},
        {{P, P, P, A, P, P}, Outcome::not_presumed_victim, {}},
        {{A, P, A, U, A, A}, Outcome::undetermined, {"via_coercive_recruitment"}},
    };
    for (const auto& row : rows) {
      const Evaluation ev = evaluate(c, six(c, row.states));
      EXPECT_EQ(ev.outcome, row.outcome) << id << " " << &row - rows.data();
      const auto& listed = row.outcome == Outcome::presumed_victim ? ev.fired : ev.possible;
      EXPECT_EQ(rule_ids(c, listed), row.fired_or_possible) << id << " " << &row - rows.data();
    }
  }
}

TEST(VictimRule, AdultsWithTheChildPatternAreNotPresumed) {
  for (const char* id : {"ilo-ec-adult-labour", "ilo-ec-adult-sexual"}) {
    const Catalogue& c = shipped().get(id);
    EXPECT_EQ(evaluate(c, six(c, {S::P, S::A, S::A, S::P, S::A, S::A})).outcome,
              Outcome::not_presumed_victim)
        << id;
  }
}

// The interpreter against the rule written out by hand, on random partial screenings.
TEST(VictimRule, InterpreterMatchesTheWrittenOutAdultRule) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  std::mt19937 rng(12345);
  std::discrete_distribution<int> pick({30, 40, 20, 10});  // not_asked, no, yes, unknown
  const auto present = [](int s, int m, int w) {
    return s >= 2 || (s >= 1 && m + w >= 1) || m >= 3 || (m >= 2 && w >= 1);
  };
  Evaluation ev;
  for (int round = 0; round < 3000; ++round) {
    std::vector<Answer> a(c.size());
    for (auto& x : a) x = static_cast<Answer>(pick(rng));
    evaluate_into(c, a, ev);
    std::array<int, 6> yes{}, best{};  // 0 absent, 1 undetermined, 2 present per element
    std::array<int, 6> state{};
    for (ElementIndex e = 0; e < 6; ++e) {
      std::array<int, 4> y{}, b{};
      for (const IndicatorIndex i : c.indicators_of(e)) {
        const auto s = static_cast<int>(c.strength(i));
        if (a[i] == Answer::yes) ++y[s];
        if (a[i] != Answer::no) ++b[s];
      }
      yes[e] = present(y[3], y[2], y[1]);
      best[e] = present(b[3], b[2], b[1]);
      state[e] = yes[e] ? 2 : best[e] ? 1 : 0;
      const ElementStatus want = state[e] == 2   ? ElementStatus::present
                                 : state[e] == 1 ? ElementStatus::undetermined
                                                 : ElementStatus::absent;
      ASSERT_EQ(ev.elements[e].status, want) << "round " << round << " element " << int(e);
    }
    const auto rule = [&](int need) {  // (DR|CR|AR) & EX & (CD|AD) at least at level `need`
      return std::max({state[0], state[1], state[2]}) >= need && state[3] >= need &&
             std::max(state[4], state[5]) >= need;
    };
    const Outcome want = rule(2)   ? Outcome::presumed_victim
                         : rule(1) ? Outcome::undetermined
                                   : Outcome::not_presumed_victim;
    ASSERT_EQ(ev.outcome, want) << "round " << round;
  }
}

TEST(ReportOnly, ForcedLabourIndicatorsAreCountedNotJudged) {
  const Catalogue& c = shipped().get("ilo-forced-labour-11");
  std::vector<Answer> a(c.size(), Answer::no);
  a[c.index_of("ilo-fl-07")] = Answer::yes;
  a[c.index_of("ilo-fl-09")] = Answer::yes;
  a[c.index_of("ilo-fl-03")] = Answer::unknown;
  const Evaluation ev = evaluate(c, a);
  EXPECT_EQ(ev.outcome, Outcome::indicators_present);
  EXPECT_EQ(ev.tally.yes, 2);
  EXPECT_EQ(ev.tally.unknown, 1);
  EXPECT_EQ(ev.tally.no, 8);
  EXPECT_EQ(ev.elements[0].status, ElementStatus::not_assessed);
  ASSERT_EQ(ev.drivers_of(0).size(), 2u);
  EXPECT_EQ(c.indicators()[ev.drivers_of(0)[0]].id, "ilo-fl-07");
  EXPECT_TRUE(ev.fired.empty());
  std::fill(a.begin(), a.end(), Answer::no);
  EXPECT_EQ(evaluate(c, a).outcome, Outcome::no_indicators_present);
}

TEST(ReportOnly, UnodcSheetsCountPerSheet) {
  const Catalogue& c = shipped().get("unodc-indicator-sheets");
  std::vector<Answer> a(c.size(), Answer::not_asked);
  a[c.index_of("unodc-dom-02")] = Answer::yes;
  const Evaluation ev = evaluate(c, a);
  EXPECT_EQ(ev.outcome, Outcome::indicators_present);
  const auto dom = *c.find_element("domestic_servitude");
  EXPECT_EQ(ev.elements[dom].tally.yes, 1);
  EXPECT_EQ(ev.elements[*c.find_element("general")].tally.not_asked,
            c.indicators_of(*c.find_element("general")).size());
}

TEST(Evaluate, RejectsAnswersThatDoNotFit) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  std::vector<Answer> a(c.size() - 1, Answer::no);
  EXPECT_THROW((void)evaluate(c, a), Error);
  a.resize(c.size(), Answer::no);
  a[5] = static_cast<Answer>(9);
  try {
    (void)evaluate(c, a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "/answers/5");
  }
}

TEST(Evaluate, IntoReusesBuffersAndMatchesFreshResults) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  const auto all_yes = std::vector<Answer>(c.size(), Answer::yes);
  const auto all_unknown = std::vector<Answer>(c.size(), Answer::unknown);
  Evaluation ev;
  evaluate_into(c, all_yes, ev);
  const auto* drivers = ev.drivers.data();
  const auto* open = ev.open.data();
  evaluate_into(c, all_unknown, ev);
  EXPECT_EQ(ev.drivers.data(), drivers);
  EXPECT_EQ(ev.open.data(), open);
  EXPECT_EQ(ev.outcome, Outcome::undetermined);
  EXPECT_EQ(ev.open.size(), c.size());
  EXPECT_TRUE(ev.drivers.empty());
  evaluate_into(c, all_yes, ev);
  const Evaluation fresh = evaluate(c, all_yes);
  EXPECT_EQ(evaluation_to_json(c, ev), evaluation_to_json(c, fresh));
  EXPECT_EQ(ev.outcome, Outcome::presumed_victim);
  EXPECT_EQ(ev.fired.size(), 3u);
}

TEST(Screening, RoundTripsThroughJsonAndIsEvaluated) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  Screening s = Screening::start(c);
  s.set(c, "ilo-ec-al-dr-01", Answer::yes, "interview", "Promised hotel work, sent to a farm.");
  s.set(c, "ilo-ec-al-dr-08", Answer::yes, "interview");
  s.set(c, "ilo-ec-al-ex-01", Answer::unknown);
  s.set(c, "ilo-ec-al-ex-02", Answer::no, "", "");
  const json j = screening_to_json(c, s);
  EXPECT_EQ(j["answers"].size(), 4u);
  EXPECT_EQ(j["answers"]["ilo-ec-al-dr-01"]["note"], "Promised hotel work, sent to a farm.");
  EXPECT_FALSE(j["answers"]["ilo-ec-al-ex-02"].contains("source"));

  const Screening back = screening_from_json(c, j);
  EXPECT_EQ(back.answers, s.answers);
  ASSERT_NE(back.detail(0), nullptr);
  EXPECT_EQ(back.detail(0)->source, "interview");
  EXPECT_EQ(screening_to_json(c, back), j);

  const Evaluation ev = evaluate(c, back);
  EXPECT_EQ(ev.elements[0].status, ElementStatus::present);
  EXPECT_EQ(ev.outcome, Outcome::undetermined);  // partial: the rest is still open
  const json out = evaluation_to_json(c, ev);
  EXPECT_EQ(out["outcome"], "undetermined");
  EXPECT_EQ(out["elements"][0]["drivers"], json({"ilo-ec-al-dr-01", "ilo-ec-al-dr-08"}));
  EXPECT_EQ(out["elements"][0]["clause"], 1);
}

TEST(Screening, BadJsonNamesThePointer) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  const auto expect_field = [&](const json& j, const std::string& field) {
    try {
      (void)screening_from_json(c, j, "/screening");
      ADD_FAILURE() << "accepted " << j.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid);
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  const json base = {{"catalogue", c.id()}, {"version", c.version()}, {"answers", json::object()}};
  json j = base;
  j["answers"]["ilo-ec-al-zz-01"] = {{"answer", "yes"}};
  expect_field(j, "/screening/answers/ilo-ec-al-zz-01");
  j = base;
  j["answers"]["ilo-ec-al-dr-01"] = {{"answer", "maybe"}};
  expect_field(j, "/screening/answers/ilo-ec-al-dr-01/answer");
  j = base;
  j["answers"]["ilo-ec-al-dr-01"] = {{"note", "no answer"}};
  expect_field(j, "/screening/answers/ilo-ec-al-dr-01/answer");
  j = base;
  j["answers"]["ilo-ec-al-dr-01"] = {{"answer", "yes"}, {"note", std::string(5000, 'x')}};
  expect_field(j, "/screening/answers/ilo-ec-al-dr-01/note");
  j = base;
  j["catalogue"] = "ilo-forced-labour-11";
  expect_field(j, "/screening/catalogue");
  j = base;
  j["extra"] = 1;
  expect_field(j, "/screening/extra");
}

TEST(Screening, AnotherCatalogueVersionIsAConflict) {
  const Catalogue& c = shipped().get("ilo-ec-adult-labour");
  json j = screening_to_json(c, Screening::start(c));
  j["version"] = "2008.0-old";
  const Screening old = screening_from_json(c, j);
  EXPECT_EQ(old.catalogue_version, "2008.0-old");
  try {
    (void)evaluate(c, old);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
    EXPECT_EQ(e.code(), "catalogue_version");
  }
}

}  // namespace
}  // namespace ctis::indicators
