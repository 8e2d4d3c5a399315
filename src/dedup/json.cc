// Settings and models as JSON text, for the CLI and HTTP handlers: settings come from a file or
// request body; a trained model is stored and loaded again to score later.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "dedup/dedup.h"

namespace ctis::dedup {

namespace {

using nlohmann::json;

constexpr const char* kModelFormat = "ctis-dedup-model/1";

json parse_text(std::string_view text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail_invalid("", what + ": not JSON (" + e.what() + ")");
  }
}

[[noreturn]] void bad(const std::string& pointer, const std::string& why) {
  fail_invalid(pointer, "settings " + pointer + ": " + why);
}

// Reads an object's members strictly: an unknown member is an error (a typo would otherwise be
// silently ignored and a default used).
class Reader {
 public:
  Reader(const json& object, std::string pointer) : j_(object), at_(std::move(pointer)) {
    if (!j_.is_object()) bad(at_.empty() ? "/" : at_, "expected an object");
  }
  template <typename T>
  void get(const char* key, T& out) {
    seen_.emplace_back(key);
    const auto it = j_.find(key);
    if (it == j_.end()) return;
    try {
      out = it->get<T>();
    } catch (const json::exception&) {
      bad(at_ + "/" + key, "wrong type");
    }
  }
  const json* find(const char* key) {
    seen_.emplace_back(key);
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  void finish() const {
    for (const auto& [key, value] : j_.items()) {
      if (std::find(seen_.begin(), seen_.end(), key) == seen_.end()) {
        bad(at_ + "/" + key, "unknown member");
      }
    }
  }

 private:
  const json& j_;
  std::string at_;
  std::vector<std::string> seen_;
};

const char* kind_name(CompareKind k) {
  switch (k) {
    case CompareKind::exact:
      return "exact";
    case CompareKind::jaro_winkler:
      return "jaro_winkler";
    case CompareKind::date:
      return "date";
    case CompareKind::numeric:
      return "numeric";
  }
  return "exact";
}

Settings settings_from(const json& j) {
  Settings s;
  Reader r(j, "");
  const json* comparisons = r.find("comparisons");
  if (comparisons == nullptr || !comparisons->is_array()) {
    bad("/comparisons", "expected an array of comparisons");
  }
  for (std::size_t i = 0; i < comparisons->size(); ++i) {
    const std::string at = "/comparisons/" + std::to_string(i);
    Reader c(comparisons->at(i), at);
    Comparison cmp;
    std::string kind = "exact";
    c.get("column", cmp.column);
    c.get("kind", kind);
    c.get("similarity_bands", cmp.similarity_bands);
    c.get("distance_bands", cmp.distance_bands);
    c.get("within_days", cmp.within_days);
    c.get("term_frequency", cmp.term_frequency);
    c.finish();
    if (cmp.column.empty()) bad(at + "/column", "a column is required");
    if (kind == "exact") {
      cmp.kind = CompareKind::exact;
    } else if (kind == "jaro_winkler") {
      cmp.kind = CompareKind::jaro_winkler;
    } else if (kind == "date") {
      cmp.kind = CompareKind::date;
    } else if (kind == "numeric") {
      cmp.kind = CompareKind::numeric;
    } else {
      bad(at + "/kind", "\"" + kind + "\" is not exact, jaro_winkler, date or numeric");
    }
    s.comparisons.push_back(std::move(cmp));
  }
  const json* rules = r.find("blocking_rules");
  if (rules == nullptr || !rules->is_array()) {
    bad("/blocking_rules", "expected an array of rules (each an array of keys)");
  }
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const std::string at = "/blocking_rules/" + std::to_string(i);
    if (!rules->at(i).is_array()) bad(at, "expected an array of keys");
    BlockingRule rule;
    for (std::size_t k = 0; k < rules->at(i).size(); ++k) {
      const std::string key_at = at + "/" + std::to_string(k);
      Reader key(rules->at(i).at(k), key_at);
      BlockingKey bk;
      key.get("column", bk.column);
      key.get("prefix", bk.prefix);
      key.finish();
      if (bk.column.empty()) bad(key_at + "/column", "a column is required");
      rule.keys.push_back(std::move(bk));
    }
    s.blocking_rules.push_back(std::move(rule));
  }
  r.get("max_block_size", s.max_block_size);
  r.get("u_sample_pairs", s.u_sample_pairs);
  r.get("seed", s.seed);
  r.get("em_start_prior", s.em_start_prior);
  r.get("em_start_m_exact", s.em_start_m_exact);
  r.get("em_tolerance", s.em_tolerance);
  r.get("em_max_iterations", s.em_max_iterations);
  r.get("match_probability", s.match_probability);
  r.get("em_sample_pairs", s.em_sample_pairs);
  r.get("em_per_blocking_rule", s.em_per_blocking_rule);
  r.get("threads", s.threads);
  r.finish();
  return s;
}

json settings_json(const Settings& s) {
  json j;
  j["comparisons"] = json::array();
  for (const Comparison& c : s.comparisons) {
    json cj{{"column", c.column}, {"kind", kind_name(c.kind)}};
    if (c.kind == CompareKind::jaro_winkler) cj["similarity_bands"] = c.similarity_bands;
    if (c.kind == CompareKind::numeric) cj["distance_bands"] = c.distance_bands;
    if (c.kind == CompareKind::date) cj["within_days"] = c.within_days;
    if (c.term_frequency) cj["term_frequency"] = true;
    j["comparisons"].push_back(std::move(cj));
  }
  j["blocking_rules"] = json::array();
  for (const BlockingRule& rule : s.blocking_rules) {
    json keys = json::array();
    for (const BlockingKey& k : rule.keys) {
      json kj{{"column", k.column}};
      if (k.prefix != 0) kj["prefix"] = k.prefix;
      keys.push_back(std::move(kj));
    }
    j["blocking_rules"].push_back(std::move(keys));
  }
  j["max_block_size"] = s.max_block_size;
  j["u_sample_pairs"] = s.u_sample_pairs;
  j["seed"] = s.seed;
  j["em_start_prior"] = s.em_start_prior;
  j["em_start_m_exact"] = s.em_start_m_exact;
  j["em_tolerance"] = s.em_tolerance;
  j["em_max_iterations"] = s.em_max_iterations;
  j["match_probability"] = s.match_probability;
  j["em_sample_pairs"] = s.em_sample_pairs;
  j["em_per_blocking_rule"] = s.em_per_blocking_rule;
  j["threads"] = s.threads;
  return j;
}

}  // namespace

