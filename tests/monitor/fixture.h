// The platform over a fresh database of either kind, the alerts module with a hand-moved clock,
// the route monitor, and the real route data sets from CTIS_SHARED_DATA.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "alerts/alerts.h"
#include "monitor/monitor.h"
#include "support/platform.h"

namespace ctis::monitor::testing {

// 2026-11-29T10:00:00Z
inline constexpr Millis t0 = 1'795'946'400'000;

inline std::string shared_file(const std::string& name) {
  const char* dir = std::getenv("CTIS_SHARED_DATA");
  if (!dir) ADD_FAILURE() << "CTIS_SHARED_DATA is not set";
  const std::string path = std::string(dir ? dir : "") + "/routes/" + name;
  if (!std::filesystem::exists(path)) ADD_FAILURE() << "data set missing: " << path;
  return path;
}

inline const char* frontex_file = "frontex_detections_route_nationality_monthly.csv";

class MonitorFixture : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<ctis::testing::Platform>(GetParam());
    alerts::Options ao;
    ao.clock = [this] { return now_; };
    alerts_ = std::make_unique<alerts::Alerts>(*p_->db, p_->keys, *p_->audit, ao);
    Options mo;
    mo.clock = [this] { return now_; };
    monitor_ = std::make_unique<Monitor>(*p_->db, *p_->audit, mo);
    admin_ = person("admin", "admin", "admin@ministry.example");
    analyst_ = person("analyst", "analyst", "analyst@ministry.example");
  }

  auth::Principal person(const std::string& name, const std::string& role,
                         const std::string& email) {
    return p_->person(name, role, "Ministry", email);
  }

  std::int64_t count(const std::string& sql) {
    return p_->db->connection()->query_one(sql)->integer(0);
  }

  std::unique_ptr<ctis::testing::Platform> p_;
  std::unique_ptr<alerts::Alerts> alerts_;
  std::unique_ptr<Monitor> monitor_;
  Millis now_ = t0;
  auth::Principal admin_, analyst_;
};

}  // namespace ctis::monitor::testing
