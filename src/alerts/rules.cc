// Route-monitor alert rules (stored and validated here, evaluated elsewhere) and the small
// helpers the other files share.
#include <algorithm>
#include <cmath>
#include <ctime>

#include "alerts/alerts.h"
#include "alerts/internal.h"
#include "core/refdata.h"
#include "routes/routes.h"

namespace ctis::alerts {

using nlohmann::json;
using store::Connection;

namespace detail {

int severity_rank(std::string_view severity) {
  if (severity == "info") return 0;
  if (severity == "warning") return 1;
  if (severity == "critical") return 2;
  return -1;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
  });
}

void check_text(const std::string& field, const std::string& value, std::size_t max_bytes,
                bool required, bool single_line) {
  if (required && value.find_first_not_of(" \t\r\n") == std::string::npos) {
    fail_invalid(field, field.substr(1) + " must not be empty");
  }
  if (value.size() > max_bytes) {
    fail_invalid(field,
                 field.substr(1) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (!valid_utf8(value)) fail_invalid(field, field.substr(1) + " is not valid UTF-8");
  if (single_line && value.find_first_of("\r\n") != std::string::npos) {
    fail_invalid(field, field.substr(1) + " must be one line");
  }
}

Url parse_url(const std::string& url, const std::string& field) {
  Url u;
  std::string_view rest = url;
  if (rest.rfind("http://", 0) == 0) {
    rest.remove_prefix(7);
  } else if (rest.rfind("https://", 0) == 0) {
    u.tls = true;
    rest.remove_prefix(8);
  } else {
    fail_invalid(field, "the URL must start with http:// or https://");
  }
  if (url.size() > 2000 || url.find_first_of(" \t\r\n\"<>\\") != std::string::npos) {
    fail_invalid(field, "the URL has spaces, quotes or control characters, or is too long");
  }
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target.front() == '?') u.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    fail_invalid(field, "the URL must not carry credentials; the secret signs the body");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail_invalid(field, "the URL's IPv6 host has no ']'");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') fail_invalid(field, "the URL's host is malformed");
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) fail_invalid(field, "the URL has no host");
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    const bool digits = port.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits || port.size() > 5 || std::stoi(std::string(port)) == 0 ||
        std::stoi(std::string(port)) > 65535) {
      fail_invalid(field, "the URL's port must be 1..65535");
    }
    u.port = std::string(port);
  }
  return u;
}

std::string day_of(Millis t) {
  const std::time_t seconds = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return out;
}

Millis day_start(const std::string& day) {
  std::tm tm{};
  const char* end = strptime(day.c_str(), "%Y-%m-%d", &tm);
  if (day.size() != 10 || end == nullptr || *end != '\0') {
    fail_invalid("/day", "day must be YYYY-MM-DD, not \"" + day.substr(0, 32) + "\"");
  }
  const Millis start = static_cast<Millis>(timegm(&tm)) * 1000;
  if (day_of(start) != day) fail_invalid("/day", "no such day: " + day);
  return start;
}

Alert read_alert(const store::Row& r, std::size_t first) {
  Alert a;
  a.id = r.integer(first);
  a.source = r.text(first + 1);
  a.kind = r.text(first + 2);
  a.severity = r.text(first + 3);
  a.title = r.text(first + 4);
  a.summary = r.text(first + 5);
  a.detail = json::parse(r.text(first + 6));
  a.tags = json::parse(r.text(first + 7)).get<std::map<std::string, std::string>>();
  a.record = r.text(first + 8);
  a.organisation_id = r.opt_integer(first + 9);
  a.repeats = r.integer(first + 10);
  a.raised_at = r.integer(first + 11);
  return a;
}

json alert_json(const Alert& a) {
  json j = {{"id", a.id},
            {"source", a.source},
            {"kind", a.kind},
            {"severity", a.severity},
            {"title", a.title},
            {"summary", a.summary},
            {"detail", a.detail},
            {"tags", a.tags},
            {"raised_at", format_iso8601(a.raised_at)}};
  if (!a.record.empty()) j["record"] = a.record;
  return j;
}

}  // namespace detail

