// The model behind possible duplicates and its index of persons, without a database: a learned
// model against the priors on generated persons with known duplicates, the fallback below the
// training threshold, and incremental updates against a rebuild (with their timing printed).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>

#include "cases/internal.h"

namespace ctis::cases {
namespace {

using nlohmann::json;

// Invented names from syllables, drawn with weights 1/(rank + offset): a few names are common,
// most are rare, as in a real register.
class NamePool {
 public:
  NamePool(std::size_t count, double offset, std::uint64_t seed) {
    static const char* kSyllables[] = {"ka", "mi", "to", "ra", "na", "li", "so", "be", "du",
                                       "fe", "go", "ha", "je", "lo", "mu", "ni", "pa", "ke",
                                       "re", "si", "ta", "vo", "we", "zi", "yo", "za", "ob"};
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, std::size(kSyllables) - 1);
    std::uniform_int_distribution<int> length(2, 4);
    std::set<std::string> seen;
    while (names_.size() < count) {
      std::string name;
      for (int i = length(rng); i > 0; --i) name += kSyllables[pick(rng)];
      if (seen.insert(name).second) names_.push_back(name);
    }
    std::vector<double> weights;
    for (std::size_t r = 0; r < count; ++r)
      weights.push_back(1.0 / (static_cast<double>(r) + offset));
    dist_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }
  const std::string& draw(std::mt19937_64& rng) { return names_[dist_(rng)]; }