Settings parse_settings(std::string_view json_text) {
  return settings_from(parse_text(json_text, "settings"));
}

std::string to_json(const Settings& settings) { return settings_json(settings).dump(2); }

std::string to_json(const Model& model) {
  json j{{"format", kModelFormat},
         {"settings", settings_json(model.settings)},
         {"prior", model.prior},
         {"em_iterations", model.em_iterations},
         {"em_converged", model.em_converged},
         {"training_records", model.training_records},
         {"training_pairs", model.training_pairs}};
  j["comparisons"] = json::array();
  for (const ComparisonModel& c : model.comparisons) {
    json tf = json::object();
    for (const auto& [value, share] : c.term_frequency) tf[value] = share;
    j["comparisons"].push_back({{"m", c.m},
                                {"u", c.u},
                                {"default_term_frequency", c.default_term_frequency},
                                {"term_frequency", std::move(tf)}});
  }
  return j.dump();
}

Model parse_model(std::string_view json_text) {
  const json j = parse_text(json_text, "model");
  auto fail = [](const std::string& pointer, const std::string& why) {
    fail_invalid(pointer, "model " + pointer + ": " + why);
  };
  if (!j.is_object() || j.value("format", "") != kModelFormat) {
    fail("/format", std::string("not a ") + kModelFormat + " model");
  }
  Model m;
  try {
    m.settings = settings_from(j.at("settings"));
    m.prior = j.at("prior").get<double>();
    m.em_iterations = j.at("em_iterations").get<int>();
    m.em_converged = j.at("em_converged").get<bool>();
    m.training_records = j.at("training_records").get<std::size_t>();
    m.training_pairs = j.at("training_pairs").get<std::size_t>();
    const json& comparisons = j.at("comparisons");
    if (comparisons.size() != m.settings.comparisons.size()) {
      fail("/comparisons", "one entry per comparison of the settings is needed");
    }
    for (std::size_t i = 0; i < comparisons.size(); ++i) {
      const json& cj = comparisons.at(i);
      ComparisonModel c;
      c.level_names = level_names(m.settings.comparisons[i]);
      c.m = cj.at("m").get<std::vector<double>>();
      c.u = cj.at("u").get<std::vector<double>>();
      c.default_term_frequency = cj.at("default_term_frequency").get<double>();
      for (const auto& [value, share] : cj.at("term_frequency").items()) {
        c.term_frequency.emplace(value, share.get<double>());
      }
      if (c.m.size() != c.level_names.size() || c.u.size() != c.level_names.size()) {
        fail("/comparisons/" + std::to_string(i), "m and u need one value per level");
      }
      m.comparisons.push_back(std::move(c));
    }
  } catch (const json::exception& e) {
    fail("", std::string("missing or mistyped member (") + e.what() + ")");
  }
  if (!(m.prior > 0 && m.prior < 1)) fail("/prior", "must fall in (0, 1)");
  return m;
}

}  // namespace ctis::dedup
