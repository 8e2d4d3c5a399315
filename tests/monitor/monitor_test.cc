// The route monitor on both stores: the real Frontex file stored exactly as the reader reads
// it, all or nothing; re-imports replace; a surge planted into a real series raises exactly
// one alert, once.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fixture.h"

namespace ctis::monitor::testing {
namespace {

using store::Dialect;

class MonitorTest : public MonitorFixture {};

struct ReaderTotals {
  std::size_t rows = 0;
  std::int64_t detections = 0;
};

const ReaderTotals& frontex_totals() {
  static const ReaderTotals t = [] {
    ReaderTotals out;
    const auto data = routes::read_file(shared_file(frontex_file));
    for (const auto& r : std::get<routes::Detections>(data).rows) {
      ++out.rows;
      out.detections += r.detections.value;
    }
    return out;
  }();
  return t;
}

TEST_P(MonitorTest, StoresTheRealFrontexFileAsTheReaderReadsIt) {
  std::size_t progress_calls = 0;
  ImportOptions options;
  options.on_progress = [&](const ImportProgress&) { ++progress_calls; };
  const auto result = monitor_->import(admin_, shared_file(frontex_file), options);
  const auto& want = frontex_totals();
  ASSERT_GT(want.rows, 10000u);
  EXPECT_EQ(result.format, routes::Format::frontex);
  EXPECT_EQ(result.rows_stored, want.rows);
  EXPECT_EQ(result.rows_read, want.rows);
  EXPECT_EQ(result.rows_replaced, 0u);
  EXPECT_GT(progress_calls, 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), static_cast<std::int64_t>(want.rows));
  EXPECT_EQ(count("SELECT CAST(SUM(detections) AS BIGINT) FROM route_detections"), want.detections);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'route.import'"), 1);

  // The same source again replaces its rows: the counts do not double.
  const auto again = monitor_->import(admin_, shared_file(frontex_file));
  EXPECT_EQ(again.rows_replaced, want.rows);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), static_cast<std::int64_t>(want.rows));
  const auto imports = monitor_->imports();
  ASSERT_EQ(imports.size(), 1u);
  EXPECT_EQ(imports[0].id, again.import_id);
  EXPECT_EQ(imports[0].file_name, frontex_file);
  EXPECT_EQ(imports[0].format, "frontex");
  EXPECT_EQ(imports[0].imported_by, "admin");
}