// --- Rules -------------------------------------------------------------------------------------

namespace {

struct ParamSpec {
  const char* name;
  bool integer;
  double min, max;  // inclusive
};

// The parameters each method understands, with their allowed ranges; anything else is refused
// so that a typo does not silently fall back to a default.
const std::map<std::string, std::vector<ParamSpec>>& methods() {
  static const std::vector<ParamSpec> ears = {{"alpha", false, 1e-6, 0.5},
                                              {"baseline", true, 3, 104}};
  static const std::vector<ParamSpec> glm = {{"alpha", false, 1e-6, 0.5},
                                             {"b", true, 1, 10},
                                             {"w", true, 0, 26},
                                             {"past_weeks_not_included", true, 0, 52},
                                             {"trend", true, 0, 1}};
  static const std::map<std::string, std::vector<ParamSpec>> all = {
      {"ears_c1", ears}, {"ears_c2", ears},
      {"ears_c3", ears}, {"farrington", glm},
      {"noufaily", glm}, {"cusum", {{"k", false, 0, 100}, {"h", false, 1e-6, 1000}}}};
  return all;
}

void validate(AlertRule& r) {
  detail::check_text("/name", r.name, 100, true, true);
  if (!detail::is_identifier(r.source)) {
    fail_invalid("/source", "source must be 1..64 of [a-z0-9_.-], e.g. \"routes\"");
  }
  for (std::size_t i = 0; i < r.corridors.size(); ++i) {
    if (routes::find_corridor(r.corridors[i]) == nullptr) {
      fail_invalid("/corridors/" + std::to_string(i),
                   "unknown corridor \"" + r.corridors[i].substr(0, 64) + "\"");
    }
  }
  for (std::size_t i = 0; i < r.nationalities.size(); ++i) {
    const Country* c = find_country(r.nationalities[i]);
    if (c == nullptr) {
      fail_invalid("/nationalities/" + std::to_string(i),
                   "unknown ISO 3166 country \"" + r.nationalities[i].substr(0, 16) + "\"");
    }
    r.nationalities[i] = c->alpha3;
  }
  const auto m = methods().find(r.method);
  if (m == methods().end()) {
    fail_invalid("/method",
                 "method must be ears_c1, ears_c2, ears_c3, farrington, noufaily or "
                 "cusum, not \"" +
                     r.method.substr(0, 32) + "\"");
  }
  if (r.parameters.is_null()) r.parameters = json::object();
  if (!r.parameters.is_object()) fail_invalid("/parameters", "parameters must be a JSON object");
  for (const auto& item : r.parameters.items()) {
    const std::string& key = item.key();
    const auto& value = item.value();
    const auto& specs = m->second;
    const auto spec =
        std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return key == s.name; });
    const std::string field = "/parameters/" + key;
    if (spec == specs.end()) fail_invalid(field, "method " + r.method + " has no parameter " + key);
    if (!value.is_number()) fail_invalid(field, key + " must be a number");
    const double v = value.get<double>();
    if (spec->integer && std::floor(v) != v) fail_invalid(field, key + " must be a whole number");
    if (!(v >= spec->min && v <= spec->max)) {
      fail_invalid(field, key + " must be between " + json(spec->min).dump() + " and " +
                              json(spec->max).dump());
    }
  }
  if (r.min_count < 0) fail_invalid("/min_count", "min_count must not be negative");
  if (detail::severity_rank(r.severity) < 0) {
    fail_invalid("/severity", "severity must be info, warning or critical");
  }
}

void require_rule_writer(const auth::Principal& by) {
  if (by.role != auth::Role::admin && by.role != auth::Role::coordinator &&
      by.role != auth::Role::analyst) {
    throw Error(ErrorKind::forbidden, "forbidden",
                "only administrators, coordinators and analysts change alert rules");
  }
}

