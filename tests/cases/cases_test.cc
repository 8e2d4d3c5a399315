#include "cases/cases.h"

#include <gtest/gtest.h>

#include "cases/internal.h"
#include "support/platform.h"

namespace ctis::cases {
namespace {

using auth::Role;
using nlohmann::json;
using store::Dialect;

class CasesTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<testing::Platform>(GetParam());
    coordinator_ = person("coord", "coordinator", "Referral Office");
    caseworker_ = person("worker", "caseworker", "Referral Office");
    colleague_ = person("colleague", "caseworker", "Referral Office");
    outsider_ = person("outsider", "caseworker", "Other NGO");
    analyst_ = person("analyst", "analyst", "Referral Office");
    admin_ = person("admin", "admin", "Referral Office");
  }

  auth::Principal person(const std::string& name, const std::string& role, const std::string& org) {
    return p_->person(name, role, org);
  }

  json sample() {
    return {{"person",
             {{"given_name", "Amina"},
              {"family_name", "Okafor"},
              {"birth_date", "1999-03-14"},
              {"document_number", "A1234567"}}},
            {"profile",
             {{"gender", "woman"},
              {"citizenship", "nga"},
              {"country_of_exploitation", "ITA"},
              {"year_of_registration", 2024},
              {"means", {"threats", "withhold_docs"}},
              {"exploitation", {"sexual"}},
              {"sexual_types", {"prostitution"}}}},
            {"legs",
             {{{"country", "NGA"},
               {"place", "Benin City"},
               {"date_from", "2023-01-02"},
               {"date_to", "2023-01-05"},
               {"transport", "land_vehicle"}},
              {{"country", "LBY"},
               {"date_from", "2023-01-20"},
               {"date_to", "2023-06-01"},
               {"regular_crossing", false}},
              {{"country", "ITA"}, {"date_from", "2023-06-03"}, {"transport", "sea"}}}},
            {"immigration_status", "irregular; asylum claim pending"},
            {"non_punishment", true},
            {"assigned_to", caseworker_.user_id}};
  }

  std::unique_ptr<testing::Platform> p_;
  auth::Principal coordinator_, caseworker_, colleague_, outsider_, analyst_, admin_;
};

TEST_P(CasesTest, CreateNormalisesAndDerives) {
  const json c = p_->cases->create(caseworker_, sample());
  EXPECT_EQ(c["status"], "identified");
  EXPECT_EQ(c["profile"]["citizenship"], "NGA");
  EXPECT_EQ(c["profile"]["age_band"], "24-26");  // born March 1999, registered 2024
  EXPECT_EQ(c["person"]["family_name"], "Okafor");
  EXPECT_EQ(c["legs"].size(), 3u);
  EXPECT_EQ(c["immigration_status"], "irregular; asylum claim pending");
  EXPECT_EQ(c["reference"].get<std::string>().rfind("CT-", 0), 0u);
}

TEST_P(CasesTest, IdentifiersAreEncryptedAtRest) {
  const json c = p_->cases->create(caseworker_, sample());
  auto row = p_->db->connection()->query_one(
      "SELECT person_enc, immigration_status_enc, name_index FROM cases WHERE id = ?",
      {c["id"].get<std::int64_t>()});
  const auto& p = row->blob(0);
  const std::string raw(p.begin(), p.end());
  EXPECT_EQ(raw.find("Okafor"), std::string::npos);
  EXPECT_EQ(raw.find("A1234567"), std::string::npos);
  const auto& i = row->blob(1);
  EXPECT_EQ(std::string(i.begin(), i.end()).find("asylum"), std::string::npos);
}

