// config: the settings of one CTIS installation, read from a TOML file, then environment
// variables (CTIS_*), then command-line flags — later sources win.
//
// Loading validates every value and throws ctis::Error(invalid) naming the key ("server.listen")
// and the reason; unknown keys in the file are errors too, so a typo is never silently ignored.
// A Config is a plain value: copy it freely, share it read-only between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace ctis {

struct Config {
  std::string data_dir = "./ctis-data";  // holds the SQLite file and, by default, the key file

  struct Server {
    std::string listen = "127.0.0.1:8080";
    int io_threads = 1;
    int worker_threads = 16;
    std::int64_t header_limit = std::int64_t{16} * 1024;
    std::int64_t body_limit = std::int64_t{6} * 1024 * 1024;  // room for a 4 MiB attachment
    int read_timeout_ms = 15000;
    int idle_timeout_ms = 60000;
    int shutdown_grace_ms = 10000;
    std::string tls_cert;  // PEM files; both or neither
    std::string tls_key;
    std::string web_root;  // built web app; empty: the one next to the program or source tree
  } server;

  struct Store {
    std::string url;  // empty: sqlite:<data_dir>/ctis.db
    int pool_size = 8;
    int busy_timeout_ms = 5000;  // SQLite: how long to wait for another writer's lock
    bool synchronous_full = true;
  } store;

  struct Keys {
    std::string file;  // empty: <data_dir>/keys/ctis.key
  } keys;

  struct Auth {
    int session_idle_minutes = 30;
    int session_max_hours = 12;
    int lockout_threshold = 5;           // failed sign-ins before the account is locked
    int lockout_base_seconds = 60;       // first lock; doubles with each further failure, max 1 h
    bool fast_password_hashing = false;  // tests only: argon2id with minimum cost
  } auth;

  // Safe reporting (reports.h). Rates are global: nothing about the reporter is looked at.
  struct Reports {
    int retention_days = 90;           // closed or idle reports are deleted after this
    int submissions_per_second = 200;  // sustained rate of new reports, all reporters together
    int submission_burst = 400;
    int wrong_codes_per_minute = 120;  // follow-ups with an unknown receipt code
    int wrong_code_burst = 20;
  } reports;

  // Alerts (alerts.h): where e-mail goes. Webhooks are configured in the app.
  struct Alerts {
    std::string smtp_host = "127.0.0.1";
    int smtp_port = 25;
    std::string from_address = "ctis@localhost";
  } alerts;

  std::string log_level = "info";

  // Effective values after defaults that depend on data_dir.
  std::string store_url() const;
  std::string keys_file() const;
};

// Reads `path` (if non-empty; a missing named file is an error), then the environment, then
// `overrides` ("server.listen" -> "127.0.0.1:9000"), validating as it goes.
Config load_config(const std::string& path, const std::map<std::string, std::string>& overrides);

// The effective configuration as TOML, with secrets (passwords in URLs) masked.
std::string print_config(const Config& config);

// Masks the password of a URL such as postgresql://user:secret@host/db.
std::string mask_url(const std::string& url);

}  // namespace ctis
