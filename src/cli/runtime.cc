#include "cli/runtime.h"

#include <sys/stat.h>

#include <filesystem>

namespace ctis::cli {

store::Options store_options(const Config& config) {
  store::Options options;
  options.url = config.store_url();
  options.pool_size = config.store.pool_size;
  options.synchronous_full = config.store.synchronous_full;
  options.busy_timeout_ms = config.store.busy_timeout_ms;
  return options;
}

Runtime open_runtime(const Config& config, Schema schema) {
  Runtime rt;
  rt.config = config;
  const std::string url = config.store_url();
  const bool sqlite = url.rfind("postgres", 0) != 0;
  if (sqlite) {
    std::error_code ec;
    std::filesystem::create_directories(config.data_dir, ec);
    if (ec) {
      fail_unavailable("data_dir",
                       "cannot create data folder " + config.data_dir + ": " + ec.message());
    }
    ::chmod(config.data_dir.c_str(), 0700);
  }
  store::Options options = store_options(config);
  // Only commands that may migrate create a database; the others report a missing one.
  options.create_if_missing = schema == Schema::migrate;
  rt.db = store::Database::open(options);

  const int have = store::schema_version(*rt.db);
  const int want =
      store::builtin_migrations().empty() ? 0 : store::builtin_migrations().back().version;
  if (schema == Schema::migrate) {
    store::migrate(*rt.db, store::builtin_migrations());  // logs what it applies
  } else if (have < want) {
    fail_unavailable("schema_outdated", "the database schema is at version " +
                                            std::to_string(have) + ", this program needs " +
                                            std::to_string(want) + ": run `ctis db migrate`");
  }
  bool fresh = true;
  {
    auto conn = rt.db->connection();
    fresh = conn->query_one("SELECT COUNT(*) FROM users")->integer(0) == 0;
  }
  rt.keys = vault::Keyring::open(config.keys_file(), fresh);
  rt.audit = std::make_unique<audit::AuditLog>(*rt.db);
  rt.auth = std::make_unique<auth::Auth>(*rt.db, rt.keys, *rt.audit, config.auth);
  rt.cases = std::make_unique<cases::Cases>(*rt.db, rt.keys, *rt.audit);
  rt.reports =
      std::make_unique<reports::Reports>(*rt.db, *rt.audit, report_settings(config), rt.keys);
  rt.alerts = std::make_unique<alerts::Alerts>(*rt.db, rt.keys, *rt.audit);
  rt.monitor = std::make_unique<monitor::Monitor>(*rt.db, *rt.audit);
  rt.exchange = std::make_unique<exchange::Exchange>(*rt.db, *rt.audit);
  return rt;
}

reports::Settings report_settings(const Config& config) {
  reports::Settings s;
  s.retention_days = config.reports.retention_days;
  s.submissions_per_second = config.reports.submissions_per_second;
  s.submission_burst = config.reports.submission_burst;
  s.wrong_codes_per_second = config.reports.wrong_codes_per_minute / 60.0;
  s.wrong_code_burst = config.reports.wrong_code_burst;
  // Key derivation follows the password hashing cost (fast only in tests).
  s.fast_key_derivation = config.auth.fast_password_hashing;
  return s;
}

}  // namespace ctis::cli
