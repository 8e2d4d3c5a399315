#include "core/config.h"

#include <toml++/toml.h>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <vector>

#include "core/core.h"

namespace ctis {
namespace {

// One settable key: how to parse it into a Config and how to print it back.
struct Key {
  const char* name;
  const char* env;  // nullptr: not settable from the environment
  std::function<void(Config&, const std::string&)> set;
  std::function<std::string(const Config&)> get;
  bool quoted;
};

std::int64_t parse_int(const std::string& key, const std::string& text, std::int64_t lo,
                       std::int64_t hi) {
  std::size_t used = 0;
  std::int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) fail_invalid(key, key + ": not a whole number: " + text);
  if (v < lo || v > hi) {
    fail_invalid(
        key, key + ": " + text + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return v;
}

bool parse_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  fail_invalid(key, key + ": expected true or false, got " + text);
}

template <class Section, class Field>
Key number(const char* name, const char* env, Section Config::*section, Field Section::*field,
           std::int64_t lo, std::int64_t hi) {
  return {name, env,
          [=](Config& c, const std::string& v) {
            (c.*section).*field = static_cast<Field>(parse_int(name, v, lo, hi));
          },
          [=](const Config& c) { return std::to_string((c.*section).*field); }, false};
}

template <class Section>
Key text(const char* name, const char* env, Section Config::*section, std::string Section::*field) {
  return {name, env, [=](Config& c, const std::string& v) { (c.*section).*field = v; },
          [=](const Config& c) { return (c.*section).*field; }, true};
}

template <class Section>
Key flag(const char* name, const char* env, Section Config::*section, bool Section::*field) {
  return {name, env,
          [=](Config& c, const std::string& v) { (c.*section).*field = parse_bool(name, v); },
          [=](const Config& c) { return std::string((c.*section).*field ? "true" : "false"); },
          false};
}

void check_listen(const std::string& key, const std::string& v) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    fail_invalid(key, key + ": expected host:port, got \"" + v + "\"");
  }
  parse_int(key, v.substr(colon + 1), 0, 65535);
}

const std::vector<Key>& keys() {
  static const std::vector<Key> all = [] {
    std::vector<Key> k;
    k.push_back({"data_dir", "CTIS_DATA_DIR",
                 [](Config& c, const std::string& v) {
                   if (v.empty()) fail_invalid("data_dir", "data_dir: must not be empty");
                   c.data_dir = v;
                 },
                 [](const Config& c) { return c.data_dir; }, true});
    k.push_back({"log_level", "CTIS_LOG_LEVEL",
                 [](Config& c, const std::string& v) {
                   if (v != "debug" && v != "info" && v != "warn" && v != "error") {
                     fail_invalid("log_level", "log_level: expected debug, info, warn or error");
                   }
                   c.log_level = v;
                 },
                 [](const Config& c) { return c.log_level; }, true});
    using S = Config::Server;
    k.push_back({"server.listen", "CTIS_LISTEN",
                 [](Config& c, const std::string& v) {
                   check_listen("server.listen", v);
                   c.server.listen = v;
                 },
                 [](const Config& c) { return c.server.listen; }, true});
    k.push_back(number("server.io_threads", nullptr, &Config::server, &S::io_threads, 1, 64));
    k.push_back(
        number("server.worker_threads", nullptr, &Config::server, &S::worker_threads, 1, 256));
    k.push_back(
        number("server.header_limit", nullptr, &Config::server, &S::header_limit, 1024, 1 << 20));
    k.push_back(number("server.body_limit", nullptr, &Config::server, &S::body_limit, 1024,
                       std::int64_t{1} << 30));
    k.push_back(number("server.read_timeout_ms", nullptr, &Config::server, &S::read_timeout_ms, 100,
                       600000));
    k.push_back(number("server.idle_timeout_ms", nullptr, &Config::server, &S::idle_timeout_ms, 100,
                       3600000));
    k.push_back(number("server.shutdown_grace_ms", nullptr, &Config::server, &S::shutdown_grace_ms,
                       0, 600000));
    k.push_back(text("server.tls_cert", "CTIS_TLS_CERT", &Config::server, &S::tls_cert));
    k.push_back(text("server.tls_key", "CTIS_TLS_KEY", &Config::server, &S::tls_key));
    k.push_back(text("server.web_root", "CTIS_WEB_ROOT", &Config::server, &S::web_root));
    using St = Config::Store;
    k.push_back(text("store.url", "CTIS_STORE_URL", &Config::store, &St::url));
    k.push_back(number("store.pool_size", nullptr, &Config::store, &St::pool_size, 1, 256));
    k.push_back(
        number("store.busy_timeout_ms", nullptr, &Config::store, &St::busy_timeout_ms, 0, 600000));
    k.push_back(flag("store.synchronous_full", nullptr, &Config::store, &St::synchronous_full));
    k.push_back(text("keys.file", "CTIS_KEYS_FILE", &Config::keys, &Config::Keys::file));
    using A = Config::Auth;
    k.push_back(number("auth.session_idle_minutes", nullptr, &Config::auth,
                       &A::session_idle_minutes, 1, std::int64_t{24} * 60));
    k.push_back(number("auth.session_max_hours", nullptr, &Config::auth, &A::session_max_hours, 1,
                       std::int64_t{24} * 30));
    k.push_back(
        number("auth.lockout_threshold", nullptr, &Config::auth, &A::lockout_threshold, 1, 100));
    k.push_back(number("auth.lockout_base_seconds", nullptr, &Config::auth,
                       &A::lockout_base_seconds, 1, 3600));
    k.push_back(flag("auth.fast_password_hashing", "CTIS_FAST_PASSWORD_HASHING", &Config::auth,
                     &A::fast_password_hashing));
    using R = Config::Reports;
    k.push_back(
        number("reports.retention_days", nullptr, &Config::reports, &R::retention_days, 1, 3650));
    k.push_back(number("reports.submissions_per_second", nullptr, &Config::reports,
                       &R::submissions_per_second, 1, 100000));
    k.push_back(number("reports.submission_burst", nullptr, &Config::reports, &R::submission_burst,
                       1, 1000000));
    k.push_back(number("reports.wrong_codes_per_minute", nullptr, &Config::reports,
                       &R::wrong_codes_per_minute, 1, 100000));
    k.push_back(number("reports.wrong_code_burst", nullptr, &Config::reports, &R::wrong_code_burst,
                       1, 100000));
    using Al = Config::Alerts;
    k.push_back(text("alerts.smtp_host", "CTIS_SMTP_HOST", &Config::alerts, &Al::smtp_host));
    k.push_back(number("alerts.smtp_port", nullptr, &Config::alerts, &Al::smtp_port, 1, 65535));
    k.push_back(text("alerts.from_address", nullptr, &Config::alerts, &Al::from_address));
    return k;
  }();
  return all;
}

