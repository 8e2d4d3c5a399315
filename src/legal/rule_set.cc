// Loading and validating rule files. Every mistake is reported with the file name and the JSON
// pointer of the offending value, because rule files are edited by hand by legal reviewers.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "core/core.h"
#include "legal/legal.h"

#include "core/refdata.h"
#include "legal/rule_set_impl.h"

namespace ctis::legal {

namespace {

using nlohmann::json;

constexpr std::string_view kLanguages[] = {"en", "fr", "es", "ar"};

// What the rest of CTIS (case storage, the web panel) relies on every rule set to provide.
constexpr std::string_view kRequiredElements[] = {"act",
                                                  "means",
                                                  "purpose",
                                                  "child",
                                                  "trafficking",
                                                  "border_crossed",
                                                  "irregular_entry",
                                                  "benefit",
                                                  "smuggling",
                                                  "continued_control",
                                                  "exploitation"};
constexpr std::string_view kRequiredOutcomes[] = {
    "presumed_trafficking",       "smuggling",
    "smuggling_then_trafficking", "exploitation_without_trafficking_elements",
    "insufficient_information",   "no_indication"};
constexpr std::string_view kPlaceholders[] = {"possible_outcomes", "to_establish"};

constexpr std::size_t kMaxFileBytes = 4 << 20;
constexpr int kMaxTableConditions = 16;  // 2^16 combinations checked for completeness

// Identifier shapes: kebab for file-level ids ("palermo-2000"), snake for the rest.
enum class Shape { kebab, snake, language };

bool has_shape(std::string_view s, Shape shape) {
  if (s.empty()) return false;
  if (shape == Shape::language && (s.size() < 2 || s.size() > 3)) return false;
  const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!lower(s[0]) && !(shape == Shape::kebab && digit(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    switch (shape) {
      case Shape::kebab:
        return lower(c) || digit(c) || c == '-';
      case Shape::snake:
        return lower(c) || digit(c) || c == '_';
      case Shape::language:
        return lower(c);
    }
    return false;
  });
}

constexpr const char* shape_name(Shape shape) {
  return shape == Shape::kebab ? "lower-case letters, digits and '-'"
                               : "a lower-case letter, then lower-case letters, digits and '_'";
}

class Loader {
 public:
  explicit Loader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& at, const std::string& why) const {
    throw Error(ErrorKind::invalid, "invalid_rule_set",
                "rule file " + name_ + ": " + (at.empty() ? "/" : at) + ": " + why, at);
  }

  json parse(std::string_view text) const;
  std::shared_ptr<RuleSet::Impl> build(const json& root);

 private:
  const json& member(const json& obj, const std::string& at, const char* key) const;
  void check_object(const json& j, const std::string& at,
                    std::initializer_list<std::string_view> keys) const;
  std::string string_at(const json& j, const std::string& at) const;
  std::string id_at(const json& j, const std::string& at, Shape shape) const;
  Text text(const json& j, const std::string& at, bool placeholders) const;
  std::vector<std::string> source_list(const json& j, const std::string& at) const;
  Expr expr(const json& j, const std::string& at, bool allow_unknown);
  void check_complete(const std::string& at) const;

