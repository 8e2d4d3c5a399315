// The synthetic person generator (determinism, the duplicate share, truth in the ids, the
// corruptions it plants, skewed name frequencies) and multithreaded blocking, training and
// scoring (the same results on one thread and on several).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/core.h"
#include "dedup/dedup.h"

namespace ctis::dedup {
namespace {

// The settings bench/dedup uses for generated persons (per-rule EM, tight blocking).
Settings generated_settings() {
  const char* source = std::getenv("CTIS_SOURCE_DIR");
  if (source == nullptr) {
    ADD_FAILURE() << "CTIS_SOURCE_DIR is not set: it must name the source tree";
    return {};
  }
  const std::string path = std::string(source) + "/bench/dedup/generated-persons.settings.json";
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return parse_settings(std::string(std::istreambuf_iterator<char>(in), {}));
}

const Table& sample() {
  static const Table t = generate_persons(20000, 0.2, 42);
  return t;
}

TEST(GeneratePersons, SameSeedSameTableOtherSeedOtherTable) {
  const Table a = generate_persons(2000, 0.15, 7);
  const Table b = generate_persons(2000, 0.15, 7);
  const Table c = generate_persons(2000, 0.15, 8);
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_NE(a.rows, c.rows);
  EXPECT_EQ(a.columns, (std::vector<std::string>{"rec_id", "given_name", "surname", "street_number",
                                                 "address_1", "address_2", "suburb", "postcode",
                                                 "state", "date_of_birth", "soc_sec_id"}));
}

TEST(GeneratePersons, PlantsTheRequestedShareWithTruthInTheIds) {
  const Table& t = sample();
  ASSERT_EQ(t.size(), 20000U);
  const std::size_t id = t.column("rec_id");
  std::size_t dups = 0;
  std::map<std::string, std::size_t> originals;  // entity → row
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::string& r = t.rows[i][id];
    if (r.find("-dup-") != std::string::npos) {
      ++dups;
    } else {
      ASSERT_TRUE(r.starts_with("rec-") && r.ends_with("-org")) << r;
      EXPECT_TRUE(originals.emplace(r.substr(4, r.size() - 8), i).second) << r << " repeats";
    }
  }
  EXPECT_EQ(dups, 4000U);
  EXPECT_EQ(originals.size(), 16000U);
  // Every duplicate's entity is an original; ids are unique.
  const auto entity = entities_from_ids(t);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(originals.count(entity[i]), 1U) << t.rows[i][id];
    EXPECT_TRUE(ids.insert(t.rows[i][id]).second) << t.rows[i][id];
  }
  // The file is shuffled: duplicates are not all at the end.
  std::size_t dups_in_first_half = 0;
  for (std::size_t i = 0; i < t.size() / 2; ++i) {
    if (t.rows[i][id].find("-dup-") != std::string::npos) ++dups_in_first_half;
  }
  EXPECT_GT(dups_in_first_half, 1500U);
  EXPECT_LT(dups_in_first_half, 2500U);

  EXPECT_THROW(generate_persons(10, 0.95, 1), Error);
  EXPECT_THROW(generate_persons(10, -0.1, 1), Error);
  EXPECT_EQ(generate_persons(0, 0.1, 1).size(), 0U);
}

TEST(GeneratePersons, DuplicatesCarryEachKindOfCorruption) {
  const Table& t = sample();
  const auto entity = entities_from_ids(t);
  const std::size_t id = t.column("rec_id"), given = t.column("given_name"),
                    surname = t.column("surname"), dob = t.column("date_of_birth"),
                    street = t.column("address_1"), suburb = t.column("suburb");
  std::unordered_map<std::string, std::size_t> original;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.rows[i][id].ends_with("-org")) original[entity[i]] = i;
  }
  std::size_t identical = 0, typos = 0, missing = 0, swapped = 0, nicknames = 0, moved = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.rows[i][id].ends_with("-org")) continue;
    const auto& dup = t.rows[i];
    const auto& org = t.rows[original.at(entity[i])];
    if (std::equal(dup.begin() + 1, dup.end(), org.begin() + 1)) ++identical;
    for (std::size_t c = 1; c < dup.size(); ++c) {
      if (!org[c].empty() && dup[c].empty()) ++missing;
    }
    for (const std::size_t c : {given, surname}) {
      if (!dup[c].empty() && dup[c] != org[c] && jaro_winkler(dup[c], org[c]) >= 0.8) ++typos;
    }
    if (dup[given] == "bill" && org[given] == "william") ++nicknames;
    if (dup[dob].size() == 8 && org[dob].size() == 8 && dup[dob] != org[dob] &&
        dup[dob] == org[dob].substr(0, 4) + org[dob].substr(6, 2) + org[dob].substr(4, 2)) {
      ++swapped;
    }
    if (!dup[street].empty() && !org[street].empty() && dup[street] != org[street] &&
        jaro_winkler(dup[street], org[street]) < 0.8 && dup[suburb] != org[suburb]) {
      ++moved;
    }
  }
  std::printf(
      "4000 duplicates: %zu typos in names, %zu missing values, %zu day/month swaps, "
      "%zu william→bill, %zu moved\n",
      typos, missing, swapped, nicknames, moved);
  EXPECT_EQ(identical, 0U);
  EXPECT_GT(typos, 400U);
  EXPECT_GT(missing, 400U);
  EXPECT_GT(swapped, 50U);
  EXPECT_GT(nicknames, 0U);
  EXPECT_GT(moved, 100U);
}

