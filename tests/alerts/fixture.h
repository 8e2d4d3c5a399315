// The platform over a fresh database of either kind, a few people in two organisations, and
// the alerts module with a clock the tests move by hand.
#pragma once

#include <gtest/gtest.h>

#include "alerts/alerts.h"
#include "support/platform.h"

namespace ctis::alerts::testing {

// 2026-11-29T10:00:00Z
inline constexpr Millis t0 = 1'795'946'400'000;

class AlertsFixture : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<ctis::testing::Platform>(GetParam());
    Options options;
    options.clock = [this] { return now_; };
    alerts_ = std::make_unique<Alerts>(*p_->db, p_->keys, *p_->audit, options);
    admin_ = person("admin", "admin", "Ministry", "admin@ministry.example");
    coordinator_ = person("coord", "coordinator", "Ministry", "coord@ministry.example");
    worker_ = person("worker", "caseworker", "Ministry", "worker@ministry.example");
    analyst_ = person("analyst", "analyst", "Ministry", "analyst@ministry.example");
    outsider_ = person("outsider", "caseworker", "Shelter NGO", "");
  }

  auth::Principal person(const std::string& name, const std::string& role, const std::string& org,
                         const std::string& email) {
    return p_->person(name, role, org, email);
  }

  static NewAlert surge(const std::string& severity = "warning") {
    NewAlert a;
    a.source = "routes";
    a.kind = "surge";
    a.severity = severity;
    a.title = "Arrivals above the expected range";
    a.summary = "Central Mediterranean, week 47: 412 against an upper bound of 260.";
    a.detail = {{"observed", 412}, {"upper", 260.4}, {"method", "farrington"}};
    a.tags = {{"corridor", "central_mediterranean"}, {"nationality", "NGA"}};
    return a;
  }

  std::int64_t count(const std::string& sql) {
    return p_->db->connection()->query_one(sql)->integer(0);
  }

  Subscription sub(const auth::Principal& by, std::optional<std::int64_t> user,
                   const std::string& role, const std::string& channel,
                   const std::string& min_severity = "info") {
    NewSubscription s;
    s.user_id = user;
    s.role = role;
    s.channel = channel;
    s.min_severity = min_severity;
    return alerts_->subscribe(by, s);
  }

  std::unique_ptr<ctis::testing::Platform> p_;
  std::unique_ptr<Alerts> alerts_;
  Millis now_ = t0;
  auth::Principal admin_, coordinator_, worker_, analyst_, outsider_;
};

}  // namespace ctis::alerts::testing
