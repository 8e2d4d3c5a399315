// Possible duplicates among cases: found with the right reasons, kept from those who may not
// read both cases, and not proposed again once decided.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

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

// Other persons on file for the timing below: none by default; CTIS_DUPLICATE_BENCH_DB=20000
// measures a full build against an incremental update over that many stored cases.
std::int64_t background_persons() {
  const char* text = std::getenv("CTIS_DUPLICATE_BENCH_DB");
  return text == nullptr ? 0 : std::stoll(text);
}

TEST_P(DuplicatesTest, ANewDuplicateIsFoundWithoutARebuild) {
  const std::int64_t others = background_persons();
  if (others > 0) {
    std::mt19937_64 rng(3);
    std::int64_t added = 0;
    p_->cases->insert_stream(coordinator_, coordinator_.organisation_id, [&](Record& out) {
      if (added++ == others) return false;
      auto name = [&] {
        std::string n(1, static_cast<char>('A' + rng() % 26));
        for (int i = 0; i < 6; ++i) n += static_cast<char>('a' + rng() % 26);
        return n;
      };
      char born[16];
      std::snprintf(born, sizeof born, "%04d-%02d-%02d", 1960 + static_cast<int>(rng() % 45),
                    1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28));
      out = validate(input(name(), name(), born, "Z" + std::to_string(rng() % 10000000)));
      return true;
    });
  }
  const auto a = create(worker_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  create(worker_, input("Grace", "Eze", "1985-11-02", ""));
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  EXPECT_EQ(p_->cases->duplicates(worker_, a)["candidates"].size(), 0u);
  const auto t1 = Clock::now();
  const auto before = p_->cases->duplicate_stats();
  EXPECT_EQ(before.full_builds, 1);
  EXPECT_EQ(before.indexed_persons, others + 2);
  const auto b = create(worker_, input("Amina", "Okafor", "1999-03-14", ""));
  const auto t2 = Clock::now();
  const json d = p_->cases->duplicates(worker_, a);
  const auto t3 = Clock::now();
  p_->cases->duplicates(worker_, a);  // nothing changed: the index as it is
  const auto t4 = Clock::now();
  const auto ms = [](auto dt) { return std::chrono::duration<double, std::milli>(dt).count(); };
  std::printf(
      "[ figures  ] %s cases: first look (full build) %.1f ms, after one new case "
      "(incremental) %.1f ms, unchanged %.1f ms\n",
      std::to_string(others + 2).c_str(), ms(t1 - t0), ms(t3 - t2), ms(t4 - t3));
  ASSERT_EQ(d["candidates"].size(), 1u);
  EXPECT_EQ(d["candidates"][0]["case_id"], b);
  if (others == 0) {
    EXPECT_EQ(d["model"]["source"], "priors");
  }
  const auto after = p_->cases->duplicate_stats();
  EXPECT_EQ(after.full_builds, 1);  // only the new case was read
  EXPECT_EQ(after.incremental_updates, before.incremental_updates + 1);
  EXPECT_EQ(after.persons_reindexed, before.persons_reindexed + 1);
  EXPECT_EQ(after.indexed_persons, others + 3);
  // The queue, built from the index's proposals, has the new pair too.
  const json queue = p_->cases->duplicate_queue(worker_, 500);
  bool queued = false;
  for (const auto& c : queue["candidates"]) {
    queued = queued || (c["case"]["id"] == a && c["other"]["id"] == b);
  }
  EXPECT_TRUE(queued) << queue.dump(2);
  // A status change writes the case but not the person: nothing is re-scored.
  p_->cases->set_status(worker_, b, "referred", "");
  p_->cases->duplicates(worker_, a);
  EXPECT_EQ(p_->cases->duplicate_stats().persons_reindexed, after.persons_reindexed);
  EXPECT_EQ(p_->cases->duplicate_stats().full_builds, 1);
}

