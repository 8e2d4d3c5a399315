// publicform: the public report pages, rendered on the server and usable without JavaScript.
//
// Anyone can report a concern about trafficking from a plain HTML form (GET /report), read the
// receipt code shown once, and follow up with it (POST /report/follow-up; the code travels in a
// form body, never in a URL). This module parses those forms (urlencoded and multipart, within
// limits), turns them into a reports::Submission, and renders every page as one complete HTML
// document in English, French, Spanish or Arabic (right to left) with one small stylesheet:
// no scripts and no inline styles, so the server's CSP can forbid both. The texts and the
// plain-words labels of the work types and signs are data (data/reports/form.<lang>.json,
// compiled in); form.en.json is the source of truth for the codes, in the order shown.
//
// Everything user-supplied is HTML-escaped. Renderers never fail on odd data: an unknown
// language falls back to English, an unknown code is shown as the code.
// Threads: every function is thread-safe (the texts are immutable after first use).
// Errors: parse_form throws ctis::Error(invalid) for a malformed body or a field that is not
// UTF-8 (field() names it), and (too_large) past a limit; to_submission throws (invalid) naming
// "description" when it is empty and "people_count" for a count that is not a whole number.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "reports/reports.h"

namespace ctis::publicform {

struct Limits {
  std::size_t max_body = std::size_t{8} * 1024 * 1024;   // the whole request body
  std::size_t max_parts = 64;                            // multipart parts, files included
  std::size_t max_field_bytes = std::size_t{64} * 1024;  // one text field
  std::size_t max_files = 3;                             // non-empty file parts
  std::size_t max_file_bytes = std::size_t{2} * 1024 * 1024;
};

struct File {
  std::string field;  // the form field name ("attachments")
  std::string filename;
  std::string content_type;
  std::string bytes;
};

struct Form {
  std::map<std::string, std::vector<std::string>> fields;  // name -> values, in body order
  std::vector<File> files;  // non-empty files only (browsers send an empty part for none)

  // The first value of a field, or "" when absent.
  std::string value(std::string_view name) const;
  std::vector<std::string> values(std::string_view name) const;
};

// Parses application/x-www-form-urlencoded or multipart/form-data (by content_type).
Form parse_form(std::string_view content_type, std::string_view body, const Limits& limits = {});

// The report the public form describes (channel "web"; the language from the hidden "lang"
// field). Codes are passed through as given: reports::Reports::submit validates them.
reports::Submission to_submission(const Form& form);
// The hidden "website" field is filled: an automated submission, not a person.
bool is_bot(const Form& form);

// "en", "fr", "es" or "ar" from a ?lang= value or a form field; English for anything else.
std::string language_of(std::string_view requested);

// Error messages for the form, in the reporter's language, by field of the form ("description",
// "attachments", "people_count"; "" for the form as a whole).
using FieldErrors = std::map<std::string, std::string>;
// The messages to show for an error of reports::Reports (or of parse_form/to_submission).
FieldErrors field_errors(std::string_view lang, const Error& error);
// One plain sentence for an error page or a follow-up page: wrong code, too many attempts, ...
std::string message_for(std::string_view lang, const Error& error);

// Complete HTML documents.
std::string render_form(std::string_view lang, const Form& values = {},
                        const FieldErrors& errors = {});
std::string render_receipt(std::string_view lang, std::string_view code);
std::string render_follow_up_entry(std::string_view lang, std::string_view error = {});
// The reporter's view of their report; the add-information form (only when messaging is
// two_way) carries the code in a hidden field. `error` is shown next to that form, which keeps
// `draft` (the text the reporter had typed) when given.
std::string render_thread(std::string_view lang, std::string_view code,
                          const reports::ReporterView& view, std::string_view error = {},
                          std::string_view draft = {});
std::string render_error(std::string_view lang, int status, std::string_view message);
// The one stylesheet of these pages, served at /report/style.css.
const std::string& style_css();

// The form's vocabulary, from form.en.json in display order.
const std::vector<std::string>& sign_codes();
const std::vector<std::string>& work_type_codes();
// Ids of the indicators (data/indicators/*.json) a sign corresponds to; empty when unknown.
const std::vector<std::string>& sign_indicators(std::string_view sign);
// Plain words for a code in a language (the code itself when unknown).
std::string sign_label(std::string_view lang, std::string_view sign);
std::string work_type_label(std::string_view lang, std::string_view work_type);

std::string escape_html(std::string_view text);

}  // namespace ctis::publicform
