// Loading and validating catalogue files. Every failure names the file, the JSON pointer and
// the reason, so a reviewer editing a catalogue by hand can find the mistake at once.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/core.h"
#include "indicators/indicators.h"

#include "core/refdata.h"

namespace ctis::indicators {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdBytes = 64;
constexpr std::size_t kMaxTextBytes = 2000;
constexpr std::size_t kMaxIndicators = 4000;  // well inside IndicatorIndex
constexpr std::size_t kMaxElements = 64;
constexpr std::size_t kMaxRules = 64;
constexpr int kSchema = 1;

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return id.front() != '-' && id.front() != '_';
}

// Line and column of a byte offset, for JSON syntax errors.
std::string position(std::string_view text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace

// Reads one catalogue document; a friend of Catalogue so that it can fill the private fields.
class CatalogueParser {
 public:
  explicit CatalogueParser(std::string file) : file_(std::move(file)) {}

  Catalogue parse(std::string_view json_text) {
    json doc;
    try {
      doc = json::parse(json_text);
    } catch (const json::parse_error& e) {
      fail("", "not valid JSON at " + position(json_text, e.byte > 0 ? e.byte - 1 : 0));
    }
    return read(doc);
  }

 private:
  [[noreturn]] void fail(const std::string& pointer, const std::string& reason) const {
    fail_invalid(pointer,
                 file_ + ": " + (pointer.empty() ? "(document)" : pointer) + ": " + reason);
  }

  void only_keys(const json& obj, const std::string& at, std::initializer_list<const char*> keys) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& key = it.key();
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
        fail(at + "/" + key, "unknown field");
      }
    }
  }

  const json& member(const json& obj, const std::string& at, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end()) fail(at + "/" + key, "missing");
    return *it;
  }

  const json& object(const json& obj, const std::string& at, const char* key) {
    const json& v = member(obj, at, key);
    if (!v.is_object()) fail(at + "/" + key, "must be an object");
    return v;
  }

  const json& array(const json& obj, const std::string& at, const char* key) {
    const json& v = member(obj, at, key);
    if (!v.is_array() || v.empty()) fail(at + "/" + key, "must be a non-empty array");
    return v;
  }

  std::string string(const json& obj, const std::string& at, const char* key, bool required) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) fail(at + "/" + key, "missing");
      return {};
    }
    if (!it->is_string()) fail(at + "/" + key, "must be a string");
    std::string s = it->get<std::string>();
    if (required && s.empty()) fail(at + "/" + key, "must not be empty");
    if (s.size() > kMaxTextBytes) fail(at + "/" + key, "longer than 2000 bytes");
    return s;
  }

  std::string id(const json& obj, const std::string& at, const char* key) {
    std::string s = string(obj, at, key, true);
    if (!valid_id(s)) {
      fail(at + "/" + key, "\"" + s + "\" is not a valid id (a-z, 0-9, '-', '_'; at most 64)");
    }
    return s;
  }

  Text text(const json& obj, const std::string& at, const char* key) {
    const json& t = object(obj, at, key);
    const std::string here = at + "/" + key;
    only_keys(t, here, {"en", "fr", "es", "ar"});
    Text out;
    for (std::size_t i = 0; i < kLanguages.size(); ++i) {
      const std::string lang(kLanguages[i]);
      if (!t.contains(lang)) fail(here + "/" + lang, "missing language \"" + lang + "\"");
      out.by_language[i] = string(t, here, lang.c_str(), true);
    }
    return out;
  }

  Source source(const json& doc) {
    const json& s = object(doc, "", "source");
    only_keys(s, "/source", {"title", "publisher", "year", "document", "url", "notes"});
    Source out;
    out.title = string(s, "/source", "title", true);
    out.publisher = string(s, "/source", "publisher", true);
    const json& year = member(s, "/source", "year");
    if (!year.is_number_integer() || year.get<int>() < 1900 || year.get<int>() > 2100) {
      fail("/source/year", "must be a year such as 2009");
    }
    out.year = year.get<int>();
    out.document = string(s, "/source", "document", false);
    out.url = string(s, "/source", "url", false);
    out.notes = string(s, "/source", "notes", false);
    if (out.document.empty() && out.url.empty()) {
      fail("/source", "needs a document number or a URL");
    }
    return out;
  }

  Strength strength(const json& v, const std::string& at) {
    if (v.is_null()) return Strength::none;
    if (v == "strong") return Strength::strong;
    if (v == "medium") return Strength::medium;
    if (v == "weak") return Strength::weak;
    fail(at, "must be \"strong\", \"medium\", \"weak\" or null");
  }

  void element_rule(const json& doc, Catalogue& c, bool graded) {
    const json& rule = member(doc, "", "element_rule");
    if (rule.is_null()) return;
    if (!rule.is_object()) fail("/element_rule", "must be an object or null");
    only_keys(rule, "/element_rule", {"any_of"});
    const json& clauses = array(rule, "/element_rule", "any_of");
    if (clauses.size() > 127) fail("/element_rule/any_of", "too many clauses");
    for (std::size_t i = 0; i < clauses.size(); ++i) {
      const std::string at = "/element_rule/any_of/" + std::to_string(i);
      const json& cl = clauses[i];
      if (!cl.is_object() || cl.empty()) fail(at, "must be a non-empty object of counts");
      Clause out;
      for (const auto& [key, value] : cl.items()) {
        if (!value.is_number_unsigned() || value.get<unsigned>() < 1 ||
            value.get<unsigned>() > 999) {
          fail(at + "/" + key, "must be a count from 1 to 999");
        }
        const auto n = static_cast<std::uint16_t>(value.get<unsigned>());
        if (key == "strong")
          out.strong = n;
        else if (key == "medium")
          out.medium = n;
        else if (key == "weak")
          out.weak = n;
        else if (key == "medium_or_weak")
          out.medium_or_weak = n;
        else if (key == "any")
          out.any = n;
        else
          fail(at + "/" + key, "unknown count (strong, medium, weak, medium_or_weak, any)");
      }
      if (graded && out.strong == 0 && out.medium == 0) {
        // The ILO/EC method: weak indicators alone never make an element present.
        fail(at, "weak indicators alone could meet this clause; it needs strong or medium");
      }
      if (!graded && (out.strong || out.medium || out.weak || out.medium_or_weak)) {
        fail(at, "the indicators are ungraded; only \"any\" can be counted");
      }
      c.clauses_.push_back(out);
    }
  }

  ElementIndex element_ref(const json& v, const std::string& at, const Catalogue& c) {
    if (!v.is_string()) fail(at, "must be an element id");
    const auto e = c.find_element(v.get<std::string>());
    if (!e) fail(at, "unknown element \"" + v.get<std::string>() + "\"");
    return *e;
  }

  void victim_rule(const json& doc, Catalogue& c) {
    const json& rule = member(doc, "", "victim_rule");
    if (rule.is_null()) return;
    if (!rule.is_object()) fail("/victim_rule", "must be an object or null");
    if (c.clauses_.empty()) fail("/victim_rule", "needs an element_rule to decide elements");
    only_keys(rule, "/victim_rule", {"applies_to", "rules"});
    VictimRules out;
    const std::string group = string(rule, "/victim_rule", "applies_to", true);
    if (group == "adults")
      out.applies_to = VictimGroup::adults;
    else if (group == "children")
      out.applies_to = VictimGroup::children;
    else
      fail("/victim_rule/applies_to", "must be \"adults\" or \"children\"");
    const json& rules = array(rule, "/victim_rule", "rules");
    if (rules.size() > kMaxRules) fail("/victim_rule/rules", "too many rules");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const std::string at = "/victim_rule/rules/" + std::to_string(i);
      const json& r = rules[i];
      if (!r.is_object()) fail(at, "must be an object");
      only_keys(r, at, {"id", "label", "all_of"});
      VictimRule vr;
      vr.id = id(r, at, "id");
      if (!ids.insert(vr.id).second) fail(at + "/id", "duplicate rule id \"" + vr.id + "\"");
      vr.label = text(r, at, "label");
      const json& terms = array(r, at, "all_of");
      for (std::size_t t = 0; t < terms.size(); ++t) {
        const std::string tat = at + "/all_of/" + std::to_string(t);
        std::vector<ElementIndex> term;
        if (terms[t].is_object()) {
          only_keys(terms[t], tat, {"any_of"});
          const json& alts = array(terms[t], tat, "any_of");
          for (std::size_t a = 0; a < alts.size(); ++a) {
            term.push_back(element_ref(alts[a], tat + "/any_of/" + std::to_string(a), c));
          }
        } else {
          term.push_back(element_ref(terms[t], tat, c));
        }
        vr.all_of.push_back(std::move(term));
      }
      out.rules.push_back(std::move(vr));
    }
    c.victim_rules_ = std::move(out);
  }

  void indicators(const json& doc, Catalogue& c) {
    const json& list = array(doc, "", "indicators");
    if (list.size() > kMaxIndicators) fail("/indicators", "too many indicators");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = "/indicators/" + std::to_string(i);
      const json& item = list[i];
      if (!item.is_object()) fail(at, "must be an object");
      only_keys(item, at, {"id", "element", "strength", "text"});
      Indicator ind;
      ind.id = id(item, at, "id");
      const auto [it, fresh] = c.index_.emplace(ind.id, static_cast<IndicatorIndex>(i));
      if (!fresh) {
        fail(at + "/id", "duplicate indicator id \"" + ind.id + "\" (first at /indicators/" +
                             std::to_string(it->second) + ")");
      }
      ind.element = element_ref(member(item, at, "element"), at + "/element", c);
      ind.strength = strength(member(item, at, "strength"), at + "/strength");
      ind.text = text(item, at, "text");
      c.indicators_.push_back(std::move(ind));
    }
  }

  Catalogue read(const json& doc) {
    if (!doc.is_object()) fail("", "must be an object");
    only_keys(doc, "",
              {"schema", "id", "version", "title", "source", "elements", "element_rule",
               "victim_rule", "indicators"});
    const json& schema = member(doc, "", "schema");
    if (schema != kSchema) fail("/schema", "unsupported schema (this program reads 1)");
    Catalogue c;
    c.id_ = id(doc, "", "id");
    c.version_ = string(doc, "", "version", true);
    if (c.version_.size() > kMaxIdBytes) fail("/version", "longer than 64 bytes");
    c.title_ = text(doc, "", "title");
    c.source_ = source(doc);

    const json& elements = array(doc, "", "elements");
    if (elements.size() > kMaxElements) fail("/elements", "too many elements");
    for (std::size_t i = 0; i < elements.size(); ++i) {
      const std::string at = "/elements/" + std::to_string(i);
      if (!elements[i].is_object()) fail(at, "must be an object");
      only_keys(elements[i], at, {"id", "label"});
      Element e{id(elements[i], at, "id"), text(elements[i], at, "label")};
      if (c.find_element(e.id)) fail(at + "/id", "duplicate element id \"" + e.id + "\"");
      c.elements_.push_back(std::move(e));
    }

    indicators(doc, c);
    const auto graded =
        std::count_if(c.indicators_.begin(), c.indicators_.end(),
                      [](const Indicator& i) { return i.strength != Strength::none; });
    if (graded != 0 && static_cast<std::size_t>(graded) != c.indicators_.size()) {
      const auto odd =
          std::find_if(c.indicators_.begin(), c.indicators_.end(),
                       [](const Indicator& i) { return i.strength == Strength::none; });
      fail("/indicators/" + std::to_string(odd - c.indicators_.begin()) + "/strength",
           "null in a catalogue whose other indicators are graded");
    }
    element_rule(doc, c, graded != 0);
    victim_rule(doc, c);

    // Group indices by element once, so evaluation walks each element's indicators directly.
    c.element_begin_.assign(c.elements_.size() + 1, 0);
    for (const auto& ind : c.indicators_) ++c.element_begin_[ind.element + 1u];
    for (std::size_t e = 0; e < c.elements_.size(); ++e) {
      if (c.element_begin_[e + 1] == 0) {
        fail("/elements/" + std::to_string(e), "element has no indicators");
      }
      c.element_begin_[e + 1] += c.element_begin_[e];
    }
    c.by_element_.resize(c.indicators_.size());
    std::vector<std::uint32_t> next(c.element_begin_.begin(), c.element_begin_.end() - 1);
    for (std::size_t i = 0; i < c.indicators_.size(); ++i) {
      c.by_element_[next[c.indicators_[i].element]++] = static_cast<IndicatorIndex>(i);
      c.strengths_.push_back(c.indicators_[i].strength);
    }
    return c;
  }

  std::string file_;
};

