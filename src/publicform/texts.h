// The public pages' texts by language, read once from data/reports/form.<lang>.json.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ctis::publicform::detail {

using Choices = std::vector<std::pair<std::string, std::string>>;  // code, plain words

struct Texts {
  std::string language;  // en, fr, es, ar
  std::string dir;       // ltr, rtl
  std::string name;      // the language's own name
  std::map<std::string, std::string, std::less<>> text;
  Choices work_types;
  Choices signs;
  Choices affected;
  Choices when_seen;

  // The text of a key, the English one when this language lacks it, else the key.
  const std::string& get(std::string_view key) const;
  std::string label(const Choices& choices, std::string_view code) const;
};

// Every language's texts, in the order of the language links: en, fr, es, ar.
const std::vector<Texts>& all_texts();
const Texts& texts(std::string_view lang);  // English for an unknown language

}  // namespace ctis::publicform::detail
