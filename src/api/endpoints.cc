// The policy table: every endpoint, who may call it, and what it takes and returns.
#include "api/platform.h"
#include "api/table.h"

namespace ctis::api {
namespace {

using auth::Role;
using nlohmann::json;

std::vector<Endpoint> build() {
  std::vector<Endpoint> t;
  const TableBuilder add{t};
  const json status_ok = object({{"status", kString}}, {"status"});

  add("GET", "/healthz", kPublic, "Liveness: the process answers.", health, nullptr, 200,
      status_ok);
  add("GET", "/readyz", kPublic, "Readiness: the database answers.", ready, nullptr, 200,
      status_ok);
  add("GET", "/metrics", kAdmin, "Prometheus metrics (text format).", metrics);
  add("GET", "/api/v1/openapi.json", kPublic, "This API description.", openapi);

  add("POST", "/api/v1/auth/login", kPublic, "Sign in; sets the session cookie.", login,
      object({{"username", kString}, {"password", kString}}, {"username", "password"}), 200,
      ref("Session"));
  add("GET", "/api/v1/auth/session", kStaff, "The signed-in user and CSRF token.", session, nullptr,
      200, ref("Session"));
  add("POST", "/api/v1/auth/logout", kStaff, "Sign out; ends the session.", logout, nullptr, 204);
  add("POST", "/api/v1/auth/password", kStaff, "Change one's own password.", change_password,
      object({{"current_password", kString}, {"new_password", kString}},
             {"current_password", "new_password"}),
      204);

  add("GET", "/api/v1/dashboard", kStaff, "Summary cards for the dashboard.", dashboard, nullptr,
      200,
      object(
          {{"cards",
            {{"type", "array"},
             {"items", object({{"id", kString}, {"title_key", kString}, {"value", json::object()}},
                              {"id", "title_key", "value"})}}}},
          {"cards"}));

  add("GET", "/api/v1/users", kManagers,
      "Users: all for admins, one's organisation for coordinators.", list_users, nullptr, 200,
      list_of("users", "User"));
  add("POST", "/api/v1/users", kAdmin, "Create a user.", create_user,
      object({{"username", kString},
              {"role", ref("Role")},
              {"organisation", kString},
              {"display_name", kString},
              {"email", kString},
              {"password", kString}},
             {"username", "role", "organisation", "password"}),
      201, ref("User"));
  add("GET", "/api/v1/users/{id}", kStaff,
      "One user (admins: any; coordinators: their organisation; others: themselves).", get_user,
      nullptr, 200, ref("User"));
  add("PATCH", "/api/v1/users/{id}", kAdmin, "Change a user's role, name, e-mail or status.",
      update_user,
      object({{"role", ref("Role")},
              {"display_name", kString},
              {"email", kString},
              {"disabled", {{"type", "boolean"}}}}),
      200, ref("User"));

  add("GET", "/api/v1/organisations", kStaff, "Organisations (ids and names, e.g. for referrals).",
      list_organisations, nullptr, 200, list_of("organisations", "Organisation"));
  add("POST", "/api/v1/organisations", kAdmin, "Create an organisation.", create_organisation,
      object({{"name", kString}}, {"name"}), 201, ref("Organisation"));

  add("GET", "/api/v1/tokens", kStaff, "API tokens: one's own (admins: all or ?user_id=).",
      list_tokens, nullptr, 200, list_of("tokens", "Token"));
  add("POST", "/api/v1/tokens", kStaff, "Create an API token; the secret is shown once.",
      create_token,
      object({{"name", kString},
              {"scopes", {{"type", "array"}, {"items", {{"enum", {"read", "write"}}}}}},
              {"expires_in_days", {{"type", "integer"}, {"minimum", 1}, {"maximum", 3650}}},
              {"user_id", {{"type", "integer"}}}},
             {"name", "scopes"}),
      201, ref("Token"));
  add("DELETE", "/api/v1/tokens/{id}", kStaff, "Revoke an API token.", revoke_token, nullptr, 204);

  add("GET", "/api/v1/audit", kAdmin, "Audit entries, newest first (?before=&limit=&record=).",
      list_audit, nullptr, 200, list_of("entries", "AuditEntry"));
  add("GET", "/api/v1/audit/verify", kAdmin, "Check the audit hash chain.", verify_audit, nullptr,
      200,
      object({{"ok", {{"type", "boolean"}}},
              {"entries", {{"type", "integer"}}},
              {"first_broken", {{"type", {"integer", "null"}}}},
              {"reason", kString}},
             {"ok", "entries", "first_broken", "reason"}));
  add("GET", "/api/v1/cases", kCaseReaders,
      "Cases the caller may see (?status=&citizenship=&exploitation=&name=&document_number="
      "&limit=&before=).",
      list_cases, nullptr, 200, list_of("cases", "Case"));
  add("POST", "/api/v1/cases", kCaseWork, "Open a case in one's organisation.", create_case,
      ref("CaseInput"), 201, ref("Case"));
  add("GET", "/api/v1/cases/{id}", kCaseReaders, "One case, as much of it as the caller may see.",
      get_case, nullptr, 200, ref("Case"));
  add("PATCH", "/api/v1/cases/{id}", kCaseWork,
      "Change a case; only the fields sent (person fields merge, null removes).", update_case,
      ref("CaseInput"), 200, ref("Case"));
  add("POST", "/api/v1/cases/{id}/status", kCaseWork,
      "Move a case along identified, referred, assisted, closed (or reopen).", set_case_status,
      object({{"status", kString}, {"reason", kString}}, {"status"}), 200, ref("Case"));
  add("GET", "/api/v1/cases/{id}/history", kCaseWork, "Field-level history of a case.",
      case_history, nullptr, 200,
      object({{"history", {{"type", "array"}, {"items", any_object}}}}, {"history"}));
  add("GET", "/api/v1/cases/{id}/notes", kCaseWork, "Notes on a case.", case_notes, nullptr, 200,
      object({{"notes", {{"type", "array"}, {"items", any_object}}}}, {"notes"}));
  add("POST", "/api/v1/cases/{id}/notes", kCaseWork, "Add a note to a case.", add_case_note,
      object({{"text", kString}}, {"text"}), 201, any_object);
  add("GET", "/api/v1/cases/{id}/screenings", kCaseWork, "Screenings of a case.", case_screenings,
      nullptr, 200,
      object({{"screenings", {{"type", "array"}, {"items", ref("Screening")}}}}, {"screenings"}));
  add("POST", "/api/v1/cases/{id}/screenings", kCaseWork,
      "Start a screening against an indicator catalogue.", start_screening,
      object({{"catalogue", kString}}, {"catalogue"}), 201, ref("Screening"));
  add("PATCH", "/api/v1/cases/{id}/screenings/{sid}", kCaseWork,
      "Record answers (merged) and optionally complete the screening.", update_screening,
      object({{"answers", any_object}, {"complete", {{"type", "boolean"}}}}), 200,
      ref("Screening"));
  add("GET", "/api/v1/cases/{id}/classification", kCaseWorkAndEnforcement,
      "The latest legal classification of a case, re-evaluated under the rules that decided it.",
      case_classification, nullptr, 200, ref("Classification"));
  add("PUT", "/api/v1/cases/{id}/classification", kCaseWork,
      "Classify a case from its facts under the current rule set.", classify_case,
      object({{"facts", any_object}}, {"facts"}), 200, ref("Classification"));
  add("GET", "/api/v1/cases/{id}/services", kCaseWork, "Services given to the person.",
      case_services, nullptr, 200, object({{"services", list_any}}, {"services"}));
  add("POST", "/api/v1/cases/{id}/services", kCaseWork,
      "Record a service (shelter, medical, psychological, legal_aid, interpretation, education, "
      "livelihood, voluntary_return, reintegration).",
      add_case_service,
      object({{"kind", kString},
              {"provider", kString},
              {"start_date", kString},
              {"end_date", kString},
              {"outcome", kString},
              {"note", kString}},
             {"kind", "provider"}),
      201, object({{"services", list_any}}, {"services"}));
  add("GET", "/api/v1/cases/{id}/referrals", kCaseWork, "Referrals to other organisations.",
      case_referrals, nullptr, 200, object({{"referrals", list_any}}, {"referrals"}));
  add("POST", "/api/v1/cases/{id}/referrals", kCaseWork,
      "Refer the case to another organisation, with the person's consent.", refer_case,
      object({{"to_organisation", {{"type", "integer"}}},
              {"purpose", kString},
              {"consent", {{"const", true}}}},
             {"to_organisation", "purpose", "consent"}),
      201, object({{"referrals", list_any}}, {"referrals"}));
  add("POST", "/api/v1/cases/{id}/referrals/{rid}/withdraw", kCaseWork,
      "The person withdraws consent: the receiving organisation loses access.",
      withdraw_referral_consent, nullptr, 200, object({{"referrals", list_any}}, {"referrals"}));
  add("GET", "/api/v1/cases/{id}/procedures", kCaseWork,
      "Reflection period, residence permit and compensation procedures.", case_procedures, nullptr,
      200, object({{"procedures", list_any}}, {"procedures"}));
  add("POST", "/api/v1/cases/{id}/procedures", kCaseWork, "Start a procedure.", add_case_procedure,
      object({{"kind", kString},
              {"status", kString},
              {"start_date", kString},
              {"due_date", kString},
              {"decided_date", kString},
              {"amount", {{"type", "integer"}}},
              {"currency", kString},
              {"note", kString}},
             {"kind"}),
      201, object({{"procedures", list_any}}, {"procedures"}));
  add("PATCH", "/api/v1/cases/{id}/procedures/{pid}", kCaseWork,
      "Change a procedure's status, dates, amount or note.", update_case_procedure,
      object({{"status", kString},
              {"start_date", kString},
              {"due_date", kString},
              {"decided_date", kString},
              {"amount", {{"type", "integer"}}},
              {"currency", kString},
              {"note", kString}}),
      200, object({{"procedures", list_any}}, {"procedures"}));
  add("GET", "/api/v1/cases/{id}/attachments", kCaseWork, "Files attached to a case.",
      case_attachments, nullptr, 200, object({{"attachments", list_any}}, {"attachments"}));
  add("POST", "/api/v1/cases/{id}/attachments", kCaseWork,
      "Attach a PDF, PNG, JPEG or text file (at most 4 MiB, base64 in JSON).", attach_to_case,
      object({{"name", kString}, {"content_base64", kString}}, {"name", "content_base64"}), 201,
      object({{"attachments", list_any}}, {"attachments"}));
  add("GET", "/api/v1/cases/{id}/attachments/{aid}", kCaseWork,
      "Download an attachment (served as a download, never inline).", download_attachment);
  add("GET", "/api/v1/reminders", kCaseWork,
      "Open procedures due within ?days= (default 14) or overdue, on one's cases.", list_reminders,
      nullptr, 200, object({{"reminders", list_any}}, {"reminders"}));
  add("GET", "/api/v1/indicators/catalogues", kCaseReaders,
      "Indicator catalogues with their texts in every language.", list_catalogues, nullptr, 200,
      object({{"catalogues", {{"type", "array"}, {"items", any_object}}}}, {"catalogues"}));
  add("GET", "/api/v1/legal/rule-sets", kCaseReaders, "Legal rule sets and the facts they take.",
      list_rule_sets, nullptr, 200,
      object({{"rule_sets", {{"type", "array"}, {"items", any_object}}}}, {"rule_sets"}));
  add("GET", "/api/v1/reference/countries", kStaff, "ISO 3166-1 countries.", list_countries,
      nullptr, 200,
      object({{"countries", {{"type", "array"}, {"items", any_object}}}}, {"countries"}));
  // Safe reporting (reports.h): recipients read in a browser session, whose secret unlocks
  // their private key; the public side is the HTML form at /report (public_report.cc).
  const json view = ref("ReportView");
  add("GET", "/api/v1/reports", kCaseWork,
      "The report queue of a recipient (?status=new|in_review|linked|closed).", list_reports,
      nullptr, 200, object({{"reports", list_any}}, {"reports"}));
  add("POST", "/api/v1/reports", kCaseWork,
      "Enter a report taken by phone or in person; answers the receipt code to read out.",
      enter_report,
      object({{"channel", {{"enum", {"phone", "in_person"}}}},
              {"language", kString},
              {"place_country", kString},
              {"place", kString},
              {"work_type", kString},
              {"signs", {{"type", "array"}, {"items", kString}}},
              {"affected", kString},
              {"people_count", {{"type", "integer"}}},
              {"when_seen", kString},
              {"description", kString}},
             {"channel"}),
      201,
      object({{"report_id", {{"type", "integer"}}}, {"code", kString}}, {"report_id", "code"}));
  add("GET", "/api/v1/reports/{id}", kCaseWork,
      "One report, decrypted for the recipient (audited).", get_report, nullptr, 200, view);
  add("GET", "/api/v1/reports/{id}/attachments/{aid}", kCaseWork,
      "A photo sent with a report (metadata stripped), as a download.", report_attachment);
  add("POST", "/api/v1/reports/{id}/messages", kCaseWork,
      "Reply to the reporter (visibility thread) or add an internal note (internal).",
      reply_to_report,
      object({{"text", kString}, {"visibility", {{"enum", {"thread", "internal"}}}}},
             {"text", "visibility"}),
      201, view);
  add("POST", "/api/v1/reports/{id}/messaging", kCaseWork,
      "Messaging with the reporter: two_way, one_way (replies only) or off.", set_report_messaging,
      object({{"mode", {{"enum", {"two_way", "one_way", "off"}}}}}, {"mode"}), 200, view);
  add("POST", "/api/v1/reports/{id}/link", kCaseWork,
      "Link the report to an existing case (it is then kept with the case).", link_report,
      object({{"case_id", {{"type", "integer"}}}}, {"case_id"}), 200, view);
  add("POST", "/api/v1/reports/{id}/case", kCaseWork,
      "Open a new case from the report (what it tells carried over) and link them.", report_to_case,
      nullptr, 201, object({{"case", ref("Case")}, {"report", view}}, {"case", "report"}));
  add("POST", "/api/v1/reports/{id}/close", kCaseWork, "Close the report with a reason.",
      close_report, object({{"reason", kString}}, {"reason"}), 200, view);
  const json recipients = object({{"recipients", list_any}}, {"recipients"});
  add("GET", "/api/v1/report-recipients", kManagers,
      "Who receives new reports (coordinators: their organisation).", list_report_recipients,
      nullptr, 200, recipients);
  add("POST", "/api/v1/report-recipients", kManagers,
      "Make a coordinator or caseworker a recipient of new reports.", add_report_recipient,
      object({{"user_id", {{"type", "integer"}}}}, {"user_id"}), 200, recipients);
  add("DELETE", "/api/v1/report-recipients/{user_id}", kManagers,
      "Stop a user receiving reports; their copies of report keys are removed.",
      remove_report_recipient, nullptr, 204);
  // Alerts (alerts.h): one's inbox and subscriptions; webhooks for administrators; the route
  // monitor's rules, written by those who watch routes.
  const std::set<Role> kRuleWriters = {Role::admin, Role::coordinator, Role::analyst};
  const json alert = ref("Alert");
  add("GET", "/api/v1/alerts", kStaff, "One's alerts, newest first (?unacknowledged=true&limit=).",
      list_alerts, nullptr, 200,
      object({{"alerts", {{"type", "array"}, {"items", alert}}}}, {"alerts"}));
  add("GET", "/api/v1/alerts/{id}", kStaff, "One alert of one's inbox.", get_alert, nullptr, 200,
      alert);
  add("POST", "/api/v1/alerts/{id}/acknowledge", kStaff, "Acknowledge an alert, with a note.",
      acknowledge_alert, object({{"note", kString}}), 200, alert);
  add("GET", "/api/v1/alert-subscriptions", kStaff,
      "Subscriptions that reach the caller (administrators: all).", list_alert_subscriptions,
      nullptr, 200, object({{"subscriptions", list_any}}, {"subscriptions"}));
  add("POST", "/api/v1/alert-subscriptions", kStaff,
      "Subscribe oneself (coordinators: people and roles of their organisation; administrators: "
      "anyone, and webhooks) to alerts by source, kind, severity and tags.",
      create_alert_subscription,
      object({{"user_id", {{"type", "integer"}}},
              {"role", kString},
              {"organisation_id", {{"type", "integer"}}},
              {"channel", {{"enum", {"app", "email", "webhook", "digest"}}}},
              {"webhook_id", {{"type", "integer"}}},
              {"source", kString},
              {"kind", kString},
              {"min_severity", {{"enum", {"info", "warning", "critical"}}}},
              {"tags", any_object}},
             {"channel"}),
      201, any_object);
  add("DELETE", "/api/v1/alert-subscriptions/{id}", kStaff, "End a subscription.",
      delete_alert_subscription, nullptr, 204);
  add("GET", "/api/v1/webhooks", kAdmin, "Webhook endpoints (secrets never shown).", list_webhooks,
      nullptr, 200, object({{"webhooks", list_any}}, {"webhooks"}));
  add("POST", "/api/v1/webhooks", kAdmin,
      "Connect a webhook: alerts are POSTed to it signed with HMAC-SHA-256 of the secret.",
      create_webhook,
      object({{"name", kString},
              {"url", kString},
              {"secret", kString},
              {"organisation_id", {{"type", "integer"}}}},
             {"name", "url", "secret"}),
      201, any_object);
  const json rule = object({{"name", kString},
                            {"corridors", {{"type", "array"}, {"items", kString}}},
                            {"nationalities", {{"type", "array"}, {"items", kString}}},
                            {"method", kString},
                            {"parameters", any_object},
                            {"min_count", {{"type", "integer"}}},
                            {"severity", kString},
                            {"enabled", {{"type", "boolean"}}}},
                           {"name", "method"});
  add("GET", "/api/v1/alert-rules", kStaff, "The enabled route-monitor alert rules.",
      list_alert_rules, nullptr, 200, object({{"rules", list_any}}, {"rules"}));
  add("POST", "/api/v1/alert-rules", kRuleWriters,
      "Add a route-monitor rule: corridors, nationalities, method, parameters, minimum count.",
      create_alert_rule, rule, 201, any_object);
  add("PUT", "/api/v1/alert-rules/{id}", kRuleWriters, "Replace a route-monitor rule.",
      update_alert_rule, rule, 200, any_object);
  add("DELETE", "/api/v1/alert-rules/{id}", kRuleWriters, "Delete a route-monitor rule.",
      delete_alert_rule, nullptr, 204);
  add_route_endpoints(t);
  add_exchange_endpoints(t);
  add_duplicate_endpoints(t);
  add_finance_endpoints(t);
  return t;
}

}  // namespace

const std::vector<Endpoint>& endpoints() {
  static const std::vector<Endpoint> table = build();
  return table;
}

}  // namespace ctis::api
