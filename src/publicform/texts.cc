// Reading the form texts from the reference data compiled into the program.
#include "publicform/texts.h"

#include <nlohmann/json.hpp>

#include "core/core.h"
#include "core/refdata.h"
#include "publicform/publicform.h"

namespace ctis::publicform {
namespace detail {
namespace {

constexpr std::string_view kLanguages[] = {"en", "fr", "es", "ar"};

Choices read_choices(const nlohmann::json& doc, const char* key, const std::string& file) {
  Choices out;
  const auto& list = doc.at(key);
  if (!list.is_array()) fail_invalid(file + "/" + key, file + ": " + key + " is not a list");
  for (const auto& entry : list) {
    out.emplace_back(entry.at("code").get<std::string>(), entry.at("label").get<std::string>());
  }
  return out;
}

Texts load(std::string_view lang) {
  const std::string file = "reports/form." + std::string(lang) + ".json";
  const auto& files = reference_files();
  auto it = files.find(file);
  if (it == files.end()) fail_unavailable("form_texts", "reference data lacks " + file);
  try {
    auto doc = nlohmann::json::parse(it->second);
    Texts t;
    t.language = doc.at("language").get<std::string>();
    t.dir = doc.at("dir").get<std::string>();
    t.name = doc.at("name").get<std::string>();
    for (const auto& [key, value] : doc.at("text").items()) t.text[key] = value.get<std::string>();
    t.work_types = read_choices(doc, "work_types", file);
    t.signs = read_choices(doc, "signs", file);
    t.affected = read_choices(doc, "affected", file);
    t.when_seen = read_choices(doc, "when_seen", file);
    return t;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::internal, "form_texts", file + ": " + e.what());
  }
}

}  // namespace

const std::vector<Texts>& all_texts() {
  static const std::vector<Texts> all = [] {
    std::vector<Texts> out;
    for (std::string_view lang : kLanguages) out.push_back(load(lang));
    return out;
  }();
  return all;
}

const Texts& texts(std::string_view lang) {
  for (const Texts& t : all_texts()) {
    if (t.language == lang) return t;
  }
  return all_texts().front();
}

const std::string& Texts::get(std::string_view key) const {
  if (auto it = text.find(key); it != text.end()) return it->second;
  const Texts& english = all_texts().front();
  if (auto it = english.text.find(key); it != english.text.end()) return it->second;
  static const std::string missing = "?";
  return missing;
}

std::string Texts::label(const Choices& choices, std::string_view code) const {
  for (const auto& [c, words] : choices) {
    if (c == code) return words;
  }
  return std::string(code);
}

}  // namespace detail

namespace {

struct Vocabulary {
  std::vector<std::string> signs;
  std::vector<std::string> work_types;
  std::map<std::string, std::vector<std::string>, std::less<>> indicators;
};

const Vocabulary& vocabulary() {
  static const Vocabulary v = [] {
    Vocabulary out;
    const auto& english = detail::all_texts().front();
    for (const auto& [code, words] : english.signs) out.signs.push_back(code);
    for (const auto& [code, words] : english.work_types) out.work_types.push_back(code);
    auto doc = nlohmann::json::parse(reference_files().at("reports/form.en.json"));
    for (const auto& sign : doc.at("signs")) {
      out.indicators[sign.at("code").get<std::string>()] =
          sign.value("indicators", std::vector<std::string>{});
    }
    return out;
  }();
  return v;
}

}  // namespace

const std::vector<std::string>& sign_codes() { return vocabulary().signs; }
const std::vector<std::string>& work_type_codes() { return vocabulary().work_types; }

const std::vector<std::string>& sign_indicators(std::string_view sign) {
  static const std::vector<std::string> none;
  const auto& map = vocabulary().indicators;
  auto it = map.find(sign);
  return it == map.end() ? none : it->second;
}

std::string sign_label(std::string_view lang, std::string_view sign) {
  const auto& t = detail::texts(language_of(lang));
  return t.label(t.signs, sign);
}

std::string work_type_label(std::string_view lang, std::string_view work_type) {
  const auto& t = detail::texts(language_of(lang));
  return t.label(t.work_types, work_type);
}

}  // namespace ctis::publicform
