// Evaluating a rule set against one case's facts: element values with their evidence, the
// outcome from the decision table, notes, and what to establish when the outcome is open.
#include <algorithm>

#include "core/core.h"
#include "legal/legal.h"
#include "legal/rule_set_impl.h"

namespace ctis::legal {

namespace {

struct Ref {
  bool element = false;
  int index = 0;
  bool operator==(const Ref&) const = default;
};

class Evaluator {
 public:
  Evaluator(const RuleSet::Impl& rs, std::vector<const Fact*> facts)
      : rs_(rs), facts_(std::move(facts)) {
    values_.reserve(rs_.elements.size());
    evidence_.reserve(rs_.elements.size());
    // Elements only refer to earlier ones, so one pass in file order computes them all.
    for (const auto& el : rs_.elements) {
      values_.push_back(eval(el.rule));
      std::vector<int> facts_behind;
      for (const Ref& r : deciding(el.rule)) {
        const auto& more =
            r.element ? evidence_[static_cast<std::size_t>(r.index)] : std::vector<int>{r.index};
        for (int f : more) {
          if (std::find(facts_behind.begin(), facts_behind.end(), f) == facts_behind.end()) {
            facts_behind.push_back(f);
          }
        }
      }
      evidence_.push_back(std::move(facts_behind));
    }
  }

  Tri eval(const Expr& e) const {
    return eval_expr(e, [this](const Expr& x) { return leaf(x); });
  }

  // The operands (facts or elements) that decide e's value: for a met any-rule the met ones,
  // for a failed all-rule the failed ones, for an unknown result the unknown ones, else all.
  std::vector<Ref> deciding(const Expr& e) const {
    std::vector<Ref> out;
    collect(e, out);
    return out;
  }

  // For an unknown table condition: the facts, or groups of alternative facts, that settle it.
  void needs(const Expr& leaf, std::vector<Needed>& out) const {
    if (leaf.op != Expr::Op::element) {
      add_fact(leaf.ref, out);
      return;
    }
    const auto& el = rs_.elements[static_cast<std::size_t>(leaf.ref)];
    const auto& unknown_facts = evidence_[static_cast<std::size_t>(leaf.ref)];
    if (unknown_facts.size() == 1) {
      add_fact(unknown_facts[0], out);
    } else if (el.base) {
      // A group such as "means": naming it reads better than nine separate questions.
      if (std::none_of(out.begin(), out.end(), [&](const Needed& n) { return n.id == el.id; })) {
        Needed n{el.id, true, el.label, {}};
        for (int f : unknown_facts) n.facts.emplace_back(fact_name(f));
        out.push_back(std::move(n));
      }
    } else {
      for (const Ref& r : deciding(el.rule)) {
        Expr sub;
        sub.op = r.element ? Expr::Op::element : Expr::Op::fact;
        sub.ref = r.index;
        needs(sub, out);
      }
    }
  }

  Tri value(std::size_t element) const { return values_[element]; }
  const std::vector<int>& evidence(std::size_t element) const { return evidence_[element]; }
  const Fact* fact(int index) const { return facts_[static_cast<std::size_t>(index)]; }

  Tri leaf(const Expr& e) const {
    if (e.op == Expr::Op::element) return values_[static_cast<std::size_t>(e.ref)];
    return fact_leaf(e);
  }

 private:
  static std::string_view fact_name(int index) {
    return fact_catalogue()[static_cast<std::size_t>(index)].name;
  }

  Tri fact_leaf(const Expr& e) const {
    const auto i = static_cast<std::size_t>(e.ref);
    switch (e.op) {
      case Expr::Op::fact:
        return facts_[i] == nullptr ? Tri::unknown : facts_[i]->value;
      case Expr::Op::age_below: {
        if (facts_[i] == nullptr || !facts_[i]->age) return Tri::unknown;
        const AgeBand& age = *facts_[i]->age;
        if (age.max && *age.max < e.threshold) return Tri::yes;
        if (age.min >= e.threshold) return Tri::no;
        return Tri::unknown;  // a band straddling the threshold
      }
      default:
        return Tri::unknown;
    }
  }