TEST_P(DuplicatesTest, TheModelIsLearnedFromTwoHundredPersonsAndAgainAfterATenthMore) {
  // Invented persons, one in ten recorded twice.
  std::mt19937_64 rng(5);
  const std::vector<std::string> given = {"Amina", "Grace", "Joy",   "Blessing", "Mariana",
                                          "Elena", "Ioana", "Thi",   "Olena",    "Fatima",
                                          "Rahel", "Sara",  "Nadia", "Lan",      "Precious"};
  const std::vector<std::string> family = {
      "Okafor",  "Eze",      "Popescu", "Ionescu", "Nguyen",    "Tran",    "Shevchenko",
      "Bondar",  "Rahman",   "Hossain", "Mensah",  "Osei",      "Balogun", "Adeyemi",
      "Dumitru", "Moldovan", "Pham",    "Le",      "Kovalenko", "Akter"};
  std::vector<Record> records;
  auto person = [&](std::size_t i) {
    char born[16];
    std::snprintf(born, sizeof born, "%04d-%02d-%02d", 1970 + static_cast<int>(rng() % 35),
                  1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28));
    json in = input(given[rng() % given.size()], family[rng() % family.size()], born,
                    i % 3 == 0 ? "" : "X" + std::to_string(100000 + i));
    in["profile"]["citizenship"] = std::vector<std::string>{"NGA", "ROU", "VNM", "UKR"}[rng() % 4];
    in["profile"]["gender"] = rng() % 2 == 0 ? "woman" : "man";
    return in;
  };
  auto add = [&](std::size_t count) {
    std::vector<Record> batch;
    while (batch.size() < count) {
      json in = person(records.size());
      batch.push_back(validate(in));
      records.push_back(batch.back());
      if (records.size() % 10 == 0 && batch.size() < count) {
        // Recorded again: with a misspelt family name, a misspelt given name, or no document.
        if (records.size() % 30 == 0) {
          in["person"]["family_name"] = in["person"]["family_name"].get<std::string>() + "e";
        } else if (records.size() % 30 == 10) {
          in["person"]["given_name"] = in["person"]["given_name"].get<std::string>() + "h";
        } else {
          in["person"].erase("document_number");
        }
        batch.push_back(validate(in));
        records.push_back(batch.back());
      }
    }
    return p_->cases->insert_many(coordinator_, coordinator_.organisation_id, batch);
  };
  const auto first = add(199).front();
  json d = p_->cases->duplicates(worker_, first);
  EXPECT_EQ(d["model"]["source"], "priors");
  EXPECT_EQ(d["model"]["persons"], 0);
  EXPECT_FALSE(p_->cases->duplicate_stats().learned_model);
  EXPECT_EQ(p_->cases->duplicate_stats().model_trainings, 0);
  add(1);
  d = p_->cases->duplicates(worker_, first);
  EXPECT_EQ(d["model"]["source"], "learned");
  EXPECT_EQ(d["model"]["persons"], 200);
  auto stats = p_->cases->duplicate_stats();
  EXPECT_TRUE(stats.learned_model);
  EXPECT_EQ(stats.model_trainings, 1);
  EXPECT_EQ(stats.full_builds, 1);
  // The misspelt second records are found under the learned model, with their reasons.
  const json queue = p_->cases->duplicate_queue(worker_, 500);
  EXPECT_GE(queue["candidates"].size(), 18u);
  ASSERT_FALSE(queue["candidates"].empty());
  EXPECT_FALSE(queue["candidates"][0]["reasons"].empty());
  // Nineteen more (under a tenth): the model stays; the twentieth brings a new one.
  add(19);
  p_->cases->duplicates(worker_, first);
  EXPECT_EQ(p_->cases->duplicate_stats().model_trainings, 1);
  add(1);
  d = p_->cases->duplicates(worker_, first);
  stats = p_->cases->duplicate_stats();
  EXPECT_EQ(stats.model_trainings, 2);
  EXPECT_EQ(stats.model_persons, 220);
  EXPECT_EQ(d["model"]["persons"], 220);
  EXPECT_EQ(stats.full_builds, 1);
}

std::int64_t open_links(testing::Platform& p) {
  return p.db->connection()
      ->query_one("SELECT COUNT(*) FROM case_links WHERE unlinked_at IS NULL")
      ->integer(0);
}