  std::string name_;
  std::map<std::string, std::string, std::less<>> citations_;  // source id -> citation
  std::map<std::string, int, std::less<>> element_index_;
  std::set<int> used_facts_;
  std::shared_ptr<RuleSet::Impl> rs_;
};

// nlohmann keeps the last of duplicate keys silently; a rule file with two entries for one key
// is a mistake, so the parse callback tracks where it is and reports the first duplicate.
json Loader::parse(std::string_view text) const {
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };
  std::vector<Frame> stack;
  std::string duplicate;
  auto here = [&stack] {
    std::string p;
    for (const auto& f : stack)
      p += "/" + (f.array ? std::to_string(f.index) : pointer_token(f.key));
    return p;
  };
  auto advance = [&stack] {
    if (!stack.empty() && stack.back().array) ++stack.back().index;
  };
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        stack.push_back(Frame{event == json::parse_event_t::array_start, 0, {}, {}});
        break;
      case json::parse_event_t::key:
        stack.back().key = parsed.get<std::string>();
        if (!stack.back().keys.insert(stack.back().key).second && duplicate.empty()) {
          duplicate = here();
        }
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        stack.pop_back();
        advance();
        break;
      case json::parse_event_t::value:
        advance();
        break;
    }
    return true;
  };
  json root;
  try {
    root = json::parse(text.begin(), text.end(), cb);
  } catch (const json::parse_error& e) {
    fail("", std::string("not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) fail(duplicate, "duplicate key");
  return root;
}

const json& Loader::member(const json& obj, const std::string& at, const char* key) const {
  const auto it = obj.find(key);
  if (it == obj.end()) fail(at + "/" + key, "is required");
  return *it;
}

void Loader::check_object(const json& j, const std::string& at,
                          std::initializer_list<std::string_view> keys) const {
  if (!j.is_object()) fail(at, "must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key == "comment") {
      if (!value.is_string()) fail(at + "/comment", "must be a string");
      continue;
    }
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      std::string expected;
      for (auto k : keys) expected += (expected.empty() ? "" : ", ") + std::string(k);
      fail(at + "/" + pointer_token(key), "unknown key (expected " + expected + ")");
    }
  }
}

std::string Loader::string_at(const json& j, const std::string& at) const {
  if (!j.is_string() || j.get_ref<const std::string&>().empty()) {
    fail(at, "must be a non-empty string");
  }
  return j.get<std::string>();
}

std::string Loader::id_at(const json& j, const std::string& at, Shape shape) const {
  auto s = string_at(j, at);
  if (!has_shape(s, shape)) fail(at, "\"" + s + "\" must be " + shape_name(shape));
  return s;
}

Text Loader::text(const json& j, const std::string& at, bool placeholders) const {
  if (!j.is_object()) fail(at, "must be an object of texts by language (en, fr, es, ar)");
  Text out;
  for (const auto& [lang, value] : j.items()) {
    const std::string p = at + "/" + pointer_token(lang);
    if (!has_shape(lang, Shape::language)) fail(p, "is not a language code");
    const auto s = string_at(value, p);
    for (std::size_t open = s.find('{'); open != std::string::npos; open = s.find('{', open + 1)) {
      const auto close = s.find('}', open);
      const auto name =
          close == std::string::npos ? s.substr(open) : s.substr(open + 1, close - open - 1);
      const bool known = close != std::string::npos &&
                         std::find(std::begin(kPlaceholders), std::end(kPlaceholders), name) !=
                             std::end(kPlaceholders);
      if (!placeholders || !known) {
        fail(p, "unknown placeholder {" + name +
                    "} (explanations may use {possible_outcomes}"
                    " and {to_establish}; other texts none)");
      }
    }
    out.emplace(lang, s);
  }
  for (auto lang : kLanguages) {
    if (!out.contains(lang)) fail(at + "/" + std::string(lang), "is required");
  }
  return out;
}

std::vector<std::string> Loader::source_list(const json& j, const std::string& at) const {
  if (!j.is_array()) fail(at, "must be an array of source ids");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string p = at + "/" + std::to_string(i);
    const auto id = string_at(j[i], p);
    const auto it = citations_.find(id);
    if (it == citations_.end()) fail(p, "unknown source \"" + id + "\"");
    out.push_back(it->second);
  }
  return out;
}

