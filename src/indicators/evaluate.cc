// The screening engine: the catalogue's element rule and victim rule applied to a dense array
// of answers, in three-valued logic (present / absent / undetermined).
#include <algorithm>

#include "core/core.h"
#include "indicators/indicators.h"

namespace ctis::indicators {

namespace {

// Counts of "yes" (or "yes or still open") indicators by strength, indexed by Strength.
using Counts = std::array<int, 4>;

// Whether distinct indicators with these counts fill the clause. Specific slots first, then
// the medium-or-weak slots from what is left, then the "any" slots from everything left:
// each later slot accepts a superset of the earlier ones, so this greedy order is exact.
bool meets(const Clause& c, const Counts& n) {
  const int strong = n[3] - c.strong, medium = n[2] - c.medium, weak = n[1] - c.weak;
  if (strong < 0 || medium < 0 || weak < 0) return false;
  const int rest_mw = medium + weak - c.medium_or_weak;
  if (rest_mw < 0) return false;
  return strong + rest_mw + n[0] >= c.any;
}

int first_met(std::span<const Clause> clauses, const Counts& n) {
  for (std::size_t k = 0; k < clauses.size(); ++k) {
    if (meets(clauses[k], n)) return static_cast<int>(k);
  }
  return -1;
}

enum class Tri : std::uint8_t { no, maybe, yes };

Tri tri(ElementStatus s) {
  switch (s) {
    case ElementStatus::present:
      return Tri::yes;
    case ElementStatus::undetermined:
      return Tri::maybe;
    default:
      return Tri::no;
  }
}

}  // namespace

std::string_view to_string(Strength s) {
  switch (s) {
    case Strength::strong:
      return "strong";
    case Strength::medium:
      return "medium";
    case Strength::weak:
      return "weak";
    case Strength::none:
      break;
  }
  return "none";
}

std::string_view to_string(Answer a) {
  switch (a) {
    case Answer::yes:
      return "yes";
    case Answer::no:
      return "no";
    case Answer::unknown:
      return "unknown";
    case Answer::not_asked:
      break;
  }
  return "not_asked";
}

std::string_view to_string(ElementStatus s) {
  switch (s) {
    case ElementStatus::present:
      return "present";
    case ElementStatus::absent:
      return "absent";
    case ElementStatus::undetermined:
      return "undetermined";
    case ElementStatus::not_assessed:
      break;
  }
  return "not_assessed";
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::presumed_victim:
      return "presumed_victim";
    case Outcome::not_presumed_victim:
      return "not_presumed_victim";
    case Outcome::undetermined:
      return "undetermined";
    case Outcome::indicators_present:
      return "indicators_present";
    case Outcome::no_indicators_present:
      break;
  }
  return "no_indicators_present";
}

std::optional<Answer> parse_answer(std::string_view code) {
  if (code == "yes") return Answer::yes;
  if (code == "no") return Answer::no;
  if (code == "unknown") return Answer::unknown;
  if (code == "not_asked") return Answer::not_asked;
  return std::nullopt;
}

std::span<const IndicatorIndex> Evaluation::drivers_of(ElementIndex e) const {
  const ElementResult& r = elements.at(e);
  return std::span<const IndicatorIndex>(drivers).subspan(r.drivers_begin,
                                                          r.drivers_end - r.drivers_begin);
}

std::span<const IndicatorIndex> Evaluation::open_of(ElementIndex e) const {
  const ElementResult& r = elements.at(e);
  return std::span<const IndicatorIndex>(open).subspan(r.open_begin, r.open_end - r.open_begin);
}

