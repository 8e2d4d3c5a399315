// The public pages as complete HTML documents: no scripts, no inline styles, every
// user-supplied text escaped.
#include <algorithm>
#include <map>
#include <sstream>

#include "core/markup.h"
#include "core/refdata.h"
#include "publicform/publicform.h"
#include "publicform/texts.h"

namespace ctis::publicform {
namespace {

using detail::Texts;

// Appends HTML; `text()` escapes, `raw()` does not (markup built here only).
class Html {
 public:
  Html& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Html& text(std::string_view s) {
    out_ += escape_html(s);
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// The id of the control an error of `field` is shown next to and linked from the summary.
std::string control_id(std::string_view field) {
  if (field == "signs" || field == "affected" || field == "when_seen") {
    return "f-" + std::string(field) + "-0";
  }
  return "f-" + std::string(field);
}

void page_start(Html& h, const Texts& t, std::string_view title, std::string_view self_path) {
  h.raw("<!doctype html>\n<html lang=\"").text(t.language).raw("\" dir=\"").text(t.dir);
  h.raw("\">\n<head>\n<meta charset=\"utf-8\">\n");
  h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
  h.raw("<meta name=\"referrer\" content=\"no-referrer\">\n");
  h.raw("<meta name=\"robots\" content=\"noindex\">\n<title>").text(title).raw(" – ");
  h.text(t.get("title")).raw("</title>\n<link rel=\"stylesheet\" href=\"/report/style.css\">\n");
  h.raw("</head>\n<body>\n<header class=\"top\">\n<p class=\"site\">");
  h.raw("<a href=\"/report?lang=").text(t.language).raw("\">").text(t.get("title"));
  h.raw("</a></p>\n");
  if (!self_path.empty()) {
    h.raw("<nav class=\"langs\" aria-label=\"").text(t.get("languages")).raw("\"><ul>");
    for (const Texts& other : detail::all_texts()) {
      if (other.language == t.language) continue;
      h.raw("<li><a href=\"").text(self_path).raw("?lang=").text(other.language);
      h.raw("\" lang=\"").text(other.language).raw("\" hreflang=\"").text(other.language);
      h.raw("\">").text(other.name).raw("</a></li>");
    }
    h.raw("</ul></nav>\n");
  }
  h.raw("</header>\n<main id=\"main\">\n");
}

std::string page_end(Html& h) {
  h.raw("</main>\n</body>\n</html>\n");
  return h.take();
}

// The summary lists errors in the order of the form, so it reads like the page.
void error_summary(Html& h, const Texts& t, const FieldErrors& errors) {
  if (errors.empty()) return;
  static const std::vector<std::string> order = {
      "",          "place_country", "place",       "work_type", "signs", "affected", "people_count",
      "when_seen", "description",   "attachments", "code",      "text"};
  std::vector<std::pair<std::string, std::string>> sorted;
  for (const std::string& field : order) {
    if (auto it = errors.find(field); it != errors.end()) sorted.emplace_back(*it);
  }
  for (const auto& entry : errors) {
    if (std::find(order.begin(), order.end(), entry.first) == order.end()) {
      sorted.emplace_back(entry);
    }
  }
  h.raw("<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"errors-h\">\n");
  h.raw("<h2 id=\"errors-h\">").text(t.get("errors_title")).raw("</h2>\n<ul>\n");
  for (const auto& [field, message] : sorted) {
    if (field.empty() || std::find(order.begin(), order.end(), field) == order.end()) {
      h.raw("<li>").text(message).raw("</li>\n");
    } else {
      h.raw("<li><a href=\"#").text(control_id(field)).raw("\">").text(message);
      h.raw("</a></li>\n");
    }
  }
  h.raw("</ul>\n</div>\n");
}

// The aria-describedby value and the error paragraph of one field.
struct FieldState {
  std::string described_by;
  std::string error_html;
  bool invalid = false;
};

FieldState field_state(const FieldErrors& errors, const std::string& field, bool has_hint) {
  FieldState s;
  if (has_hint) s.described_by = "h-" + field;
  if (auto it = errors.find(field); it != errors.end()) {
    s.invalid = true;
    if (!s.described_by.empty()) s.described_by += ' ';
    s.described_by += "e-" + field;
    s.error_html = "<p class=\"error\" id=\"e-" + escape_html(field) + "\">" +
                   escape_html(it->second) + "</p>\n";
  }
  return s;
}

void control_attrs(Html& h, const FieldState& s) {
  if (!s.described_by.empty()) h.raw(" aria-describedby=\"").text(s.described_by).raw("\"");
  if (s.invalid) h.raw(" aria-invalid=\"true\"");
}

void label(Html& h, const Texts& t, const std::string& field, std::string_view words,
           bool optional) {
  h.raw("<label for=\"").text(control_id(field)).raw("\">").text(words);
  if (optional) h.raw(" <span class=\"opt\">(").text(t.get("optional")).raw(")</span>");
  h.raw("</label>\n");
}

void hint(Html& h, const std::string& field, std::string_view words) {
  h.raw("<p class=\"hint\" id=\"h-").text(field).raw("\">").text(words).raw("</p>\n");
}

void select_field(Html& h, const Texts& t, const Form& values, const FieldErrors& errors,
                  const std::string& field, std::string_view question, std::string_view none,
                  const detail::Choices& choices) {
  FieldState s = field_state(errors, field, false);
  h.raw("<div class=\"field\">\n");
  label(h, t, field, question, true);
  h.raw(s.error_html);
  h.raw("<select id=\"").text(control_id(field)).raw("\" name=\"").text(field).raw("\"");
  control_attrs(h, s);
  h.raw(">\n<option value=\"\">").text(none).raw("</option>\n");
  const std::string chosen = values.value(field);
  for (const auto& [code, words] : choices) {
    h.raw("<option value=\"").text(code).raw("\"");
    if (code == chosen) h.raw(" selected");
    h.raw(">").text(words).raw("</option>\n");
  }
  h.raw("</select>\n</div>\n");
}

// A fieldset of checkboxes or radio buttons.
void choice_group(Html& h, const Texts& t, const Form& values, const FieldErrors& errors,
                  const std::string& field, std::string_view question, std::string_view type,
                  const detail::Choices& choices) {
  FieldState s = field_state(errors, field, false);
  h.raw("<fieldset class=\"choices\"");
  if (s.invalid) h.raw(" aria-describedby=\"e-").text(field).raw("\"");
  h.raw(">\n<legend>").text(question).raw(" <span class=\"opt\">(").text(t.get("optional"));
  h.raw(")</span></legend>\n").raw(s.error_html);
  const std::vector<std::string> chosen = values.values(field);
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const auto& [code, words] = choices[i];
    const std::string id = "f-" + field + "-" + std::to_string(i);
    h.raw("<div class=\"choice\"><input type=\"").text(type).raw("\" id=\"").text(id);
    h.raw("\" name=\"").text(field).raw("\" value=\"").text(code).raw("\"");
    if (std::find(chosen.begin(), chosen.end(), code) != chosen.end()) h.raw(" checked");
    h.raw("><label for=\"").text(id).raw("\">").text(words).raw("</label></div>\n");
  }
  h.raw("</fieldset>\n");
}

void hidden_lang(Html& h, const Texts& t) {
  h.raw("<input type=\"hidden\" name=\"lang\" value=\"").text(t.language).raw("\">\n");
}

void status_line(Html& h, const Texts& t, std::string_view status) {
  std::string key = "status_" + std::string(status);
  if (status != "received" && status != "in_review" && status != "closed") key = "status_unknown";
  h.raw("<p class=\"status\">").text(t.get(key)).raw("</p>\n");
}

using CountryNames = std::vector<std::pair<std::string, std::string>>;  // alpha-2, name

// The country list of the form in a language: English from the ISO table sorted by name; the
// others from data/reports/countries.<lang>.tsv, already in that language's order.
const CountryNames& country_names(const std::string& lang) {
  static const std::map<std::string, CountryNames> all = [] {
    std::map<std::string, CountryNames> m;
    auto& english = m["en"];
    for (const Country& c : countries()) english.emplace_back(c.alpha2, c.name);
    std::sort(english.begin(), english.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    for (const char* l : {"fr", "es", "ar"}) {
      std::istringstream in(
          std::string(reference_files().at(std::string("reports/countries.") + l + ".tsv")));
      for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
        m[l].emplace_back(line.substr(0, tab), line.substr(tab + 1));
      }
    }
    return m;
  }();
  const auto it = all.find(lang);
  return it == all.end() ? all.at("en") : it->second;
}

}  // namespace

std::string escape_html(std::string_view text) { return escape_markup(text); }

std::string render_form(std::string_view lang, const Form& values, const FieldErrors& errors) {
  const Texts& t = detail::texts(language_of(lang));
  Html h;
  page_start(h, t, t.get("title"), "/report");
  h.raw("<h1>").text(t.get("title")).raw("</h1>\n");
  error_summary(h, t, errors);
  h.raw("<section class=\"safety\" aria-labelledby=\"safety-h\">\n<h2 id=\"safety-h\">");
  h.text(t.get("safety_title")).raw("</h2>\n<ul>\n");
  for (const char* key : {"safety_no_name", "safety_no_risk", "safety_emergency"}) {
    h.raw("<li>").text(t.get(key)).raw("</li>\n");
  }
  h.raw("</ul>\n</section>\n<p>").text(t.get("intro")).raw("</p>\n");
  h.raw("<form method=\"post\" action=\"/report\" enctype=\"multipart/form-data\" novalidate>\n");
  hidden_lang(h, t);

  // Country: ISO names in the reporter's language, in its alphabetical order, "don't know" first.
  {
    FieldState s = field_state(errors, "place_country", false);
    const std::string chosen = values.value("place_country");
    h.raw("<div class=\"field\">\n");
    label(h, t, "place_country", t.get("q_country"), true);
    h.raw(s.error_html).raw("<select id=\"f-place_country\" name=\"place_country\"");
    control_attrs(h, s);
    h.raw(">\n<option value=\"\">").text(t.get("country_unknown")).raw("</option>\n");
    for (const auto& [code, name] : country_names(t.language)) {
      h.raw("<option value=\"").text(code).raw("\"");
      if (code == chosen) h.raw(" selected");
      h.raw(">").text(name).raw("</option>\n");
    }
    h.raw("</select>\n</div>\n");
  }
  {
    FieldState s = field_state(errors, "place", false);
    h.raw("<div class=\"field\">\n");
    label(h, t, "place", t.get("q_place"), true);
    h.raw(s.error_html).raw("<input type=\"text\" id=\"f-place\" name=\"place\" maxlength=\"300\"");
    h.raw(" autocomplete=\"off\" value=\"").text(values.value("place")).raw("\"");
    control_attrs(h, s);
    h.raw(">\n</div>\n");
  }
  select_field(h, t, values, errors, "work_type", t.get("q_work_type"), t.get("work_none"),
               t.work_types);
  choice_group(h, t, values, errors, "signs", t.get("q_signs"), "checkbox", t.signs);
  choice_group(h, t, values, errors, "affected", t.get("q_affected"), "radio", t.affected);
  {
    FieldState s = field_state(errors, "people_count", true);
    h.raw("<div class=\"field\">\n");
    label(h, t, "people_count", t.get("q_people_count"), true);
    hint(h, "people_count", t.get("people_count_hint"));
    h.raw(s.error_html);
    h.raw("<input type=\"text\" inputmode=\"numeric\" id=\"f-people_count\" name=\"people_count\"");
    h.raw(" class=\"short\" autocomplete=\"off\" value=\"").text(values.value("people_count"));
    h.raw("\"");
    control_attrs(h, s);
    h.raw(">\n</div>\n");
  }
  choice_group(h, t, values, errors, "when_seen", t.get("q_when"), "radio", t.when_seen);
  {
    FieldState s = field_state(errors, "description", true);
    h.raw("<div class=\"field\">\n");
    label(h, t, "description", t.get("q_description"), false);
    hint(h, "description", t.get("description_hint"));
    h.raw(s.error_html).raw("<textarea id=\"f-description\" name=\"description\" rows=\"8\"");
    h.raw(" required");
    control_attrs(h, s);
    h.raw(">").text(values.value("description")).raw("</textarea>\n</div>\n");
  }
  {
    FieldState s = field_state(errors, "attachments", true);
    h.raw("<div class=\"field\">\n");
    label(h, t, "attachments", t.get("q_photos"), true);
    hint(h, "attachments", t.get("photos_hint"));
    h.raw(s.error_html).raw("<input type=\"file\" id=\"f-attachments\" name=\"attachments\"");
    h.raw(" accept=\"image/jpeg,image/png\" multiple");
    control_attrs(h, s);
    h.raw(">\n</div>\n");
  }
  // The honeypot: hidden from people (off screen, out of the tab order), filled by bots.
  h.raw("<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-website\">").text(t.get("honeypot"));
  h.raw("</label><input type=\"text\" id=\"f-website\" name=\"website\" tabindex=\"-1\"");
  h.raw(" autocomplete=\"off\" value=\"\"></div>\n");
  h.raw("<p><button type=\"submit\">").text(t.get("submit")).raw("</button></p>\n</form>\n");
  h.raw("<p class=\"aside\"><a href=\"/report/follow-up?lang=").text(t.language).raw("\">");
  h.text(t.get("follow_link")).raw("</a></p>\n");
  return page_end(h);
}

std::string render_receipt(std::string_view lang, std::string_view code) {
  const Texts& t = detail::texts(language_of(lang));
  Html h;
  page_start(h, t, t.get("receipt_title"), "");
  h.raw("<h1>").text(t.get("receipt_title")).raw("</h1>\n");
  h.raw("<section class=\"receipt\" aria-labelledby=\"code-h\">\n<h2 id=\"code-h\">");
  h.text(t.get("receipt_code")).raw("</h2>\n<p class=\"code\" dir=\"ltr\" translate=\"no\">");
  // Groups of four, each its own element so they wrap cleanly and read one by one.
  std::size_t start = 0;
  while (start < code.size()) {
    std::size_t dash = code.find('-', start);
    std::string_view group =
        code.substr(start, dash == std::string_view::npos ? dash : dash - start);
    h.raw("<span>").text(group).raw("</span>");
    if (dash == std::string_view::npos) break;
    h.raw("<span class=\"sep\">-</span>");
    start = dash + 1;
  }
  h.raw("</p>\n<p class=\"warning\"><strong>").text(t.get("receipt_write_down"));
  h.raw("</strong></p>\n<p>").text(t.get("receipt_keep_safe")).raw("</p>\n</section>\n");
  h.raw("<p><a href=\"/report/follow-up?lang=").text(t.language).raw("\">");
  h.text(t.get("receipt_follow_up")).raw("</a></p>\n<p><a href=\"/report?lang=");
  h.text(t.language).raw("\">").text(t.get("new_report")).raw("</a></p>\n");
  return page_end(h);
}

std::string render_follow_up_entry(std::string_view lang, std::string_view error) {
  const Texts& t = detail::texts(language_of(lang));
  Html h;
  page_start(h, t, t.get("follow_title"), "/report/follow-up");
  h.raw("<h1>").text(t.get("follow_title")).raw("</h1>\n");
  FieldErrors errors;
  if (!error.empty()) errors["code"] = std::string(error);
  error_summary(h, t, errors);
  h.raw("<p>").text(t.get("follow_intro")).raw("</p>\n");
  h.raw("<form method=\"post\" action=\"/report/follow-up\">\n");
  hidden_lang(h, t);
  FieldState s = field_state(errors, "code", true);
  h.raw("<div class=\"field\">\n");
  label(h, t, "code", t.get("follow_code"), false);
  hint(h, "code", t.get("follow_code_hint"));
  h.raw(s.error_html).raw("<input type=\"text\" id=\"f-code\" name=\"code\" dir=\"ltr\"");
  h.raw(" class=\"code-input\" autocomplete=\"off\" autocapitalize=\"characters\"");
  h.raw(" spellcheck=\"false\" required");
  control_attrs(h, s);
  h.raw(">\n</div>\n<p><button type=\"submit\">").text(t.get("follow_submit"));
  h.raw("</button></p>\n</form>\n<p class=\"aside\"><a href=\"/report?lang=").text(t.language);
  h.raw("\">").text(t.get("new_report")).raw("</a></p>\n");
  return page_end(h);
}

std::string render_thread(std::string_view lang, std::string_view code,
                          const reports::ReporterView& view, std::string_view error,
                          std::string_view draft) {
  const Texts& t = detail::texts(language_of(lang));
  Html h;
  page_start(h, t, t.get("thread_title"), "");
  h.raw("<h1>").text(t.get("thread_title")).raw("</h1>\n");
  FieldErrors errors;
  // Next to the add-information form when there is one, else in the summary alone.
  if (!error.empty()) errors[view.messaging == "two_way" ? "text" : ""] = std::string(error);
  error_summary(h, t, errors);
  h.raw("<dl class=\"facts\">\n<dt>").text(t.get("thread_status")).raw("</dt>\n<dd>");
  status_line(h, t, view.status);
  h.raw("</dd>\n<dt>").text(t.get("thread_day")).raw("</dt>\n<dd><time datetime=\"");
  h.text(view.day).raw("\">").text(view.day).raw("</time></dd>\n</dl>\n");
  h.raw("<section aria-labelledby=\"messages-h\">\n<h2 id=\"messages-h\">");
  h.text(t.get("thread_messages")).raw("</h2>\n");
  if (view.thread.empty()) {
    h.raw("<p class=\"muted\">").text(t.get("thread_none")).raw("</p>\n");
  } else {
    h.raw("<ol class=\"thread\">\n");
    for (const reports::Message& m : view.thread) {
      const bool mine = m.author == "reporter";
      h.raw("<li class=\"msg ").raw(mine ? "msg-reporter" : "msg-staff").raw("\">");
      h.raw("<p class=\"meta\"><span class=\"who\">");
      h.text(t.get(mine ? "author_reporter" : "author_staff")).raw("</span> · <time datetime=\"");
      h.text(m.day).raw("\">").text(m.day).raw("</time></p>\n<p class=\"body\">").text(m.text);
      h.raw("</p></li>\n");
    }
    h.raw("</ol>\n");
  }
  h.raw("</section>\n");
  if (view.messaging == "two_way") {
    h.raw("<section aria-labelledby=\"add-h\">\n<h2 id=\"add-h\">").text(t.get("add_title"));
    h.raw("</h2>\n<form method=\"post\" action=\"/report/follow-up/add\"");
    h.raw(" enctype=\"multipart/form-data\">\n");
    hidden_lang(h, t);
    h.raw("<input type=\"hidden\" name=\"code\" value=\"").text(code).raw("\">\n");
    FieldState s = field_state(errors, "text", false);
    h.raw("<div class=\"field\">\n");
    label(h, t, "text", t.get("add_text"), false);
    h.raw(s.error_html).raw("<textarea id=\"f-text\" name=\"text\" rows=\"5\" required");
    control_attrs(h, s);
    h.raw(">").text(draft).raw("</textarea>\n</div>\n");
    FieldState p = field_state(errors, "attachments", true);
    h.raw("<div class=\"field\">\n");
    label(h, t, "attachments", t.get("q_photos"), true);
    hint(h, "attachments", t.get("photos_hint"));
    h.raw(p.error_html).raw("<input type=\"file\" id=\"f-attachments\" name=\"attachments\"");
    h.raw(" accept=\"image/jpeg,image/png\" multiple");
    control_attrs(h, p);
    h.raw(">\n</div>\n<p><button type=\"submit\">").text(t.get("add_submit"));
    h.raw("</button></p>\n</form>\n</section>\n");
  } else {
    h.raw("<p class=\"note\">")
        .text(t.get(view.messaging == "one_way" ? "one_way" : "messaging_off"));
    h.raw("</p>\n");
  }
  h.raw("<p class=\"aside\"><a href=\"/report?lang=").text(t.language).raw("\">");
  h.text(t.get("new_report")).raw("</a></p>\n");
  return page_end(h);
}

std::string render_error(std::string_view lang, int status, std::string_view message) {
  const Texts& t = detail::texts(language_of(lang));
  Html h;
  page_start(h, t, t.get("error_title"), "");
  h.raw("<h1>").text(t.get("error_title")).raw("</h1>\n");
  h.raw("<div class=\"error-summary\" role=\"alert\"><p>").text(message);
  h.raw(" <span class=\"muted\">(").text(std::to_string(status)).raw(")</span></p></div>\n");
  h.raw("<p><a href=\"/report?lang=").text(t.language).raw("\">").text(t.get("error_back"));
  h.raw("</a></p>\n");
  return page_end(h);
}

FieldErrors field_errors(std::string_view lang, const Error& error) {
  const Texts& t = detail::texts(language_of(lang));
  std::string field = error.field();
  if (!field.empty() && field.front() == '/') field.erase(0, 1);
  field = field.substr(0, field.find('/'));
  if (error.kind() == ErrorKind::too_large && field.empty()) field = "attachments";
  static const std::vector<std::string> known = {
      "place_country", "place",       "work_type",   "signs", "affected", "people_count",
      "when_seen",     "description", "attachments", "text",  "code"};
  if (std::find(known.begin(), known.end(), field) == known.end()) {
    return {{"", message_for(lang, error)}};
  }
  std::string key = "error_" + field;
  if (field == "code") key = "error_code";
  if (t.text.find(key) == t.text.end()) key = "error_generic";
  return {{field, t.get(key)}};
}

std::string message_for(std::string_view lang, const Error& error) {
  const Texts& t = detail::texts(language_of(lang));
  switch (error.kind()) {
    case ErrorKind::not_found:
      return t.get("error_code");
    case ErrorKind::rate_limited:
      return t.get("error_rate_limited");
    case ErrorKind::too_large:
      return t.get("error_too_large");
    case ErrorKind::unavailable:
    case ErrorKind::internal:
      return t.get("error_unavailable");
    default:
      break;
  }
  std::string field = error.field().substr(0, error.field().find('/'));
  if (field == "text") return t.get("error_text");
  if (field == "attachments") return t.get("error_attachments");
  return t.get("error_generic");
}

}  // namespace ctis::publicform
