// Known-answer quality test: unsupervised deduplication of FEBRL dataset2 (5000 records, 1934
// true pairs within the file; "rec-12-org" and "rec-12-dup-0" are the same person).
//
// Settings, trained by EM without labels:
//  - comparisons: given_name, surname (Jaro–Winkler >= 0.92 / >= 0.8, term-frequency adjusted);
//    street_number, state (exact); address_1, address_2, suburb (Jaro–Winkler >= 0.92 / >= 0.8);
//    postcode, soc_sec_id (Jaro–Winkler >= 0.9); date_of_birth (date, within 31 days);
//  - blocking (union): postcode; soc_sec_id; date_of_birth; first letter of surname + birth
//    year; given_name + surname;
//  - u from 100,000 random pairs (seed 20261129); EM from prior 0.1, m(exact) 0.7, tolerance
//    1e-6, at most 200 iterations; pairs at match probability >= 0.5 are duplicates.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "dedup/dedup.h"

namespace ctis::dedup {
namespace {

Table load_dataset2() {
  const char* shared = std::getenv("CTIS_SHARED_DATA");
  if (shared == nullptr) {
    ADD_FAILURE() << "CTIS_SHARED_DATA is not set: it must name the shared data folder";
    return {};
  }
  const std::string path = std::string(shared) + "/linkage/febrl/febrl_dataset2.csv";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path << " (FEBRL dataset2, see PROVENANCE.md)";
    return {};
  }
  return read_csv(in, path);
}

// "rec-12-dup-0" → "12".
std::vector<std::string> entities(const Table& t) {
  std::vector<std::string> out;
  const std::size_t id = t.column("rec_id");
  for (const auto& row : t.rows) {
    const std::string& r = row[id];
    const std::size_t start = r.find('-') + 1;
    out.push_back(r.substr(start, r.find('-', start) - start));
  }
  return out;
}

// The settings for FEBRL's person records, shared with bench/dedup.
Settings febrl_settings() {
  const char* source = std::getenv("CTIS_SOURCE_DIR");
  if (source == nullptr) {
    ADD_FAILURE() << "CTIS_SOURCE_DIR is not set: it must name the source tree";
    return {};
  }
  std::ifstream in(std::string(source) + "/data/dedup/febrl-person.settings.json");
  return parse_settings(std::string(std::istreambuf_iterator<char>(in), {}));
}

// Loaded and trained once for the tests below (training is deterministic: seeded sampling).
struct Trained {
  Table table;
  Model model;
};
const Trained& dataset2() {
  static const Trained trained = [] {
    Trained t{load_dataset2(), {}};
    if (t.table.size() == 5000) t.model = train(t.table, febrl_settings());
    return t;
  }();
  return trained;
}

TEST(Febrl2, UnsupervisedDeduplicationReachesF1Of095) {
  const Table& t = dataset2().table;
  ASSERT_EQ(t.size(), 5000U);
  const auto entity = entities(t);
  const Settings settings = febrl_settings();

  const Candidates candidates = candidate_pairs(t, settings);
  const PairQuality blocking = evaluate_pairs(candidates.pairs, entity);
  EXPECT_EQ(blocking.true_pairs, 1934U);
  std::printf("blocking: %zu candidate pairs, recall %.4f (%zu of %zu true pairs)\n",
              candidates.pairs.size(), blocking.recall, blocking.true_positives,
              blocking.true_pairs);
  EXPECT_GE(blocking.recall, 0.97);

  const Model& model = dataset2().model;
  EXPECT_TRUE(model.em_converged);
  std::printf("EM: %d iterations, prior %.5f among %zu candidate pairs\n", model.em_iterations,
              model.prior, model.training_pairs);
  const auto scored = score(t, model);
  std::vector<RecordPair> predicted;
  for (const auto& s : scored) {
    if (s.probability >= settings.match_probability) predicted.push_back(s.pair);
  }
  const PairQuality q = evaluate_pairs(predicted, entity);
  std::printf("pairs at p >= %.2f: %zu; precision %.4f recall %.4f F1 %.4f\n",
              settings.match_probability, q.predicted_pairs, q.precision, q.recall, q.f1);
  EXPECT_GE(q.f1, 0.95);
  EXPECT_GE(q.precision, 0.9);
  EXPECT_GE(q.recall, 0.9);

  // Clusters: records of one person end up together.
  const Clusters clusters = cluster(t.size(), scored, settings.match_probability);
  std::vector<RecordPair> same_cluster;
  std::vector<std::vector<std::uint32_t>> members(clusters.count);
  for (std::uint32_t i = 0; i < t.size(); ++i) members[clusters.cluster_of[i]].push_back(i);
  for (const auto& group : members) {
    for (std::size_t i = 0; i < group.size(); ++i) {
      for (std::size_t j = i + 1; j < group.size(); ++j)
        same_cluster.push_back({group[i], group[j]});
    }
  }
  const PairQuality cq = evaluate_pairs(same_cluster, entity);
  std::printf("clusters: %zu; pairwise precision %.4f recall %.4f F1 %.4f\n", clusters.count,
              cq.precision, cq.recall, cq.f1);
  EXPECT_GE(cq.f1, 0.95);

  // The best pair explains itself field by field.
  ASSERT_FALSE(scored.empty());
  const auto reasons = explain(model, scored.front());
  ASSERT_EQ(reasons.size(), settings.comparisons.size());
  std::printf("best pair:");
  for (const auto& r : reasons) std::printf(" [%s]", r.text().c_str());
  std::printf("\n");
}

TEST(Febrl2, FindsTheOriginalOfANewDuplicate) {
  const Table& t = dataset2().table;
  ASSERT_EQ(t.size(), 5000U);
  const Model& model = dataset2().model;
  // Take the first 20 duplicates out of the file, then ask for each as a new record.
  const auto entity = entities(t);
  const std::size_t id = t.column("rec_id");
  Table rest;
  rest.columns = t.columns;
  std::vector<std::string> rest_entity;
  std::vector<std::size_t> probes;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (probes.size() < 20 && t.rows[i][id].find("-dup-") != std::string::npos) {
      probes.push_back(i);
    } else {
      rest.rows.push_back(t.rows[i]);
      rest_entity.push_back(entity[i]);
    }
  }
  int found = 0;
  for (std::size_t i : probes) {
    const auto matches = find_duplicates(rest, t.rows[i], model, 3, 0.5);
    if (!matches.empty() && rest_entity[matches[0].record] == entity[i]) {
      ++found;
      EXPECT_EQ(matches[0].reasons.size(), febrl_settings().comparisons.size());
    }
  }
  std::printf("find_duplicates: top-1 is the same person for %d of %zu probes\n", found,
              probes.size());
  EXPECT_GE(found, 18);
}

}  // namespace
}  // namespace ctis::dedup
