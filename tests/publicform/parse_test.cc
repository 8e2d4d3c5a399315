// Parsing the public form's bodies and turning them into a submission.
#include <gtest/gtest.h>

#include <functional>

#include "publicform/publicform.h"

namespace ctis::publicform {
namespace {

ErrorKind kind_of(const std::function<void()>& f, std::string* field = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (field) *field = e.field();
    return e.kind();
  }
  ADD_FAILURE() << "no ctis::Error thrown";
  return ErrorKind::internal;
}

const std::string kType = "multipart/form-data; boundary=\"XyZ-42\"";

std::string part(std::string_view name, std::string_view value) {
  return "--XyZ-42\r\nContent-Disposition: form-data; name=\"" + std::string(name) + "\"\r\n\r\n" +
         std::string(value) + "\r\n";
}

std::string file_part(std::string_view name, std::string_view filename, std::string_view bytes) {
  return "--XyZ-42\r\nContent-Disposition: form-data; name=\"" + std::string(name) +
         "\"; filename=\"" + std::string(filename) + "\"\r\nContent-Type: image/png\r\n\r\n" +
         std::string(bytes) + "\r\n";
}

const std::string kEnd = "--XyZ-42--\r\n";

TEST(ParseForm, UrlencodedDecodesPlusPercentAndRepeats) {
  Form f =
      parse_form("application/x-www-form-urlencoded; charset=UTF-8",
                 "lang=fr&place=Lyon+centre&signs=debt&signs=guarded&description=caf%C3%A9%26co&"
                 "empty=&flag");
  EXPECT_EQ(f.value("lang"), "fr");
  EXPECT_EQ(f.value("place"), "Lyon centre");
  EXPECT_EQ(f.values("signs"), (std::vector<std::string>{"debt", "guarded"}));
  EXPECT_EQ(f.value("description"), "caf\xC3\xA9&co");
  EXPECT_EQ(f.value("empty"), "");
  EXPECT_EQ(f.fields.count("flag"), 1U);
  EXPECT_EQ(f.value("missing"), "");
  EXPECT_TRUE(f.files.empty());
}

TEST(ParseForm, UrlencodedRejectsInvalidUtf8NamingTheField) {
  std::string field;
  EXPECT_EQ(
      kind_of(
          [] { parse_form("application/x-www-form-urlencoded", "place=ok&description=%FF%FE"); },
          &field),
      ErrorKind::invalid);
  EXPECT_EQ(field, "description");
  EXPECT_EQ(kind_of([] { parse_form("application/x-www-form-urlencoded", "place=%G1"); }, &field),
            ErrorKind::invalid);
  EXPECT_EQ(field, "place");
  EXPECT_EQ(kind_of([] { parse_form("application/x-www-form-urlencoded", "place=%4"); }),
            ErrorKind::invalid);
}

TEST(ParseForm, MultipartFieldsAndFilesSkippingAnEmptyFileInput) {
  const std::string body =
      "preamble ignored\r\n" + part("lang", "ar") + part("description", "line one\r\nline two") +
      file_part("attachments", "photo.png", std::string("\x89PNG\r\n\x1a\n\0x", 10)) +
      file_part("attachments", "", "") + part("signs", "debt") + kEnd;
  Form f = parse_form(kType, body);
  EXPECT_EQ(f.value("lang"), "ar");
  EXPECT_EQ(f.value("description"), "line one\r\nline two");  // CRLF inside a value is kept
  EXPECT_EQ(f.value("signs"), "debt");
  ASSERT_EQ(f.files.size(), 1U);
  EXPECT_EQ(f.files[0].field, "attachments");
  EXPECT_EQ(f.files[0].filename, "photo.png");
  EXPECT_EQ(f.files[0].content_type, "image/png");
  EXPECT_EQ(f.files[0].bytes.size(), 10U);
  EXPECT_EQ(f.files[0].bytes[8], '\0');
}

TEST(ParseForm, MultipartUnquotedBoundaryAndCaseInsensitiveHeaders) {
  const std::string body =
      "--b0\r\ncontent-disposition: Form-Data; name=place\r\n\r\nKano\r\n--b0--";
  Form f = parse_form("Multipart/Form-Data; charset=utf-8; boundary=b0", body);
  EXPECT_EQ(f.value("place"), "Kano");
}

TEST(ParseForm, MultipartRejectsInvalidUtf8NamingTheField) {
  std::string field;
  const std::string body = part("place", "ok") + part("description", "bad \xC3\x28 byte") + kEnd;
  EXPECT_EQ(kind_of([&] { parse_form(kType, body); }, &field), ErrorKind::invalid);
  EXPECT_EQ(field, "description");
}

TEST(ParseForm, MultipartMalformedBodiesAreInvalid) {
  EXPECT_EQ(kind_of([] { parse_form("multipart/form-data", "x"); }), ErrorKind::invalid);
  EXPECT_EQ(kind_of([] { parse_form(kType, "no boundary here"); }), ErrorKind::invalid);
  // Never closed.
  EXPECT_EQ(kind_of([] {
              parse_form(kType, "--XyZ-42\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv");
            }),
            ErrorKind::invalid);
  // A part without Content-Disposition.
  EXPECT_EQ(kind_of([] { parse_form(kType, "--XyZ-42\r\nX-Other: 1\r\n\r\nv\r\n--XyZ-42--"); }),
            ErrorKind::invalid);
  EXPECT_EQ(kind_of([] { parse_form("text/plain", "a=b"); }), ErrorKind::invalid);
}

TEST(ParseForm, LimitsAreTooLarge) {
  Limits small;
  small.max_files = 2;
  small.max_file_bytes = 8;
  small.max_field_bytes = 16;
  small.max_parts = 5;
  small.max_body = 4096;
  const std::string three_files = file_part("attachments", "a.png", "1") +
                                  file_part("attachments", "b.png", "2") +
                                  file_part("attachments", "c.png", "3") + kEnd;
  EXPECT_EQ(kind_of([&] { parse_form(kType, three_files, small); }), ErrorKind::too_large);
  const std::string big_file = file_part("attachments", "a.png", "123456789") + kEnd;
  EXPECT_EQ(kind_of([&] { parse_form(kType, big_file, small); }), ErrorKind::too_large);
  const std::string long_field = part("description", std::string(17, 'x')) + kEnd;
  EXPECT_EQ(kind_of([&] { parse_form(kType, long_field, small); }), ErrorKind::too_large);
  std::string many;
  for (int i = 0; i < 6; ++i) many += part("signs", "debt");
  EXPECT_EQ(kind_of([&] { parse_form(kType, many + kEnd, small); }), ErrorKind::too_large);
  EXPECT_EQ(kind_of([&] {
              parse_form("application/x-www-form-urlencoded", std::string(4097, 'a'), small);
            }),
            ErrorKind::too_large);
  // Just within every limit.
  std::string ok =
      file_part("attachments", "a.png", "12345678") + part("description", std::string(16, 'x'));
  EXPECT_NO_THROW(parse_form(kType, ok + kEnd, small));
}

TEST(ToSubmission, MapsEveryQuestion) {
  Form f;
  f.fields = {{"lang", {"es"}},
              {"place_country", {" NG "}},
              {"place", {"Kano market"}},
              {"work_type", {"begging"}},
              {"signs", {"debt", "guarded", "debt"}},
              {"affected", {"children"}},
              {"people_count", {" 12 "}},
              {"when_seen", {"this_week"}},
              {"description", {"Children begging all day"}}};
  f.files.push_back({"attachments", "a.jpg", "image/jpeg", "JPEGBYTES"});
  f.files.push_back({"other", "b.png", "image/png", "IGNORED"});
  reports::Submission s = to_submission(f);
  EXPECT_EQ(s.language, "es");
  EXPECT_EQ(s.channel, "web");
  EXPECT_EQ(s.place_country, "NG");
  EXPECT_EQ(s.place, "Kano market");
  EXPECT_EQ(s.work_type, "begging");
  EXPECT_EQ(s.signs, (std::vector<std::string>{"debt", "guarded"}));
  EXPECT_EQ(s.affected, "children");
  ASSERT_TRUE(s.people_count.has_value());
  EXPECT_EQ(*s.people_count, 12);
  EXPECT_EQ(s.when_seen, "this_week");
  EXPECT_EQ(s.description, "Children begging all day");
  ASSERT_EQ(s.attachments.size(), 1U);
  EXPECT_EQ(s.attachments[0].filename, "a.jpg");
  EXPECT_EQ(s.attachments[0].bytes, "JPEGBYTES");
}

TEST(ToSubmission, EmptyCountIsUnknownAndWordsAreRefused) {
  Form f;
  f.fields = {{"description", {"x"}}, {"people_count", {""}}, {"lang", {"de"}}};
  reports::Submission s = to_submission(f);
  EXPECT_FALSE(s.people_count.has_value());
  EXPECT_EQ(s.language, "en");
  f.fields["people_count"] = {"about ten"};
  std::string field;
  EXPECT_EQ(kind_of([&] { to_submission(f); }, &field), ErrorKind::invalid);
  EXPECT_EQ(field, "people_count");
  f.fields["people_count"] = {"99999999999999"};
  EXPECT_EQ(kind_of([&] { to_submission(f); }, &field), ErrorKind::invalid);
  EXPECT_EQ(field, "people_count");
}

TEST(ToSubmission, DescriptionIsTheOneRequiredAnswer) {
  Form f;
  f.fields = {{"description", {"  \t "}}, {"place", {"Kano"}}};
  std::string field;
  EXPECT_EQ(kind_of([&] { to_submission(f); }, &field), ErrorKind::invalid);
  EXPECT_EQ(field, "description");
  f.fields.erase("description");
  EXPECT_EQ(kind_of([&] { to_submission(f); }, &field), ErrorKind::invalid);
  EXPECT_EQ(field, "description");
}

TEST(Honeypot, FilledWebsiteIsABot) {
  Form f;
  EXPECT_FALSE(is_bot(f));
  f.fields["website"] = {"  "};
  EXPECT_FALSE(is_bot(f));
  f.fields["website"] = {"http://spam.example"};
  EXPECT_TRUE(is_bot(f));
}

TEST(LanguageOf, KnownLanguagesElseEnglish) {
  EXPECT_EQ(language_of("fr"), "fr");
  EXPECT_EQ(language_of("es"), "es");
  EXPECT_EQ(language_of("ar"), "ar");
  EXPECT_EQ(language_of("en"), "en");
  EXPECT_EQ(language_of(""), "en");
  EXPECT_EQ(language_of("AR"), "en");
  EXPECT_EQ(language_of("ar\"><script>"), "en");
}

}  // namespace
}  // namespace ctis::publicform
