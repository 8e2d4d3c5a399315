// Handlers of the case endpoints: thin — the cases module validates and decides need-to-know.
#include "api/input.h"
#include "api/platform.h"
#include "cases/cases.h"
#include "core/refdata.h"

namespace ctis::api {
namespace {

cases::Filter filter_from(const http::Request& req) {
  cases::Filter f;
  f.status = req.query_param("status");
  f.citizenship = req.query_param("citizenship");
  if (f.citizenship) {
    const Country* c = find_country(*f.citizenship);
    if (!c) fail_invalid("citizenship", "citizenship must be an ISO 3166-1 country code");
    f.citizenship = c->alpha3;
  }
  f.exploitation = req.query_param("exploitation");
  f.name = req.query_param("name");
  f.document_number = req.query_param("document_number");
  if (auto limit = req.query_param("limit")) {
    f.limit = static_cast<int>(std::min<std::int64_t>(path_id({{"limit", *limit}}, "limit"), 200));
  }
  if (auto before = req.query_param("before"))
    f.before_id = path_id({{"before", *before}}, "before");
  for (const auto* v : {&f.name, &f.document_number, &f.status, &f.exploitation}) {
    if (*v && v->value().size() > 200)
      fail_invalid("query", "query parameters are limited to 200 bytes");
  }
  return f;
}

}  // namespace

http::Response list_cases(Call& call) {
  return http::Response::json(200, call.services.cases.list(call.who, filter_from(call.request)));
}

http::Response create_case(Call& call) {
  return http::Response::json(201, call.services.cases.create(call.who, call.request.json()));
}

http::Response get_case(Call& call) {
  return http::Response::json(
      200, call.services.cases.get(call.who, path_id(call.request.params, "id")));
}

http::Response update_case(Call& call) {
  return http::Response::json(
      200, call.services.cases.update(call.who, path_id(call.request.params, "id"),
                                      call.request.json()));
}

http::Response set_case_status(Call& call) {
  Input in(call.request.json(), {"status", "reason"});
  return http::Response::json(
      200, call.services.cases.set_status(call.who, path_id(call.request.params, "id"),
                                          in.text("status", 32),
                                          in.opt_text("reason", 1000).value_or("")));
}

http::Response case_history(Call& call) {
  return http::Response::json(
      200, call.services.cases.history(call.who, path_id(call.request.params, "id")));
}

http::Response case_notes(Call& call) {
  return http::Response::json(
      200, call.services.cases.notes(call.who, path_id(call.request.params, "id")));
}

http::Response add_case_note(Call& call) {
  Input in(call.request.json(), {"text"});
  return http::Response::json(
      201, call.services.cases.add_note(call.who, path_id(call.request.params, "id"),
                                        in.text("text", 20000)));
}

http::Response list_catalogues(Call&) {
  return http::Response::json(200, cases::catalogues_json());
}

http::Response list_rule_sets(Call&) { return http::Response::json(200, cases::rule_sets_json()); }

http::Response case_screenings(Call& call) {
  return http::Response::json(
      200, call.services.cases.screenings(call.who, path_id(call.request.params, "id")));
}

http::Response start_screening(Call& call) {
  Input in(call.request.json(), {"catalogue"});
  return http::Response::json(
      201, call.services.cases.start_screening(call.who, path_id(call.request.params, "id"),
                                               in.text("catalogue", 64)));
}

http::Response update_screening(Call& call) {
  return http::Response::json(200, call.services.cases.update_screening(
                                       call.who, path_id(call.request.params, "id"),
                                       path_id(call.request.params, "sid"), call.request.json()));
}

http::Response case_classification(Call& call) {
  return http::Response::json(
      200, call.services.cases.classification(call.who, path_id(call.request.params, "id")));
}

http::Response classify_case(Call& call) {
  return http::Response::json(
      200, call.services.cases.classify(call.who, path_id(call.request.params, "id"),
                                        call.request.json()));
}

namespace {
std::int64_t case_id(const Call& call) { return path_id(call.request.params, "id"); }
}  // namespace

http::Response case_services(Call& call) {
  return http::Response::json(200, call.services.cases.services(call.who, case_id(call)));
}
http::Response add_case_service(Call& call) {
  return http::Response::json(
      201, call.services.cases.add_service(call.who, case_id(call), call.request.json()));
}
http::Response case_referrals(Call& call) {
  return http::Response::json(200, call.services.cases.referrals(call.who, case_id(call)));
}
http::Response refer_case(Call& call) {
  return http::Response::json(
      201, call.services.cases.refer(call.who, case_id(call), call.request.json()));
}
http::Response withdraw_referral_consent(Call& call) {
  return http::Response::json(
      200, call.services.cases.withdraw_consent(call.who, case_id(call),
                                                path_id(call.request.params, "rid")));
}
http::Response case_procedures(Call& call) {
  return http::Response::json(200, call.services.cases.procedures(call.who, case_id(call)));
}
http::Response add_case_procedure(Call& call) {
  return http::Response::json(
      201, call.services.cases.add_procedure(call.who, case_id(call), call.request.json()));
}
http::Response update_case_procedure(Call& call) {
  return http::Response::json(
      200, call.services.cases.update_procedure(
               call.who, case_id(call), path_id(call.request.params, "pid"), call.request.json()));
}
http::Response list_reminders(Call& call) {
  int days = 14;
  if (auto q = call.request.query_param("days")) {
    days = static_cast<int>(std::min<std::int64_t>(path_id({{"days", *q}}, "days"), 366));
  }
  return http::Response::json(200, call.services.cases.reminders(call.who, days));
}

http::Response case_attachments(Call& call) {
  return http::Response::json(200, call.services.cases.attachments(call.who, case_id(call)));
}
http::Response attach_to_case(Call& call) {
  return http::Response::json(
      201, call.services.cases.attach(call.who, case_id(call), call.request.json()));
}
http::Response download_attachment(Call& call) {
  auto file =
      call.services.cases.attachment(call.who, case_id(call), path_id(call.request.params, "aid"));
  http::Response r;
  r.content_type = file.content_type;
  r.body = std::move(file.content);
  // Always a download, never rendered in the app's origin.
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file.name + "\"");
  return r;
}

http::Response list_countries(Call&) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : countries()) {
    out.push_back({{"alpha2", c.alpha2}, {"alpha3", c.alpha3}, {"name", c.name}});
  }
  auto r = http::Response::json(200, {{"countries", out}});
  return r;
}

}  // namespace ctis::api
