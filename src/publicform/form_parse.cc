// Parsing the public form's bodies: urlencoded and multipart, within limits.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "publicform/publicform.h"

namespace ctis::publicform {
namespace {

[[noreturn]] void too_large(const std::string& what) {
  throw Error(ErrorKind::too_large, "form_too_large", what);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s, const std::string& field) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) fail_invalid(field, "bad percent-encoding in form field " + field);
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

void add_field(Form& form, std::string name, std::string value, const Limits& limits,
               std::size_t& count) {
  if (!valid_utf8(name)) fail_invalid("form", "a form field name is not valid UTF-8");
  if (!valid_utf8(value)) fail_invalid(name, "form field " + name + " is not valid UTF-8");
  if (value.size() > limits.max_field_bytes) {
    too_large("form field " + name + " is longer than " + std::to_string(limits.max_field_bytes) +
              " bytes");
  }
  if (++count > limits.max_parts) {
    too_large("the form has more than " + std::to_string(limits.max_parts) + " fields");
  }
  form.fields[std::move(name)].push_back(std::move(value));
}

Form parse_urlencoded(std::string_view body, const Limits& limits) {
  Form form;
  std::size_t count = 0;
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), "form");
    std::string value =
        eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), name);
    add_field(form, std::move(name), std::move(value), limits, count);
  }
  return form;
}

// A parameter of a header value: boundary=..., name="...", filename="..." (quoted or not).
std::string header_param(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t semi = header.find(';', pos);
    if (semi == std::string_view::npos) return {};
    pos = semi + 1;
    std::string_view rest = trim(header.substr(pos));
    std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower(trim(rest.substr(0, eq))) != key) continue;
    std::string_view value = trim(rest.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      std::string out;
      for (std::size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out += value[i];
      }
      return out;
    }
    return std::string(value.substr(0, value.find(';')));
  }
  return {};
}

Form parse_multipart(std::string_view content_type, std::string_view body, const Limits& limits) {
  std::string boundary = header_param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    fail_invalid("form", "multipart/form-data without a usable boundary");
  }
  const std::string delimiter = "--" + boundary;
  const std::string next_delimiter = "\r\n" + delimiter;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) fail_invalid("form", "multipart body without its boundary");
  Form form;
  std::size_t count = 0;
  pos += delimiter.size();
  for (;;) {
    if (body.substr(pos, 2) == "--") return form;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") fail_invalid("form", "malformed multipart delimiter");
    pos += 2;
    std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos)
      fail_invalid("form", "multipart part without headers");
    std::string_view headers = body.substr(pos, headers_end - pos);
    std::size_t content_start = headers_end + 4;
    std::size_t content_end = body.find(next_delimiter, content_start);
    if (content_end == std::string_view::npos) {
      fail_invalid("form", "multipart body ends before its closing boundary");
    }
    std::string_view content = body.substr(content_start, content_end - content_start);
    pos = content_end + next_delimiter.size();

    std::string disposition;
    std::string part_type;
    while (!headers.empty()) {
      std::size_t eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string key = lower(trim(line.substr(0, colon)));
      if (key == "content-disposition") disposition = std::string(trim(line.substr(colon + 1)));
      if (key == "content-type") part_type = lower(trim(line.substr(colon + 1)));
    }
    if (lower(disposition).rfind("form-data", 0) != 0) {
      fail_invalid("form", "multipart part without Content-Disposition: form-data");
    }
    std::string name = header_param(disposition, "name");
    if (lower(disposition).find("filename") != std::string::npos) {
      if (content.empty()) continue;  // a file input left empty
      if (++count > limits.max_parts) {
        too_large("the form has more than " + std::to_string(limits.max_parts) + " parts");
      }
      if (form.files.size() >= limits.max_files) {
        too_large("more than " + std::to_string(limits.max_files) + " files");
      }
      if (content.size() > limits.max_file_bytes) {
        too_large("a file is larger than " + std::to_string(limits.max_file_bytes) + " bytes");
      }
      if (!valid_utf8(name)) fail_invalid("form", "a form field name is not valid UTF-8");
      std::string filename = header_param(disposition, "filename");
      if (!valid_utf8(filename)) filename.clear();  // only ever shown to staff; not worth a refusal
      form.files.push_back(File{name, std::move(filename), part_type, std::string(content)});
    } else {
      add_field(form, std::move(name), std::string(content), limits, count);
    }
  }
}

}  // namespace

std::string Form::value(std::string_view name) const {
  auto it = fields.find(std::string(name));
  return it == fields.end() || it->second.empty() ? std::string{} : it->second.front();
}

std::vector<std::string> Form::values(std::string_view name) const {
  auto it = fields.find(std::string(name));
  return it == fields.end() ? std::vector<std::string>{} : it->second;
}

Form parse_form(std::string_view content_type, std::string_view body, const Limits& limits) {
  if (body.size() > limits.max_body) {
    too_large("the form is larger than " + std::to_string(limits.max_body) + " bytes");
  }
  std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/x-www-form-urlencoded") return parse_urlencoded(body, limits);
  if (type == "multipart/form-data") return parse_multipart(content_type, body, limits);
  fail_invalid("form", "unsupported form content type: " + std::string(type));
}

std::string language_of(std::string_view requested) {
  for (std::string_view code : {"en", "fr", "es", "ar"}) {
    if (requested == code) return std::string(code);
  }
  return "en";
}

bool is_bot(const Form& form) { return !trim(form.value("website")).empty(); }

reports::Submission to_submission(const Form& form) {
  reports::Submission s;
  s.language = language_of(form.value("lang"));
  s.channel = "web";
  s.place_country = std::string(trim(form.value("place_country")));
  s.place = std::string(trim(form.value("place")));
  s.work_type = std::string(trim(form.value("work_type")));
  for (const std::string& sign : form.values("signs")) {
    if (std::find(s.signs.begin(), s.signs.end(), sign) == s.signs.end()) s.signs.push_back(sign);
  }
  s.affected = form.value("affected");
  s.when_seen = form.value("when_seen");
  s.description = form.value("description");
  // The one question the form asks for: a report without it tells staff nothing to act on.
  if (trim(s.description).empty()) fail_invalid("description", "description is required");
  const std::string count_text = form.value("people_count");
  std::string_view count = trim(count_text);
  if (!count.empty()) {
    int n = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (ec != std::errc{} || end != count.data() + count.size()) {
      fail_invalid("people_count", "people_count is not a whole number");
    }
    s.people_count = n;
  }
  for (const File& file : form.files) {
    if (file.field == "attachments") s.attachments.push_back({file.filename, file.bytes});
  }
  return s;
}

}  // namespace ctis::publicform
