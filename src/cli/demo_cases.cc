// Demo cases: invented presumed victims along real trafficking corridors (IOM, UNODC and
// Frontex describe them), the same on every run (a fixed seed and our own generator), so that
// a newcomer sees a working system. Names are combinations of common given and family names of
// the region of origin; document numbers are made up; every date lies in the past.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "cli/serve.h"
#include "core/random.h"

namespace ctis::cli {
namespace {

using nlohmann::json;

// The same demo on every platform: SplitMix64 (core/random.h), plus the draws the demo needs.
class Random {
 public:
  explicit Random(std::uint64_t seed) : rng_(seed) {}
  int below(std::size_t n) { return static_cast<int>(rng_.below(n)); }
  int between(int lo, int hi) {
    return lo + below(static_cast<std::size_t>(hi) - static_cast<std::size_t>(lo) + 1);
  }
  bool chance(int percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(below(v.size()))];
  }

 private:
  SplitMix64 rng_;
};

// Days since 1970-01-01 and back (H. Hinnant's algorithms).
int days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string iso_date(int days) {
  days += 719468;
  const int era = (days >= 0 ? days : days - 146096) / 146097;
  const int doe = days - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  const int y = yoe + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

struct Names {
  std::vector<const char*> women, men, family;
};

const Names kNigeria = {
    {"Blessing", "Joy", "Precious", "Favour", "Osasere", "Esohe", "Ifeoma", "Chioma", "Omosede",
     "Peace", "Gift", "Efe"},
    {"Osaro", "Emeka", "Efosa", "Tunde", "Chinedu", "Ikponmwosa", "Uyi", "Godwin"},
    {"Osagie", "Igbinedion", "Omoregie", "Okafor", "Eze", "Ogbeide", "Ehigiator", "Adeyemi",
     "Nwachukwu", "Edokpayi", "Aigbe", "Obaseki"}};
const Names kEritrea = {
    {"Semhar", "Helen", "Selam", "Meron", "Senait", "Luwam", "Saba", "Winta", "Yohana"},
    {"Yonas", "Tesfay", "Filmon", "Dawit", "Robel", "Habtom", "Merhawi", "Kibrom", "Amanuel"},
    {"Tesfamariam", "Ghebremedhin", "Haile", "Tekle", "Berhane", "Mehari", "Kidane", "Abraha",
     "Woldu", "Gebreyesus"}};
const Names kSyria = {
    {"Rania", "Lina", "Yara", "Nour", "Hiba", "Rasha", "Amal", "Dalia", "Sawsan"},
    {"Omar", "Khaled", "Ahmad", "Mahmoud", "Samir", "Yousef", "Bilal", "Hassan", "Ammar"},
    {"Al-Hassan", "Haddad", "Khalil", "Darwish", "Aziz", "Sabbagh", "Kassem", "Najjar", "Hamdan",
     "Othman"}};
const Names kLatinAmerica = {
    {"Daniela", "Yessica", "María José", "Génesis", "Andreína", "Keila", "Yuleisy", "Dayana",
     "Karla", "Wendy", "Sofía"},
    {"Luis", "José", "Carlos", "Wilmer", "Jesús", "Kevin", "Brayan", "Eduardo", "Darwin"},
    {"González", "Rodríguez", "Pérez", "Hernández", "Martínez", "López", "Mejía", "Castillo",
     "Reyes", "Zelaya", "Ramírez", "Flores"}};
const Names kMyanmar = {{"Thandar", "Hnin", "Su", "Nilar", "Ei", "Khin", "Mya", "Thida"},
                        {"Aung", "Kyaw", "Zaw", "Htet", "Min", "Thura", "Naing", "Soe"},
                        {"Win", "Oo", "Aye", "Myint", "Htun", "Lwin", "Naing", "Thein", "Maung"}};
const Names kNepal = {
    {"Sita", "Gita", "Sarita", "Anita", "Sunita", "Pooja", "Binita", "Kabita", "Mina"},
    {"Ram", "Bikash", "Suman", "Dil", "Pemba", "Santosh", "Rajesh"},
    {"Tamang", "Gurung", "Shrestha", "Magar", "Rai", "Thapa", "Lama", "Sherpa", "Bhujel"}};
const Names kUkraine = {
    {"Olena", "Iryna", "Kateryna", "Oksana", "Yulia", "Natalia", "Svitlana", "Tetiana"},
    {"Andriy", "Dmytro", "Serhiy", "Taras", "Oleksandr", "Mykola", "Vasyl"},
    {"Kovalenko", "Bondarenko", "Shevchenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko",
     "Lysenko", "Moroz", "Savchenko"}};
const Names kVietNam = {
    {"Lan", "Hoa", "Thảo", "Linh", "Hương", "Mai", "Ngọc", "Trang"},
    {"Minh", "Tuấn", "Hùng", "Đức", "Nam", "Quang", "Long", "Hải", "Phúc"},
    {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"}};
const Names kEthiopia = {
    {"Tigist", "Hirut", "Meseret", "Bethlehem", "Almaz", "Selamawit", "Mekdes", "Tsehay"},
    {"Abebe", "Dawit", "Henok", "Yared", "Solomon"},
    {"Tadesse", "Bekele", "Girma", "Alemu", "Wolde", "Getachew", "Mengistu", "Kebede"}};

struct Stop {
  const char* country;
  std::vector<const char*> places;
  const char* transport;   // how this country was reached
  int regular_percent;     // chance that the crossing into it was regular
  int min_days, max_days;  // time spent there (transit countries)
};

struct Corridor {
  int weight;
  const Names* names;
  const char* document_prefix;
  std::vector<Stop> stops;        // origin first
  std::vector<int> exploited_at;  // indexes into stops, one picked per case
  int women_percent, child_percent, sexual_percent, other_percent;
  std::vector<const char*> sectors;  // labour sectors seen on this corridor
  std::vector<const char*> means;    // the typical means of control
  std::vector<const char*> recruiters;
  std::vector<const char*> immigration;
};

const std::vector<Corridor>& corridors() {
  static const std::vector<Corridor> all = {
      {16,
       &kNigeria,
       "A",
       {{"NGA", {"Benin City", "Lagos", "Uromi", "Ekpoma"}, "", 0, 0, 0},
        {"NER", {"Agadez", "Niamey"}, "land_vehicle", 80, 10, 60},
        {"LBY", {"Sabha", "Tripoli", "Zuwara"}, "land_vehicle", 0, 30, 240},
        {"ITA", {"Castel Volturno", "Turin", "Palermo", "Naples"}, "sea", 0, 0, 0}},
       {3, 3, 3, 2},
       85,
       15,
       80,
       0,
       {"domestic_work", "hospitality"},
       {"debt_bondage_earnings", "threats", "false_promises", "withhold_docs"},
       {"friend", "family", "other"},
       {"asylum applicant", "residence permit (victim of trafficking)", "irregular stay"}},
      {10,
       &kEritrea,
       "",
       {{"ERI", {"Asmara", "Keren", "Mendefera"}, "", 0, 0, 0},
        {"SDN", {"Khartoum", "Kassala"}, "foot", 0, 20, 180},
        {"LBY", {"Kufra", "Bani Walid", "Tripoli"}, "land_vehicle", 0, 60, 400},
        {"ITA", {"Lampedusa", "Pozzallo", "Rome"}, "sea", 0, 0, 0}},
       {2, 2, 3},
       35,
       20,
       30,
       10,
       {"construction", "agriculture"},
       {"abuse_psy_phy_sex", "threats", "deny_basic_needs", "debt_bondage_earnings"},
       {"other", "other", "friend"},
       {"asylum applicant", "refugee status"}},
      {10,
       &kSyria,
       "N",
       {{"SYR", {"Aleppo", "Idlib", "Homs"}, "", 0, 0, 0},
        {"TUR", {"Gaziantep", "Istanbul", "İzmir"}, "foot", 10, 30, 700},
        {"GRC", {"Lesvos", "Athens", "Samos"}, "sea", 0, 0, 0}},
       {1, 1, 1, 2},
       45,
       35,
       15,
       15,
       {"agriculture", "hospitality", "construction"},
       {"excessive_work_hours", "deny_basic_needs", "threats"},
       {"family", "other", "friend"},
       {"international protection", "asylum applicant"}},
      {12,
       &kLatinAmerica,
       "V",
       {{"VEN", {"Maracaibo", "Caracas", "San Cristóbal"}, "", 0, 0, 0},
        {"COL", {"Cúcuta", "Bogotá", "Medellín", "Cartagena"}, "foot", 40, 0, 0}},
       {1},
       75,
       20,
       65,
       0,
       {"agriculture", "domestic_work", "hospitality"},
       {"false_promises", "debt_bondage_earnings", "threats", "drugs_alcohol"},
       {"friend", "intimate_partner", "other"},
       {"temporary protection permit", "irregular stay"}},
      {10,
       &kMyanmar,
       "M",
       {{"MMR", {"Mawlamyine", "Dawei", "Yangon"}, "", 0, 0, 0},
        {"THA", {"Mae Sot", "Samut Sakhon", "Ranong"}, "foot", 30, 0, 0}},
       {1},
       35,
       15,
       10,
       40,
       {"agriculture", "construction"},
       {"withhold_docs", "excessive_work_hours", "debt_bondage_earnings", "threats"},
       {"other", "friend", "family"},
       {"irregular stay", "work permit"}},
      {8,
       &kNepal,
       "",
       {{"NPL", {"Sindhupalchok", "Makwanpur", "Nuwakot"}, "", 0, 0, 0},
        {"IND", {"Kolkata", "Mumbai", "Delhi"}, "land_vehicle", 100, 0, 0}},
       {1},
       90,
       30,
       70,
       0,
       {"domestic_work", "hospitality"},
       {"false_promises", "abuse_psy_phy_sex", "deny_basic_needs"},
       {"intimate_partner", "friend", "family"},
       {}},
      {10,
       &kUkraine,
       "F",
       {{"UKR", {"Kharkiv", "Zaporizhzhia", "Dnipro", "Mykolaiv"}, "", 0, 0, 0},
        {"POL", {"Warsaw", "Wrocław", "Poznań", "Kraków"}, "land_vehicle", 100, 0, 0}},
       {1},
       55,
       15,
       25,
       0,
       {"construction", "agriculture", "hospitality"},
       {"false_promises", "excessive_work_hours", "withhold_docs", "debt_bondage_earnings"},
       {"other", "friend"},
       {"temporary protection"}},
      {10,
       &kLatinAmerica,
       "H",
       {{"HND", {"San Pedro Sula", "Tegucigalpa", "Choloma"}, "", 0, 0, 0},
        {"GTM", {"Guatemala City", "Tecún Umán"}, "land_vehicle", 90, 3, 20},
        {"MEX", {"Tapachula", "Monterrey", "Ciudad Juárez"}, "foot", 5, 20, 200},
        {"USA", {"Houston", "Los Angeles", "Atlanta"}, "foot", 0, 0, 0}},
       {2, 3, 3},
       40,
       25,
       30,
       0,
       {"agriculture", "construction", "hospitality"},
       {"debt_bondage_earnings", "threats", "withhold_docs", "excessive_work_hours"},
       {"other", "family", "friend"},
       {"T visa applicant", "irregular stay"}},
      {8,
       &kVietNam,
       "C",
       {{"VNM", {"Nghệ An", "Hà Tĩnh", "Quảng Bình"}, "", 0, 0, 0},
        {"RUS", {"Moscow"}, "air", 100, 20, 120},
        {"POL", {"Warsaw"}, "land_vehicle", 0, 5, 30},
        {"DEU", {"Berlin"}, "land_vehicle", 0, 3, 20},
        {"FRA", {"Paris", "Calais"}, "land_vehicle", 0, 5, 40},
        {"GBR", {"Birmingham", "Glasgow", "Bristol", "Manchester"}, "land_vehicle", 0, 0, 0}},
       {5, 5, 5, 1},
       30,
       25,
       10,
       50,
       {"hospitality", "construction"},
       {"debt_bondage_earnings", "threats", "deny_basic_needs", "withhold_docs"},
       {"other", "family", "friend"},
       {"asylum applicant", "irregular stay"}},
      {6,
       &kEthiopia,
       "EP",
       {{"ETH", {"Addis Ababa", "Jimma", "Dessie"}, "", 0, 0, 0},
        {"LBN", {"Beirut", "Jounieh"}, "air", 100, 0, 0}},
       {1},
       95,
       10,
       5,
       0,
       {"domestic_work"},
       {"withhold_docs", "excessive_work_hours", "deny_basic_needs", "abuse_psy_phy_sex"},
       {"other"},
       {"irregular stay (sponsorship ended)", "residence permit"}},
  };
  return all;
}

const std::vector<const char*> kAllMeans = {
    "debt_bondage_earnings", "threats",          "abuse_psy_phy_sex",    "false_promises",
    "drugs_alcohol",         "deny_basic_needs", "excessive_work_hours", "withhold_docs"};

std::string band(int age) {
  static const std::pair<int, const char*> bands[] = {{8, "0-8"},    {17, "9-17"},  {20, "18-20"},
                                                      {23, "21-23"}, {26, "24-26"}, {29, "27-29"},
                                                      {38, "30-38"}, {47, "39-47"}};
  for (const auto& [upto, name] : bands) {
    if (age <= upto) return name;
  }
  return "48+";
}

json one_case(Random& rnd, const Corridor& c, std::optional<std::int64_t> caseworker) {
  // Who.
  const int sex = rnd.below(100);
  const std::string gender = sex == 0                 ? "trans_nonconforming"
                             : sex <= c.women_percent ? "woman"
                                                      : "man";
  const bool woman = gender == "woman" || (gender != "man" && rnd.chance(50));
  const int age =
      rnd.chance(c.child_percent) ? rnd.between(rnd.chance(15) ? 5 : 12, 17) : rnd.between(18, 52);
  // When: registered 2019-2025; born `age` years (and some days) before.
  const int year = rnd.between(2019, 2025);
  const int registered = days_from_civil(year, 1, 1) + rnd.between(0, 360);
  const int born = registered - age * 365 - age / 4 - rnd.between(1, 360);
  json person = {{"given_name", rnd.pick(woman ? c.names->women : c.names->men)},
                 {"family_name", rnd.pick(c.names->family)}};
  json profile = {
      {"gender", gender}, {"citizenship", c.stops.front().country}, {"year_of_registration", year}};
  if (rnd.chance(65)) {
    person["birth_date"] = iso_date(born);  // the age band follows from it
  } else {
    profile["age_band"] = band(age);
  }
  if (rnd.chance(45)) {
    char number[16];
    std::snprintf(number, sizeof number, "%07d", rnd.between(0, 9999999));
    person["document_number"] = std::string(c.document_prefix) + number;
  }

  // Where: the route, walked back from registration; exploitation lasted `months`.
  const int at = rnd.pick(c.exploited_at);
  const int months = rnd.chance(10) ? -1 : rnd.between(1, age < 18 ? 20 : 40);
  std::vector<int> stay(c.stops.size());
  for (std::size_t i = 1; i < c.stops.size(); ++i) {
    stay[i] = rnd.between(c.stops[i].min_days, c.stops[i].max_days);
  }
  stay[static_cast<std::size_t>(at)] = std::max(months, 1) * 30;
  if (static_cast<std::size_t>(at) + 1 < c.stops.size()) stay.back() = rnd.between(5, 90);
  int day = registered;
  for (std::size_t i = 1; i < c.stops.size(); ++i) day -= stay[i];
  json legs = json::array();
  for (std::size_t i = 0; i < c.stops.size(); ++i) {
    const Stop& s = c.stops[i];
    json leg = {{"country", s.country}, {"place", rnd.pick(s.places)}};
    if (i > 0) {
      leg["date_from"] = iso_date(day);
      leg["transport"] = s.transport;
      leg["regular_crossing"] = rnd.chance(s.regular_percent);
      day += stay[i];
    }
    if (i + 1 < c.stops.size()) leg["date_to"] = iso_date(day);
    legs.push_back(std::move(leg));
  }
  profile["country_of_exploitation"] = c.stops[static_cast<std::size_t>(at)].country;
  if (months > 0)
    profile["traffick_months"] = months <= 12 ? "0-12" : months <= 24 ? "13-24" : "25+";

  // How: exploitation, sectors, means, recruiter.
  const int kind = rnd.below(100);
  json exploitation = json::array(), sectors = json::array(), types = json::array();
  if (kind < c.sexual_percent) {
    exploitation.push_back("sexual");
    types.push_back(rnd.chance(90) ? "prostitution" : "pornography");
    if (rnd.chance(10)) exploitation.push_back("forced_labour");
  } else if (kind < c.sexual_percent + c.other_percent) {
    exploitation.push_back("other");  // forced criminality, begging, forced marriage
  } else {
    exploitation.push_back("forced_labour");
  }
  if (exploitation.back() == "forced_labour" && !c.sectors.empty() && rnd.chance(85)) {
    sectors.push_back(rnd.pick(c.sectors));
  }
  profile["exploitation"] = exploitation;
  if (!sectors.empty()) profile["labour_sectors"] = sectors;
  if (!types.empty()) profile["sexual_types"] = types;
  if (rnd.chance(85)) {
    json means = json::array();
    for (const char* m : c.means) {
      if (rnd.chance(55)) means.push_back(m);
    }
    for (const char* m : kAllMeans) {
      if (rnd.chance(6)) means.push_back(m);
    }
    if (means.empty()) means.push_back(c.means.front());
    profile["means"] = means;
  }
  if (rnd.chance(75)) profile["recruiter_relations"] = {rnd.pick(c.recruiters)};

  json input = {{"person", person}, {"profile", profile}, {"legs", legs}};
  if (!c.immigration.empty() && rnd.chance(60)) {
    input["immigration_status"] = rnd.pick(c.immigration);
  }
  // Forced criminality (cannabis farms, transporting drugs) and offences committed as a direct
  // result of being trafficked: not to be punished.
  input["non_punishment"] = exploitation.back() == "other" ? rnd.chance(80) : rnd.chance(8);
  if (caseworker && rnd.chance(40)) input["assigned_to"] = *caseworker;
  return input;
}

// The status a case of that registration year has reached, and why.
std::pair<const char*, const char*> progress(Random& rnd, int year) {
  const int r = rnd.below(100);
  const int closed = year <= 2021 ? 50 : year <= 2023 ? 15 : 0;
  const int assisted = year <= 2021 ? 30 : year <= 2023 ? 35 : 20;
  const int referred = year <= 2021 ? 10 : 30;
  if (r < closed) {
    return {"closed", rnd.chance(60) ? "recovery plan completed; reintegration follow-up ended"
                                     : "voluntary return completed with reintegration support"};
  }
  if (r < closed + assisted) return {"assisted", "in shelter with medical and legal assistance"};
  if (r < closed + assisted + referred) return {"referred", "referred to specialised assistance"};
  return {"identified", ""};
}

}  // namespace

void load_demo_cases(Runtime& rt, std::int64_t organisation_id, const auth::Principal& by,
                     std::size_t count) {
  // Only the organisation's coordinators and caseworkers create its cases: the operator acts
  // as the organisation's first coordinator.
  auth::Principal author = by;
  cases::Placement organisation;
  organisation.organisation_id = organisation_id;
  std::optional<std::int64_t> caseworker;
  for (const auto& u : rt.auth->users(organisation_id)) {
    if (u.disabled) continue;
    if (u.role == auth::Role::caseworker && !caseworker) caseworker = u.id;
    if (u.role == auth::Role::coordinator &&
        cases::access(author, organisation) != cases::Access::full) {
      author = auth::Principal{};
      author.role = u.role;
      author.user_id = u.id;
      author.organisation_id = u.organisation_id;
      author.username = u.username;
    }
  }
  Random rnd(20240613);  // fixed: the demo is the same every time
  int total_weight = 0;
  for (const auto& c : corridors()) total_weight += c.weight;
  std::vector<cases::Record> records;
  std::vector<int> years;
  records.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    int w = rnd.below(static_cast<std::size_t>(total_weight));
    const Corridor* c = &corridors().front();
    for (const auto& candidate : corridors()) {
      if ((w -= candidate.weight) < 0) {
        c = &candidate;
        break;
      }
    }
    const json input = one_case(rnd, *c, caseworker);
    years.push_back(input["profile"]["year_of_registration"].get<int>());
    records.push_back(cases::validate(input));
  }
  const auto ids = rt.cases->insert_many(author, organisation_id, records);
  // Some people agreed to have their case shared with the police: those show law
  // enforcement's view (non-punishment flag, no immigration status).
  const auto police = rt.auth->find_organisation("Police Anti-Trafficking Unit");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto [status, reason] = progress(rnd, years[i]);
    if (std::string(status) != "identified") rt.cases->set_status(author, ids[i], status, reason);
    if (police && std::string(status) == "referred" && i % 2 == 0) {
      rt.cases->refer(author, ids[i],
                      {{"to_organisation", police->id},
                       {"purpose", "criminal investigation"},
                       {"consent", true}});
    }
  }
}

}  // namespace ctis::cli