TEST_P(CasesTest, RoutePlacesServiceOutcomesAndReferralPurposesAreEncrypted) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  p_->cases->add_service(
      caseworker_, id, {{"kind", "medical"}, {"provider", "Clinic"}, {"outcome", "HIV negative"}});
  p_->cases->refer(caseworker_, id,
                   {{"to_organisation", outsider_.organisation_id},
                    {"purpose", "safe house near her sister"},
                    {"consent", true}});
  auto conn = p_->db->connection();
  const auto clear_route = conn->query_one("SELECT legs FROM cases WHERE id = ?", {id})->text(0);
  EXPECT_EQ(clear_route.find("Benin City"), std::string::npos);
  EXPECT_EQ(clear_route.find("2023"), std::string::npos);
  EXPECT_NE(clear_route.find("LBY"), std::string::npos);  // countries stay for statistics
  EXPECT_FALSE(conn->query_one("SELECT 1 FROM case_services WHERE outcome LIKE '%HIV%'"));
  EXPECT_FALSE(conn->query_one("SELECT 1 FROM case_referrals WHERE purpose LIKE '%sister%'"));
  // Still read back whole by those who may.
  EXPECT_EQ(p_->cases->get(caseworker_, id)["legs"][0]["place"], "Benin City");
  EXPECT_EQ(p_->cases->services(caseworker_, id)["services"][0]["outcome"], "HIV negative");
  EXPECT_EQ(p_->cases->referrals(caseworker_, id)["referrals"][0]["purpose"],
            "safe house near her sister");
}

TEST_P(CasesTest, NeedToKnow) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  // The organisation's coordinator and caseworkers see everything but immigration status,
  // which only the assigned caseworker and coordinators see.
  EXPECT_TRUE(p_->cases->get(coordinator_, id).contains("immigration_status"));
  EXPECT_TRUE(p_->cases->get(caseworker_, id).contains("immigration_status"));
  const json colleague_view = p_->cases->get(colleague_, id);
  EXPECT_TRUE(colleague_view.contains("person"));
  EXPECT_FALSE(colleague_view.contains("immigration_status"));
  // Analysts: the pseudonymous profile, the non-punishment flag, no identifiers or places.
  const json pseudonymous = p_->cases->get(analyst_, id);
  EXPECT_FALSE(pseudonymous.contains("person"));
  EXPECT_FALSE(pseudonymous.contains("legs"));
  EXPECT_FALSE(pseudonymous.contains("immigration_status"));
  EXPECT_EQ(pseudonymous["non_punishment"], true);
  EXPECT_EQ(pseudonymous["route_countries"], json({"NGA", "LBY", "ITA"}));
  // Other organisations and administrators: the case does not exist.
  for (const auto& p : {outsider_, admin_}) {
    try {
      p_->cases->get(p, id);
      FAIL() << p.username << " saw a case";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::not_found);
    }
  }
  // A caseworker of another organisation cannot be assigned to it.
  EXPECT_THROW(p_->cases->update(colleague_, id, {{"assigned_to", outsider_.user_id}}), Error);
}

