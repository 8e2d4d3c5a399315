// Training on synthetic data with known m, u and prior; term frequencies; scoring, explaining,
// clustering and lookup on hand-made tables.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "core/core.h"
#include "dedup/dedup.h"

namespace ctis::dedup {
namespace {

// 400 blocks of 5 persons, each with an original and a duplicate record (4000 records). Field f
// takes one of kVocabulary values at random, so two different persons agree with probability
// u = 1/kVocabulary; a duplicate keeps the value with probability m[f], else gets another value.
constexpr int kVocabulary = 40;
const double kM[] = {0.95, 0.9, 0.8, 0.7};

Table synthetic(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(0, kVocabulary - 1);
  std::uniform_real_distribution<double> unit(0, 1);
  Table t;
  t.columns = {"block", "f0", "f1", "f2", "f3"};
  for (int block = 0; block < 400; ++block) {
    for (int person = 0; person < 5; ++person) {
      std::vector<std::string> original{std::to_string(block)};
      std::vector<std::string> duplicate{std::to_string(block)};
      for (double m : kM) {
        const int v = value(rng);
        int w = v;
        if (unit(rng) >= m) {
          while (w == v) w = value(rng);
        }
        original.push_back("v" + std::to_string(v));
        duplicate.push_back("v" + std::to_string(w));
      }
      t.rows.push_back(original);
      t.rows.push_back(duplicate);
    }
  }
  return t;
}

Settings synthetic_settings() {
  Settings s;
  for (const char* f : {"f0", "f1", "f2", "f3"}) s.comparisons.push_back({.column = f});
  s.blocking_rules = {{.keys = {{.column = "block"}}}};
  s.u_sample_pairs = 100000;
  return s;
}

TEST(Train, EmRecoversKnownMUAndPrior) {
  const Table t = synthetic(7);
  const Model model = train(t, synthetic_settings());
  // Blocks of 10 records: 45 pairs each, 5 of them matches.
  EXPECT_EQ(model.training_pairs, 400U * 45U);
  EXPECT_TRUE(model.em_converged);
  EXPECT_NEAR(model.prior, 5.0 / 45.0, 0.01);
  for (std::size_t f = 0; f < 4; ++f) {
    SCOPED_TRACE("field f" + std::to_string(f));
    EXPECT_NEAR(model.comparisons[f].m[kExactLevel], kM[f], 0.03);
    EXPECT_NEAR(model.comparisons[f].m[2], 1 - kM[f], 0.03);
    EXPECT_NEAR(model.comparisons[f].u[kExactLevel], 1.0 / kVocabulary, 0.003);
  }
  // Seeded: the same settings give the same model.
  const Model again = train(t, synthetic_settings());
  EXPECT_EQ(again.prior, model.prior);
  EXPECT_EQ(again.comparisons[2].u, model.comparisons[2].u);
}

TEST(Train, ScoresSeparateTheSyntheticMatches) {
  const Table t = synthetic(11);
  const Model model = train(t, synthetic_settings());
  const auto scored = score(t, model);
  ASSERT_EQ(scored.size(), 400U * 45U);
  for (std::size_t i = 1; i < scored.size(); ++i) {
    ASSERT_GE(scored[i - 1].weight, scored[i].weight);
  }
  std::vector<std::string> entity;
  for (std::size_t i = 0; i < t.size(); ++i) entity.push_back(std::to_string(i / 2));
  std::vector<RecordPair> predicted;
  for (const auto& s : scored) {
    if (s.probability >= 0.5) predicted.push_back(s.pair);
  }
  const PairQuality q = evaluate_pairs(predicted, entity);
  EXPECT_EQ(q.true_pairs, 2000U);
  EXPECT_GT(q.precision, 0.9);
  EXPECT_GT(q.recall, 0.9);
}

TEST(Train, RejectsSettingsThatDoNotFit) {
  const Table t = synthetic(1);
  Settings s = synthetic_settings();
  s.comparisons[2].column = "nope";
  try {
    (void)train(t, s);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field(), "/comparisons/2/column");
  }
  s = synthetic_settings();
  s.blocking_rules.clear();
  EXPECT_THROW((void)train(t, s), Error);
  s = synthetic_settings();
  s.comparisons[0].kind = CompareKind::jaro_winkler;
  s.comparisons[0].similarity_bands = {0.8, 0.9};
  EXPECT_THROW((void)train(t, s), Error);
  s = synthetic_settings();
  s.em_start_prior = 1.5;
  EXPECT_THROW((void)train(t, s), Error);
}

// 50 blocks of two persons recorded twice each; half the persons are "smith". Outside the
// blocks, one pair shares the rare "zyx" and one pair "smith", with the same city.
Table surnames() {
  Table t;
  t.columns = {"block", "surname", "city"};
  for (int person = 0; person < 100; ++person) {
    const std::string block = std::to_string(person / 2);
    const std::string surname = person % 2 == 0 ? "smith" : "name" + std::to_string(person);
    for (int copy = 0; copy < 2; ++copy) {
      t.rows.push_back({block, surname, "c" + std::to_string(person % 7)});
    }
  }
  t.rows.push_back({"x", "zyx", "c1"});
  t.rows.push_back({"x", "zyx", "c1"});
  t.rows.push_back({"y", "smith", "c1"});
  t.rows.push_back({"y", "smith", "c1"});
  return t;
}

TEST(TermFrequency, RareValuesWeighMore) {
  const Table t = surnames();
  Settings s;
  s.comparisons = {{.column = "surname", .term_frequency = true}, {.column = "city"}};
  s.blocking_rules = {{.keys = {{.column = "block"}}}};
  s.u_sample_pairs = 20000;
  const Model model = train(t, s);
  const auto& tf = model.comparisons[0].term_frequency;
  ASSERT_EQ(tf.count("smith"), 1U);
  EXPECT_NEAR(tf.at("smith"), 102.0 / 204.0, 1e-12);
  EXPECT_NEAR(tf.at("zyx"), 2.0 / 204.0, 1e-12);
  const double m = model.comparisons[0].m[kExactLevel];
  EXPECT_NEAR(model.level_weight(0, kExactLevel, "zyx"), std::log2(m / (2.0 / 204.0)), 1e-9);
  EXPECT_NEAR(model.level_weight(0, kExactLevel, "smith"), std::log2(m / 0.5), 1e-9);
  // A missing value is neutral, whatever the level would have been.
  EXPECT_EQ(model.level_weight(0, kNullLevel, ""), 0.0);
  // A value never seen in training counts as one record in the table.
  EXPECT_NEAR(model.level_weight(0, kExactLevel, "unseen"), std::log2(m * 204.0), 1e-9);
  // Not adjusted: city has no term frequencies.
  EXPECT_NEAR(model.level_weight(1, kExactLevel, "c1"),
              std::log2(model.comparisons[1].m[1] / model.comparisons[1].u[1]), 1e-9);

  const auto pairs = score_pairs(t, model, std::vector<RecordPair>{{200, 201}, {202, 203}});
  EXPECT_GT(pairs[0].weight, pairs[1].weight + 5);  // same evidence, rarer surname
  EXPECT_EQ(pairs[0].levels[0], kExactLevel);
}

ScoredPair pair_with(std::uint32_t a, std::uint32_t b, double probability) {
  ScoredPair s;
  s.pair = {a, b};
  s.probability = probability;
  return s;
}

TEST(Cluster, ConnectedComponentsAboveTheThreshold) {
  const std::vector<ScoredPair> pairs{pair_with(1, 2, 0.8), pair_with(0, 1, 0.9),
                                      pair_with(3, 4, 0.3), pair_with(5, 6, 0.95),
                                      pair_with(6, 5, 0.6)};
  const Clusters c = cluster(8, pairs, 0.5);
  EXPECT_EQ(c.count, 5U);
  EXPECT_EQ(c.cluster_of, (std::vector<std::uint32_t>{0, 0, 0, 1, 2, 3, 3, 4}));
  const Clusters all = cluster(8, pairs, 0.0);
  EXPECT_EQ(all.count, 4U);
  EXPECT_EQ(all.cluster_of[3], all.cluster_of[4]);
  EXPECT_THROW((void)cluster(3, pairs, 0.5), Error);
}

TEST(Explain, ReasonsNameFieldLevelAndWeight) {
  const Table t = surnames();
  Settings s;
  s.comparisons = {{.column = "surname", .term_frequency = true}, {.column = "city"}};
  s.blocking_rules = {{.keys = {{.column = "block"}}}};
  s.u_sample_pairs = 20000;
  const Model model = train(t, s);
  const auto scored = score_pairs(t, model, std::vector<RecordPair>{{200, 201}});
  const auto reasons = explain(model, scored[0]);
  ASSERT_EQ(reasons.size(), 2U);
  EXPECT_EQ(reasons[0].column, "surname");
  EXPECT_EQ(reasons[0].level, "exact");
  EXPECT_NEAR(reasons[0].weight, model.level_weight(0, kExactLevel, "zyx"), 1e-5);
  char expected[64];
  std::snprintf(expected, sizeof expected, "surname: exact (%+.1f)", reasons[0].weight);
  EXPECT_EQ(reasons[0].text(), expected);
  double sum = model.prior_weight();
  for (const auto& r : reasons) sum += r.weight;
  EXPECT_NEAR(sum, scored[0].weight, 1e-4);
  EXPECT_EQ(Reason({"dob", "month/day swapped", 3.24}).text(), "dob: month/day swapped (+3.2)");
  EXPECT_EQ(Reason({"city", "different", -2.06}).text(), "city: different (-2.1)");
}

TEST(FindDuplicates, TopKWithinTheProbeBlocks) {
  const Table t = synthetic(3);
  const Model model = train(t, synthetic_settings());
  // Record 10 is person 5's original; its duplicate is record 11, in block "1".
  Record probe = t.rows[10];
  const auto matches = find_duplicates(t, probe, model, 3);
  ASSERT_EQ(matches.size(), 3U);
  EXPECT_EQ(matches[0].record, 10U);  // itself, every field exact
  EXPECT_GE(matches[0].weight, matches[1].weight);
  EXPECT_GE(matches[1].weight, matches[2].weight);
  EXPECT_EQ(matches[0].reasons.size(), 4U);
  for (const auto& m : matches) EXPECT_EQ(t.rows[m.record][0], "1");
  // Only high probabilities, and a probe in no block finds nothing.
  for (const auto& m : find_duplicates(t, probe, model, 10, 0.99)) EXPECT_GE(m.probability, 0.99);
  probe[0] = "no such block";
  EXPECT_TRUE(find_duplicates(t, probe, model, 3).empty());
  probe.pop_back();
  EXPECT_THROW((void)find_duplicates(t, probe, model, 3), Error);
}

TEST(Blocking, UnionOfRulesWithoutRepeats) {
  Table t;
  t.columns = {"surname", "dob", "postcode"};
  t.rows = {{"smith", "19800101", "2600"},
            {"smyth", "19800515", "2600"},
            {"stone", "19811111", "2600"},
            {"smith", "19800101", "3000"},
            {"jones", "", "3000"}};
  Settings s;
  s.comparisons = {{.column = "surname"}};
  s.blocking_rules = {
      {.keys = {{.column = "postcode"}}},
      {.keys = {{.column = "surname", .prefix = 1}, {.column = "dob", .prefix = 4}}},
  };
  Candidates c = candidate_pairs(t, s);
  // postcode: (0,1) (0,2) (1,2) (3,4); initial + year: (0,1) (0,3) (1,3); "jones" has no dob.
  EXPECT_EQ(c.pairs_per_rule, (std::vector<std::size_t>{4, 3}));
  EXPECT_EQ(c.pairs, (std::vector<RecordPair>{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {3, 4}}));
  EXPECT_EQ(c.skipped_blocks_per_rule, (std::vector<std::size_t>{0, 0}));
  // A block larger than the limit is skipped and counted.
  s.max_block_size = 2;
  c = candidate_pairs(t, s);
  EXPECT_EQ(c.skipped_blocks_per_rule, (std::vector<std::size_t>{1, 1}));
  EXPECT_EQ(c.pairs, (std::vector<RecordPair>{{3, 4}}));
  s.blocking_rules[1].keys[0].column = "nope";
  try {
    (void)candidate_pairs(t, s);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/blocking_rules/1/keys/0/column");
  }
}

TEST(Score, OneModelSharedByThreadsGivesTheSameScores) {
  const Table t = synthetic(5);
  const Model model = train(t, synthetic_settings());
  const auto expected = score(t, model);
  std::vector<std::vector<ScoredPair>> results(3);
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (auto& r : results) threads.emplace_back([&] { r = score(t, model); });
  for (auto& th : threads) th.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), expected.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
      ASSERT_EQ(r[i].pair, expected[i].pair);
      ASSERT_EQ(r[i].weight, expected[i].weight);
    }
  }
}

TEST(Evaluate, CountsPairsWithinEntities) {
  const std::vector<std::string> entity{"a", "a", "a", "b", "", ""};
  const std::vector<RecordPair> predicted{{0, 1}, {1, 0}, {1, 2}, {2, 3}, {4, 5}};
  const PairQuality q = evaluate_pairs(predicted, entity);
  EXPECT_EQ(q.true_pairs, 3U);
  EXPECT_EQ(q.predicted_pairs, 4U);
  EXPECT_EQ(q.true_positives, 2U);
  EXPECT_DOUBLE_EQ(q.precision, 0.5);
  EXPECT_DOUBLE_EQ(q.recall, 2.0 / 3.0);
}

}  // namespace
}  // namespace ctis::dedup