  void collect(const Expr& e, std::vector<Ref>& out) const {
    switch (e.op) {
      case Expr::Op::constant:
        return;
      case Expr::Op::fact:
      case Expr::Op::age_below:
      case Expr::Op::element: {
        const Ref r{e.op == Expr::Op::element, e.ref};
        if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
        return;
      }
      case Expr::Op::negate:
      case Expr::Op::is_unknown:
        collect(e.args[0], out);
        return;
      case Expr::Op::any:
      case Expr::Op::all: {
        const Tri v = eval(e);
        // The operand value that decides: any is decided by a met operand, all by a failed one.
        const Tri decisive = e.op == Expr::Op::any ? Tri::yes : Tri::no;
        for (const auto& a : e.args) {
          const Tri av = eval(a);
          if (v == Tri::unknown ? av == Tri::unknown : (v != decisive || av == decisive)) {
            collect(a, out);
          }
        }
        return;
      }
    }
  }

  void add_fact(int index, std::vector<Needed>& out) const {
    const std::string name(fact_name(index));
    if (std::any_of(out.begin(), out.end(), [&](const Needed& n) { return n.id == name; })) return;
    out.push_back(Needed{name, false, rs_.fact_labels[static_cast<std::size_t>(index)], {name}});
  }

  const RuleSet::Impl& rs_;
  std::vector<const Fact*> facts_;  // by catalogue index; nullptr when not given
  std::vector<Tri> values_;
  std::vector<std::vector<int>> evidence_;  // facts behind each element's value
};

std::string lookup(const Text& text, const std::string& lang) {
  const auto it = text.find(lang);
  if (it != text.end()) return it->second;
  const auto en = text.find("en");
  return en == text.end() ? std::string() : en->second;
}

// Fills {possible_outcomes} and {to_establish}, in each language of the template.
Text render(const RuleSet::Impl& rs, const Text& templates, const std::vector<int>& possible,
            const std::vector<Needed>& needed) {
  Text out;
  for (const auto& [lang, tmpl] : templates) {
    const auto sep = rs.list_separator.contains(lang) ? rs.list_separator.at(lang) : "; ";
    std::string outcomes;
    for (int o : possible) {
      outcomes += (outcomes.empty() ? "" : sep) +
                  lookup(rs.outcomes[static_cast<std::size_t>(o)].label, lang);
    }
    std::string establish;
    for (const auto& n : needed)
      establish += (establish.empty() ? "" : sep) + lookup(n.label, lang);
    std::string s = tmpl;
    for (const auto& [key, value] : {std::pair{std::string("{possible_outcomes}"), outcomes},
                                     std::pair{std::string("{to_establish}"), establish}}) {
      for (auto pos = s.find(key); pos != std::string::npos;
           pos = s.find(key, pos + value.size())) {
        s.replace(pos, key.size(), value);
      }
    }
    out.emplace(lang, std::move(s));
  }
  return out;
}

}  // namespace

Result RuleSet::evaluate(const Facts& facts) const {
  const Impl& rs = *impl_;
  const auto catalogue = fact_catalogue();
  std::vector<const Fact*> by_index(catalogue.size(), nullptr);
  for (const auto& [name, fact] : facts) {
    const int i = fact_index(name);
    std::string at = "/";  // not "/" + token: GCC 12 -O3 warns falsely (-Wrestrict, PR 105329)
    at += pointer_token(name);
    if (i < 0) fail_invalid(at, "unknown fact \"" + name + "\"");
    const bool is_age = catalogue[static_cast<std::size_t>(i)].kind == FactKind::age;
    if (is_age && fact.value != Tri::unknown)
      fail_invalid(at + "/value", "an age is not true or false");
    if (!is_age && fact.age) fail_invalid(at + "/band", "only an age has a band");
    by_index[static_cast<std::size_t>(i)] = &fact;
  }
  const Evaluator ev(rs, std::move(by_index));

  Result r;
  r.rule_set_id = rs.id;
  r.rule_set_version = rs.version;
  for (std::size_t i = 0; i < rs.elements.size(); ++i) {
    const auto& el = rs.elements[i];
    ElementResult er{el.id, el.label, ev.value(i), {}, {}, el.sources};
    for (const Ref& ref : ev.deciding(el.rule)) {
      er.decided_by.emplace_back(
          ref.element ? rs.elements[static_cast<std::size_t>(ref.index)].id
                      : std::string(catalogue[static_cast<std::size_t>(ref.index)].name));
    }
    for (int f : ev.evidence(i)) {
      const Fact* given = ev.fact(f);
      er.evidence.push_back(Evidence{std::string(catalogue[static_cast<std::size_t>(f)].name),
                                     given ? *given : Fact{}});
    }
    r.elements.push_back(std::move(er));
  }

  // The outcome is decided when every completion of the unknown table conditions leads to the
  // same row's outcome. The conditions are treated as independent, so a combination the
  // elements cannot produce may add a possible outcome, never remove one.
  const auto leaves = table_leaves(rs);
  std::vector<Tri> known;
  std::vector<std::size_t> open;  // indexes into leaves of the unknown conditions
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    known.push_back(ev.leaf(*leaves[i]));
    if (known.back() == Tri::unknown) open.push_back(i);
  }
  std::vector<int> row_of(std::size_t{1} << open.size());
  for (std::size_t mask = 0; mask < row_of.size(); ++mask) {
    row_of[mask] = first_met_row(rs, [&](const Expr& e) {
      for (std::size_t i = 0; i < leaves.size(); ++i) {
        if (!same_leaf(*leaves[i], e)) continue;
        if (known[i] != Tri::unknown) return known[i];
        const auto bit = std::find(open.begin(), open.end(), i) - open.begin();
        return (mask >> bit) & 1u ? Tri::yes : Tri::no;
      }
      return ev.leaf(e);
    });
    // Unreachable for a loaded rule set: the loader proved the table complete.
    if (row_of[mask] < 0) {
      throw Error(ErrorKind::internal, "internal",
                  "rule set " + rs.id + ": no outcome row applies");
    }
  }
  std::vector<int> possible;  // outcome indexes, in table order
  for (std::size_t row = 0; row < rs.table.size(); ++row) {
    const int o = rs.table[row].outcome;
    const bool reached =
        std::find(row_of.begin(), row_of.end(), static_cast<int>(row)) != row_of.end();
    if (reached && std::find(possible.begin(), possible.end(), o) == possible.end()) {
      possible.push_back(o);
    }
  }
  r.determined = possible.size() == 1;
  const int outcome = r.determined ? possible[0] : rs.undetermined;
  if (!r.determined) {
    // Name only the conditions that can change the outcome on their own.
    for (std::size_t bit = 0; bit < open.size(); ++bit) {
      bool matters = false;
      for (std::size_t mask = 0; mask < row_of.size() && !matters; ++mask) {
        const auto a = rs.table[static_cast<std::size_t>(row_of[mask])].outcome;
        const auto b =
            rs.table[static_cast<std::size_t>(row_of[mask ^ (std::size_t{1} << bit)])].outcome;
        matters = a != b;
      }
      if (matters) ev.needs(*leaves[open[bit]], r.to_establish);
    }
  }
  const auto& def = rs.outcomes[static_cast<std::size_t>(outcome)];
  r.outcome = def.id;
  r.outcome_label = def.label;
  for (int o : possible) r.possible_outcomes.push_back(rs.outcomes[static_cast<std::size_t>(o)].id);
  r.explanation = render(rs, def.explanation, possible, r.to_establish);

  for (const auto& note : rs.notes) {
    if (ev.eval(note.when) == Tri::yes) r.notes.push_back(Note{note.id, note.text, note.sources});
  }
  return r;
}

}  // namespace ctis::legal