TEST_P(CasesTest, OnlyTheRightPeopleRecordImmigrationStatus) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  try {
    p_->cases->update(colleague_, id, {{"immigration_status", "regular"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::forbidden);
    EXPECT_EQ(e.field(), "/immigration_status");
  }
  // A colleague's history shows that it changed, never what it says.
  p_->cases->update(caseworker_, id, {{"immigration_status", "residence permit granted"}});
  bool hidden_seen = false;
  const json history = p_->cases->history(colleague_, id);
  for (const auto& h : history["history"]) {
    if (h["field"] == "immigration_status") {
      hidden_seen = true;
      EXPECT_FALSE(h.contains("new"));
    }
  }
  EXPECT_TRUE(hidden_seen);
}

TEST_P(CasesTest, ExportsNeverCarryIdentifiersOrImmigrationStatus) {
  p_->cases->create(caseworker_, sample());
  const auto profiles = p_->cases->export_profiles(coordinator_);
  ASSERT_EQ(profiles.size(), 1u);
  const std::string text = profiles[0].dump();
  for (const char* secret : {"Okafor", "Amina", "A1234567", "asylum", "1999-03-14"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

TEST_P(CasesTest, EveryChangeKeepsFieldHistory) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  p_->cases->update(
      caseworker_, id,
      {{"person", {{"family_name", "Okafor-Eze"}}}, {"profile", {{"gender", nullptr}}}});
  const json h = p_->cases->history(caseworker_, id)["history"];
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]["field"], "person.family_name");
  EXPECT_EQ(h[0]["old"], "Okafor");
  EXPECT_EQ(h[0]["new"], "Okafor-Eze");
  EXPECT_EQ(h[0]["actor"], "worker");
  EXPECT_EQ(h[1]["field"], "profile.gender");
  EXPECT_TRUE(h[1]["new"].is_null());
  EXPECT_TRUE(p_->audit->verify().ok);
}

TEST_P(CasesTest, StatusWorkflow) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  EXPECT_EQ(p_->cases->set_status(caseworker_, id, "referred", "")["status"], "referred");
  EXPECT_THROW(p_->cases->set_status(caseworker_, id, "identified", "oops"), Error);
  EXPECT_THROW(p_->cases->set_status(caseworker_, id, "closed", ""), Error);  // needs a reason
  EXPECT_EQ(p_->cases->set_status(caseworker_, id, "closed", "returned home")["status"], "closed");
  EXPECT_EQ(p_->cases->set_status(caseworker_, id, "identified", "new contact")["status"],
            "identified");
  EXPECT_THROW(p_->cases->set_status(caseworker_, id, "archived", "x"), Error);
}

TEST_P(CasesTest, BadInputNamesTheFieldAndWritesNothing) {
  struct Case {
    std::string pointer;
    json value;
    std::string field;
  };
  const std::vector<Case> bad = {
      {"/profile/citizenship", "XYZ", "/profile/citizenship"},
      {"/profile/gender", "robot", "/profile/gender"},
      {"/profile/means", json({"magic"}), "/profile/means/0"},
      {"/person/birth_date", "2999-01-01", "/person/birth_date"},
      {"/person/birth_date", "2001-02-30", "/person/birth_date"},
      {"/profile/age_band", "48+", "/profile/age_band"},         // contradicts 1999
      {"/legs/1/date_to", "2023-01-10", "/legs/1/date_to"},      // exit before entry
      {"/legs/2/date_from", "2022-01-01", "/legs/2/date_from"},  // out of order
      {"/legs/0/country", "Nigeria", "/legs/0/country"},
      {"/cooperates_with_police", true, "/cooperates_with_police"},
  };
  for (const auto& b : bad) {
    json input = sample();
    input[json::json_pointer(b.pointer)] = b.value;
    try {
      p_->cases->create(caseworker_, input);
      FAIL() << "accepted " << b.pointer;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::invalid) << e.what();
      EXPECT_EQ(e.field(), b.field) << e.what();
    }
  }
  EXPECT_EQ(p_->cases->count(), 0);
}

TEST_P(CasesTest, SearchByBlindIndexedNameAndFilters) {
  p_->cases->create(caseworker_, sample());
  json other = sample();
  other["person"]["family_name"] = "Mensah";
  other["profile"]["citizenship"] = "GHA";
  other["profile"]["exploitation"] = {"forced_labour"};
  p_->cases->create(caseworker_, other);
  Filter f;
  f.name = "okafor";
  EXPECT_EQ(p_->cases->list(coordinator_, f)["cases"].size(), 1u);
  f.name = "Amina Okafor";
  EXPECT_EQ(p_->cases->list(coordinator_, f)["cases"].size(), 1u);
  f = {};
  f.citizenship = "GHA";
  EXPECT_EQ(p_->cases->list(coordinator_, f)["cases"].size(), 1u);
  f = {};
  f.exploitation = "sexual";
  EXPECT_EQ(p_->cases->list(coordinator_, f)["cases"].size(), 1u);
  f = {};
  f.document_number = "A1234567";
  EXPECT_EQ(p_->cases->list(coordinator_, f)["cases"].size(), 2u);
  EXPECT_EQ(p_->cases->list(analyst_, f)["cases"].size(), 0u);  // no identifier search
  EXPECT_EQ(p_->cases->list(outsider_, {})["cases"].size(), 0u);
  EXPECT_EQ(p_->cases->list(analyst_, {})["cases"].size(), 2u);
}