// Rule syntax: true / false; "name" (a flag fact, or an element defined above); {"any": [...]},
// {"all": [...]}, {"not": rule}; {"fact": "<age fact>", "below": N}; {"unknown": rule} in notes.
Expr Loader::expr(const json& j, const std::string& at, bool allow_unknown) {
  Expr e;
  if (j.is_boolean()) {
    e.constant = j.get<bool>() ? Tri::yes : Tri::no;
    return e;
  }
  if (j.is_string()) {
    const auto& name = j.get_ref<const std::string&>();
    if (const auto it = element_index_.find(name); it != element_index_.end()) {
      e.op = Expr::Op::element;
      e.ref = it->second;
      return e;
    }
    const int fact = fact_index(name);
    if (fact < 0) fail(at, "unknown fact or element \"" + name + "\"");
    if (fact_catalogue()[static_cast<std::size_t>(fact)].kind != FactKind::flag) {
      fail(at,
           "\"" + name + "\" is an age; compare it: {\"fact\": \"" + name + "\", \"below\": 18}");
    }
    e.op = Expr::Op::fact;
    e.ref = fact;
    used_facts_.insert(fact);
    return e;
  }
  if (!j.is_object()) fail(at, "a rule is true, false, a name, or an object");
  if (j.contains("fact")) {
    check_object(j, at, {"fact", "below"});
    const auto name = string_at(j["fact"], at + "/fact");
    const int fact = fact_index(name);
    if (fact < 0) fail(at + "/fact", "unknown fact \"" + name + "\"");
    if (fact_catalogue()[static_cast<std::size_t>(fact)].kind != FactKind::age) {
      fail(at + "/fact", "\"" + name + "\" is not an age; name it directly");
    }
    const auto& below = member(j, at, "below");
    if (!below.is_number_integer() || below.get<std::int64_t>() < 1 ||
        below.get<std::int64_t>() > 130) {
      fail(at + "/below", "must be a whole number of years from 1 to 130");
    }
    e.op = Expr::Op::age_below;
    e.ref = fact;
    e.threshold = below.get<int>();
    used_facts_.insert(fact);
    return e;
  }
  check_object(j, at, {"any", "all", "not", "unknown"});
  std::vector<std::string> ops;
  for (const auto& [key, value] : j.items()) {
    if (key != "comment") ops.push_back(key);
  }
  if (ops.size() != 1) fail(at, "must have exactly one of any, all, not, unknown");
  const std::string& op = ops[0];
  const json& arg = j[op];
  const std::string p = at + "/" + op;
  if (op == "any" || op == "all") {
    if (!arg.is_array() || arg.empty()) fail(p, "must be a non-empty array of rules");
    e.op = op == "any" ? Expr::Op::any : Expr::Op::all;
    for (std::size_t i = 0; i < arg.size(); ++i) {
      e.args.push_back(expr(arg[i], p + "/" + std::to_string(i), allow_unknown));
    }
    return e;
  }
  if (op == "unknown" && !allow_unknown) {
    fail(p, "\"unknown\" may only be used in notes (elements and outcomes must be monotone)");
  }
  e.op = op == "not" ? Expr::Op::negate : Expr::Op::is_unknown;
  e.args.push_back(expr(arg, p, allow_unknown));
  return e;
}

bool names_facts_only(const Expr& e) {
  if (e.op == Expr::Op::element) return false;
  return std::all_of(e.args.begin(), e.args.end(), names_facts_only);
}

// Every combination of the decision table's conditions, each taken as met or not met, must reach
// some row; otherwise a fully known case would have no outcome.
void Loader::check_complete(const std::string& at) const {
  const auto leaves = table_leaves(*rs_);
  if (leaves.size() > kMaxTableConditions) {
    fail(at, "the decision table uses more than " + std::to_string(kMaxTableConditions) +
                 " different conditions; combine them into elements");
  }
  for (std::uint32_t mask = 0; mask < (1u << leaves.size()); ++mask) {
    auto leaf = [&](const Expr& e) {
      for (std::size_t i = 0; i < leaves.size(); ++i) {
        if (same_leaf(*leaves[i], e)) return (mask >> i) & 1u ? Tri::yes : Tri::no;
      }
      return Tri::unknown;
    };
    if (first_met_row(*rs_, leaf) >= 0) continue;
    std::string combination;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      const Expr* x = leaves[i];
      std::string name = x->op == Expr::Op::element
                             ? rs_->elements[static_cast<std::size_t>(x->ref)].id
                             : std::string(fact_catalogue()[static_cast<std::size_t>(x->ref)].name);
      if (x->op == Expr::Op::age_below) name += " below " + std::to_string(x->threshold);
      combination += (i ? ", " : "") + name + ((mask >> i) & 1u ? " met" : " not met");
    }
    fail(at, "no row applies when " + combination);
  }
}

