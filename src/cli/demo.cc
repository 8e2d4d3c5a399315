// Demo data: invented organisations and staff, one per role, for trying CTIS out.
#include "cli/serve.h"

namespace ctis::cli {

std::string load_demo(Runtime& rt) {
  if (rt.auth->count_users() > 0) {
    throw Error(ErrorKind::conflict, "demo_not_empty",
                "the data folder already has users; the demo needs an empty one");
  }
  const auto by = auth::operator_principal();
  struct Person {
    const char* username;
    const char* role;
    const char* organisation;
    const char* display_name;
    const char* email;
  };
  // Names are invented for the demo; e-mail addresses use the reserved example.org domain.
  const Person people[] = {
      {"admin", "admin", "National Referral Office", "Administrator", "admin@example.org"},
      {"coord.amara", "coordinator", "National Referral Office", "Amara Diallo",
       "amara@example.org"},
      {"case.lucia", "caseworker", "Safe Harbour NGO", "Lucía Romero", "lucia@example.org"},
      {"case.jonas", "caseworker", "National Referral Office", "Jonas Berg", "jonas@example.org"},
      {"analyst.wei", "analyst", "National Referral Office", "Wei Chen", "wei@example.org"},
      {"fiu.samir", "fiu_analyst", "Financial Intelligence Unit", "Samir Haddad",
       "samir@example.org"},
      {"partner.ines", "partner", "Partner Country Liaison", "Inès Moreau", "ines@example.org"},
      {"police.kofi", "law_enforcement", "Police Anti-Trafficking Unit", "Kofi Mensah",
       "kofi@example.org"},
  };
  std::string admin_password;
  for (const auto& p : people) {
    auth::NewUser n{p.username, p.role, p.organisation, p.display_name, p.email, random_token(12)};
    if (std::string(p.role) == "admin") admin_password = n.password;
    rt.auth->create_user(by, n, /*create_organisation=*/true);
  }
  load_demo_cases(rt, rt.auth->find_organisation("National Referral Office")->id, by, 300);
  return admin_password;
}

}  // namespace ctis::cli