TEST_P(MonitorTest, AFileWithABadRowStoresNothingAndNamesEveryBadRow) {
  const std::string csv =
      "\"route\",\"type\",\"nat\",\"t\",\"n\"\n"
      "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"2024-01-01\",12\n"
      "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"2024-02-01\",twelve\n"
      "\"Central Mediterranean Route\",\"Sea\",\"EGY\",\"2024-13-01\",3\n";
  std::istringstream in(csv);
  try {
    monitor_->import(admin_, in, "bad.csv");
    FAIL() << "a bad row was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    const std::string message = e.what();
    EXPECT_NE(message.find("row 3, column n"), std::string::npos) << message;
    EXPECT_NE(message.find("row 4, column t"), std::string::npos) << message;
    EXPECT_NE(message.find("2 bad rows"), std::string::npos) << message;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_imports"), 0);

  std::istringstream again(csv);
  ImportOptions skip;
  skip.skip_invalid = true;
  const auto result = monitor_->import(admin_, again, "bad.csv", skip);
  EXPECT_EQ(result.rows_stored, 1u);
  EXPECT_EQ(result.rows_skipped, 2u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM route_detections"), 1);
  EXPECT_EQ(count("SELECT rows_skipped FROM route_imports"), 2);
}

TEST_P(MonitorTest, SeriesFollowTheCorridorsWithCoverageAndLag) {
  std::istringstream in(
      "\"route\",\"type\",\"nat\",\"t\",\"n\"\n"
      "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"2024-01-01\",12\n"
      "\"Central Mediterranean Route\",\"Sea\",\"TUN\",\"2024-03-01\",<5\n"
      "\"Western Mediterranean Route\",\"Sea\",\"MAR\",\"2024-02-01\",7\n");
  monitor_->import(admin_, in, "small.csv");
  const auto view = monitor_->series("central_mediterranean", "TUN");
  ASSERT_EQ(view.points.size(), 3u);  // zero-filled from the first to the latest month
  EXPECT_EQ(view.points[0].period, "2024-01");
  EXPECT_EQ(view.points[0].count, 12);
  EXPECT_EQ(view.points[1].count, 0);
  EXPECT_EQ(view.points[1].coverage.reporting, 0u);
  EXPECT_EQ(view.points[1].coverage.known, 1u);
  EXPECT_EQ(view.points[2].count, 5);
  EXPECT_TRUE(view.points[2].censored);
  EXPECT_EQ(view.points[2].lag_days, 0);
  EXPECT_EQ(view.points[0].lag_days, 29 + 31);  // February 2024 and March
  EXPECT_THROW(monitor_->series("atlantis", "TUN"), Error);
  EXPECT_THROW(monitor_->series("central_mediterranean", "TUN", "c9"), Error);
  const auto corridors = monitor_->corridors();
  const auto cm = std::find_if(corridors.begin(), corridors.end(),
                               [](const auto& c) { return c.id == "central_mediterranean"; });
  ASSERT_NE(cm, corridors.end());
  EXPECT_EQ(cm->latest_period, "2024-03");
  EXPECT_EQ(cm->latest_total, 5);
}

// The largest nationality series of the corridor whose last alert_periods months have no
// alarm under the method and whose last month has at least `min_last` detections.
std::string quiet_series(Monitor& monitor, const std::string& corridor, const std::string& method,
                         std::int64_t min_last) {
  auto keys = monitor.series_keys();
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.total > b.total; });
  int tried = 0;
  for (const auto& k : keys) {
    if (k.corridor != corridor || ++tried > 4) continue;
    const auto view = monitor.series(corridor, k.nationality, method);
    const auto n = view.points.size();
    if (n < 4 || view.points[n - 1].count < min_last) continue;
    if (!view.points[n - 1].upper_bound) continue;
    if (view.points[n - 1].alarm || view.points[n - 2].alarm || view.points[n - 3].alarm) continue;
    return k.nationality;
  }
  return "";
}