 private:
  std::vector<std::string> names_;
  std::discrete_distribution<std::size_t> dist_;
};

struct Generated {
  dedup::Table table;
  std::vector<std::string> entity;  // per row
};

std::string typo(std::string s, std::mt19937_64& rng) {
  if (s.size() < 3) return s;
  std::uniform_int_distribution<std::size_t> at(1, s.size() - 2);
  const std::size_t i = at(rng);
  if (rng() % 2 == 0) {
    std::swap(s[i], s[i + 1]);
  } else {
    s.erase(i, 1);
  }
  return s;
}

// `entities` persons; `duplicate_share` of them recorded a second time with the errors of data
// entry: typos, day and month swapped or a date off by days, a document number left out.
Generated generate(std::size_t entities, double duplicate_share, std::size_t given_names,
                   std::size_t family_names, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  NamePool given(given_names, 2 + static_cast<double>(given_names) / 100, seed + 1);
  NamePool family(family_names, 3 + static_cast<double>(family_names) / 100, seed + 2);
  static const char* kCountries[] = {"NGA", "NGA", "NGA", "ROU", "ROU", "VNM", "UKR", "BGD"};
  std::uniform_int_distribution<int> year(1965, 2006), month(1, 12), day(1, 28), digit(0, 9);
  std::uniform_real_distribution<double> chance(0, 1);
  Generated g;
  g.table.columns = person_match::columns();
  auto date = [](int y, int m, int d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
  };
  for (std::size_t e = 0; e < entities; ++e) {
    const int y = year(rng), m = month(rng), d = day(rng);
    json person = {{"given_name", given.draw(rng)},
                   {"family_name", family.draw(rng)},
                   {"birth_date", date(y, m, d)}};
    if (chance(rng) < 0.7) {
      std::string doc = "P";
      for (int i = 0; i < 7; ++i) doc += static_cast<char>('0' + digit(rng));
      person["document_number"] = doc;
    }
    json profile = {{"citizenship", kCountries[rng() % std::size(kCountries)]},
                    {"gender", rng() % 2 == 0 ? "woman" : "man"}};
    g.table.rows.push_back(person_match::row(person, profile));
    g.entity.push_back(std::to_string(e));
    if (chance(rng) >= duplicate_share) continue;
    json p2 = person, f2 = profile;
    if (chance(rng) < 0.2) p2["given_name"] = typo(person["given_name"], rng);
    if (chance(rng) < 0.2) p2["family_name"] = typo(person["family_name"], rng);
    if (const double r = chance(rng); r < 0.1 && d <= 12) {
      p2["birth_date"] = date(y, d, m);
    } else if (r < 0.2) {
      p2["birth_date"] = date(y, m, std::min(28, d + 1 + static_cast<int>(rng() % 5)));
    }
    if (const double r = chance(rng); r < 0.3) {
      p2.erase("document_number");
    } else if (r < 0.4 && person.contains("document_number")) {
      std::string doc = person["document_number"];
      doc[3] = static_cast<char>('0' + (doc[3] - '0' + 1) % 10);
      p2["document_number"] = doc;
    }
    if (const double r = chance(rng); r < 0.1) {
      f2.erase("citizenship");
    } else if (r < 0.15) {
      f2["citizenship"] = "GHA";  // recorded wrongly the second time
    }
    g.table.rows.push_back(person_match::row(p2, f2));
    g.entity.push_back(std::to_string(e));
  }
  return g;
}

PersonIndex index_of(const dedup::Table& table, std::shared_ptr<const PersonModel> model) {
  PersonIndex ix;
  ix.table = table;
  ix.model = std::move(model);
  for (std::uint32_t r = 0; r < table.size(); ++r) {
    ix.case_ids.push_back(r + 1);
    ix.row_of[r + 1] = r;
  }
  person_match::rebuild(ix);
  return ix;
}

dedup::PairQuality quality(const PersonIndex& ix, const std::vector<std::string>& entity) {
  std::vector<dedup::RecordPair> predicted;
  for (const auto& s : ix.proposals) predicted.push_back(s.pair);
  return dedup::evaluate_pairs(predicted, entity);
}

TEST(PersonMatch, LearnedModelDoesAtLeastAsWellAsThePriors) {
  // About 1,950 records, 450 known duplicate pairs, common names shared by different people.
  const Generated g = generate(1500, 0.3, 150, 300, 7);
  const auto learned = person_match::choose_model(g.table);
  ASSERT_TRUE(learned->learned);
  EXPECT_TRUE(learned->model.em_converged);
  // Exact names are weighed by frequency: a common family name counts less than a rare one.
  ASSERT_FALSE(learned->model.comparisons[1].term_frequency.empty());
  auto priors = std::make_shared<PersonModel>();
  priors->model = person_match::priors();
  const auto with_priors = quality(index_of(g.table, priors), g.entity);
  const auto with_learned = quality(index_of(g.table, learned), g.entity);
  std::printf(
      "[ figures  ] %zu records, %zu true pairs; priors P %.3f R %.3f F1 %.3f; learned "
      "P %.3f R %.3f F1 %.3f (EM %d iterations)\n",
      g.table.size(), with_priors.true_pairs, with_priors.precision, with_priors.recall,
      with_priors.f1, with_learned.precision, with_learned.recall, with_learned.f1,
      learned->model.em_iterations);
  EXPECT_GE(with_learned.f1, with_priors.f1);
  EXPECT_GE(with_learned.precision, 0.95);
  EXPECT_GE(with_learned.recall, 0.90);
}

TEST(PersonMatch, FewPersonsKeepThePriors) {
  const Generated g = generate(150, 0.3, 60, 80, 11);
  ASSERT_LT(g.table.size(), person_match::kMinPersonsToLearn);
  const auto chosen = person_match::choose_model(g.table);
  EXPECT_FALSE(chosen->learned);
  EXPECT_EQ(chosen->model.prior, person_match::priors().prior);
  EXPECT_EQ(chosen->model.comparisons[0].m, person_match::priors().comparisons[0].m);
  // A tenth more persons asks for a new model only once there are enough to learn from.
  PersonIndex ix = index_of(g.table, chosen);
  ix.changed_since_model = ix.table.size();
  EXPECT_FALSE(person_match::needs_new_model(ix));
  const Generated more = generate(300, 0.3, 60, 80, 12);
  ix.table = more.table;
  EXPECT_TRUE(person_match::needs_new_model(ix));
}

TEST(PersonMatch, AnImplausibleLearnedModelGivesWayToThePriors) {
  // Every second record has its family name misspelt: EM learns that the same person never
  // shares a family name, which no register bears out.
  Generated g = generate(250, 0.3, 60, 90, 19);
  for (std::size_t r = 1; r < g.table.size(); ++r) {
    if (g.entity[r] == g.entity[r - 1]) g.table.rows[r][1] += "x";
  }
  const auto chosen = person_match::choose_model(g.table);
  EXPECT_FALSE(chosen->learned);
  EXPECT_EQ(chosen->model.prior, person_match::priors().prior);
}

TEST(PersonMatch, RetrainsAfterATenthChanged) {
  const Generated g = generate(400, 0.3, 80, 120, 13);
  auto learned = std::make_shared<PersonModel>();
  learned->model = person_match::priors();  // the parameters do not matter here
  learned->learned = true;
  learned->chosen_at = g.table.size();
  PersonIndex ix = index_of(g.table, learned);
  ix.changed_since_model = ix.table.size() / 10 - 1;
  EXPECT_FALSE(person_match::needs_new_model(ix));
  ix.changed_since_model = ix.table.size() / 10 + 1;
  EXPECT_TRUE(person_match::needs_new_model(ix));
}

std::set<std::pair<std::int64_t, std::int64_t>> proposed_cases(const PersonIndex& ix) {
  std::set<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& s : ix.proposals) {
    const auto a = ix.case_ids[s.pair.a], b = ix.case_ids[s.pair.b];
    out.emplace(std::min(a, b), std::max(a, b));
  }
  return out;
}

