// Demo data: invented organisations and staff, one per role, for trying CTIS out.
#include <vector>

#include "cli/commands.h"
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
    const auto user = rt.auth->create_user(by, n, /*create_organisation=*/true);
    // The referral office's coordinator and caseworker receive the public's reports; their
    // keys are made now, as at a first sign-in.
    if (n.username == "coord.amara" || n.username == "case.jonas") {
      rt.reports->add_recipient(by, user.id);
      const std::string session = random_token(32);
      rt.reports->open_session(user.id, n.password, session);
      rt.reports->close_session(session);
    }
  }
  load_demo_cases(rt, rt.auth->find_organisation("National Referral Office")->id, by, 300);
  load_demo_reports(rt);
  load_demo_finance(rt.config.data_dir);
  // Generated route data with a few surges, two alert rules; the server evaluates them at start.
  if (rt.monitor) monitor::load_demo(*rt.monitor, *rt.alerts, by);
  return admin_password;
}

void load_demo_reports(Runtime& rt) {
  // Invented reports in the four languages of the form, as members of the public write them.
  struct Demo {
    const char* language;
    const char* country;
    const char* work_type;
    std::vector<std::string> signs;
    const char* description;
  };
  const Demo demos[] = {
      {"en",
       "GB",
       "hospitality",
       {"lives_at_work", "long_hours", "fearful"},
       "Staff at the car wash on the high street sleep in the back room and never get a day off."},
      {"fr",
       "FR",
       "domestic_work",
       {"no_id_documents", "cannot_leave"},
       "La nounou des voisins ne sort jamais seule et dit que ses papiers sont chez l'employeur."},
      {"es",
       "ES",
       "agriculture",
       {"debt", "no_pay", "transported_together"},
       "Un autobús recoge a los trabajadores a las 4 de la mañana; dicen que deben dinero."},
      {"ar",
       "JO",
       "factory",
       {"guarded", "threats"},
       "العمال في المصنع لا يسمح لهم بالخروج ويتعرضون للتهديد."},
      {"en",
       "NG",
       "sex_work",
       {"minor_working", "scripted_answers"},
       "Young girls brought to a guest house by the same driver every week."},
  };
  for (const auto& d : demos) {
    reports::Submission s;
    s.language = d.language;
    s.place_country = d.country;
    s.work_type = d.work_type;
    s.signs = d.signs;
    s.description = d.description;
    rt.reports->submit(s);
  }
}

}  // namespace ctis::cli
