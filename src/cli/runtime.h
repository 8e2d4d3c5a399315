// The running parts of one CTIS installation, opened from its configuration in the one order
// that is safe: data folder, database (migrated when asked), key file, audit log, auth.
#pragma once

#include <memory>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "cases/cases.h"
#include "core/config.h"
#include "exchange/exchange.h"
#include "monitor/monitor.h"
#include "reports/reports.h"
#include "store/store.h"
#include "vault/vault.h"

namespace ctis::cli {

struct Runtime {
  Config config;
  std::unique_ptr<store::Database> db;
  std::shared_ptr<vault::Keyring> keys;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<cases::Cases> cases;
  std::unique_ptr<reports::Reports> reports;
  std::unique_ptr<alerts::Alerts> alerts;
  std::unique_ptr<monitor::Monitor> monitor;     // stored route data and its rules
  std::unique_ptr<exchange::Exchange> exchange;  // linkage exchange
};

reports::Settings report_settings(const Config& config);

enum class Schema { must_be_current, migrate };

store::Options store_options(const Config& config);

// Opens everything. A new key file is created only while the database holds no user, so a
// lost key file is reported rather than silently replaced (which would orphan encrypted data).
Runtime open_runtime(const Config& config, Schema schema);

}  // namespace ctis::cli