TEST_P(CasesTest, NotesAndRotationLoseNothing) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  p_->cases->add_note(caseworker_, id, "Met at the shelter; prefers a female interpreter.");
  p_->cases->update(caseworker_, id, {{"person", {{"contact", "+39 555 0100"}}}});
  p_->cases->add_service(
      caseworker_, id, {{"kind", "medical"}, {"provider", "Clinic"}, {"note", "follow-up in May"}});
  p_->cases->add_procedure(caseworker_, id, {{"kind", "reflection_period"}, {"note", "90 days"}});
  p_->keys->add_key();
  p_->db->transaction(
      [&](store::Connection& c) { EXPECT_GT(p_->cases->reencrypt(c, *p_->keys), 3); });
  p_->keys->retire_inactive();
  EXPECT_EQ(p_->cases->get(caseworker_, id)["person"]["contact"], "+39 555 0100");
  EXPECT_EQ(p_->cases->notes(caseworker_, id)["notes"][0]["text"],
            "Met at the shelter; prefers a female interpreter.");
  EXPECT_EQ(p_->cases->history(caseworker_, id)["history"][0]["new"], "+39 555 0100");
  EXPECT_EQ(p_->cases->services(caseworker_, id)["services"][0]["note"], "follow-up in May");
  EXPECT_EQ(p_->cases->procedures(caseworker_, id)["procedures"][0]["note"], "90 days");
  Filter f;
  f.name = "Okafor";
  EXPECT_EQ(p_->cases->list(caseworker_, f)["cases"].size(), 1u);
}