constexpr const char* rule_columns =
    "id, name, source, corridors, nationalities, method, parameters, min_count, severity, "
    "enabled";

AlertRule read_rule(const store::Row& r) {
  AlertRule rule;
  rule.id = r.integer(0);
  rule.name = r.text(1);
  rule.source = r.text(2);
  rule.corridors = json::parse(r.text(3)).get<std::vector<std::string>>();
  rule.nationalities = json::parse(r.text(4)).get<std::vector<std::string>>();
  rule.method = r.text(5);
  rule.parameters = json::parse(r.text(6));
  rule.min_count = r.integer(7);
  rule.severity = r.text(8);
  rule.enabled = r.integer(9) != 0;
  return rule;
}

}  // namespace

AlertRule Alerts::create_rule(const auth::Principal& by, const AlertRule& rule) {
  require_rule_writer(by);
  AlertRule r = rule;
  validate(r);
  const Millis now = options_.clock();
  db_.transaction([&](Connection& c) {
    r.id = c.query_one(
                "INSERT INTO alert_rules (name, source, corridors, nationalities, method, "
                "parameters, min_count, severity, enabled, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                {r.name, r.source, json(r.corridors).dump(), json(r.nationalities).dump(), r.method,
                 r.parameters.dump(), r.min_count, r.severity, std::int64_t{r.enabled ? 1 : 0},
                 by.user_id, now, now})
               ->integer(0);
    audit_.append(c, by.audit("alert_rule.create", "alert_rule:" + std::to_string(r.id)));
  });
  return r;
}

AlertRule Alerts::update_rule(const auth::Principal& by, std::int64_t id, const AlertRule& rule) {
  require_rule_writer(by);
  AlertRule r = rule;
  r.id = id;
  validate(r);
  db_.transaction([&](Connection& c) {
    const auto changed = c.execute(
        "UPDATE alert_rules SET name = ?, source = ?, corridors = ?, nationalities = ?, "
        "method = ?, parameters = ?, min_count = ?, severity = ?, enabled = ?, updated_at = ? "
        "WHERE id = ?",
        {r.name, r.source, json(r.corridors).dump(), json(r.nationalities).dump(), r.method,
         r.parameters.dump(), r.min_count, r.severity, std::int64_t{r.enabled ? 1 : 0},
         options_.clock(), id});
    if (changed == 0) {
      throw Error(ErrorKind::not_found, "not_found", "no alert rule " + std::to_string(id));
    }
    audit_.append(c, by.audit("alert_rule.update", "alert_rule:" + std::to_string(id)));
  });
  return r;
}

void Alerts::delete_rule(const auth::Principal& by, std::int64_t id) {
  require_rule_writer(by);
  db_.transaction([&](Connection& c) {
    if (c.execute("DELETE FROM alert_rules WHERE id = ?", {id}) == 0) {
      throw Error(ErrorKind::not_found, "not_found", "no alert rule " + std::to_string(id));
    }
    audit_.append(c, by.audit("alert_rule.delete", "alert_rule:" + std::to_string(id)));
  });
}

std::optional<AlertRule> Alerts::find_rule(std::int64_t id) {
  auto conn = db_.connection();
  const auto r = conn->query_one(
      std::string("SELECT ") + rule_columns + " FROM alert_rules WHERE id = ?", {id});
  if (!r) return std::nullopt;
  return read_rule(*r);
}

std::vector<AlertRule> Alerts::rules_for(const std::string& source) {
  auto conn = db_.connection();
  std::vector<AlertRule> out;
  for (const auto& r : conn->query(std::string("SELECT ") + rule_columns +
                                       " FROM alert_rules WHERE source = ? AND enabled = 1 "
                                       "ORDER BY id",
                                   {source})) {
    out.push_back(read_rule(r));
  }
  return out;
}

}  // namespace ctis::alerts
