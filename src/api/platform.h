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

}  // namespace ctis::api
