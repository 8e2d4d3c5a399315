// Possible duplicates among cases: found with the right reasons, kept from those who may not
// read both cases, and not proposed again once decided.
#include <gtest/gtest.h>

#include "cases/cases.h"
#include "support/platform.h"

namespace ctis::cases {
namespace {

using nlohmann::json;
using store::Dialect;

class DuplicatesTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<testing::Platform>(GetParam());
    coordinator_ = p_->person("coord", "coordinator", "Referral Office");
    worker_ = p_->person("worker", "caseworker", "Referral Office");
    shelter_ = p_->person("shelter", "caseworker", "Shelter Network");
    police_ = p_->person("officer", "law_enforcement", "Police Anti-Trafficking Unit");
    analyst_ = p_->person("analyst", "analyst", "Referral Office");
  }

  static json input(const std::string& given, const std::string& family, const std::string& born,
                    const std::string& document) {
    json person = {{"given_name", given}, {"family_name", family}, {"birth_date", born}};
    if (!document.empty()) person["document_number"] = document;
    return {{"person", person},
            {"profile",
             {{"gender", "woman"},
              {"citizenship", "NGA"},
              {"year_of_registration", 2024},
              {"exploitation", {"sexual"}}}},
            {"immigration_status", "irregular; asylum claim pending"}};
  }

  std::int64_t create(const auth::Principal& by, const json& in) {
    return p_->cases->create(by, in)["id"].get<std::int64_t>();
  }

  static const json* candidate(const json& list, std::int64_t id) {
    for (const auto& c : list) {
      if (c["case_id"] == id) return &c;
    }
    return nullptr;
  }

  static json reason(const json& candidate, const std::string& field) {
    for (const auto& r : candidate["reasons"]) {
      if (r["field"] == field) return r;
    }
    return nullptr;
  }

