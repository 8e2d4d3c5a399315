// Handlers of the platform endpoints (private to the api module).
#pragma once

#include "api/api.h"

namespace ctis::api {

http::Response health(Call&);
http::Response ready(Call&);
http::Response metrics(Call&);
http::Response openapi(Call&);
http::Response login(Call&);
http::Response session(Call&);
http::Response logout(Call&);
http::Response change_password(Call&);
http::Response dashboard(Call&);
http::Response list_users(Call&);
http::Response create_user(Call&);
http::Response get_user(Call&);
http::Response update_user(Call&);
http::Response list_organisations(Call&);
http::Response create_organisation(Call&);
http::Response list_tokens(Call&);
http::Response create_token(Call&);
http::Response revoke_token(Call&);
http::Response list_audit(Call&);
http::Response verify_audit(Call&);
http::Response list_cases(Call&);
http::Response create_case(Call&);
http::Response get_case(Call&);
http::Response update_case(Call&);
http::Response set_case_status(Call&);
http::Response case_history(Call&);
http::Response case_notes(Call&);
http::Response add_case_note(Call&);
http::Response list_countries(Call&);
http::Response list_catalogues(Call&);
http::Response case_services(Call&);
http::Response add_case_service(Call&);
http::Response case_referrals(Call&);
http::Response refer_case(Call&);
http::Response withdraw_referral_consent(Call&);
http::Response case_procedures(Call&);
http::Response add_case_procedure(Call&);
http::Response update_case_procedure(Call&);
http::Response list_reminders(Call&);
http::Response case_attachments(Call&);
http::Response attach_to_case(Call&);
http::Response download_attachment(Call&);
http::Response list_rule_sets(Call&);
http::Response case_screenings(Call&);
http::Response start_screening(Call&);
http::Response update_screening(Call&);
http::Response case_classification(Call&);
http::Response classify_case(Call&);
// The public report pages (/report...): HTML, no sign-in, never reads who is asking.
bool is_public_report_path(const std::string& path);
http::Response public_report(http::Request& req, Services& services, std::string* route);
http::Response list_alerts(Call&);
http::Response get_alert(Call&);
http::Response acknowledge_alert(Call&);
http::Response list_alert_subscriptions(Call&);
http::Response create_alert_subscription(Call&);
http::Response delete_alert_subscription(Call&);
http::Response list_webhooks(Call&);
http::Response create_webhook(Call&);
http::Response list_alert_rules(Call&);
http::Response create_alert_rule(Call&);
http::Response update_alert_rule(Call&);
http::Response delete_alert_rule(Call&);
http::Response list_reports(Call&);
http::Response enter_report(Call&);
http::Response get_report(Call&);
http::Response report_attachment(Call&);
http::Response reply_to_report(Call&);
http::Response set_report_messaging(Call&);
http::Response link_report(Call&);
http::Response report_to_case(Call&);
http::Response close_report(Call&);
http::Response list_report_recipients(Call&);
http::Response add_report_recipient(Call&);
http::Response remove_report_recipient(Call&);

}  // namespace ctis::api