std::string_view Text::get(std::string_view language) const {
  const std::string_view primary = language.substr(0, language.find_first_of("-_"));
  for (std::size_t i = 0; i < kLanguages.size(); ++i) {
    const std::string_view want = kLanguages[i];
    if (primary.size() == want.size() &&
        std::equal(primary.begin(), primary.end(), want.begin(), [](char a, char b) {
          return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
        })) {
      return by_language[i].empty() ? by_language[0] : by_language[i];
    }
  }
  return by_language[0];
}

Catalogue Catalogue::parse(std::string_view json_text, const std::string& file) {
  return CatalogueParser(file).parse(json_text);
}

Catalogue Catalogue::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_unavailable("indicator_catalogue", path + ": cannot be read");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) fail_unavailable("indicator_catalogue", path + ": cannot be read");
  return parse(buf.str(), path);
}

std::optional<IndicatorIndex> Catalogue::find(std::string_view indicator_id) const {
  const auto it = index_.find(std::string(indicator_id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

IndicatorIndex Catalogue::index_of(std::string_view indicator_id) const {
  if (auto i = find(indicator_id)) return *i;
  throw Error(ErrorKind::not_found, "not_found",
              "no indicator \"" + std::string(indicator_id) + "\" in catalogue " + id_);
}

std::optional<ElementIndex> Catalogue::find_element(std::string_view element_id) const {
  for (std::size_t e = 0; e < elements_.size(); ++e) {
    if (elements_[e].id == element_id) return static_cast<ElementIndex>(e);
  }
  return std::nullopt;
}

std::span<const IndicatorIndex> Catalogue::indicators_of(ElementIndex e) const {
  return std::span<const IndicatorIndex>(by_element_)
      .subspan(element_begin_[e], element_begin_[e + 1u] - element_begin_[e]);
}

std::string_view Catalogue::text(IndicatorIndex i, std::string_view language) const {
  return indicators_.at(i).text.get(language);
}

std::string_view Catalogue::element_label(ElementIndex e, std::string_view language) const {
  return elements_.at(e).label.get(language);
}

Catalogues Catalogues::load_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
  }
  if (ec) fail_unavailable("indicator_catalogues", dir + ": cannot be read: " + ec.message());
  if (files.empty()) fail_unavailable("indicator_catalogues", dir + ": no catalogue files");
  std::sort(files.begin(), files.end());

  Catalogues out;
  for (const auto& file : files) out.append(Catalogue::load(file), file);
  return out;
}

Catalogues Catalogues::builtin() {
  Catalogues out;
  for (const auto& path : reference_files_under("indicators/")) {
    out.append(Catalogue::parse(reference_files().at(path), "data/" + path), "data/" + path);
  }
  if (out.catalogues_.empty()) {
    throw Error(ErrorKind::internal, "refdata", "no indicator catalogues in the build");
  }
  return out;
}

void Catalogues::append(Catalogue c, const std::string& file) {
  for (std::size_t k = 0; k < catalogues_.size(); ++k) {
    if (catalogues_[k].id() == c.id()) {
      fail_invalid("/id",
                   file + ": /id: catalogue id \"" + c.id() + "\" is also used by " + files_[k]);
    }
  }
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto& ind_id = c.indicators()[i].id;
    for (std::size_t k = 0; k < catalogues_.size(); ++k) {
      if (catalogues_[k].find(ind_id)) {
        const std::string at = "/indicators/" + std::to_string(i) + "/id";
        fail_invalid(at, file + ": " + at + ": indicator id \"" + ind_id + "\" is also used by " +
                             files_[k]);
      }
    }
  }
  catalogues_.push_back(std::move(c));
  files_.push_back(file);
}

std::vector<CatalogueInfo> Catalogues::list() const {
  std::vector<CatalogueInfo> out;
  for (std::size_t k = 0; k < catalogues_.size(); ++k) {
    const Catalogue& c = catalogues_[k];
    out.push_back({c.id(), c.version(), c.title(), c.size(), c.elements().size(),
                   c.victim_rules().has_value(), files_[k]});
  }
  return out;
}

const Catalogue* Catalogues::find(std::string_view id) const {
  for (const auto& c : catalogues_) {
    if (c.id() == id) return &c;
  }
  return nullptr;
}

const Catalogue& Catalogues::get(std::string_view id) const {
  if (const Catalogue* c = find(id)) return *c;
  throw Error(ErrorKind::not_found, "not_found",
              "no indicator catalogue \"" + std::string(id) + "\"");
}

const std::string& Catalogues::catalogue_version(std::string_view id) const {
  return get(id).version();
}

}  // namespace ctis::indicators
