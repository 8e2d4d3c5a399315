// The model behind possible duplicates and the index of persons it scores (see internal.h).
//
// Priors. m (how often a field agrees at each level for the same person) reflects data entry
// by caseworkers: names retyped, dates sometimes swapped or approximate. u (how often it agrees
// by chance for two different people) reflects name and birth-date spread in a national
// register. They serve a small register, where EM on a few hundred records settles on whatever
// it finds and a victim must not be proposed or hidden because of who else is on file.
//
// Learned. From kMinPersonsToLearn persons on, the dedup module trains on the stored persons: u
// from random pairs, m and the prior by EM over the blocked pairs, and exact name matches
// weighed by the name's frequency (a match on a common name says less than one on a rare
// name). A learned model that finds agreement likelier by chance than for the same person on
// some field has learned noise: the priors stay.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_set>

#include "cases/internal.h"

namespace ctis::cases::person_match {
namespace {

using nlohmann::json;

enum Column : std::size_t { given, family, birth, document, citizenship, gender, kColumnCount };

// Random pairs for u: enough for the rare agreements (document numbers) to be seen at all.
constexpr std::size_t kUSamplePairs = 100000;
// The least m of a level in a learned model.
constexpr double kMinM = 0.001;

dedup::Comparison comparison(Column column, dedup::CompareKind kind,
                             std::vector<double> bands = {}) {
  dedup::Comparison c;
  c.column = columns()[column];
  c.kind = kind;
  if (!bands.empty()) c.similarity_bands = std::move(bands);
  return c;
}

dedup::ComparisonModel levels(const dedup::Comparison& c, std::vector<double> m,
                              std::vector<double> u) {
  dedup::ComparisonModel cm;
  cm.level_names = dedup::level_names(c);
  cm.m = std::move(m);
  cm.u = std::move(u);
  return cm;
}

// Lower case, single spaces, no surrounding space: "  Amina  OKAFOR" and "amina okafor" agree.
std::string normalise_name(const std::string& text) {
  std::string out;
  bool space = false;
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isspace(u) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

// Upper case letters and digits only: "a 123-45" and "A12345" agree.
std::string normalise_document(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) != 0) out.push_back(static_cast<char>(std::toupper(u)));
  }
  return out;
}

dedup::RecordPair ordered(std::uint32_t x, std::uint32_t y) {
  return {std::min(x, y), std::max(x, y)};
}

// Best first; ties in a fixed order so that a rebuild and incremental updates agree.
bool better(const dedup::ScoredPair& x, const dedup::ScoredPair& y) {
  if (x.weight != y.weight) return x.weight > y.weight;
  return x.pair.a < y.pair.a || (x.pair.a == y.pair.a && x.pair.b < y.pair.b);
}

// Trains twice, each time blocked on one column with that column's comparison left out: inside
// a block the blocking field always agrees, and EM (u fixed from random pairs) would take that
// agreement for evidence of a match and call every candidate one. The birth-date blocks give
// m for the names and the rest; the family-name blocks give m for the birth date.
dedup::Model learn(const dedup::Table& table) {
  const dedup::Settings full = settings();
  dedup::Model out;
  out.settings = full;
  out.comparisons.resize(full.comparisons.size());
  out.training_records = table.size();
  out.em_converged = true;
  std::vector<bool> have(full.comparisons.size(), false);
  for (const Column blocked : {birth, family}) {
    dedup::Settings s = full;
    std::vector<std::size_t> kept;
    s.comparisons.clear();
    for (std::size_t c = 0; c < full.comparisons.size(); ++c) {
      if (full.comparisons[c].column == columns()[blocked]) continue;
      kept.push_back(c);
      s.comparisons.push_back(full.comparisons[c]);
    }
    s.blocking_rules = {{{{columns()[blocked], 0}}}};
    dedup::Model run = dedup::train(table, s);
    out.em_iterations = std::max(out.em_iterations, run.em_iterations);
    out.em_converged = out.em_converged && run.em_converged;
    for (std::size_t k = 0; k < kept.size(); ++k) {
      if (have[kept[k]]) continue;
      out.comparisons[kept[k]] = std::move(run.comparisons[k]);
      have[kept[k]] = true;
    }
  }
  // A level EM never saw among matches is rare for the same person, not impossible: a floor
  // keeps one typed-wrong field from outweighing everything else.
  for (auto& cm : out.comparisons) {
    double total = 0;
    for (std::size_t l = 1; l < cm.m.size(); ++l) total += (cm.m[l] = std::max(cm.m[l], kMinM));
    for (std::size_t l = 1; l < cm.m.size(); ++l) cm.m[l] /= total;
  }
  // The prior: the share of matches among the candidate pairs of every rule, by EM on that one
  // parameter with m and u as learned.
  const auto candidates = dedup::candidate_pairs(table, full);
  out.training_pairs = candidates.pairs.size();
  out.prior = 0.5;  // prior weight 0: a pair's weight is then its Bayes factor alone
  std::vector<double> factors;
  for (const auto& sp : dedup::score_pairs(table, out, candidates.pairs)) {
    factors.push_back(sp.weight);
  }
  double prior = full.em_start_prior;
  for (int it = 0; it < full.em_max_iterations && !factors.empty(); ++it) {
    const double prior_weight = std::log2(prior / (1 - prior));
    double sum = 0;
    for (const double w : factors) sum += 1.0 / (1.0 + std::exp2(-(w + prior_weight)));
    const double next = std::clamp(sum / static_cast<double>(factors.size()), 1e-9, 1 - 1e-9);
    const bool settled = std::fabs(next - prior) < full.em_tolerance;
    prior = next;
    if (settled) break;
  }
  out.prior = prior;
  return out;
}

