// Internal to the legal module: the parsed form of a rule file, shared by the loader
// (rule_set.cc) and the evaluator (evaluate.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "legal/legal.h"

namespace ctis::legal {

// One JSON pointer reference token ("a/b" -> "a~1b", RFC 6901).
std::string pointer_token(std::string_view key);
// Index of a fact in fact_catalogue(), -1 when absent.
int fact_index(std::string_view name);

// A rule expression. Leaves are facts (by catalogue index), age comparisons and elements (by
// index into RuleSet::Impl::elements, always an earlier one, so there are no cycles).
struct Expr {
  enum class Op : std::uint8_t { constant, fact, age_below, element, any, all, negate, is_unknown };
  Op op = Op::constant;
  Tri constant = Tri::yes;
  int ref = -1;
  int threshold = 0;  // age_below: true when the age is below it
  std::vector<Expr> args;
};

struct ElementDef {
  std::string id;
  Text label;
  std::vector<std::string> sources;  // citations
  Expr rule;
  bool base = false;  // its rule names facts only
};

struct OutcomeDef {
  std::string id;
  Text label;
  Text explanation;
};

struct RowDef {
  int outcome = 0;
  Expr when;
};

struct NoteDef {
  std::string id;
  Text text;
  std::vector<std::string> sources;
  Expr when;
};

struct RuleSet::Impl {
  std::string id;
  int version = 0;
  std::string title;
  Text list_separator;
  std::vector<Text> fact_labels;  // by catalogue index; empty when the file gives none
  std::vector<ElementDef> elements;
  std::vector<OutcomeDef> outcomes;
  int undetermined = 0;  // index into outcomes
  std::vector<RowDef> table;
  std::vector<NoteDef> notes;
};

// Kleene evaluation; `leaf` gives the value of fact, age_below and element nodes, so the
// evaluator and the loader's completeness check share one definition of the connectives.
template <class Leaf>
Tri eval_expr(const Expr& e, const Leaf& leaf) {
  switch (e.op) {
    case Expr::Op::constant:
      return e.constant;
    case Expr::Op::fact:
    case Expr::Op::age_below:
    case Expr::Op::element:
      return leaf(e);
    case Expr::Op::any: {
      Tri r = Tri::no;
      for (const auto& a : e.args) {
        const Tri v = eval_expr(a, leaf);
        if (v == Tri::yes) return Tri::yes;
        if (v == Tri::unknown) r = Tri::unknown;
      }
      return r;
    }
    case Expr::Op::all: {
      Tri r = Tri::yes;
      for (const auto& a : e.args) {
        const Tri v = eval_expr(a, leaf);
        if (v == Tri::no) return Tri::no;
        if (v == Tri::unknown) r = Tri::unknown;
      }
      return r;
    }
    case Expr::Op::negate: {
      const Tri v = eval_expr(e.args[0], leaf);
      return v == Tri::unknown ? v : (v == Tri::yes ? Tri::no : Tri::yes);
    }
    case Expr::Op::is_unknown:
      return eval_expr(e.args[0], leaf) == Tri::unknown ? Tri::yes : Tri::no;
  }
  return Tri::unknown;
}

// The decision table's conditions: the distinct facts, age comparisons and elements its rows
// name. The loader proves the table complete over them; the evaluator enumerates the unknown
// ones to find the outcomes still possible.
inline bool same_leaf(const Expr& a, const Expr& b) {
  return a.op == b.op && a.ref == b.ref && a.threshold == b.threshold;
}
inline void collect_leaves(const Expr& e, std::vector<const Expr*>& out) {
  if (e.op == Expr::Op::fact || e.op == Expr::Op::age_below || e.op == Expr::Op::element) {
    for (const Expr* x : out) {
      if (same_leaf(*x, e)) return;
    }
    out.push_back(&e);
  }
  for (const auto& a : e.args) collect_leaves(a, out);
}
inline std::vector<const Expr*> table_leaves(const RuleSet::Impl& rs) {
  std::vector<const Expr*> out;
  for (const auto& row : rs.table) collect_leaves(row.when, out);
  return out;
}
// Index of the first row that is met, -1 when none is.
template <class Leaf>
int first_met_row(const RuleSet::Impl& rs, const Leaf& leaf) {
  for (std::size_t i = 0; i < rs.table.size(); ++i) {
    if (eval_expr(rs.table[i].when, leaf) == Tri::yes) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace ctis::legal
