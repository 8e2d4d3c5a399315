// Checking what the public sends, and the JSON kept (encrypted) for contents and messages.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "core/refdata.h"
#include "reports/internal.h"

namespace ctis::reports {

// The codes of the public form (data/reports/form.en.json, listed in data/reports/codes.txt;
// a test checks the two agree).
const std::vector<std::string>& work_types() {
  static const std::vector<std::string> codes = {
      "agriculture", "construction", "domestic_work",     "factory", "fishing", "hospitality",
      "sex_work",    "begging",      "criminal_activity", "other",   "unknown"};
  return codes;
}

const std::vector<std::string>& signs() {
  static const std::vector<std::string> codes = {"no_id_documents",  "cannot_leave",
                                                 "guarded",          "debt",
                                                 "long_hours",       "no_pay",
                                                 "lives_at_work",    "threats",
                                                 "injuries",         "minor_working",
                                                 "scripted_answers", "transported_together",
                                                 "fearful",          "recruitment_deception",
                                                 "isolated",         "forced_sex"};
  return codes;
}

namespace detail {
namespace {

bool one_of(std::string_view value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

bool listed(const std::string& value, const std::vector<std::string>& codes) {
  return std::find(codes.begin(), codes.end(), value) != codes.end();
}

}  // namespace

std::string normalize_newlines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

void check_text(std::string_view field, std::string_view text, std::size_t max_chars,
                bool required) {
  const std::string f(field);
  if (!valid_utf8(text)) fail_invalid(f, f + ": not valid UTF-8");
  std::size_t chars = 0;
  bool blank = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) ++chars;
    if (c < 0x20 && c != '\n' && c != '\t') {
      fail_invalid(f, f + ": control characters are not allowed (only line breaks and tabs)");
    }
    if (c == 0x7F) fail_invalid(f, f + ": control characters are not allowed");
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      fail_invalid(f, f + ": control characters are not allowed");
    }
    if (c != ' ' && c != '\n' && c != '\t') blank = false;
  }
  if (required && blank) fail_invalid(f, f + ": required");
  if (chars > max_chars) {
    fail_invalid(f, f + ": too long (" + std::to_string(chars) + " characters, at most " +
                        std::to_string(max_chars) + ")");
  }
}

std::string safe_filename(std::string_view field, std::string_view name, std::size_t ordinal) {
  const std::string f = std::string(field) + "/filename";
  if (!valid_utf8(name)) fail_invalid(f, f + ": not valid UTF-8");
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ':' || c == '"' || c == '<' || c == '>' || c == '|' ||
        c == '*' || c == '?') {
      out += '_';
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
  if (out.size() > 120) {
    std::size_t cut = 120;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  if (out.empty()) out = "attachment-" + std::to_string(ordinal);
  return out;
}

std::vector<Attachment> validate_attachments(const std::vector<Attachment>& in,
                                             const Settings& settings) {
  if (in.size() > settings.max_attachments) {
    fail_invalid("attachments", "attachments: too many files (" + std::to_string(in.size()) +
                                    ", at most " + std::to_string(settings.max_attachments) + ")");
  }
  std::vector<Attachment> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const std::string field = "attachments/" + std::to_string(i + 1);
    if (in[i].bytes.size() > settings.max_attachment_bytes) {
      throw Error(ErrorKind::too_large, "too_large",
                  field + ": file too large (" + std::to_string(in[i].bytes.size()) +
                      " bytes, at most " + std::to_string(settings.max_attachment_bytes) + ")",
                  field);
    }
    Attachment a;
    a.filename = safe_filename(field, in[i].filename, i + 1);
    a.bytes = strip_image(field, in[i].bytes);
    out.push_back(std::move(a));
  }
  return out;
}

Submission validate_submission(const Submission& in, const Settings& settings, bool staff) {
  Submission s = in;
  if (!one_of(s.language, {"en", "fr", "es", "ar"})) {
    fail_invalid("language", "language: expected en, fr, es or ar");
  }
  if (staff) {
    if (!one_of(s.channel, {"phone", "in_person"})) {
      fail_invalid("channel", "channel: a report entered by staff is taken by phone or in_person");
    }
  } else {
    if (s.channel.empty()) s.channel = "web";
    if (s.channel != "web") fail_invalid("channel", "channel: the public form is channel web");
  }
  if (!s.place_country.empty()) {
    const Country* c = s.place_country.size() == 2 ? find_country(s.place_country) : nullptr;
    if (c == nullptr) {
      fail_invalid("place_country", "place_country: not an ISO 3166-1 alpha-2 country code");
    }
    s.place_country = c->alpha2;
  }
  s.place = normalize_newlines(s.place);
  check_text("place", s.place, 300, false);
  if (!s.work_type.empty() && !listed(s.work_type, work_types())) {
    fail_invalid("work_type", "work_type: unknown code \"" + s.work_type + "\"");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < s.signs.size(); ++i) {
    const std::string field = "signs/" + std::to_string(i + 1);
    if (!listed(s.signs[i], signs())) fail_invalid(field, field + ": unknown sign code");
    if (!seen.insert(s.signs[i]).second) fail_invalid(field, field + ": given twice");
  }
  if (!s.affected.empty() && !one_of(s.affected, {"adults", "children", "both", "unknown"})) {
    fail_invalid("affected", "affected: expected adults, children, both or unknown");
  }
  if (s.people_count && (*s.people_count < 1 || *s.people_count > 10000)) {
    fail_invalid("people_count", "people_count: expected 1 to 10000");
  }
  if (!s.when_seen.empty() &&
      !one_of(s.when_seen, {"today", "this_week", "this_month", "earlier"})) {
    fail_invalid("when_seen", "when_seen: expected today, this_week, this_month or earlier");
  }
  s.description = normalize_newlines(s.description);
  check_text("description", s.description, settings.max_description, true);
  s.attachments = validate_attachments(in.attachments, settings);
  return s;
}

std::string content_json(const Submission& s) {
  nlohmann::json j = {
      {"language", s.language}, {"channel", s.channel},     {"place_country", s.place_country},
      {"place", s.place},       {"work_type", s.work_type}, {"signs", s.signs},
      {"affected", s.affected}, {"when_seen", s.when_seen}, {"description", s.description}};
  j["people_count"] = s.people_count ? nlohmann::json(*s.people_count) : nlohmann::json();
  return j.dump();
}

Submission parse_content(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  Submission s;
  s.language = j.at("language").get<std::string>();
  s.channel = j.at("channel").get<std::string>();
  s.place_country = j.at("place_country").get<std::string>();
  s.place = j.at("place").get<std::string>();
  s.work_type = j.at("work_type").get<std::string>();
  s.signs = j.at("signs").get<std::vector<std::string>>();
  s.affected = j.at("affected").get<std::string>();
  s.when_seen = j.at("when_seen").get<std::string>();
  s.description = j.at("description").get<std::string>();
  if (!j.at("people_count").is_null()) s.people_count = j.at("people_count").get<int>();
  return s;
}

std::string message_json(std::string_view text, std::string_view staff_name,
                         const std::vector<std::int64_t>& attachment_ids) {
  return nlohmann::json{{"text", text}, {"staff_name", staff_name}, {"attachments", attachment_ids}}
      .dump();
}

void parse_message(const std::string& text, Message& m) {
  const auto j = nlohmann::json::parse(text);
  m.text = j.at("text").get<std::string>();
  m.staff_name = j.at("staff_name").get<std::string>();
  m.attachment_ids = j.at("attachments").get<std::vector<std::int64_t>>();
}

}  // namespace detail
}  // namespace ctis::reports