void evaluate_into(const Catalogue& catalogue, Answers answers, Evaluation& out) {
  const std::size_t n = catalogue.size();
  if (answers.size() != n) {
    fail_invalid("/answers", "expected " + std::to_string(n) + " answers for catalogue " +
                                 catalogue.id() + ", got " + std::to_string(answers.size()));
  }
  const std::size_t elements = catalogue.elements().size();
  const std::span<const Clause> clauses = catalogue.element_rule();
  const bool assessed = !clauses.empty();

  // Reuse the caller's buffers: after the first call nothing here allocates.
  out.elements.resize(elements);
  if (out.drivers.capacity() < n) out.drivers.reserve(n);
  if (out.open.capacity() < n) out.open.reserve(n);
  out.drivers.clear();
  out.open.clear();
  out.fired.clear();
  out.possible.clear();
  out.tally = Tally{};

  for (std::size_t e = 0; e < elements; ++e) {
    ElementResult& r = out.elements[e];
    std::array<std::array<std::uint16_t, 4>, 4> count{};  // [answer][strength]
    r.drivers_begin = static_cast<std::uint32_t>(out.drivers.size());
    r.open_begin = static_cast<std::uint32_t>(out.open.size());
    for (const IndicatorIndex i : catalogue.indicators_of(static_cast<ElementIndex>(e))) {
      const auto a = static_cast<std::uint8_t>(answers[i]);
      if (a > 3) [[unlikely]] {
        fail_invalid("/answers/" + std::to_string(i), "not a valid answer");
      }
      ++count[a][static_cast<std::uint8_t>(catalogue.strength(i))];
      // Collect both kinds now; the open list is dropped below unless the element is open.
      if (answers[i] == Answer::yes) {
        out.drivers.push_back(i);
      } else if (answers[i] != Answer::no) {
        out.open.push_back(i);
      }
    }
    r.drivers_end = static_cast<std::uint32_t>(out.drivers.size());
    r.yes_by_strength = count[static_cast<int>(Answer::yes)];
    const auto sum = [](const std::array<std::uint16_t, 4>& c) {
      return static_cast<std::uint16_t>(c[0] + c[1] + c[2] + c[3]);
    };
    r.tally = {sum(count[static_cast<int>(Answer::yes)]), sum(count[static_cast<int>(Answer::no)]),
               sum(count[static_cast<int>(Answer::unknown)]),
               sum(count[static_cast<int>(Answer::not_asked)])};
    out.tally.yes = static_cast<std::uint16_t>(out.tally.yes + r.tally.yes);
    out.tally.no = static_cast<std::uint16_t>(out.tally.no + r.tally.no);
    out.tally.unknown = static_cast<std::uint16_t>(out.tally.unknown + r.tally.unknown);
    out.tally.not_asked = static_cast<std::uint16_t>(out.tally.not_asked + r.tally.not_asked);

    r.clause = -1;
    if (!assessed) {
      r.status = ElementStatus::not_assessed;
    } else {
      Counts yes{}, best{};
      for (std::size_t s = 0; s < 4; ++s) {
        yes[s] = count[static_cast<int>(Answer::yes)][s];
        // The best case: every open answer turns out "yes".
        best[s] = yes[s] + count[static_cast<int>(Answer::unknown)][s] +
                  count[static_cast<int>(Answer::not_asked)][s];
      }
      const int k = first_met(clauses, yes);
      if (k >= 0) {
        r.status = ElementStatus::present;
        r.clause = static_cast<std::int8_t>(k);
      } else if (first_met(clauses, best) >= 0) {
        r.status = ElementStatus::undetermined;
      } else {
        r.status = ElementStatus::absent;
      }
    }
    if (r.status != ElementStatus::undetermined) out.open.resize(r.open_begin);
    r.open_end = static_cast<std::uint32_t>(out.open.size());
  }

  const auto& victim = catalogue.victim_rules();
  if (!victim) {
    out.outcome = out.tally.yes > 0 ? Outcome::indicators_present : Outcome::no_indicators_present;
    return;
  }
  bool any_maybe = false;
  for (std::size_t k = 0; k < victim->rules.size(); ++k) {
    Tri rule = Tri::yes;
    for (const auto& term : victim->rules[k].all_of) {
      Tri t = Tri::no;
      for (const ElementIndex e : term) t = std::max(t, tri(out.elements[e].status));
      rule = std::min(rule, t);
    }
    if (rule == Tri::yes) out.fired.push_back(static_cast<std::uint8_t>(k));
    if (rule == Tri::maybe) {
      out.possible.push_back(static_cast<std::uint8_t>(k));
      any_maybe = true;
    }
  }
  if (!out.fired.empty()) {
    out.outcome = Outcome::presumed_victim;
    out.possible.clear();  // decided: what else might hold does not change the outcome
  } else {
    out.outcome = any_maybe ? Outcome::undetermined : Outcome::not_presumed_victim;
  }
}

Evaluation evaluate(const Catalogue& catalogue, Answers answers) {
  Evaluation out;
  evaluate_into(catalogue, answers, out);
  return out;
}

Evaluation evaluate(const Catalogue& catalogue, const Screening& screening) {
  if (screening.catalogue_id != catalogue.id()) {
    fail_invalid("/catalogue", "screening is for catalogue \"" + screening.catalogue_id +
                                   "\", not \"" + catalogue.id() + "\"");
  }
  if (screening.catalogue_version != catalogue.version()) {
    throw Error(ErrorKind::conflict, "catalogue_version",
                "screening was recorded against " + catalogue.id() + " version " +
                    screening.catalogue_version + "; the loaded version is " + catalogue.version(),
                "/version");
  }
  return evaluate(catalogue, std::span<const Answer>(screening.answers));
}

}  // namespace ctis::indicators