TEST_P(CasesTest, ScreeningIsSavedResumedAndEvaluated) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  json s = p_->cases->start_screening(caseworker_, id, "ilo-ec-adult-labour");
  const auto sid = s["id"].get<std::int64_t>();
  EXPECT_EQ(s["status"], "in_progress");
  EXPECT_EQ(s["evaluation"]["outcome"], "undetermined");
  // Deceptive recruitment (1 strong + 1 medium), then exploitative conditions, then coercion.
  p_->cases->update_screening(caseworker_, id, sid,
                              {{"answers",
                                {{"ilo-ec-al-dr-01", {{"answer", "yes"}, {"source", "interview"}}},
                                 {"ilo-ec-al-dr-02", {{"answer", "yes"}}}}}});
  p_->cases->update_screening(
      caseworker_, id, sid,
      {{"answers",
        {{"ilo-ec-al-ex-01", {{"answer", "yes"}}}, {"ilo-ec-al-ex-02", {{"answer", "yes"}}}}}});
  s = p_->cases->update_screening(
      caseworker_, id, sid,
      {{"answers",
        {{"ilo-ec-al-cd-01", {{"answer", "yes"}}}, {"ilo-ec-al-cd-02", {{"answer", "yes"}}}}},
       {"complete", true}});
  EXPECT_EQ(s["status"], "complete");
  EXPECT_EQ(s["evaluation"]["outcome"], "presumed_victim") << s["evaluation"].dump();
  EXPECT_EQ(s["answers"].size(), 6u);  // merged, not replaced
  EXPECT_EQ(s["answers"]["ilo-ec-al-dr-01"]["source"], "interview");
  // Completed screenings stay as they were.
  EXPECT_THROW(p_->cases->update_screening(
                   caseworker_, id, sid, {{"answers", {{"ilo-ec-al-dr-03", {{"answer", "no"}}}}}}),
               Error);
  EXPECT_EQ(p_->cases->screenings(caseworker_, id)["screenings"].size(), 1u);
  // Bad input names the field.
  const auto other = p_->cases->start_screening(caseworker_, id, "ilo-forced-labour-11")["id"];
  try {
    p_->cases->update_screening(caseworker_, id, other.get<std::int64_t>(),
                                {{"answers", {{"no-such-indicator", {{"answer", "yes"}}}}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/answers/no-such-indicator");
  }
  EXPECT_THROW(p_->cases->start_screening(caseworker_, id, "astrology"), Error);
  EXPECT_THROW(p_->cases->start_screening(analyst_, id, "ilo-ec-adult-labour"), Error);
}

TEST_P(CasesTest, ClassificationKeepsTheRuleSetThatDecided) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  EXPECT_THROW(p_->cases->classification(caseworker_, id), Error);  // none yet
  const json facts = {{"act_recruitment", {{"value", true}}},
                      {"means_deception", {{"value", true}, {"note", "promised hotel work"}}},
                      {"purpose_prostitution_of_others", {{"value", true}}},
                      {"consent_given", {{"value", true}}},
                      {"crossed_border", {{"value", false}}},
                      {"age_at_act", {{"value", 24}}}};
  const json c = p_->cases->classify(caseworker_, id, {{"facts", facts}});
  EXPECT_EQ(c["result"]["outcome"], "presumed_trafficking") << c.dump();
  EXPECT_EQ(c["rule_set"]["id"], "palermo-2000");
  EXPECT_EQ(c["decided_by"], "worker");
  EXPECT_EQ(p_->cases->classification(coordinator_, id)["result"]["outcome"],
            "presumed_trafficking");
  try {
    p_->cases->classify(caseworker_, id, {{"facts", {{"means_magic", {{"value", true}}}}}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.field().rfind("/facts/means_magic", 0), 0u) << e.field();
  }
  // Facts are encrypted at rest.
  const auto row = p_->db->connection()->query_one("SELECT facts_enc FROM classifications");
  const auto& b = row->blob(0);
  EXPECT_EQ(std::string(b.begin(), b.end()).find("hotel"), std::string::npos);
}

TEST_P(CasesTest, ReferralsShareTheCaseOnlyWithConsent) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  const json refer = {{"to_organisation", outsider_.organisation_id}, {"purpose", "shelter"}};
  try {
    p_->cases->refer(caseworker_, id, refer);
    FAIL() << "referred without consent";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/consent");
  }
  EXPECT_THROW(p_->cases->get(outsider_, id), Error);
  json with_consent = refer;
  with_consent["consent"] = true;
  const json r = p_->cases->refer(caseworker_, id, with_consent);
  const auto rid = r["referrals"][0]["id"].get<std::int64_t>();
  // The receiving organisation works on the case, without the immigration status.
  const json seen = p_->cases->get(outsider_, id);
  EXPECT_TRUE(seen.contains("person"));
  EXPECT_FALSE(seen.contains("immigration_status"));
  EXPECT_EQ(p_->cases->list(outsider_, {})["cases"].size(), 1u);
  p_->cases->withdraw_consent(caseworker_, id, rid);
  EXPECT_THROW(p_->cases->get(outsider_, id), Error);
  EXPECT_EQ(p_->cases->list(outsider_, {})["cases"].size(), 0u);
}

TEST_P(CasesTest, LawEnforcementSeesTheNonPunishmentFlagAndNeverTheImmigrationStatus) {
  const auto police = person("officer", "law_enforcement", "Police Anti-Trafficking Unit");
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  EXPECT_THROW(p_->cases->get(police, id), Error);
  EXPECT_EQ(p_->cases->list(police, {})["cases"].size(), 0u);
  EXPECT_THROW(p_->cases->create(police, sample()), Error);  // police do not open NGO cases

  const json facts = {{"act_recruitment", {{"value", true}}},
                      {"means_deception", {{"value", true}}},
                      {"purpose_prostitution_of_others", {{"value", true}}},
                      {"crossed_border", {{"value", true}}},
                      {"entry_irregular", {{"value", true}, {"note", "came without a visa"}}},
                      {"age_at_act", {{"value", 24}}}};
  const json decided = p_->cases->classify(caseworker_, id, {{"facts", facts}});
  const json referral = {{"to_organisation", police.organisation_id},
                         {"purpose", "criminal investigation"},
                         {"consent", true}};
  const auto rid =
      p_->cases->refer(caseworker_, id, referral)["referrals"][0]["id"].get<std::int64_t>();

  const json seen = p_->cases->get(police, id);
  EXPECT_EQ(seen["non_punishment"], true);
  EXPECT_TRUE(seen.contains("person"));
  EXPECT_TRUE(seen.contains("legs"));
  EXPECT_FALSE(seen.contains("immigration_status"));
  EXPECT_EQ(seen.dump().find("asylum"), std::string::npos);
  const json listed = p_->cases->list(police, {})["cases"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["non_punishment"], true);
  EXPECT_EQ(listed[0].dump().find("asylum"), std::string::npos);

  // The legal assessment, but not what was recorded about how the person entered.
  const json assessed = p_->cases->classification(police, id);
  EXPECT_EQ(assessed["result"]["outcome"], decided["result"]["outcome"]);
  EXPECT_EQ(assessed["facts"]["entry_irregular"]["withheld"], true);
  EXPECT_EQ(assessed.dump().find("visa"), std::string::npos) << assessed.dump();
  EXPECT_NE(decided.dump().find("visa"), std::string::npos);

  // Nothing of the assistance side: notes, history, screenings, services, permits, files.
  EXPECT_THROW(p_->cases->notes(police, id), Error);
  EXPECT_THROW(p_->cases->history(police, id), Error);
  EXPECT_THROW(p_->cases->screenings(police, id), Error);
  EXPECT_THROW(p_->cases->services(police, id), Error);
  EXPECT_THROW(p_->cases->procedures(police, id), Error);
  EXPECT_THROW(p_->cases->attachments(police, id), Error);
  EXPECT_THROW(p_->cases->update(police, id, {{"non_punishment", false}}), Error);

  p_->cases->withdraw_consent(caseworker_, id, rid);
  EXPECT_THROW(p_->cases->get(police, id), Error);
  EXPECT_EQ(p_->cases->list(police, {})["cases"].size(), 0u);
}

TEST_P(CasesTest, ServicesProceduresAndReminders) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  const json s = p_->cases->add_service(caseworker_, id,
                                        {{"kind", "shelter"},
                                         {"provider", "Casa Rifugio"},
                                         {"start_date", "2024-02-01"},
                                         {"note", "room with her daughter"}});
  EXPECT_EQ(s["services"][0]["note"], "room with her daughter");
  EXPECT_THROW(p_->cases->add_service(caseworker_, id, {{"kind", "bribe"}, {"provider", "x"}}),
               Error);
  EXPECT_THROW(p_->cases->add_service(caseworker_, id,
                                      {{"kind", "medical"},
                                       {"provider", "x"},
                                       {"start_date", "2024-02-01"},
                                       {"end_date", "2024-01-01"}}),
               Error);
  // A reflection period ending tomorrow is due; a granted permit is not.
  const std::string tomorrow = next_day(today()).iso();
  p_->cases->add_procedure(caseworker_, id,
                           {{"kind", "reflection_period"}, {"due_date", tomorrow}});
  json p = p_->cases->add_procedure(caseworker_, id,
                                    {{"kind", "residence_permit"}, {"due_date", tomorrow}});
  const auto permit = p["procedures"][1]["id"].get<std::int64_t>();
  EXPECT_EQ(p["procedures"][1]["status"], "applied");
  json reminders = p_->cases->reminders(caseworker_, 7)["reminders"];
  EXPECT_EQ(reminders.size(), 2u);
  p_->cases->update_procedure(caseworker_, id, permit, {{"status", "granted"}});
  reminders = p_->cases->reminders(caseworker_, 7)["reminders"];
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_EQ(reminders[0]["kind"], "reflection_period");
  EXPECT_EQ(p_->cases->reminders(outsider_, 7)["reminders"].size(), 0u);
  // Claims carry an amount in minor units and an ISO 4217 currency; bad input names the field.
  try {
    p_->cases->add_procedure(
        caseworker_, id,
        {{"kind", "compensation_claim"}, {"amount", 150000}, {"currency", "euro"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/currency");
  }
  EXPECT_EQ(p_->cases->procedures(caseworker_, id)["procedures"].size(), 2u);  // nothing half-made
  EXPECT_THROW(p_->cases->update_procedure(caseworker_, id, permit, {{"status", "paid"}}), Error);
}

TEST_P(CasesTest, AttachmentsAreTypeCheckedLimitedAndEncrypted) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  auto b64 = [](const std::string& s) {
    return to_base64(std::vector<std::uint8_t>(s.begin(), s.end()));
  };
  const std::string pdf = "%PDF-1.4\n% contract promised by the recruiter\n%%EOF\n";
  const json listed = p_->cases->attach(
      caseworker_, id, {{"name", "../../contract.pdf"}, {"content_base64", b64(pdf)}});
  ASSERT_EQ(listed["attachments"].size(), 1u);
  EXPECT_EQ(listed["attachments"][0]["name"], "contract.pdf");
  EXPECT_EQ(listed["attachments"][0]["content_type"], "application/pdf");
  const auto aid = listed["attachments"][0]["id"].get<std::int64_t>();
  const auto file = p_->cases->attachment(caseworker_, id, aid);
  EXPECT_EQ(file.content, pdf);
  // The type comes from the bytes: a Windows program called .pdf is refused.
  auto expect_field = [&](const json& in, const std::string& field) {
    try {
      p_->cases->attach(caseworker_, id, in);
      FAIL() << in.dump().substr(0, 80);
    } catch (const Error& e) {
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  expect_field({{"name", "cv.pdf"}, {"content_base64", b64(std::string("MZ\x90\0\x03", 5))}},
               "/content_base64");
  expect_field({{"name", "x.txt"}, {"content_base64", "%%%"}}, "/content_base64");
  expect_field({{"name", "big.txt"},
                {"content_base64", b64(std::string(Cases::kMaxAttachmentBytes + 1, 'a'))}},
               "/content_base64");
  expect_field({{"content_base64", b64("hello")}}, "/name");
  EXPECT_EQ(p_->cases->attachments(caseworker_, id)["attachments"].size(), 1u);
  EXPECT_THROW(p_->cases->attachments(analyst_, id), Error);
  const auto row =
      p_->db->connection()->query_one("SELECT content_enc, name_enc FROM case_attachments");
  const auto& content = row->blob(0);
  EXPECT_EQ(std::string(content.begin(), content.end()).find("recruiter"), std::string::npos);
}

TEST_P(CasesTest, OnlyCoordinatorsAssignCasesToOthers) {
  json input = sample();
  input.erase("assigned_to");
  const json mine = p_->cases->create(colleague_, input);
  EXPECT_EQ(mine["assigned_to"], colleague_.user_id);  // who opens it, works on it
  input["assigned_to"] = caseworker_.user_id;
  EXPECT_THROW(p_->cases->create(colleague_, input), Error);
  const auto id = mine["id"].get<std::int64_t>();
  // A colleague cannot take the case (and so its immigration status) for themselves.
  try {
    p_->cases->update(caseworker_, id, {{"assigned_to", caseworker_.user_id}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::forbidden);
  }
  EXPECT_EQ(
      p_->cases->update(coordinator_, id, {{"assigned_to", caseworker_.user_id}})["assigned_to"],
      caseworker_.user_id);
}

TEST_P(CasesTest, ANewBirthDateRederivesTheAgeBand) {
  const auto id = p_->cases->create(caseworker_, sample())["id"].get<std::int64_t>();
  const json c = p_->cases->update(caseworker_, id, {{"person", {{"birth_date", "1980-05-01"}}}});
  EXPECT_EQ(c["profile"]["age_band"], "39-47");  // aged 43 or 44 in 2024
}

INSTANTIATE_TEST_SUITE_P(Stores, CasesTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::cases