const Key* find_key(const std::string& name) {
  for (const auto& k : keys()) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

std::string node_text(const toml::node& node, const std::string& name) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  fail_invalid(name, name + ": expected a string, number or boolean");
}

void apply_table(Config& c, const toml::table& table, const std::string& prefix) {
  for (const auto& [k, node] : table) {
    const std::string name =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      apply_table(c, *sub, name);
      continue;
    }
    const Key* key = find_key(name);
    if (!key) fail_invalid(name, "unknown configuration key: " + name);
    key->set(c, node_text(node, name));
  }
}

}  // namespace

std::string Config::store_url() const {
  return store.url.empty() ? "sqlite:" + data_dir + "/ctis.db" : store.url;
}

std::string Config::keys_file() const {
  return keys.file.empty() ? data_dir + "/keys/ctis.key" : keys.file;
}

Config load_config(const std::string& path, const std::map<std::string, std::string>& overrides) {
  Config c;
  if (!path.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      std::ostringstream where;
      where << path << ":" << e.source().begin.line << ":" << e.source().begin.column;
      fail_invalid(where.str(), "cannot read configuration " + where.str() + ": " +
                                    std::string(e.description()));
    }
    apply_table(c, table, "");
  }
  for (const auto& k : keys()) {
    if (!k.env) continue;
    if (const char* v = std::getenv(k.env); v && *v) k.set(c, v);
  }
  for (const auto& [name, value] : overrides) {
    const Key* key = find_key(name);
    if (!key) fail_invalid(name, "unknown configuration key: " + name);
    key->set(c, value);
  }
  if (c.server.tls_cert.empty() != c.server.tls_key.empty()) {
    fail_invalid("server.tls_key", "server.tls_cert and server.tls_key must be given together");
  }
  return c;
}

std::string mask_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "*****" + url.substr(at);
}

std::string print_config(const Config& c) {
  Config effective = c;
  effective.store.url = c.store_url();
  effective.keys.file = c.keys_file();
  std::ostringstream out;
  std::string section;
  for (const auto& k : keys()) {
    std::string name = k.name;
    const auto dot = name.find('.');
    const std::string sec = dot == std::string::npos ? "" : name.substr(0, dot);
    if (sec != section) {
      out << "\n[" << sec << "]\n";
      section = sec;
    }
    std::string value = k.get(effective);
    if (name == "store.url") value = mask_url(value);
    const std::string leaf = dot == std::string::npos ? name : name.substr(dot + 1);
    if (k.quoted) {
      out << leaf << " = " << toml::value<std::string>(value) << "\n";
    } else {
      out << leaf << " = " << value << "\n";
    }
  }
  return out.str();
}

}  // namespace ctis