  std::int64_t audit_count(const std::string& action) {
    return p_->db->connection()
        ->query_one("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action})
        ->integer(0);
  }

  std::unique_ptr<testing::Platform> p_;
  auth::Principal coordinator_, worker_, shelter_, police_, analyst_;
};

TEST_P(DuplicatesTest, NearDuplicateWithATypoIsFoundWithItsReasons) {
  const auto first = create(worker_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  const auto typo = create(worker_, input("Amina", "Okafro", "1999-03-14", "A1234567"));
  const auto other = create(worker_, input("Grace", "Okafor", "1985-11-02", "B7654321"));
  const json d = p_->cases->duplicates(worker_, first);
  EXPECT_EQ(d["case"]["id"], first);
  ASSERT_EQ(d["candidates"].size(), 1u) << d.dump(2);
  const json& c = d["candidates"][0];
  EXPECT_EQ(c["case_id"], typo);
  EXPECT_GT(c["probability"].get<double>(), 0.99);
  EXPECT_EQ(c["case"]["person"]["family_name"], "Okafro");
  EXPECT_FALSE(c["case"].contains("immigration_status"));
  // The transposed letters still score high on Jaro-Winkler, below an exact match.
  const json family = reason(c, "family_name");
  EXPECT_EQ(family["level"], "jaro-winkler >= 0.92");
  EXPECT_GT(family["weight"].get<double>(), 0);
  EXPECT_EQ(reason(c, "given_name")["level"], "exact");
  EXPECT_EQ(reason(c, "birth_date")["level"], "exact");
  EXPECT_EQ(reason(c, "document_number")["level"], "exact");
  // Reasons come strongest first: the document number is the rarest agreement.
  EXPECT_EQ(c["reasons"][0]["field"], "document_number");
  // The woman who shares the family name only is not proposed.
  EXPECT_EQ(candidate(d["candidates"], other), nullptr);
  EXPECT_EQ(p_->cases->duplicates(worker_, other)["candidates"].size(), 0u);
  EXPECT_EQ(audit_count("case.duplicates"), 2);
}

TEST_P(DuplicatesTest, SpellingAndSpacingDoNotHideADuplicate) {
  const auto a = create(worker_, input("  Fatima", "EL AMRANI", "2001-07-05", ""));
  const auto b = create(shelter_, input("fatima", "el  amrani", "2001-05-07", ""));
  // Different organisations: the coordinator of one does not see the other.
  EXPECT_EQ(p_->cases->duplicates(coordinator_, a)["candidates"].size(), 0u);
  // Referred with consent, the case is the shelter's to read too.
  p_->cases->refer(worker_, a,
                   {{"to_organisation", shelter_.organisation_id},
                    {"purpose", "shelter place"},
                    {"consent", true}});
  const json d = p_->cases->duplicates(shelter_, b);
  ASSERT_EQ(d["candidates"].size(), 1u);
  EXPECT_EQ(d["candidates"][0]["case_id"], a);
  EXPECT_EQ(reason(d["candidates"][0], "family_name")["level"], "exact");
  EXPECT_EQ(reason(d["candidates"][0], "birth_date")["level"], "month/day swapped");
  EXPECT_EQ(reason(d["candidates"][0], "document_number"), nullptr);  // missing: no reason
}

TEST_P(DuplicatesTest, OnlyThoseWhoReadBothCasesSeeThePair) {
  const auto ours = create(worker_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  const auto theirs = create(shelter_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  // Each organisation alone: nothing to see, though the persons are identical.
  EXPECT_EQ(p_->cases->duplicates(worker_, ours)["candidates"].size(), 0u);
  EXPECT_EQ(p_->cases->duplicates(shelter_, theirs)["candidates"].size(), 0u);
  EXPECT_EQ(p_->cases->duplicate_queue(worker_)["candidates"].size(), 0u);
  EXPECT_THROW(p_->cases->duplicate_pair(worker_, ours, theirs), Error);
  // A case the caller cannot read does not exist.
  try {
    p_->cases->duplicates(worker_, theirs);
    FAIL() << "read another organisation's case";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  // Analysts see pseudonymous profiles only: no identifiers, so no duplicates.
  try {
    p_->cases->duplicates(analyst_, ours);
    FAIL() << "an analyst compared identifiers";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::forbidden);
  }
  // Law enforcement: both cases referred to it with consent, it sees the pair, no status.
  EXPECT_THROW(p_->cases->duplicates(police_, ours), Error);
  for (const auto& [by, id] : {std::pair{worker_, ours}, std::pair{shelter_, theirs}}) {
    p_->cases->refer(by, id,
                     {{"to_organisation", police_.organisation_id},
                      {"purpose", "investigation"},
                      {"consent", true}});
  }
  const json d = p_->cases->duplicates(police_, ours);
  ASSERT_EQ(d["candidates"].size(), 1u);
  EXPECT_EQ(d["candidates"][0]["case_id"], theirs);
  EXPECT_EQ(d.dump().find("asylum"), std::string::npos);
  const json q = p_->cases->duplicate_queue(police_);
  ASSERT_EQ(q["candidates"].size(), 1u);
  EXPECT_EQ(q.dump().find("asylum"), std::string::npos);
  // Law enforcement reads, it does not decide.
  EXPECT_THROW(p_->cases->decide_duplicate(police_, ours, theirs, "same_person"), Error);
}

TEST_P(DuplicatesTest, ADecidedPairIsNotProposedAgain) {
  const auto a = create(worker_, input("Amina", "Okafor", "1999-03-14", ""));
  const auto b = create(worker_, input("Aminah", "Okafor", "1999-03-14", ""));
  const auto c = create(worker_, input("Amina", "Okafor", "1999-03-15", ""));
  const json queue = p_->cases->duplicate_queue(coordinator_);
  ASSERT_EQ(queue["candidates"].size(), 3u) << queue.dump(2);
  EXPECT_GE(queue["candidates"][0]["weight"].get<double>(),
            queue["candidates"][2]["weight"].get<double>());
  EXPECT_THROW(p_->cases->decide_duplicate(worker_, a, b, "maybe"), Error);
  EXPECT_THROW(p_->cases->decide_duplicate(worker_, a, a, "same_person"), Error);
  const json decided = p_->cases->decide_duplicate(worker_, b, a, "not_duplicate");
  EXPECT_EQ(decided["case_a"], a);
  EXPECT_EQ(decided["case_b"], b);
  EXPECT_EQ(audit_count("case.duplicate_decide"), 1);
  const json d = p_->cases->duplicates(worker_, a);
  EXPECT_EQ(candidate(d["candidates"], b), nullptr);
  EXPECT_NE(candidate(d["candidates"], c), nullptr);
  EXPECT_EQ(p_->cases->duplicate_queue(coordinator_)["candidates"].size(), 2u);
  // The pair itself still reads, with the decision; a second decision replaces the first.
  const json pair = p_->cases->duplicate_pair(coordinator_, a, b);
  EXPECT_EQ(pair["decision"]["decision"], "not_duplicate");
  EXPECT_EQ(pair["reasons"].size(), 5u);  // document number missing on both: no reason
  EXPECT_TRUE(pair["may_decide"].get<bool>());
  p_->cases->decide_duplicate(coordinator_, a, b, "same_person");
  EXPECT_EQ(p_->cases->duplicate_pair(worker_, a, b)["decision"]["decision"], "same_person");
}

TEST_P(DuplicatesTest, AChangedNameIsSeenAtOnce) {
  const auto a = create(worker_, input("Amina", "Okafor", "1999-03-14", ""));
  const auto b = create(worker_, input("Joy", "Eze", "1990-01-01", ""));
  EXPECT_EQ(p_->cases->duplicates(worker_, a)["candidates"].size(), 0u);
  p_->cases->update(
      worker_, b,
      {{"person",
        {{"given_name", "Amina"}, {"family_name", "Okafor"}, {"birth_date", "1999-03-14"}}}});
  const json d = p_->cases->duplicates(worker_, a);
  ASSERT_EQ(d["candidates"].size(), 1u);
  EXPECT_EQ(d["candidates"][0]["case_id"], b);
}

INSTANTIATE_TEST_SUITE_P(Stores, DuplicatesTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::cases
