// The public pages: complete documents, escaped, labelled, light, right to left in Arabic.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "publicform/publicform.h"

namespace ctis::publicform {
namespace {

const std::vector<std::string> kLanguages = {"en", "fr", "es", "ar"};
const std::string kScript = "<script>alert(1)</script>";

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = haystack.find(needle); p != std::string::npos;
       p = haystack.find(needle, p + 1)) {
    ++n;
  }
  return n;
}

reports::ReporterView view_with_messages(std::string messaging) {
  reports::ReporterView v;
  v.report_id = 7;
  v.status = "in_review";
  v.messaging = std::move(messaging);
  v.day = "2026-11-29";
  v.thread.push_back({1, "reporter", "thread", "2026-11-29", "reporter says " + kScript, {}, ""});
  v.thread.push_back({2, "staff", "thread", "2026-11-30", "staff says " + kScript, {}, "Amara"});
  return v;
}

std::vector<std::string> all_pages(const std::string& lang) {
  Form values;
  values.fields["description"] = {kScript};
  return {render_form(lang),
          render_form(lang, values, {{"description", "x"}, {"attachments", "y"}}),
          render_receipt(lang, "7KQ2-M9XD-4HBW-T0RC-Z5"),
          render_follow_up_entry(lang),
          render_follow_up_entry(lang, "not found"),
          render_thread(lang, "7KQ2-M9XD-4HBW-T0RC-Z5", view_with_messages("two_way")),
          render_thread(lang, "7KQ2-M9XD-4HBW-T0RC-Z5", view_with_messages("off"), "too long"),
          render_error(lang, 429, "slow down")};
}

// Every visible form control has a <label for=its id>; radio and checkbox groups are fieldsets
// with a legend.
void expect_labelled(const std::string& html) {
  std::set<std::string> labels;
  std::regex label_re("<label for=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), label_re);
       it != std::sregex_iterator(); ++it) {
    labels.insert((*it)[1]);
  }
  std::regex control_re("<(input|select|textarea)([^>]*)>");
  std::regex id_re(" id=\"([^\"]+)\"");
  int controls = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), control_re);
       it != std::sregex_iterator(); ++it) {
    std::string attrs = (*it)[2];
    if (attrs.find("type=\"hidden\"") != std::string::npos) continue;
    ++controls;
    std::smatch id;
    ASSERT_TRUE(std::regex_search(attrs, id, id_re)) << "control without id: " << it->str();
    EXPECT_TRUE(labels.count(id[1])) << "no label for " << id[1];
  }
  EXPECT_EQ(count(html, "<fieldset"), count(html, "<legend>"));
  EXPECT_GT(controls + static_cast<int>(html.find("<form") == std::string::npos), 0);
}

TEST(Render, CompleteDocumentsWithLanguageAndDirection) {
  for (const auto& lang : kLanguages) {
    for (const std::string& html : all_pages(lang)) {
      EXPECT_EQ(html.rfind("<!doctype html>\n<html lang=\"" + lang + "\" dir=\"", 0), 0U) << lang;
      EXPECT_NE(html.find(lang == "ar" ? "dir=\"rtl\"" : "dir=\"ltr\""), std::string::npos);
      EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
      EXPECT_NE(html.find("<link rel=\"stylesheet\" href=\"/report/style.css\">"),
                std::string::npos);
      EXPECT_NE(html.find("<title>"), std::string::npos);
      EXPECT_NE(html.find("<h1>"), std::string::npos);
      EXPECT_TRUE(html.ends_with("</html>\n"));
    }
  }
  EXPECT_EQ(render_form("xx").rfind("<!doctype html>\n<html lang=\"en\" dir=\"ltr\"", 0), 0U);
}