TEST_P(DuplicatesTest, SamePersonLinksTheCasesUntilDecidedOtherwise) {
  const auto a = create(worker_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  const auto b = create(worker_, input("Amina", "Okafro", "1999-03-14", ""));
  EXPECT_EQ(p_->cases->get(worker_, a)["linked_cases"].size(), 0u);
  const json decided = p_->cases->decide_duplicate(worker_, a, b, "same_person");
  EXPECT_TRUE(decided["linked"].get<bool>());
  const json ga = p_->cases->get(worker_, a);
  ASSERT_EQ(ga["linked_cases"].size(), 1u) << ga.dump(2);
  const json& link = ga["linked_cases"][0];
  EXPECT_EQ(link["case_id"], b);
  EXPECT_EQ(link["linked_by"], worker_.user_id);
  EXPECT_EQ(link["linked_by_username"], worker_.username);
  EXPECT_FALSE(link["linked_at"].get<std::string>().empty());
  EXPECT_FALSE(link["reference"].get<std::string>().empty());
  // Both ways, for everyone who reads both cases' identifiers.
  const json gb = p_->cases->get(coordinator_, b);
  ASSERT_EQ(gb["linked_cases"].size(), 1u);
  EXPECT_EQ(gb["linked_cases"][0]["case_id"], a);
  EXPECT_EQ(p_->cases->duplicate_pair(coordinator_, a, b)["link"]["linked_by"], worker_.user_id);
  // Analysts read pseudonymous profiles: no link to follow.
  EXPECT_FALSE(p_->cases->get(analyst_, a).contains("linked_cases"));
  EXPECT_EQ(audit_count("case.link"), 1);
  // The same decision again links nothing more.
  p_->cases->decide_duplicate(coordinator_, b, a, "same_person");
  EXPECT_EQ(audit_count("case.link"), 1);
  EXPECT_EQ(open_links(*p_), 1);
  // "Not the same person" ends the link; the row stays with who ended it.
  EXPECT_FALSE(p_->cases->decide_duplicate(coordinator_, a, b, "not_duplicate")["linked"]);
  EXPECT_EQ(p_->cases->get(worker_, a)["linked_cases"].size(), 0u);
  EXPECT_EQ(p_->cases->get(worker_, b)["linked_cases"].size(), 0u);
  EXPECT_TRUE(p_->cases->duplicate_pair(worker_, a, b)["link"].is_null());
  EXPECT_EQ(audit_count("case.unlink"), 1);
  const auto ended = p_->db->connection()->query_one(
      "SELECT unlinked_by, unlinked_at, linked_by FROM case_links WHERE case_a = ?", {a});
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->integer(0), coordinator_.user_id);
  EXPECT_GT(ended->integer(1), 0);
  EXPECT_EQ(ended->integer(2), worker_.user_id);
  // And a later "same person" links them again, as a new link.
  p_->cases->decide_duplicate(worker_, a, b, "same_person");
  EXPECT_EQ(p_->cases->get(worker_, b)["linked_cases"].size(), 1u);
  EXPECT_EQ(open_links(*p_), 1);
  EXPECT_EQ(p_->db->connection()->query_one("SELECT COUNT(*) FROM case_links")->integer(0), 2);
  EXPECT_EQ(audit_count("case.link"), 2);
}

TEST_P(DuplicatesTest, ALinkIsSeenOnlyByThoseWhoReadBothCases) {
  const auto ours = create(worker_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  const auto theirs = create(shelter_, input("Amina", "Okafor", "1999-03-14", "A1234567"));
  // Without the shelter's referral, the worker may not link a case it cannot read.
  EXPECT_THROW(p_->cases->decide_duplicate(worker_, ours, theirs, "same_person"), Error);
  EXPECT_EQ(open_links(*p_), 0);
  const json referred = p_->cases->refer(
      shelter_, theirs,
      {{"to_organisation", worker_.organisation_id}, {"purpose", "follow-up"}, {"consent", true}});
  p_->cases->decide_duplicate(worker_, ours, theirs, "same_person");
  ASSERT_EQ(p_->cases->get(worker_, ours)["linked_cases"].size(), 1u);
  // The shelter reads its own case but not ours: the link is not shown to it.
  EXPECT_EQ(p_->cases->get(shelter_, theirs)["linked_cases"].size(), 0u);
  // Nor may it end the link.
  EXPECT_THROW(p_->cases->decide_duplicate(shelter_, theirs, ours, "not_duplicate"), Error);
  EXPECT_EQ(open_links(*p_), 1);
  // Law enforcement with one of the two cases only: no link.
  p_->cases->refer(worker_, ours,
                   {{"to_organisation", police_.organisation_id},
                    {"purpose", "investigation"},
                    {"consent", true}});
  const json police_view = p_->cases->get(police_, ours);
  ASSERT_TRUE(police_view.contains("linked_cases"));
  EXPECT_EQ(police_view["linked_cases"].size(), 0u);
  // Consent withdrawn: the worker's organisation no longer reads the shelter's case.
  p_->cases->withdraw_consent(shelter_, theirs, referred["referrals"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(p_->cases->get(worker_, ours)["linked_cases"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Stores, DuplicatesTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::cases
