// The public report pages: no sign-in, no JavaScript, and nothing about the reporter read or
// kept — no cookie, address or header is looked at here, and nothing is logged.
#include "api/platform.h"
#include "publicform/publicform.h"

namespace ctis::api {
namespace {

http::Response page(int status, std::string html) {
  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  // A shared computer must not keep a copy of a receipt or a thread.
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(html);
  return r;
}

int status_of(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::invalid:
      return 400;
    case ErrorKind::too_large:
      return 413;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::rate_limited:
      return 429;
    case ErrorKind::unavailable:
      return 503;
    default:
      return 500;
  }
}

std::vector<reports::Attachment> attachments_of(const publicform::Form& form) {
  std::vector<reports::Attachment> out;
  for (const auto& f : form.files) out.push_back({f.filename, f.bytes});
  return out;
}

reports::Reports& reports_of(Services& s) {
  if (!s.reports) {
    throw Error(ErrorKind::unavailable, "reports_unavailable", "reports are not set up here");
  }
  return *s.reports;
}

http::Response submit(const http::Request& req, Services& s) {
  publicform::Form form;
  std::string lang = "en";
  try {
    form = publicform::parse_form(req.header("content-type"), req.body);
    lang = publicform::language_of(form.value("lang"));
    if (publicform::is_bot(form)) {
      return page(400,
                  publicform::render_error(
                      lang, 400,
                      publicform::message_for(lang, Error(ErrorKind::invalid, "automated",
                                                          "the hidden field must stay empty"))));
    }
    const auto receipt = reports_of(s).submit(publicform::to_submission(form));
    return page(200, publicform::render_receipt(lang, receipt.code));
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::invalid || e.kind() == ErrorKind::too_large) {
      return page(status_of(e),
                  publicform::render_form(lang, form, publicform::field_errors(lang, e)));
    }
    return page(status_of(e),
                publicform::render_error(lang, status_of(e), publicform::message_for(lang, e)));
  }
}

http::Response follow_up(const http::Request& req, Services& s, bool adding) {
  publicform::Form form;
  std::string lang = "en";
  try {
    form = publicform::parse_form(req.header("content-type"), req.body);
    lang = publicform::language_of(form.value("lang"));
    const std::string code = form.value("code");
    auto& reports = reports_of(s);
    if (!adding) return page(200, publicform::render_thread(lang, code, reports.follow_up(code)));
    try {
      const auto view = reports.add_information(code, form.value("text"), attachments_of(form));
      return page(200, publicform::render_thread(lang, code, view));
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::invalid && e.kind() != ErrorKind::too_large &&
          e.kind() != ErrorKind::forbidden) {
        throw;
      }
      // The reporter stays on their thread, with the reason next to the form.
      return page(status_of(e) == 500 ? 403 : status_of(e),
                  publicform::render_thread(lang, code, reports.follow_up(code),
                                            publicform::message_for(lang, e), form.value("text")));
    }
  } catch (const Error& e) {
    return page(status_of(e),
                publicform::render_follow_up_entry(lang, publicform::message_for(lang, e)));
  }
}

}  // namespace

bool is_public_report_path(const std::string& path) {
  return path == "/report" || path.rfind("/report/", 0) == 0;
}

http::Response public_report(http::Request& req, Services& services, std::string* route) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const std::string lang = publicform::language_of(req.query_param("lang").value_or(""));
  *route = req.method + " " + req.path;
  if (req.path == "/report/style.css" && get) {
    http::Response r;
    r.content_type = "text/css; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "public, max-age=86400");
    r.body = publicform::style_css();
    return r;
  }
  if (req.path == "/report") {
    if (get) return page(200, publicform::render_form(lang));
    if (req.method == "POST") return submit(req, services);
  } else if (req.path == "/report/follow-up") {
    if (get) return page(200, publicform::render_follow_up_entry(lang));
    if (req.method == "POST") return follow_up(req, services, false);
  } else if (req.path == "/report/follow-up/add") {
    if (req.method == "POST") return follow_up(req, services, true);
  } else {
    *route = "unmatched";
    return page(404, publicform::render_error(lang, 404, "Not found."));
  }
  auto r = page(405, publicform::render_error(lang, 405, "Method not allowed."));
  r.headers.emplace_back("Allow", req.path == "/report/follow-up/add" ? "POST" : "GET, POST");
  return r;
}

}  // namespace ctis::api
