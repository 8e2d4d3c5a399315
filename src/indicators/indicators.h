// indicators: catalogues of trafficking indicators, and screening a person against them.
//
// A Catalogue is one versioned JSON file from data/indicators/ (the ILO/EC operational
// indicators, the ILO forced-labour indicators, the UNODC sheets). It groups indicators into
// elements; each indicator has a stable id, a strength where the source grades them, and a
// plain-language text in English, French, Spanish and Arabic. Indicators are interned to dense
// indices (0..size()-1) in file order, so a screening is a plain array of answers.
//
// The combination rules are data, interpreted here, never code: a new version of a rule is a
// new version of the file.
//  - element_rule: an element is present when the "yes" answers meet one clause of an any_of
//    list of minimum counts by strength (ILO/EC: 2 strong; 1 strong + 1 medium or weak;
//    3 medium; 2 medium + 1 weak). Distinct indicators fill distinct slots. A clause that weak
//    indicators alone could meet is rejected at load time.
//  - victim_rule: named rules, each a conjunction of terms, each term "any of these elements".
//    The person is a presumed victim when one rule holds.
// Catalogues without rules (ILO 11, UNODC) are report-only: which indicators are present, and
// how many; a trained person decides.
//
// Evaluation is three-valued. Unknown and not-asked answers are open: an element is present
// when the "yes" answers already meet the rule, absent when no outcome of the open answers could
// make it present, and undetermined otherwise; the victim outcome follows the same way. So a
// partial screening is evaluated honestly and says what is still undecided.
//
// Threads: a loaded Catalogue or Catalogues is immutable and safe to share; evaluate() takes no
// locks and does not allocate beyond its result (evaluate_into() reuses the result's buffers).
// Errors: ctis::Error(invalid) for a bad catalogue file (the message names the file, the JSON
// pointer and the reason; field() is the pointer), bad screening JSON, or answers that do not
// fit the catalogue; (not_found) for an unknown catalogue or indicator id; (unavailable) for a
// catalogue directory or file that cannot be read; (conflict, "catalogue_version") when a
// screening was recorded against another version of the catalogue.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace ctis::indicators {

using IndicatorIndex = std::uint16_t;
using ElementIndex = std::uint8_t;

enum class Strength : std::uint8_t { none, weak, medium, strong };  // none: source grades nothing
enum class Answer : std::uint8_t { not_asked, no, yes, unknown };
enum class ElementStatus : std::uint8_t { present, absent, undetermined, not_assessed };
enum class Outcome : std::uint8_t {
  presumed_victim,
  not_presumed_victim,  // "not a presumed victim on these answers"
  undetermined,
  indicators_present,     // report-only catalogues
  no_indicators_present,  // report-only catalogues
};
enum class VictimGroup : std::uint8_t { adults, children };

// Stable codes used in files and JSON ("strong", "not_asked", "presumed_victim", ...).
std::string_view to_string(Strength s);
std::string_view to_string(Answer a);
std::string_view to_string(ElementStatus s);
std::string_view to_string(Outcome o);
std::optional<Answer> parse_answer(std::string_view code);

// The languages every text must have; English is the fallback.
inline constexpr std::array<std::string_view, 4> kLanguages = {"en", "fr", "es", "ar"};

struct Text {
  std::array<std::string, 4> by_language;  // in kLanguages order
  // "fr", "fr-CA", "AR_eg" ... match on the primary subtag; anything else gives English.
  std::string_view get(std::string_view language) const;
};

struct Source {
  std::string title;
  std::string publisher;
  int year = 0;
  std::string document;  // document number, may be empty
  std::string url;       // may be empty
  std::string notes;     // what was verified against the source, and what was not
};

struct Element {
  std::string id;
  Text label;
};

struct Indicator {
  std::string id;
  ElementIndex element = 0;
  Strength strength = Strength::none;
  Text text;
};

// Minimum numbers of "yes" indicators for one clause of an element rule.
struct Clause {
  std::uint16_t strong = 0, medium = 0, weak = 0, medium_or_weak = 0, any = 0;
};

struct VictimRule {
  std::string id;
  Text label;
  std::vector<std::vector<ElementIndex>> all_of;  // each term holds when any of its elements does
};

struct VictimRules {
  VictimGroup applies_to = VictimGroup::adults;
  std::vector<VictimRule> rules;
};

class Catalogue {
 public:
  // `file` names the source in error messages.
  static Catalogue parse(std::string_view json_text, const std::string& file);
  static Catalogue load(const std::string& path);

  const std::string& id() const { return id_; }
  const std::string& version() const { return version_; }
  const Text& title() const { return title_; }
  const Source& source() const { return source_; }
  std::span<const Element> elements() const { return elements_; }
  std::span<const Indicator> indicators() const { return indicators_; }
  std::size_t size() const { return indicators_.size(); }

  std::optional<IndicatorIndex> find(std::string_view indicator_id) const;
  IndicatorIndex index_of(std::string_view indicator_id) const;  // Error(not_found)
  std::optional<ElementIndex> find_element(std::string_view element_id) const;
  // The element's indicators, in file order.
  std::span<const IndicatorIndex> indicators_of(ElementIndex e) const;
  Strength strength(IndicatorIndex i) const { return strengths_[i]; }