TEST(Render, NoScriptsNoInlineStylesAndEverythingEscaped) {
  for (const auto& lang : kLanguages) {
    for (const std::string& html : all_pages(lang)) {
      EXPECT_EQ(html.find("<script"), std::string::npos) << lang;
      EXPECT_EQ(html.find(" style="), std::string::npos) << lang;
      EXPECT_EQ(html.find("<style"), std::string::npos) << lang;
      EXPECT_FALSE(std::regex_search(html, std::regex("<[^>]* on[a-z]+="))) << lang;  // no handlers
    }
  }
  const std::string thread = render_thread("en", "CODE", view_with_messages("two_way"));
  EXPECT_EQ(count(thread, "&lt;script&gt;alert(1)&lt;/script&gt;"), 2U);
  Form values;
  values.fields = {{"description", {kScript}}, {"place", {"\"><b>x</b>"}}};
  const std::string form = render_form("en", values);
  EXPECT_NE(form.find(">&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"), std::string::npos);
  EXPECT_NE(form.find("value=\"&quot;&gt;&lt;b&gt;x&lt;/b&gt;\""), std::string::npos);
  EXPECT_EQ(form.find("<b>x</b>"), std::string::npos);
  const std::string error = render_error("en", 400, kScript);
  EXPECT_NE(error.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(escape_html("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&#39;");
}

TEST(Render, EveryControlIsLabelled) {
  for (const auto& lang : kLanguages) {
    for (const std::string& html : all_pages(lang)) expect_labelled(html);
  }
}

TEST(Render, FormAsksTheGuidedQuestions) {
  const std::string html = render_form("en");
  EXPECT_NE(html.find("<form method=\"post\" action=\"/report\" enctype=\"multipart/form-data\""),
            std::string::npos);
  EXPECT_NE(html.find("<input type=\"hidden\" name=\"lang\" value=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("<option value=\"NG\">Nigeria</option>"), std::string::npos);
  EXPECT_NE(html.find("<option value=\"\">I don&#39;t know</option>"), std::string::npos);
  EXPECT_GT(count(html, "<option value=\""), 240U);  // every ISO country
  EXPECT_EQ(count(html, "type=\"checkbox\""), sign_codes().size());
  EXPECT_EQ(count(html, "name=\"affected\""), 4U);
  EXPECT_EQ(count(html, "name=\"when_seen\""), 4U);
  for (const auto& code : work_type_codes()) {
    EXPECT_NE(html.find("<option value=\"" + code + "\">"), std::string::npos) << code;
  }
  EXPECT_NE(html.find("They do not hold their own passport or ID"), std::string::npos);
  EXPECT_NE(html.find("accept=\"image/jpeg,image/png\" multiple"), std::string::npos);
  EXPECT_NE(html.find("name=\"website\" tabindex=\"-1\""), std::string::npos);
  EXPECT_NE(html.find("emergency services"), std::string::npos);
  EXPECT_NE(html.find("do not need to give your name"), std::string::npos);
  for (const std::string other : {"fr", "es", "ar"}) {
    EXPECT_NE(html.find("<a href=\"/report?lang=" + other + "\" lang=\"" + other + "\""),
              std::string::npos);
  }
  EXPECT_EQ(html.find("<a href=\"/report?lang=en\" lang="), std::string::npos);  // not itself
  EXPECT_NE(html.find("href=\"/report/follow-up?lang=en\""), std::string::npos);
  EXPECT_EQ(html.find("role=\"alert\""), std::string::npos);  // no errors, no summary
}

TEST(Render, CountriesAreNamedInTheReportersLanguage) {
  const std::string fr = render_form("fr");
  EXPECT_NE(fr.find("<option value=\"DE\">Allemagne</option>"), std::string::npos);
  // In French order, accents aside: Égypte comes before Espagne, not after Zimbabwe.
  EXPECT_LT(fr.find(">Égypte<"), fr.find(">Espagne<"));
  EXPECT_NE(render_form("es").find("<option value=\"DE\">Alemania</option>"), std::string::npos);
  EXPECT_NE(render_form("ar").find("<option value=\"EG\">مصر</option>"), std::string::npos);
  EXPECT_NE(render_form("en").find("<option value=\"DE\">Germany</option>"), std::string::npos);
}

TEST(Render, FormKeepsValuesAndShowsErrorsByTheirFields) {
  Form values;
  values.fields = {{"place_country", {"FR"}},  {"signs", {"debt", "guarded"}},
                   {"affected", {"children"}}, {"people_count", {"3"}},
                   {"work_type", {"fishing"}}, {"description", {"seen at the port"}}};
  const Error library_error(ErrorKind::invalid, "invalid", "attachment 1 is not JPEG or PNG",
                            "attachments/1");
  FieldErrors errors = field_errors("fr", library_error);
  ASSERT_EQ(errors.size(), 1U);
  ASSERT_TRUE(errors.count("attachments"));
  EXPECT_NE(errors["attachments"].find("JPEG"), std::string::npos);
  EXPECT_NE(errors["attachments"].find("photo"), std::string::npos);  // in French
  errors.merge(field_errors("fr", Error(ErrorKind::invalid, "invalid", "too long", "description")));
  const std::string html = render_form("fr", values, errors);
  EXPECT_NE(html.find("<option value=\"FR\" selected>"), std::string::npos);
  EXPECT_NE(html.find("<option value=\"fishing\" selected>"), std::string::npos);
  EXPECT_NE(html.find("value=\"debt\" checked"), std::string::npos);
  EXPECT_NE(html.find("value=\"guarded\" checked"), std::string::npos);
  EXPECT_EQ(html.find("value=\"threats\" checked"), std::string::npos);
  EXPECT_NE(html.find("value=\"children\" checked"), std::string::npos);
  EXPECT_NE(html.find("value=\"3\""), std::string::npos);
  EXPECT_NE(html.find(">seen at the port</textarea>"), std::string::npos);
  // The summary first, with links to the fields; each message next to its field too.
  const std::size_t summary = html.find("<div class=\"error-summary\" role=\"alert\"");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_LT(summary, html.find("<form"));
  EXPECT_NE(html.find("<a href=\"#f-attachments\">"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#f-description\">"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"error\" id=\"e-attachments\">"), std::string::npos);
  EXPECT_NE(html.find("aria-describedby=\"h-description e-description\" aria-invalid=\"true\""),
            std::string::npos);
  EXPECT_EQ(count(html, "aria-invalid=\"true\""), 2U);
  // In the order of the form: the description comes before the photos.
  EXPECT_LT(html.find("<a href=\"#f-description\">"), html.find("<a href=\"#f-attachments\">"));
}

TEST(Render, ErrorsWithoutAKnownFieldGoToTheSummaryOnly) {
  FieldErrors e = field_errors("en", Error(ErrorKind::rate_limited, "rate_limited", "slow"));
  ASSERT_TRUE(e.count(""));
  EXPECT_NE(e[""].find("wait a few minutes"), std::string::npos);
  const std::string html = render_form("en", {}, e);
  EXPECT_NE(html.find("<li>Too many attempts"), std::string::npos);
  EXPECT_EQ(html.find("aria-invalid"), std::string::npos);
  // Library fields given as JSON pointers are understood too.
  EXPECT_TRUE(field_errors("en", Error(ErrorKind::invalid, "invalid", "m", "/people_count"))
                  .count("people_count"));
}

TEST(Render, MessagesForErrorKinds) {
  EXPECT_NE(message_for("en", Error(ErrorKind::not_found, "unknown_receipt", "x"))
                .find("code was not found"),
            std::string::npos);
  EXPECT_NE(message_for("es", Error(ErrorKind::rate_limited, "r", "x")).find("Demasiados"),
            std::string::npos);
  EXPECT_NE(message_for("fr", Error(ErrorKind::too_large, "r", "x")).find("trop volumineux"),
            std::string::npos);
  EXPECT_NE(message_for("en", Error(ErrorKind::invalid, "i", "x", "text")).find("4000"),
            std::string::npos);
  EXPECT_NE(message_for("ar", Error(ErrorKind::internal, "i", "x")).find("الخدمة"),
            std::string::npos);
}

TEST(Render, ReceiptShowsTheCodeGroupedOnce) {
  const std::string html = render_receipt("en", "7KQ2-M9XD-4HBW-T0RC-Z5");
  EXPECT_NE(html.find("<p class=\"code\" dir=\"ltr\" translate=\"no\"><span>7KQ2</span><span "
                      "class=\"sep\">-</span><span>M9XD</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<span>Z5</span></p>"), std::string::npos);
  EXPECT_NE(html.find("shown only once"), std::string::npos);
  EXPECT_NE(html.find("href=\"/report/follow-up?lang=en\""), std::string::npos);
  EXPECT_EQ(html.find("7KQ2-M9XD"), std::string::npos);  // only the grouped form
  EXPECT_NE(render_receipt("ar", "AB").find("<span>AB</span></p>"), std::string::npos);
}

TEST(Render, FollowUpPostsTheCodeInTheBody) {
  const std::string html = render_follow_up_entry("es");
  EXPECT_NE(html.find("<form method=\"post\" action=\"/report/follow-up\">"), std::string::npos);
  EXPECT_NE(html.find("name=\"code\""), std::string::npos);
  EXPECT_EQ(html.find("role=\"alert\""), std::string::npos);
  const std::string wrong = render_follow_up_entry("es", "No se encontró");
  EXPECT_NE(wrong.find("role=\"alert\""), std::string::npos);
  EXPECT_NE(wrong.find("<a href=\"#f-code\">No se encontró</a>"), std::string::npos);
  EXPECT_NE(wrong.find("aria-invalid=\"true\""), std::string::npos);
}

TEST(Render, ThreadShowsStatusMessagesAndTheAddFormOnlyWhenTwoWay) {
  const std::string two = render_thread("en", "7KQ2-M9XD", view_with_messages("two_way"));
  EXPECT_NE(two.find("Being looked at by the team."), std::string::npos);
  EXPECT_NE(two.find("<span class=\"who\">You</span>"), std::string::npos);
  EXPECT_NE(two.find("<span class=\"who\">The team</span>"), std::string::npos);
  EXPECT_EQ(two.find("Amara"), std::string::npos);  // staff names are never shown to the public
  EXPECT_NE(two.find("action=\"/report/follow-up/add\" enctype=\"multipart/form-data\""),
            std::string::npos);
  EXPECT_NE(two.find("<input type=\"hidden\" name=\"code\" value=\"7KQ2-M9XD\">"),
            std::string::npos);
  for (const std::string mode : {"one_way", "off"}) {
    const std::string html = render_thread("en", "7KQ2-M9XD", view_with_messages(mode));
    EXPECT_EQ(html.find("/report/follow-up/add"), std::string::npos) << mode;
    EXPECT_EQ(html.find("7KQ2-M9XD"), std::string::npos) << mode;
    EXPECT_NE(html.find(mode == "one_way" ? "adding information is closed" : "Messages are closed"),
              std::string::npos);
  }
  reports::ReporterView empty;
  empty.status = "received";
  empty.messaging = "two_way";
  const std::string fresh = render_thread("fr", "C", empty);
  EXPECT_NE(fresh.find("Reçu : personne ne l&#39;a encore lu."), std::string::npos);
  EXPECT_NE(fresh.find("Pas encore de message."), std::string::npos);
  const std::string kept =
      render_thread("en", "C", view_with_messages("two_way"), "Too long.", "my <draft>");
  EXPECT_NE(kept.find(">my &lt;draft&gt;</textarea>"), std::string::npos);
  const std::string refused = render_thread("en", "C", view_with_messages("off"), "Closed.");
  EXPECT_NE(refused.find("<li>Closed.</li>"), std::string::npos);
  EXPECT_EQ(refused.find("href=\"#f-text\""), std::string::npos);
  empty.status = "<weird>";
  EXPECT_NE(render_thread("en", "C", empty).find(">Unknown<"), std::string::npos);
}

TEST(Render, PagesWeighWellUnder200KBWithTheirStylesheet) {
  std::size_t heaviest = 0;
  for (const auto& lang : kLanguages) {
    for (const std::string& html : all_pages(lang)) heaviest = std::max(heaviest, html.size());
  }
  const std::size_t total = heaviest + style_css().size();
  EXPECT_LT(total, 200U * 1024U);
  std::cout << "heaviest page " << heaviest << " B + stylesheet " << style_css().size() << " B\n";
  EXPECT_NE(style_css().find(":focus-visible"), std::string::npos);
  EXPECT_NE(style_css().find("border-inline-start"), std::string::npos);
}

}  // namespace
}  // namespace ctis::publicform
