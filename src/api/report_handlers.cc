// Handlers of the staff side of safe reporting: the queue, reading, replying and triage. The
// reports module decides everything about keys and content; these map JSON in and out.
#include <chrono>
#include <limits>
#include <map>

#include "api/input.h"
#include "api/platform.h"
#include "core/refdata.h"
#include "reports/reports.h"

namespace ctis::api {
namespace {

using nlohmann::json;

reports::Reports& reports_of(Call& call) {
  if (!call.services.reports) {
    throw Error(ErrorKind::unavailable, "reports_unavailable", "reports are not set up here");
  }
  return *call.services.reports;
}

// The caller's unlocked private key. Reports open only in a browser session: the key is
// wrapped under the session secret, which an API token does not have.
reports::UnlockedKey key_of(Call& call) {
  auto& reports = reports_of(call);
  if (!reports.is_recipient(call.who.user_id)) {
    throw Error(ErrorKind::forbidden, "not_a_recipient", "you are not a recipient of reports");
  }
  if (call.who.via_token) {
    throw Error(ErrorKind::forbidden, "report_key_locked",
                "reports are read in a signed-in browser session, not with an API token");
  }
  auto key = reports.session_key(call.request.cookie("ctis_session"));
  if (!key) {
    throw Error(ErrorKind::forbidden, "report_key_locked",
                "sign out and in again to unlock reports");
  }
  return std::move(*key);
}

json submission_json(const reports::Submission& s) {
  json people = s.people_count ? json(*s.people_count) : json(nullptr);
  return {{"language", s.language},           {"channel", s.channel},
          {"place_country", s.place_country}, {"place", s.place},
          {"work_type", s.work_type},         {"signs", s.signs},
          {"affected", s.affected},           {"people_count", people},
          {"when_seen", s.when_seen},         {"description", s.description}};
}

json staff_view_json(const reports::StaffView& v) {
  json attachments = json::array();
  for (const auto& [id, name] : v.attachments)
    attachments.push_back({{"id", id}, {"filename", name}});
  json messages = json::array();
  for (const auto& m : v.messages) {
    messages.push_back({{"id", m.id},
                        {"author", m.author},
                        {"visibility", m.visibility},
                        {"day", m.day},
                        {"text", m.text},
                        {"staff_name", m.staff_name}});
  }
  return {{"id", v.report_id},
          {"status", v.status},
          {"messaging", v.messaging},
          {"day", v.day},
          {"expires_day", v.expires_day},
          {"case_id", v.case_id ? json(*v.case_id) : json(nullptr)},
          {"close_reason", v.close_reason},
          {"submission", submission_json(v.submission)},
          {"attachments", attachments},
          {"messages", messages}};
}

reports::Submission submission_from(const json& body) {
  Input in(body, {"channel", "language", "place_country", "place", "work_type", "signs", "affected",
                  "people_count", "when_seen", "description"});
  reports::Submission s;
  s.channel = in.text("channel", 16);
  if (s.channel != "phone" && s.channel != "in_person") {
    fail_invalid("/channel", "channel must be phone or in_person for a report taken by staff");
  }
  s.language = in.opt_text("language", 8).value_or("en");
  s.place_country = in.opt_text("place_country", 3).value_or("");
  s.place = in.opt_text("place", 2000).value_or("");
  s.work_type = in.opt_text("work_type", 64).value_or("");
  if (body.contains("signs")) s.signs = in.text_list("signs", 64, 64);
  s.affected = in.opt_text("affected", 32).value_or("");
  if (auto n = in.opt_integer("people_count", 1, 10000)) s.people_count = static_cast<int>(*n);
  s.when_seen = in.opt_text("when_seen", 32).value_or("");
  s.description = in.opt_text("description", 64 * 1024).value_or("");
  return s;
}

std::int64_t report_id(Call& call) { return path_id(call.request.params, "id"); }

// What a report tells, as the profile of a new case (CTDC codes); unknowns stay out.
json case_input_from(const reports::StaffView& v) {
  const auto& s = v.submission;
  json profile = json::object();
  if (const Country* c = find_country(s.place_country))
    profile["country_of_exploitation"] = c->alpha3;
  static const std::map<std::string, std::string> kExploitation = {
      {"agriculture", "forced_labour"},
      {"construction", "forced_labour"},
      {"domestic_work", "forced_labour"},
      {"factory", "forced_labour"},
      {"fishing", "forced_labour"},
      {"hospitality", "forced_labour"},
      {"sex_work", "sexual"},
      {"begging", "other"},
      {"criminal_activity", "other"}};
  if (auto it = kExploitation.find(s.work_type); it != kExploitation.end()) {
    profile["exploitation"] = json::array({it->second});
  }
  if (s.work_type == "agriculture" || s.work_type == "construction" ||
      s.work_type == "domestic_work" || s.work_type == "hospitality") {
    profile["labour_sectors"] = json::array({s.work_type});
  }
  static const std::map<std::string, std::string> kMeans = {
      {"debt", "debt_bondage_earnings"},           {"threats", "threats"},
      {"no_id_documents", "withhold_docs"},        {"long_hours", "excessive_work_hours"},
      {"recruitment_deception", "false_promises"}, {"injuries", "abuse_psy_phy_sex"}};
  json means = json::array();
  for (const auto& sign : s.signs) {
    if (auto it = kMeans.find(sign); it != kMeans.end()) means.push_back(it->second);
  }
  if (!means.empty()) profile["means"] = means;
  const auto today = std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  profile["year_of_registration"] = static_cast<int>(today.year());
  return {{"profile", profile}};
}

}  // namespace

http::Response list_reports(Call& call) {
  const auto key = key_of(call);
  auto& reports = reports_of(call);
  reports.share_backlog(key);
  std::optional<std::string> status = call.request.query_param("status");
  if (status && status->size() > 16) fail_invalid("status", "unknown status");
  json out = json::array();
  for (const auto& q : reports.queue(call.who, key, status)) {
    out.push_back({{"report_id", q.report_id},
                   {"status", q.status},
                   {"day", q.day},
                   {"channel", q.channel},
                   {"work_type", q.work_type},
                   {"place_country", q.place_country},
                   {"signs", q.signs},
                   {"unread_from_reporter", q.unread_from_reporter}});
  }
  return http::Response::json(200, {{"reports", out}});
}

http::Response enter_report(Call& call) {
  const auto receipt = reports_of(call).submit_for(call.who, submission_from(call.request.json()));
  return http::Response::json(201, {{"report_id", receipt.report_id}, {"code", receipt.code}});
}

http::Response get_report(Call& call) {
  const auto key = key_of(call);
  return http::Response::json(
      200, staff_view_json(reports_of(call).read(call.who, key, report_id(call))));
}

http::Response report_attachment(Call& call) {
  const auto key = key_of(call);
  const auto file = reports_of(call).attachment(call.who, key, report_id(call),
                                                path_id(call.request.params, "aid"));
  http::Response r;
  // Only the two kinds the module accepts; sniffing is off server-wide (nosniff).
  r.content_type = file.bytes.rfind("\x89PNG", 0) == 0 ? "image/png" : "image/jpeg";
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"report-" + std::to_string(report_id(call)) + "-" +
                             std::to_string(path_id(call.request.params, "aid")) + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = file.bytes;
  return r;
}

http::Response reply_to_report(Call& call) {
  Input in(call.request.json(), {"text", "visibility"});
  const auto key = key_of(call);
  return http::Response::json(201, staff_view_json(reports_of(call).reply(
                                       call.who, key, report_id(call), in.text("text", 64 * 1024),
                                       in.text("visibility", 16))));
}

http::Response set_report_messaging(Call& call) {
  Input in(call.request.json(), {"mode"});
  const auto key = key_of(call);
  return http::Response::json(200, staff_view_json(reports_of(call).set_messaging(
                                       call.who, key, report_id(call), in.text("mode", 16))));
}

http::Response link_report(Call& call) {
  Input in(call.request.json(), {"case_id"});
  const auto key = key_of(call);
  const auto case_id = in.opt_integer("case_id", 1, std::numeric_limits<std::int64_t>::max());
  if (!case_id) fail_invalid("/case_id", "case_id is required");
  // The caller must be able to work on that case: reading it checks need-to-know.
  call.services.cases.get(call.who, *case_id);
  return http::Response::json(200, staff_view_json(reports_of(call).link_to_case(
                                       call.who, key, report_id(call), *case_id)));
}

http::Response report_to_case(Call& call) {
  const auto key = key_of(call);
  auto& reports = reports_of(call);
  const auto id = report_id(call);
  const auto view = reports.read(call.who, key, id);
  if (view.case_id) {
    throw Error(ErrorKind::conflict, "already_linked",
                "this report is already linked to case " + std::to_string(*view.case_id));
  }
  json created = call.services.cases.create(call.who, case_input_from(view));
  const std::int64_t case_id = created["id"].get<std::int64_t>();
  if (!view.submission.description.empty() || !view.submission.place.empty()) {
    std::string note = "From report " + std::to_string(id) + " (" + view.day + ")";
    if (!view.submission.place.empty()) note += "\nPlace: " + view.submission.place;
    if (!view.submission.description.empty()) note += "\n\n" + view.submission.description;
    call.services.cases.add_note(call.who, case_id, note);
  }
  const auto linked = reports.link_to_case(call.who, key, id, case_id);
  return http::Response::json(201, {{"case", created}, {"report", staff_view_json(linked)}});
}

http::Response close_report(Call& call) {
  Input in(call.request.json(), {"reason"});
  const auto key = key_of(call);
  return http::Response::json(200, staff_view_json(reports_of(call).close(
                                       call.who, key, report_id(call), in.text("reason", 2000))));
}

http::Response list_report_recipients(Call& call) {
  auto& reports = reports_of(call);
  json out = json::array();
  for (const auto& r : reports.recipients()) {
    auto user = call.services.auth.find_user(r.user_id);
    if (!user) continue;
    // Coordinators manage their own organisation's recipients; admins all.
    if (call.who.role != auth::Role::admin && user->organisation_id != call.who.organisation_id) {
      continue;
    }
    out.push_back({{"user_id", r.user_id},
                   {"username", user->username},
                   {"display_name", user->display_name},
                   {"active", r.active},
                   {"has_key", r.has_key},
                   {"added_day", r.added_day}});
  }
  call.services.audit.append(call.who.audit("report_recipient.list", "report_recipients"));
  return http::Response::json(200, {{"recipients", out}});
}

http::Response add_report_recipient(Call& call) {
  Input in(call.request.json(), {"user_id"});
  const auto user_id = in.opt_integer("user_id", 1, std::numeric_limits<std::int64_t>::max());
  if (!user_id) fail_invalid("/user_id", "user_id is required");
  auto user = call.services.auth.find_user(*user_id);
  if (!user ||
      (call.who.role != auth::Role::admin && user->organisation_id != call.who.organisation_id)) {
    throw Error(ErrorKind::not_found, "not_found", "no such user in your organisation", "/user_id");
  }
  if (user->role != auth::Role::coordinator && user->role != auth::Role::caseworker) {
    fail_invalid("/user_id", "recipients of reports are coordinators or caseworkers");
  }
  reports_of(call).add_recipient(call.who, *user_id);
  return list_report_recipients(call);
}

http::Response remove_report_recipient(Call& call) {
  const auto user_id = path_id(call.request.params, "user_id");
  auto user = call.services.auth.find_user(user_id);
  if (!user ||
      (call.who.role != auth::Role::admin && user->organisation_id != call.who.organisation_id)) {
    throw Error(ErrorKind::not_found, "not_found", "no such user in your organisation");
  }
  reports_of(call).remove_recipient(call.who, user_id);
  return http::Response::no_content();
}

}  // namespace ctis::api