std::shared_ptr<RuleSet::Impl> Loader::build(const json& root) {
  rs_ = std::make_shared<RuleSet::Impl>();
  check_object(root, "",
               {"id", "version", "title", "list_separator", "sources", "facts", "elements",
                "outcomes", "undetermined_outcome", "decision_table", "notes"});
  rs_->id = id_at(member(root, "", "id"), "/id", Shape::kebab);
  const auto& version = member(root, "", "version");
  if (!version.is_number_integer() || version.get<std::int64_t>() < 1 ||
      version.get<std::int64_t>() > 1000000) {
    fail("/version", "must be a positive whole number");
  }
  rs_->version = version.get<int>();
  rs_->title = string_at(member(root, "", "title"), "/title");
  rs_->list_separator = text(member(root, "", "list_separator"), "/list_separator", false);

  const auto& sources = member(root, "", "sources");
  if (!sources.is_array()) fail("/sources", "must be an array");
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string p = "/sources/" + std::to_string(i);
    const auto& s = sources[i];
    check_object(s, p, {"id", "instrument", "article", "reference", "url"});
    const auto id = id_at(member(s, p, "id"), p + "/id", Shape::kebab);
    const auto citation = string_at(member(s, p, "instrument"), p + "/instrument") + ", " +
                          string_at(member(s, p, "article"), p + "/article");
    for (const char* optional : {"reference", "url"}) {
      if (s.contains(optional)) string_at(s[optional], p + "/" + optional);
    }
    if (!citations_.emplace(id, citation).second) fail(p + "/id", "duplicate source id");
  }

  const auto& facts = member(root, "", "facts");
  if (!facts.is_object()) fail("/facts", "must be an object keyed by fact name");
  rs_->fact_labels.resize(fact_catalogue().size());
  for (const auto& [name, value] : facts.items()) {
    const std::string p = "/facts/" + pointer_token(name);
    const int index = fact_index(name);
    if (index < 0) fail(p, "unknown fact \"" + name + "\"");
    check_object(value, p, {"label"});
    rs_->fact_labels[static_cast<std::size_t>(index)] =
        text(member(value, p, "label"), p + "/label", false);
  }

  const auto& elements = member(root, "", "elements");
  if (!elements.is_array() || elements.empty()) fail("/elements", "must be a non-empty array");
  for (std::size_t i = 0; i < elements.size(); ++i) {
    const std::string p = "/elements/" + std::to_string(i);
    const auto& el = elements[i];
    check_object(el, p, {"id", "label", "sources", "rule"});
    ElementDef def;
    def.id = id_at(member(el, p, "id"), p + "/id", Shape::snake);
    if (element_index_.contains(def.id)) fail(p + "/id", "duplicate element \"" + def.id + "\"");
    if (fact_index(def.id) >= 0) fail(p + "/id", "\"" + def.id + "\" is already a fact name");
    def.label = text(member(el, p, "label"), p + "/label", false);
    def.sources = source_list(member(el, p, "sources"), p + "/sources");
    def.rule = expr(member(el, p, "rule"), p + "/rule", false);
    def.base = names_facts_only(def.rule);
    element_index_.emplace(def.id, static_cast<int>(rs_->elements.size()));
    rs_->elements.push_back(std::move(def));
  }
  for (auto id : kRequiredElements) {
    if (!element_index_.contains(id))
      fail("/elements", "missing element \"" + std::string(id) + "\"");
  }

  const auto& outcomes = member(root, "", "outcomes");
  if (!outcomes.is_array()) fail("/outcomes", "must be an array");
  std::map<std::string, int, std::less<>> outcome_index;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const std::string p = "/outcomes/" + std::to_string(i);
    const auto& o = outcomes[i];
    check_object(o, p, {"id", "label", "explanation"});
    OutcomeDef def;
    def.id = id_at(member(o, p, "id"), p + "/id", Shape::snake);
    if (!outcome_index.emplace(def.id, static_cast<int>(i)).second) {
      fail(p + "/id", "duplicate outcome \"" + def.id + "\"");
    }
    def.label = text(member(o, p, "label"), p + "/label", false);
    def.explanation = text(member(o, p, "explanation"), p + "/explanation", true);
    rs_->outcomes.push_back(std::move(def));
  }
  for (auto id : kRequiredOutcomes) {
    if (!outcome_index.contains(id))
      fail("/outcomes", "missing outcome \"" + std::string(id) + "\"");
  }
  const auto undetermined =
      string_at(member(root, "", "undetermined_outcome"), "/undetermined_outcome");
  const auto und = outcome_index.find(undetermined);
  if (und == outcome_index.end()) {
    fail("/undetermined_outcome", "unknown outcome \"" + undetermined + "\"");
  }
  rs_->undetermined = und->second;

  const auto& table = member(root, "", "decision_table");
  if (!table.is_array() || table.empty()) fail("/decision_table", "must be a non-empty array");
  std::set<int> decided;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const std::string p = "/decision_table/" + std::to_string(i);
    const auto& row = table[i];
    check_object(row, p, {"outcome", "when"});
    const auto id = string_at(member(row, p, "outcome"), p + "/outcome");
    const auto it = outcome_index.find(id);
    if (it == outcome_index.end()) fail(p + "/outcome", "unknown outcome \"" + id + "\"");
    if (it->second == rs_->undetermined) {
      fail(p + "/outcome", "the undetermined outcome is not decided by a row");
    }
    decided.insert(it->second);
    rs_->table.push_back(RowDef{it->second, expr(member(row, p, "when"), p + "/when", false)});
  }
  for (std::size_t i = 0; i < rs_->outcomes.size(); ++i) {
    if (static_cast<int>(i) != rs_->undetermined && !decided.contains(static_cast<int>(i))) {
      fail("/outcomes/" + std::to_string(i),
           "outcome \"" + rs_->outcomes[i].id + "\" is not decided by any row of the table");
    }
  }
  check_complete("/decision_table");

  const auto& notes = member(root, "", "notes");
  if (!notes.is_array()) fail("/notes", "must be an array");
  std::set<std::string> note_ids;
  for (std::size_t i = 0; i < notes.size(); ++i) {
    const std::string p = "/notes/" + std::to_string(i);
    const auto& n = notes[i];
    check_object(n, p, {"id", "sources", "when", "text"});
    NoteDef def;
    def.id = id_at(member(n, p, "id"), p + "/id", Shape::snake);
    if (!note_ids.insert(def.id).second) fail(p + "/id", "duplicate note \"" + def.id + "\"");
    def.sources = source_list(member(n, p, "sources"), p + "/sources");
    def.when = expr(member(n, p, "when"), p + "/when", true);
    def.text = text(member(n, p, "text"), p + "/text", false);
    rs_->notes.push_back(std::move(def));
  }

  // Labels are needed for every fact a rule can ask for ("to decide, establish: ...").
  for (int fact : used_facts_) {
    if (rs_->fact_labels[static_cast<std::size_t>(fact)].empty()) {
      fail("/facts", "fact \"" +
                         std::string(fact_catalogue()[static_cast<std::size_t>(fact)].name) +
                         "\" is used by a rule but has no label");
    }
  }
  return rs_;
}

}  // namespace

