// The form's texts and vocabulary (data/reports/): complete in every language, aligned with
// codes.txt, and every sign tied to real indicators of the catalogues in data/indicators/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/refdata.h"
#include "publicform/publicform.h"

namespace ctis::publicform {
namespace {

nlohmann::json form_file(const std::string& lang) {
  return nlohmann::json::parse(reference_files().at("reports/form." + lang + ".json"));
}

std::vector<std::string> codes(const nlohmann::json& list) {
  std::vector<std::string> out;
  for (const auto& e : list) out.push_back(e.at("code").get<std::string>());
  return out;
}

TEST(FormData, EveryLanguageHasEveryTextAndTheSameCodesInOrder) {
  const auto en = form_file("en");
  for (const std::string lang : {"fr", "es", "ar"}) {
    const auto other = form_file(lang);
    EXPECT_EQ(other.at("language"), lang);
    EXPECT_EQ(other.at("dir"), lang == "ar" ? "rtl" : "ltr");
    for (const auto& [key, value] : en.at("text").items()) {
      ASSERT_TRUE(other.at("text").contains(key)) << lang << " lacks " << key;
      EXPECT_FALSE(other.at("text").at(key).get<std::string>().empty()) << lang << " " << key;
    }
    EXPECT_EQ(other.at("text").size(), en.at("text").size()) << lang << " has extra texts";
    for (const char* list : {"work_types", "signs", "affected", "when_seen"}) {
      EXPECT_EQ(codes(other.at(list)), codes(en.at(list))) << lang << " " << list;
      for (const auto& e : other.at(list)) EXPECT_FALSE(e.at("label").get<std::string>().empty());
    }
  }
}

TEST(FormData, TheAgreedVocabulary) {
  EXPECT_EQ(work_type_codes(),
            (std::vector<std::string>{"agriculture", "construction", "domestic_work", "factory",
                                      "fishing", "hospitality", "sex_work", "begging",
                                      "criminal_activity", "other", "unknown"}));
  EXPECT_GE(sign_codes().size(), 12U);
  EXPECT_LE(sign_codes().size(), 16U);
  const std::set<std::string> unique(sign_codes().begin(), sign_codes().end());
  EXPECT_EQ(unique.size(), sign_codes().size());
  for (const char* named :
       {"no_id_documents", "cannot_leave", "guarded", "debt", "long_hours", "no_pay",
        "lives_at_work", "threats", "injuries", "minor_working", "scripted_answers",
        "transported_together", "fearful", "recruitment_deception"}) {
    EXPECT_TRUE(unique.count(named)) << named;
  }
  EXPECT_EQ(sign_label("en", "cannot_leave"), "They cannot leave or come and go freely");
  EXPECT_EQ(work_type_label("es", "fishing"), "Pesca o trabajo en un barco");
  EXPECT_EQ(sign_label("en", "nonsense"), "nonsense");
}

// codes.txt is what the reports library and the API align with; it must say the same.
TEST(FormData, CodesFileMatchesTheFormData) {
  const char* source = std::getenv("CTIS_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "CTIS_SOURCE_DIR must name the repository";
  std::ifstream in(std::string(source) + "/data/reports/codes.txt");
  ASSERT_TRUE(in) << "cannot read data/reports/codes.txt";
  std::vector<std::string> expected;
  for (const auto& c : work_type_codes()) expected.push_back("work:" + c);
  for (const auto& c : sign_codes()) expected.push_back("sign:" + c);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  EXPECT_EQ(lines, expected);
}

TEST(FormData, EverySignNamesRealIndicators) {
  std::set<std::string> known;
  for (const std::string& path : reference_files_under("indicators/")) {
    auto doc = nlohmann::json::parse(reference_files().at(path));
    for (const auto& indicator : doc.at("indicators")) known.insert(indicator.at("id"));
  }
  ASSERT_GT(known.size(), 250U) << "the indicator catalogues were not found";
  for (const std::string& sign : sign_codes()) {
    const auto& ids = sign_indicators(sign);
    EXPECT_FALSE(ids.empty()) << sign;
    for (const std::string& id : ids) EXPECT_TRUE(known.count(id)) << sign << ": " << id;
  }
  // Known answers from the catalogues: documents held by someone else, and debt bondage.
  const auto& docs = sign_indicators("no_id_documents");
  EXPECT_NE(std::find(docs.begin(), docs.end(), "ilo-fl-07"), docs.end());
  const auto& debt = sign_indicators("debt");
  EXPECT_NE(std::find(debt.begin(), debt.end(), "ilo-fl-09"), debt.end());
  EXPECT_TRUE(sign_indicators("unknown_sign").empty());
}

}  // namespace
}  // namespace ctis::publicform

// The library accepts exactly the codes the form offers, in the same order.
TEST(FormData, TheReportsLibraryAcceptsTheFormsCodes) {
  EXPECT_EQ(ctis::reports::work_types(), ctis::publicform::work_type_codes());
  EXPECT_EQ(ctis::reports::signs(), ctis::publicform::sign_codes());
}