bool plausible(const dedup::Model& m) {
  if (!(m.prior > 0 && m.prior < 1)) return false;
  for (const auto& cm : m.comparisons) {
    if (!(cm.m[dedup::kExactLevel] > cm.u[dedup::kExactLevel])) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& columns() {
  static const std::vector<std::string> names = {"given_name",      "family_name", "birth_date",
                                                 "document_number", "citizenship", "gender"};
  return names;
}

dedup::Settings settings() {
  using dedup::CompareKind;
  dedup::Settings s;
  s.comparisons = {comparison(given, CompareKind::jaro_winkler, {0.92, 0.8}),
                   comparison(family, CompareKind::jaro_winkler, {0.92, 0.8}),
                   comparison(birth, CompareKind::date),
                   comparison(document, CompareKind::jaro_winkler, {0.9}),
                   comparison(citizenship, CompareKind::exact),
                   comparison(gender, CompareKind::exact)};
  s.comparisons[0].term_frequency = true;
  s.comparisons[1].term_frequency = true;
  const auto& n = columns();
  s.blocking_rules = {{{{n[birth], 0}}},
                      {{{n[family], 0}}},
                      {{{n[given], 0}, {n[birth], 4}}},
                      {{{n[document], 0}}}};
  s.max_block_size = kMaxBlockSize;
  s.u_sample_pairs = kUSamplePairs;
  s.match_probability = 0.5;
  return s;
}

const dedup::Model& priors() {
  static const dedup::Model model = [] {
    dedup::Model mo;
    mo.settings = settings();
    auto& s = mo.settings;
    for (auto& c : s.comparisons) c.term_frequency = false;  // priors know no names
    // Levels: null (unused), exact, bands..., different.
    mo.comparisons = {
        levels(s.comparisons[0], {0, 0.85, 0.08, 0.04, 0.03}, {0, 0.005, 0.002, 0.01, 0.983}),
        levels(s.comparisons[1], {0, 0.85, 0.08, 0.04, 0.03}, {0, 0.003, 0.002, 0.01, 0.985}),
        // exact, month/day swapped, within 31 days, same year, different
        levels(s.comparisons[2], {0, 0.90, 0.02, 0.03, 0.02, 0.03},
               {0, 0.0001, 0.0001, 0.0017, 0.017, 0.9812}),
        levels(s.comparisons[3], {0, 0.90, 0.05, 0.05}, {0, 0.00001, 0.0001, 0.99989}),
        levels(s.comparisons[4], {0, 0.97, 0.03}, {0, 0.2, 0.8}),
        levels(s.comparisons[5], {0, 0.98, 0.02}, {0, 0.5, 0.5})};
    // Among pairs that share a block (same birth date, same family name, ...) about one in a
    // hundred is the same person.
    mo.prior = 0.01;
    return mo;
  }();
  return model;
}

std::vector<std::string> block_keys(const dedup::Record& row) {
  static const dedup::Settings s = settings();
  std::vector<std::string> keys;
  for (std::size_t r = 0; r < s.blocking_rules.size(); ++r) {
    std::string key = std::to_string(r);
    bool complete = true;
    for (const auto& k : s.blocking_rules[r].keys) {
      const auto at = static_cast<std::size_t>(
          std::find(columns().begin(), columns().end(), k.column) - columns().begin());
      const std::string& v = row[at];
      if (v.empty()) complete = false;
      key.push_back('\x1f');
      key.append(k.prefix == 0 ? v : v.substr(0, k.prefix));
    }
    if (complete) keys.push_back(std::move(key));
  }
  return keys;
}

dedup::Record row(const json& person, const json& profile) {
  dedup::Record r(kColumnCount);
  r[given] = normalise_name(person.value("given_name", ""));
  r[family] = normalise_name(person.value("family_name", ""));
  r[birth] = person.value("birth_date", "");
  r[document] = normalise_document(person.value("document_number", ""));
  r[citizenship] = profile.value("citizenship", "");
  r[gender] = profile.value("gender", "");
  return r;
}

std::shared_ptr<const PersonModel> choose_model(const dedup::Table& table) {
  auto out = std::make_shared<PersonModel>();
  out->chosen_at = table.size();
  if (table.size() >= kMinPersonsToLearn) {
    dedup::Model learned = learn(table);
    if (plausible(learned)) {
      out->model = std::move(learned);
      out->learned = true;
      return out;
    }
  }
  out->model = priors();
  return out;
}

bool needs_new_model(const PersonIndex& ix) {
  const std::size_t n = ix.table.size();
  const PersonModel& m = *ix.model;
  if (n < kMinPersonsToLearn) return m.learned || m.chosen_at >= kMinPersonsToLearn;
  if (m.chosen_at < kMinPersonsToLearn) return true;  // just crossed the threshold
  return ix.changed_since_model * 10 >= m.chosen_at;
}

void rebuild(PersonIndex& ix) {
  ix.blocks.clear();
  for (std::uint32_t r = 0; r < ix.table.rows.size(); ++r) {
    for (auto& key : block_keys(ix.table.rows[r])) ix.blocks[std::move(key)].push_back(r);
  }
  // Every pair within a block once; a block of a very common value is left out.
  std::vector<std::uint64_t> packed;
  for (const auto& [key, rows] : ix.blocks) {
    if (rows.size() > kMaxBlockSize) continue;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      for (std::size_t j = i + 1; j < rows.size(); ++j) {
        const auto p = ordered(rows[i], rows[j]);
        packed.push_back(static_cast<std::uint64_t>(p.a) << 32 | p.b);
      }
    }
  }
  std::sort(packed.begin(), packed.end());
  packed.erase(std::unique(packed.begin(), packed.end()), packed.end());
  std::vector<dedup::RecordPair> pairs;
  pairs.reserve(packed.size());
  for (const auto p : packed) {
    pairs.push_back({static_cast<std::uint32_t>(p >> 32), static_cast<std::uint32_t>(p)});
  }
  const auto& model = ix.model->model;
  ix.proposals.clear();
  for (auto& s : dedup::score_pairs(ix.table, model, pairs)) {
    if (s.probability >= model.settings.match_probability) ix.proposals.push_back(s);
  }
  std::sort(ix.proposals.begin(), ix.proposals.end(), better);
}

std::optional<std::size_t> put(PersonIndex& ix, std::int64_t case_id, dedup::Record person) {
  std::uint32_t at = 0;
  if (const auto found = ix.row_of.find(case_id); found != ix.row_of.end()) {
    at = found->second;
    if (ix.table.rows[at] == person) return std::nullopt;
    for (const auto& key : block_keys(ix.table.rows[at])) {
      auto it = ix.blocks.find(key);
      if (it == ix.blocks.end()) continue;
      std::erase(it->second, at);
      if (it->second.empty()) ix.blocks.erase(it);
    }
    std::erase_if(ix.proposals,
                  [&](const dedup::ScoredPair& s) { return s.pair.a == at || s.pair.b == at; });
    ix.table.rows[at] = std::move(person);
  } else {
    at = static_cast<std::uint32_t>(ix.table.rows.size());
    ix.table.rows.push_back(std::move(person));
    ix.case_ids.push_back(case_id);
    ix.row_of[case_id] = at;
  }
  std::vector<dedup::RecordPair> pairs;
  std::unordered_set<std::uint32_t> seen;
  for (auto& key : block_keys(ix.table.rows[at])) {
    auto& members = ix.blocks[std::move(key)];
    members.push_back(at);
    if (members.size() > kMaxBlockSize) continue;
    for (const auto other : members) {
      if (other != at && seen.insert(other).second) pairs.push_back(ordered(at, other));
    }
  }
  const auto& model = ix.model->model;
  for (auto& s : dedup::score_pairs(ix.table, model, pairs)) {
    if (s.probability >= model.settings.match_probability) ix.proposals.push_back(s);
  }
  ++ix.changed_since_model;
  return pairs.size();
}

void sort_proposals(PersonIndex& ix) {
  std::sort(ix.proposals.begin(), ix.proposals.end(), better);
}

json reasons_json(const dedup::Model& model, const dedup::ScoredPair& scored) {
  json out = json::array();
  auto reasons = dedup::explain(model, scored);
  std::erase_if(reasons, [](const dedup::Reason& r) { return r.level == "null"; });
  std::stable_sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) {
    return std::abs(a.weight) > std::abs(b.weight);
  });
  for (const auto& r : reasons) {
    out.push_back({{"field", r.column}, {"level", r.level}, {"weight", r.weight}});
  }
  return out;
}

}  // namespace ctis::cases::person_match
