// legal: classification of one case under international law — trafficking in persons
// (Palermo Protocol art. 3) and smuggling of migrants (Smuggling Protocol art. 3).
//
// The law lives in a versioned rule file (data/legal/<id>.v<version>.json), not in code. The
// file defines elements as rules over facts and earlier elements, an ordered decision table of
// outcomes, notes, and every label and explanation in English, French, Spanish and Arabic.
// The code only knows the catalogue of facts (fact_catalogue()), which is stable: facts are
// added, never renamed or removed, so every published rule file stays loadable.
//
// Logic is three-valued (Kleene): each fact is true, false or unknown, and so is each element.
// The decision table is read top down and the first row that is met decides. With unknowns, the
// outcome is decided only when every way of settling the unknown conditions the table names
// (trafficking, smuggling, exploitation) leads to the same outcome; otherwise the result is the
// rule set's undetermined outcome ("insufficient_information"), naming the outcomes still
// possible and the facts (or groups of facts, such as "means") that would decide it.
//
// Every result records the id and version of the rule set that produced it; cases store both,
// so a classification can be reproduced with the same rules later.
//
// Threads: a RuleSet is immutable after loading and safe to share; evaluate() is const.
// Errors: ctis::Error(invalid, "invalid_rule_set") for a bad rule file, naming the file in the
// message and the JSON pointer as field; (unavailable, "rule_set") for an unreadable file or
// directory; (invalid, "invalid") for bad facts, the JSON pointer as field; (not_found,
// "rule_set") for a rule set not in a RuleLibrary.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ctis::legal {

// Kleene truth value. As an element value it reads met / not_met / unknown.
enum class Tri { no, yes, unknown };
std::string_view element_value_name(Tri t);  // "met", "not_met", "unknown"

// The fact catalogue. Flag facts are true / false / unknown; the one age fact is an age band.
enum class FactKind { flag, age };
struct FactInfo {
  std::string_view name;  // "means_deception"
  FactKind kind;
};
std::span<const FactInfo> fact_catalogue();
const FactInfo* find_fact(std::string_view name);  // nullptr when not in the catalogue

// Age in whole years, both ends inclusive; an exact age has min == max; no max means "min or
// older" (the CTDC band "48+").
struct AgeBand {
  int min = 0;
  std::optional<int> max;
  bool operator==(const AgeBand&) const = default;
};

struct Fact {
  Tri value = Tri::unknown;    // flag facts
  std::optional<AgeBand> age;  // the age fact; nullopt when unknown
  std::string note;            // the evidence, in the caseworker's words
  std::string source;          // where it comes from ("interview 2025-03-02", "document")
  bool operator==(const Fact&) const = default;

  static Fact flag(bool value, std::string note = {}, std::string source = {});
  static Fact unknown(std::string note = {}, std::string source = {});
  static Fact age_exact(int years, std::string note = {}, std::string source = {});
  static Fact age_band(int min, std::optional<int> max, std::string note = {},
                       std::string source = {});
};

// Facts by catalogue name; a fact that is absent is unknown.
using Facts = std::map<std::string, Fact, std::less<>>;
// Text by language code ("en", "fr", "es", "ar").
using Text = std::map<std::string, std::string, std::less<>>;

struct Evidence {
  std::string fact;
  Fact recorded;  // as given (unknown when it was absent)
};

struct ElementResult {
  std::string id;  // "act", "means", ...
  Text label;
  Tri value = Tri::unknown;
  // The operands that decided the value: for "met" through an any-rule, the facts or elements
  // that are met; for "not_met", those that are not met; for "unknown", the unknown ones.
  std::vector<std::string> decided_by;
  std::vector<Evidence> evidence;  // the facts behind decided_by, through nested elements
  std::vector<std::string>
      sources;  // citations, "Smuggling of Migrants Protocol (2000), art. 3(a)"
};

struct Note {
  std::string id;
  Text text;
  std::vector<std::string> sources;
};

// Something to establish before the outcome can be decided: one fact, or an element whose
// unknown facts are all alternatives of one another ("means": any of the unknown means).
struct Needed {
  std::string id;  // fact name or element id
  bool is_element = false;
  Text label;
  std::vector<std::string> facts;  // the unknown facts behind it
};

struct Result {
  std::string rule_set_id;
  int rule_set_version = 0;
  std::string outcome;  // "presumed_trafficking", ..., "insufficient_information"
  bool determined = true;
  // The outcomes the missing facts could still lead to, in table order; just `outcome` when
  // determined. The table's conditions are taken as independent, so this may name an outcome
  // the elements cannot actually combine into, never omit one.
  std::vector<std::string> possible_outcomes;
  Text outcome_label;
  Text explanation;
  std::vector<ElementResult> elements;  // in rule-file order
  std::vector<Note> notes;
  std::vector<Needed> to_establish;  // empty when determined

  const ElementResult* element(std::string_view id) const;  // nullptr when absent
};

class RuleSet {
 public:
  // Reads <dir>/<id>.v<version>.json; the file name must agree with the id and version inside.
  static RuleSet load(const std::string& path);
  // Parses rule-file text; name is used in error messages.
  static RuleSet parse(std::string_view text, const std::string& name);

  const std::string& id() const;
  int version() const;
  const std::string& title() const;
  // The label of a fact in the catalogue's languages; empty when the rule file gives none.
  const Text& fact_label(std::string_view fact) const;
  // The languages every label and explanation is given in.
  static std::span<const std::string_view> languages();

  // Throws Error(invalid) for facts not in the catalogue or of the wrong kind.
  Result evaluate(const Facts& facts) const;

  struct Impl;

 private:
  explicit RuleSet(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// Every rule file in a directory, by id and version.
class RuleLibrary {
 public:
  static RuleLibrary load(const std::string& dir);  // every *.json file; at least one
  // The rule sets compiled into the program (data/legal, see core/refdata.h).
  static RuleLibrary builtin();
  const RuleSet& latest(std::string_view id) const;
  const RuleSet& find(std::string_view id, int version) const;
  const std::vector<RuleSet>& all() const { return sets_; }  // by id, then version

 private:
  std::vector<RuleSet> sets_;
};

// JSON. Facts are an object keyed by fact name:
//   {"means_deception": {"value": true, "note": "promised hotel work", "source": "interview"},
//    "age_at_act": {"value": 17}, or {"band": {"min": 9, "max": 17}}, or {"value": "unknown"}}
// Flag values are true, false or "unknown"; note and source are optional strings. Input is
// checked strictly: unknown names or keys and wrong types throw Error(invalid) whose field is the
// JSON pointer, prefixed by `at` (the pointer of the facts object inside a larger document).
Facts facts_from_json(const nlohmann::json& json, const std::string& at = "");
nlohmann::json facts_to_json(const Facts& facts);
nlohmann::json result_to_json(const Result& result);

}  // namespace ctis::legal