TEST_P(MonitorTest, APlantedSurgeRaisesExactlyOneAlertOnce) {
  monitor_->import(admin_, shared_file(frontex_file));
  const std::string corridor = "central_mediterranean";
  const std::string nationality = quiet_series(*monitor_, corridor, "ears_c2", 20);
  ASSERT_FALSE(nationality.empty()) << "no quiet series to plant a surge into";

  alerts::NewSubscription sub;
  sub.user_id = analyst_.user_id;
  sub.channel = "app";
  sub.source = "routes";
  alerts_->subscribe(analyst_, sub);
  alerts::AlertRule rule;
  rule.name = "Central Mediterranean surge";
  rule.corridors = {corridor};
  rule.nationalities = {nationality};
  rule.method = "ears_c2";
  rule.min_count = 10;
  rule = alerts_->create_rule(analyst_, rule);

  const auto before = monitor_->evaluate(*alerts_);
  EXPECT_EQ(before.rules, 1u);
  EXPECT_EQ(before.series, 1u);
  EXPECT_EQ(before.alert_ids.size(), 0u);

  // Plant the surge as `ctis routes evaluate` does: add round(multiple x baseline) to the last
  // month, the baseline being the mean of the 12 months before it.
  const auto view = monitor_->series(corridor, nationality, "ears_c2");
  const auto& last = view.points.back();
  double baseline = 0;
  for (std::size_t i = view.points.size() - 13; i + 1 < view.points.size(); ++i) {
    baseline += static_cast<double>(view.points[i].count) / 12;
  }
  const auto added = static_cast<std::int64_t>(std::llround(10 * std::max(baseline, 1.0)));
  {
    auto conn = p_->db->connection();
    // One row of the month carries the surge (a route may list the month under Sea and Land).
    const auto row = conn->query_one(
        "SELECT MIN(sea) FROM route_detections WHERE nationality = ? AND month = ? AND "
        "route = 'Central Mediterranean Route'",
        {nationality, std::int64_t{last.start}});
    ASSERT_TRUE(row && !row->is_null(0));
    conn->execute(
        "UPDATE route_detections SET detections = detections + ? WHERE nationality = ? "
        "AND month = ? AND route = 'Central Mediterranean Route' AND sea = ?",
        {added, nationality, std::int64_t{last.start}, row->integer(0)});
  }
  const auto planted = monitor_->series(corridor, nationality, "ears_c2").points.back();
  ASSERT_EQ(planted.count, last.count + added);
  ASSERT_TRUE(planted.alarm);

  const auto report = monitor_->evaluate(*alerts_);
  ASSERT_EQ(report.alert_ids.size(), 1u);
  const auto inbox = alerts_->inbox(analyst_, true, 10);
  ASSERT_EQ(inbox.size(), 1u);
  const auto& alert = inbox[0].alert;
  EXPECT_EQ(alert.id, report.alert_ids[0]);
  EXPECT_EQ(alert.source, "routes");
  EXPECT_EQ(alert.kind, "surge");
  EXPECT_EQ(alert.tags.at("corridor"), corridor);
  EXPECT_EQ(alert.tags.at("nationality"), nationality);
  EXPECT_EQ(alert.tags.at("method"), "ears_c2");
  EXPECT_EQ(alert.detail.at("period"), last.period);
  EXPECT_EQ(alert.detail.at("count").get<double>(), static_cast<double>(planted.count));
  EXPECT_NEAR(alert.detail.at("upper_bound").get<double>(), *planted.upper_bound, 1e-9);
  EXPECT_LT(*planted.upper_bound, static_cast<double>(planted.count));

  // Evaluating again, even after the alerts' own dedup window, raises nothing new.
  now_ += 7LL * 24 * 3600 * 1000;
  const auto second = monitor_->evaluate(*alerts_);
  EXPECT_TRUE(second.alert_ids.empty());
  EXPECT_EQ(second.already_raised, 1u);
  EXPECT_EQ(alerts_->inbox(analyst_, false, 10).size(), 1u);
}

TEST_P(MonitorTest, MinCountGuardsAndOtherCorridorsStayQuiet) {
  monitor_->import(admin_, shared_file(frontex_file));
  alerts::AlertRule rule;
  rule.name = "Only huge surges";
  rule.corridors = {"central_mediterranean"};
  rule.method = "ears_c1";
  rule.min_count = 100'000'000;
  alerts_->create_rule(analyst_, rule);
  const auto report = monitor_->evaluate(*alerts_);
  EXPECT_GT(report.series, 5u);
  EXPECT_EQ(report.alarms, report.below_min_count);
  EXPECT_TRUE(report.alert_ids.empty());
}

TEST(Report, TheChartMarksEachAlarmAndTheCsvHasARowPerMonth) {
  SeriesView view;
  view.corridor = "central_mediterranean";
  view.nationality = "TUN";
  view.method = "ears_c1";
  for (int i = 0; i < 40; ++i) {
    SeriesPoint p;
    p.period = "m" + std::to_string(i);
    p.count = i == 39 ? 90 : 10;
    if (i >= 4) {
      p.expected = 10;
      p.upper_bound = 20;
      p.alarm = i == 39 || i == 2;  // the second is outside the 36 months charted
    }
    view.points.push_back(p);
  }
  const std::string svg = series_svg(view, "Central Mediterranean & TUN");
  std::size_t alarms = 0;
  for (std::size_t at = 0; (at = svg.find("class=\"alarm\"", at)) != std::string::npos; ++at) {
    ++alarms;
  }
  EXPECT_EQ(alarms, 1u);
  EXPECT_NE(svg.find("Central Mediterranean &amp; TUN"), std::string::npos);
  EXPECT_NE(svg.find("class=\"upper_bound\""), std::string::npos);
  EXPECT_NE(svg.find("m4"), std::string::npos);  // the first month charted
  const std::string csv = series_csv_rows(view);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 40);
  EXPECT_NE(csv.find("central_mediterranean,TUN,ears_c1,m39,90,0,10.00,20.00,1,"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Db, MonitorTest, ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::monitor::testing