  std::string_view text(IndicatorIndex i, std::string_view language) const;
  std::string_view element_label(ElementIndex e, std::string_view language) const;

  // Empty when the catalogue has no element rule (report-only).
  std::span<const Clause> element_rule() const { return clauses_; }
  const std::optional<VictimRules>& victim_rules() const { return victim_rules_; }

 private:
  friend class CatalogueParser;
  std::string id_;
  std::string version_;
  Text title_;
  Source source_;
  std::vector<Element> elements_;
  std::vector<Indicator> indicators_;
  std::vector<Strength> strengths_;           // dense copy for the hot path
  std::vector<IndicatorIndex> by_element_;    // indicator indices grouped by element
  std::vector<std::uint32_t> element_begin_;  // size elements+1, offsets into by_element_
  std::unordered_map<std::string, IndicatorIndex> index_;
  std::vector<Clause> clauses_;
  std::optional<VictimRules> victim_rules_;
};

struct CatalogueInfo {
  std::string id;
  std::string version;
  Text title;
  std::size_t indicators = 0;
  std::size_t elements = 0;
  bool has_victim_rule = false;
  std::string file;
};

// Every *.json file of a directory, in file-name order. Catalogue ids and indicator ids are
// unique across the directory.
class Catalogues {
 public:
  static Catalogues load_directory(const std::string& dir);
  // The catalogues compiled into the program (data/indicators, see core/refdata.h).
  static Catalogues builtin();

  std::vector<CatalogueInfo> list() const;
  const Catalogue* find(std::string_view id) const;
  const Catalogue& get(std::string_view id) const;  // Error(not_found)
  const std::string& catalogue_version(std::string_view id) const;

 private:
  // Adds one catalogue, keeping catalogue and indicator ids unique across the set.
  void append(Catalogue catalogue, const std::string& file);

  std::vector<Catalogue> catalogues_;
  std::vector<std::string> files_;
};

// One answer per indicator: the dense input of evaluate().
using Answers = std::span<const Answer>;

// Where an answer came from ("interview", "document", "observation", ...) and a note. Kept
// apart from the answers so that evaluation reads only the dense array.
struct AnswerDetail {
  IndicatorIndex indicator = 0;
  std::string source;
  std::string note;
};

struct Screening {
  std::string catalogue_id;
  std::string catalogue_version;
  std::vector<Answer> answers;        // size() == catalogue size, not_asked by default
  std::vector<AnswerDetail> details;  // at most one per indicator, in no particular order

  static Screening start(const Catalogue& catalogue);
  // Error(not_found) for an unknown indicator id. Empty source and note clear the detail.
  void set(const Catalogue& catalogue, std::string_view indicator_id, Answer answer,
           std::string source = {}, std::string note = {});
  const AnswerDetail* detail(IndicatorIndex i) const;
};

// {"catalogue", "version", "answers": {"<indicator id>": {"answer", "source"?, "note"?}}};
// not-asked indicators without detail are omitted, so a partial screening stays small.
nlohmann::json screening_to_json(const Catalogue& catalogue, const Screening& screening);
// Strict: unknown fields, unknown indicator ids, bad answers and oversized text are
// Error(invalid) naming the JSON pointer (prefixed with `at`). A version different from the
// catalogue's is kept as recorded; evaluate(catalogue, screening) then refuses it.
Screening screening_from_json(const Catalogue& catalogue, const nlohmann::json& json,
                              const std::string& at = "");

struct Tally {
  std::uint16_t yes = 0, no = 0, unknown = 0, not_asked = 0;
};

struct ElementResult {
  ElementStatus status = ElementStatus::not_assessed;
  std::int8_t clause = -1;  // the element-rule clause met when present, else -1
  Tally tally;
  std::array<std::uint16_t, 4> yes_by_strength{};  // indexed by Strength
  // Ranges into Evaluation::drivers (the "yes" indicators) and Evaluation::open (for an
  // undetermined element: the unknown or not-asked indicators that could still decide it).
  std::uint32_t drivers_begin = 0, drivers_end = 0, open_begin = 0, open_end = 0;
};

struct Evaluation {
  Outcome outcome = Outcome::undetermined;
  Tally tally;
  std::vector<ElementResult> elements;  // one per catalogue element
  std::vector<IndicatorIndex> drivers;
  std::vector<IndicatorIndex> open;
  std::vector<std::uint8_t> fired;     // victim rules that hold (presumed_victim)
  std::vector<std::uint8_t> possible;  // victim rules that could still hold (undetermined)

  std::span<const IndicatorIndex> drivers_of(ElementIndex e) const;
  std::span<const IndicatorIndex> open_of(ElementIndex e) const;
};

// Error(invalid) when answers.size() differs from the catalogue or holds an invalid value.
Evaluation evaluate(const Catalogue& catalogue, Answers answers);
void evaluate_into(const Catalogue& catalogue, Answers answers, Evaluation& out);
// Also checks that the screening belongs to this catalogue and version.
Evaluation evaluate(const Catalogue& catalogue, const Screening& screening);

// Ids and codes only; clients translate them with the catalogue texts.
nlohmann::json evaluation_to_json(const Catalogue& catalogue, const Evaluation& evaluation);

}  // namespace ctis::indicators