TEST(GeneratePersons, NameFrequenciesAreSkewed) {
  const Table& t = sample();
  const std::size_t id = t.column("rec_id");
  for (const char* column : {"given_name", "surname"}) {
    std::map<std::string, std::size_t> counts;  // among originals: typos make one-off names
    for (const auto& row : t.rows) {
      const std::string& v = row[t.column(column)];
      if (row[id].ends_with("-org") && !v.empty()) ++counts[v];
    }
    std::vector<std::size_t> sorted;
    for (const auto& [name, n] : counts) sorted.push_back(n);
    std::sort(sorted.rbegin(), sorted.rend());
    ASSERT_GT(sorted.size(), 200U) << column;
    // The commonest name is many times as frequent as the 100th, which is still common.
    EXPECT_GT(sorted.front(), 5 * sorted[100]) << column;
    EXPECT_GT(sorted[100], 10U) << column;
    EXPECT_LT(sorted.front(), 16000U / 20) << column;  // no name takes over
  }
}

TEST(GeneratePersons, CsvRoundTrips) {
  Table t = generate_persons(500, 0.2, 3);
  t.rows[0][1] = "o'neil, \"jr\"";  // a comma and quotes survive
  std::stringstream csv;
  write_csv(csv, t);
  const Table back = read_csv(csv, "generated");
  EXPECT_EQ(back.columns, t.columns);
  EXPECT_EQ(back.rows, t.rows);
}

TEST(GeneratedDedup, PerRuleTrainingFindsThePlantedDuplicates) {
  const Table& t = sample();
  Settings settings = generated_settings();
  ASSERT_TRUE(settings.em_per_blocking_rule);
  settings.u_sample_pairs = 50000;  // enough for u here, and quick under sanitizers
  const Model model = train(t, settings);
  EXPECT_TRUE(model.em_converged);
  const auto scored = score(t, model);
  std::vector<RecordPair> predicted;
  for (const auto& s : scored) {
    if (s.probability >= settings.match_probability) predicted.push_back(s.pair);
  }
  const PairQuality q = evaluate_pairs(predicted, entities_from_ids(t));
  std::printf(
      "20000 generated records: %zu candidate pairs, prior %.3g; precision %.4f recall "
      "%.4f F1 %.4f\n",
      scored.size(), model.prior, q.precision, q.recall, q.f1);
  EXPECT_GE(q.precision, 0.97);
  EXPECT_GE(q.recall, 0.95);
  EXPECT_GE(q.f1, 0.97);
}

TEST(Threads, SameResultsOnOneThreadAndOnTwo) {
  const Table& t = sample();
  Settings one = generated_settings(), two = one;
  one.threads = 1;
  two.threads = 2;
  one.u_sample_pairs = two.u_sample_pairs = 25000;  // over the threshold for threads

  const Candidates c1 = candidate_pairs(t, one), c2 = candidate_pairs(t, two);
  EXPECT_EQ(c1.pairs, c2.pairs);
  EXPECT_EQ(c1.pairs_per_rule, c2.pairs_per_rule);

  const Model m1 = train(t, one), m2 = train(t, two);
  ASSERT_EQ(m1.comparisons.size(), m2.comparisons.size());
  for (std::size_t c = 0; c < m1.comparisons.size(); ++c) {
    EXPECT_EQ(m1.comparisons[c].u, m2.comparisons[c].u) << c;
    EXPECT_EQ(m1.comparisons[c].m, m2.comparisons[c].m) << c;
  }
  EXPECT_EQ(m1.prior, m2.prior);

  // 60,000 record pairs, enough to be split over threads; bit-identical scores.
  std::vector<RecordPair> pairs;
  for (std::uint32_t i = 0; i < 60000; ++i) {
    const std::uint32_t a = (i * 7919U) % 20000U, b = (i * 104729U + 1U) % 20000U;
    if (a != b) pairs.push_back({std::min(a, b), std::max(a, b)});
  }
  Model m2_one_thread = m2;
  m2_one_thread.settings.threads = 1;
  const auto s1 = score_pairs(t, m2_one_thread, pairs), s2 = score_pairs(t, m2, pairs);
  ASSERT_EQ(s1.size(), s2.size());
  for (std::size_t k = 0; k < s1.size(); ++k) {
    ASSERT_EQ(s1[k].pair, s2[k].pair) << k;
    ASSERT_EQ(s1[k].weight, s2[k].weight) << k;
    ASSERT_EQ(s1[k].levels, s2[k].levels) << k;
  }
}

TEST(Threads, SettingsCarryTheNewMembersThroughJson) {
  Settings s = generated_settings();
  s.threads = 3;
  s.em_sample_pairs = 12345;
  const Settings back = parse_settings(to_json(s));
  EXPECT_EQ(back.threads, 3U);
  EXPECT_EQ(back.em_sample_pairs, 12345U);
  EXPECT_TRUE(back.em_per_blocking_rule);
  s.em_sample_pairs = 0;
  EXPECT_THROW(train(sample(), s), Error);
}

}  // namespace
}  // namespace ctis::dedup