// Persons for the timing below: 5,000 by default to keep the suite quick under the sanitizers;
// CTIS_DUPLICATE_BENCH_PERSONS=20000 for the figures in the report.
std::size_t bench_persons() {
  const char* text = std::getenv("CTIS_DUPLICATE_BENCH_PERSONS");
  return text == nullptr ? 5000 : std::max<std::size_t>(1000, std::stoul(text));
}

TEST(PersonMatch, IncrementalUpdatesMatchARebuildAndCostLess) {
  // Generated persons; the last 100 are added one by one, then 100 are changed.
  const std::size_t want = bench_persons();
  const Generated g = generate(want * 4 / 5, 0.25, want / 13, want / 4, 17);
  ASSERT_GE(g.table.size(), want * 49 / 50);
  const std::size_t n = g.table.size(), added = 100;
  auto model = std::make_shared<PersonModel>();
  model->model = person_match::priors();
  dedup::Table head = g.table;
  head.rows.resize(n - added);
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  PersonIndex ix = index_of(head, model);
  const auto t1 = Clock::now();
  std::size_t pairs = 0;
  for (std::size_t r = n - added; r < n; ++r) {
    pairs += person_match::put(ix, static_cast<std::int64_t>(r + 1), g.table.rows[r]).value();
    person_match::sort_proposals(ix);
  }
  const auto t2 = Clock::now();
  // Change 100 persons: each takes the person of another row (now a duplicate of it).
  dedup::Table changed = g.table;
  const std::size_t stride = n / 101;
  for (std::size_t i = 0; i < 100; ++i) {
    const std::size_t r = i * stride, from = r + 1;
    changed.rows[r] = changed.rows[from];
    person_match::put(ix, static_cast<std::int64_t>(r + 1), changed.rows[r]);
    person_match::sort_proposals(ix);
  }
  const auto t3 = Clock::now();
  const PersonIndex rebuilt = index_of(changed, model);
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  if (std::getenv("CTIS_DUPLICATE_BENCH_PERSONS") != nullptr) {
    // What a retraining costs (seconds under the sanitizers: measured in benchmarks only).
    const auto t4 = Clock::now();
    const auto learned = person_match::choose_model(changed);
    std::printf("[ figures  ] %zu persons: learning the model %.1f ms\n", n, ms(Clock::now() - t4));
    EXPECT_TRUE(learned->learned);
  }
  std::printf(
      "[ figures  ] %zu persons: rebuild %.1f ms (%zu proposals); incremental add %.3f ms "
      "per person (%.0f pairs scored each); incremental change %.3f ms per person\n",
      n - added, ms(t1 - t0), ix.proposals.size(), ms(t2 - t1) / added,
      static_cast<double>(pairs) / added, ms(t3 - t2) / 100);
  EXPECT_EQ(ix.table.size(), n);
  EXPECT_EQ(proposed_cases(ix), proposed_cases(rebuilt));
  const auto proposed = proposed_cases(ix);
  for (std::size_t i = 0; i < 100; ++i) {
    const auto a = static_cast<std::int64_t>(i * stride + 1);
    EXPECT_TRUE(proposed.contains({a, a + 1})) << "row " << a;
  }
  EXPECT_LT(ms(t2 - t1) / added, ms(t1 - t0));
}

}  // namespace
}  // namespace ctis::cases