RuleSet::RuleSet(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

RuleSet RuleSet::parse(std::string_view text, const std::string& name) {
  Loader loader(name);
  return RuleSet(loader.build(loader.parse(text)));
}

RuleSet RuleSet::load(const std::string& path) {
  // The name repeats the id and version, so two files cannot claim the same version.
  const std::string file = std::filesystem::path(path).filename().string();
  const auto v = file.rfind(".v");
  const bool named = v != std::string::npos && v > 0 && file.ends_with(".json") &&
                     file.size() > v + 2 + 5 &&
                     std::all_of(file.begin() + static_cast<long>(v) + 2, file.end() - 5,
                                 [](char c) { return c >= '0' && c <= '9'; });
  if (!named) {
    throw Error(ErrorKind::invalid, "invalid_rule_set",
                "rule file " + path + ": the name must be <id>.v<version>.json");
  }
  const std::string file_id = file.substr(0, v);
  const std::string file_version = file.substr(v + 2, file.size() - v - 2 - 5);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_unavailable("rule_set", "cannot read rule file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.size() > kMaxFileBytes) fail_unavailable("rule_set", "rule file too large: " + path);

  Loader loader(path);
  auto impl = loader.build(loader.parse(text));
  if (impl->id != file_id) loader.fail("/id", "\"" + impl->id + "\" differs from the file name");
  if (std::to_string(impl->version) != file_version) {
    loader.fail("/version", std::to_string(impl->version) + " differs from the file name");
  }
  return RuleSet(std::move(impl));
}

const std::string& RuleSet::id() const { return impl_->id; }
int RuleSet::version() const { return impl_->version; }
const std::string& RuleSet::title() const { return impl_->title; }

const Text& RuleSet::fact_label(std::string_view fact) const {
  static const Text none;
  const auto facts = fact_catalogue();
  for (std::size_t i = 0; i < facts.size(); ++i) {
    if (facts[i].name == fact) return impl_->fact_labels[i];
  }
  return none;
}
std::span<const std::string_view> RuleSet::languages() { return kLanguages; }

RuleLibrary RuleLibrary::load(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  if (ec) fail_unavailable("rule_set", "cannot read rule directory " + dir + ": " + ec.message());
  if (files.empty()) fail_unavailable("rule_set", "no rule files (*.json) in " + dir);
  RuleLibrary lib;
  for (const auto& f : files) lib.sets_.push_back(RuleSet::load(f.string()));
  std::sort(lib.sets_.begin(), lib.sets_.end(), [](const RuleSet& a, const RuleSet& b) {
    return a.id() != b.id() ? a.id() < b.id() : a.version() < b.version();
  });
  return lib;
}

RuleLibrary RuleLibrary::builtin() {
  RuleLibrary lib;
  for (const auto& path : reference_files_under("legal/")) {
    lib.sets_.push_back(RuleSet::parse(reference_files().at(path), "data/" + path));
  }
  if (lib.sets_.empty()) throw Error(ErrorKind::internal, "refdata", "no rule sets in the build");
  std::sort(lib.sets_.begin(), lib.sets_.end(), [](const RuleSet& a, const RuleSet& b) {
    return a.id() != b.id() ? a.id() < b.id() : a.version() < b.version();
  });
  return lib;
}

const RuleSet& RuleLibrary::latest(std::string_view id) const {
  const RuleSet* best = nullptr;
  for (const auto& s : sets_) {
    if (s.id() == id) best = &s;  // sorted by version
  }
  if (best == nullptr) {
    throw Error(ErrorKind::not_found, "rule_set", "no rule set \"" + std::string(id) + "\"");
  }
  return *best;
}

const RuleSet& RuleLibrary::find(std::string_view id, int version) const {
  for (const auto& s : sets_) {
    if (s.id() == id && s.version() == version) return s;
  }
  throw Error(ErrorKind::not_found, "rule_set",
              "no rule set \"" + std::string(id) + "\" version " + std::to_string(version));
}

}  // namespace ctis::legal
