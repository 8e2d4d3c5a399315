#include "reports/reports.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <thread>

#include "images.h"
#include "reports/internal.h"
#include "support/platform.h"

namespace ctis::reports {
namespace {

using store::Dialect;

const std::vector<std::string> kModuleTables = {
    "report_recipients", "report_sessions",    "reports",
    "report_contents",   "report_receipts",    "report_keys",
    "report_messages",   "report_attachments", "report_intake"};

std::string tiny_png() { return fixtures::png(); }

class ReportsTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<testing::Platform>(GetParam());
    coordinator_ = person("coord", "coordinator");
    worker_ = person("worker", "caseworker");
    analyst_ = person("analyst", "analyst");
    settings_.fast_key_derivation = true;
    settings_.wrong_code_delay_ms = 0;
    settings_.wrong_code_burst = 3;
    settings_.wrong_codes_per_second = 0.001;
    reports_ = std::make_unique<Reports>(*p_->db, *p_->audit, settings_, p_->keys);
  }

  auth::Principal person(const std::string& name, const std::string& role) {
    return p_->person(name, role, "Hotline");
  }

  // Makes `who` a recipient, signs them in and returns their unlocked key.
  UnlockedKey recipient(const auth::Principal& who, const std::string& secret) {
    reports_->add_recipient(coordinator_, who.user_id);
    reports_->open_session(who.user_id, kPassword, secret);
    auto key = reports_->session_key(secret);
    EXPECT_TRUE(key.has_value());
    return std::move(*key);
  }

  static Submission sample() {
    Submission s;
    s.place_country = "gr";
    s.place = "Olive farm near Kalamata";
    s.work_type = "agriculture";
    s.signs = {"no_id_documents", "cannot_leave"};
    s.affected = "adults";
    s.people_count = 12;
    s.when_seen = "this_week";
    s.description = "Workers sleep in a locked container and the boss keeps their passports.";
    return s;
  }

  std::int64_t count(const std::string& table) {
    auto lease = p_->db->connection();
    return lease->query_one("SELECT COUNT(*) FROM " + table)->integer(0);
  }

  static constexpr const char* kPassword = "password for tests";
  std::unique_ptr<testing::Platform> p_;
  auth::Principal coordinator_, worker_, analyst_;
  Settings settings_;
  std::unique_ptr<Reports> reports_;
};

template <typename Fn>
Error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error";
  return Error(ErrorKind::internal, "none", "no error");
}

TEST_P(ReportsTest, SubmitFollowUpAndThread) {
  const auto key = recipient(worker_, "worker-session");
  const auto receipt = reports_->submit(sample());
  EXPECT_TRUE(std::regex_match(receipt.code,
                               std::regex("^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$")))
      << receipt.code;

  auto view = reports_->follow_up(receipt.code);
  EXPECT_EQ(view.report_id, receipt.report_id);
  EXPECT_EQ(view.status, "received");
  EXPECT_EQ(view.messaging, "two_way");
  EXPECT_TRUE(std::regex_match(view.day, std::regex(R"(^\d{4}-\d{2}-\d{2}$)")));
  // Written down by hand: lower case, no dashes, O for 0 and l for 1.
  std::string sloppy;
  for (char c : receipt.code) {
    if (c == '-') continue;
    sloppy += c == '0' ? 'o' : c == '1' ? 'l' : static_cast<char>(std::tolower(c));
  }
  EXPECT_EQ(reports_->follow_up(" " + sloppy + " ").report_id, receipt.report_id);

  auto staff = reports_->read(worker_, key, receipt.report_id);
  EXPECT_EQ(staff.status, "in_review");
  EXPECT_EQ(staff.submission.place, "Olive farm near Kalamata");
  EXPECT_EQ(staff.submission.place_country, "GR");
  EXPECT_EQ(staff.submission.signs, (std::vector<std::string>{"no_id_documents", "cannot_leave"}));
  EXPECT_EQ(staff.submission.people_count, 12);
  EXPECT_EQ(staff.submission.description, sample().description);
  EXPECT_EQ(reports_->follow_up(receipt.code).status, "in_review");

  reports_->reply(worker_, key, receipt.report_id, "Thank you. Are they there now?", "thread");
  reports_->reply(worker_, key, receipt.report_id, "Matches the Kalamata pattern", "internal");
  view = reports_->add_information(receipt.code, "Yes, until Friday.\r\n<script>alert(1)</script>",
                                   {{"photo.jpg", tiny_png()}});
  ASSERT_EQ(view.thread.size(), 2U);
  EXPECT_EQ(view.thread[0].author, "staff");
  EXPECT_EQ(view.thread[0].text, "Thank you. Are they there now?");
  EXPECT_EQ(view.thread[0].staff_name, "");  // the reporter never learns who answered
  EXPECT_EQ(view.thread[1].author, "reporter");
  EXPECT_EQ(view.thread[1].text, "Yes, until Friday.\n<script>alert(1)</script>");
  ASSERT_EQ(view.thread[1].attachment_ids.size(), 1U);
  for (const auto& m : view.thread) EXPECT_NE(m.text, "Matches the Kalamata pattern");

  staff = reports_->read(worker_, key, receipt.report_id);
  ASSERT_EQ(staff.messages.size(), 3U);
  EXPECT_EQ(staff.messages[0].staff_name, "worker");
  EXPECT_EQ(staff.messages[1].visibility, "internal");
  ASSERT_EQ(staff.attachments.size(), 1U);
  EXPECT_EQ(staff.attachments[0].second, "photo.jpg");
  const auto file =
      reports_->attachment(worker_, key, receipt.report_id, staff.attachments[0].first);
  EXPECT_EQ(file.bytes, tiny_png());
  // Every staff read is audited, by record.
  std::set<std::string> actions;
  for (const auto& e : p_->audit->list(0, 100, "report:" + std::to_string(receipt.report_id))) {
    actions.insert(e.action);
    EXPECT_EQ(e.actor, "worker");
  }
  for (const char* a : {"report.read", "report.reply", "report.note"})
    EXPECT_TRUE(actions.count(a)) << a;

  const auto queue = reports_->queue(worker_, key);
  ASSERT_EQ(queue.size(), 1U);
  EXPECT_EQ(queue[0].work_type, "agriculture");
  EXPECT_EQ(queue[0].place_country, "GR");
  EXPECT_EQ(queue[0].signs, 2);
  EXPECT_EQ(queue[0].unread_from_reporter, 1);
}

TEST_P(ReportsTest, WrongCodesAreNotFoundThenRateLimited) {
  const auto receipt = reports_->submit(sample());
  for (int i = 0; i < 3; ++i) {
    const auto e =
        error_of([&] { reports_->follow_up("0000-0000-0000-0000-000" + std::to_string(i)); });
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
    EXPECT_EQ(e.code(), "unknown_receipt");
  }
  EXPECT_EQ(error_of([&] { reports_->follow_up("not a code at all"); }).kind(),
            ErrorKind::rate_limited);
  // While the bucket is empty even the right code is not checked: guessing learns nothing.
  EXPECT_EQ(error_of([&] { reports_->follow_up(receipt.code); }).code(), "too_many_wrong_codes");

  // A wrong code also costs time before the answer.
  Settings slow = settings_;
  slow.wrong_code_delay_ms = 60;
  Reports delayed(*p_->db, *p_->audit, slow);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of([&] { delayed.follow_up("0000-0000-0000-0000-0009"); }).kind(),
            ErrorKind::not_found);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(60));

  // The global submission bucket: a burst, then refusal, whoever is asking.
  Settings tight = settings_;
  tight.submission_burst = 2;
  tight.submissions_per_second = 0.001;
  Reports limited(*p_->db, *p_->audit, tight);
  limited.submit(sample());
  limited.submit(sample());
  const auto e = error_of([&] { limited.submit(sample()); });
  EXPECT_EQ(e.kind(), ErrorKind::rate_limited);
  EXPECT_EQ(e.code(), "too_many_reports");
}

TEST_P(ReportsTest, RecipientKeysAndAccess) {
  reports_->add_recipient(coordinator_, worker_.user_id);
  ASSERT_EQ(reports_->recipients().size(), 1U);
  EXPECT_FALSE(reports_->recipients()[0].has_key);
  reports_->open_session(worker_.user_id, kPassword, "s1");  // first sign-in makes the pair
  EXPECT_TRUE(reports_->recipients()[0].has_key);
  auto key = reports_->session_key("s1");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->user_id(), worker_.user_id);

  EXPECT_EQ(
      error_of([&] { reports_->open_session(worker_.user_id, "wrong password!", "s2"); }).kind(),
      ErrorKind::unauthorized);
  reports_->open_session(analyst_.user_id, kPassword, "s3");  // not a recipient: nothing
  EXPECT_FALSE(reports_->session_key("s3").has_value());
  EXPECT_EQ(error_of([&] { reports_->add_recipient(coordinator_, analyst_.user_id); }).field(),
            "user_id");
  EXPECT_EQ(error_of([&] { reports_->add_recipient(worker_, coordinator_.user_id); }).kind(),
            ErrorKind::forbidden);

  const auto receipt = reports_->submit(sample());
  // The coordinator has a key but joined after the report: not shared with them yet.
  const auto coord_key = recipient(coordinator_, "c1");
  EXPECT_EQ(error_of([&] { reports_->read(coordinator_, coord_key, receipt.report_id); }).code(),
            "not_a_recipient");
  EXPECT_EQ(error_of([&] { reports_->read(coordinator_, *key, receipt.report_id); }).code(),
            "report_key_locked");
  EXPECT_EQ(reports_->share_backlog(*key), 1);
  EXPECT_EQ(reports_->read(coordinator_, coord_key, receipt.report_id).report_id,
            receipt.report_id);

  // Removed recipients lose access at once.
  reports_->remove_recipient(coordinator_, worker_.user_id);
  EXPECT_FALSE(reports_->session_key("s1").has_value());
  EXPECT_FALSE(reports_->is_recipient(worker_.user_id));
  reports_->close_session("c1");
  EXPECT_FALSE(reports_->session_key("c1").has_value());
}

TEST_P(ReportsTest, MessagingModesAreEnforced) {
  const auto key = recipient(worker_, "w");
  const auto receipt = reports_->submit(sample());
  reports_->set_messaging(worker_, key, receipt.report_id, "one_way");
  EXPECT_EQ(error_of([&] { reports_->add_information(receipt.code, "more"); }).code(),
            "messaging_closed");
  reports_->reply(worker_, key, receipt.report_id, "We have passed this on.", "thread");
  EXPECT_EQ(reports_->follow_up(receipt.code).thread.size(), 1U);

  reports_->set_messaging(worker_, key, receipt.report_id, "off");
  EXPECT_EQ(
      error_of([&] { reports_->reply(worker_, key, receipt.report_id, "hi", "thread"); }).code(),
      "messaging_off");
  reports_->reply(worker_, key, receipt.report_id, "note to self", "internal");
  const auto view = reports_->follow_up(receipt.code);
  EXPECT_EQ(view.messaging, "off");
  EXPECT_TRUE(view.thread.empty());
  EXPECT_EQ(
      error_of([&] { reports_->set_messaging(worker_, key, receipt.report_id, "loud"); }).field(),
      "messaging");
}

// A report sent before any recipient has a key waits in intake (K under the data key) and is
// sealed to the first recipient at their sign-in; the intake copy is then gone.
TEST_P(ReportsTest, IntakeKeepsEarlyReportsForTheFirstRecipient) {
  reports_->add_recipient(coordinator_, worker_.user_id);  // added, no key until sign-in
  const auto receipt = reports_->submit(sample());
  EXPECT_EQ(count("report_keys"), 0);
  EXPECT_EQ(count("report_intake"), 1);
  EXPECT_EQ(reports_->release_intake(), 0);  // nobody to seal to yet: kept

  reports_->open_session(worker_.user_id, kPassword, "worker-session");
  EXPECT_EQ(count("report_intake"), 0);
  EXPECT_EQ(count("report_keys"), 1);
  const auto key = *reports_->session_key("worker-session");
  const auto view = reports_->read(worker_, key, receipt.report_id);
  EXPECT_EQ(view.submission.description, sample().description);
  const auto audit = p_->audit->list(0, 5);
  EXPECT_TRUE(std::any_of(audit.begin(), audit.end(),
                          [](const auto& e) { return e.action == "report.intake_release"; }));

  // Once a recipient has a key, nothing new goes to intake.
  reports_->submit(sample());
  EXPECT_EQ(count("report_intake"), 0);
}

TEST_P(ReportsTest, IntakeSurvivesKeyRotationAndPurge) {
  const auto kept = reports_->submit(sample());
  const auto expiring = reports_->submit(sample());
  ASSERT_EQ(count("report_intake"), 2);
  p_->keys->add_key();
  p_->db->transaction(
      [&](store::Connection& conn) { EXPECT_EQ(reports_->reencrypt(conn, *p_->keys), 2); });
  p_->keys->retire_inactive();  // the old data key is gone: only re-encrypted copies open
  {
    auto lease = p_->db->connection();
    lease->execute("UPDATE reports SET expires_day = '2000-01-01' WHERE id = ?",
                   {expiring.report_id});
  }
  EXPECT_EQ(reports_->purge_expired("2000-01-02"), 1);
  EXPECT_EQ(count("report_intake"), 1);

  const auto key = recipient(worker_, "worker-session");
  EXPECT_EQ(count("report_intake"), 0);
  EXPECT_EQ(reports_->read(worker_, key, kept.report_id).submission.description,
            sample().description);
}

// Without the installation's keyring there is no intake: an early report opens for staff only
// once its reporter follows it up with the receipt code.
TEST_P(ReportsTest, WithoutKeyringEarlyReportsWaitForTheReporter) {
  Reports plain(*p_->db, *p_->audit, settings_);
  const auto receipt = plain.submit(sample());
  EXPECT_EQ(count("report_intake"), 0);
  const auto key = recipient(worker_, "worker-session");
  EXPECT_EQ(count("report_keys"), 0);
  plain.follow_up(receipt.code);
  EXPECT_EQ(plain.read(worker_, key, receipt.report_id).submission.description,
            sample().description);
}

TEST_P(ReportsTest, TriageAndPurgeRespectLinkedReports) {
  const auto key = recipient(worker_, "w");
  const nlohmann::json c = p_->cases->create(
      worker_,
      {{"person", {{"given_name", "Test"}}},
       {"profile", {{"gender", "man"}, {"citizenship", "ALB"}, {"year_of_registration", 2026}}},
       {"legs", nlohmann::json::array()}});
  const auto linked = reports_->submit(sample());
  const auto closed = reports_->submit(sample());
  const auto untouched = reports_->submit(sample());
  auto v = reports_->link_to_case(worker_, key, linked.report_id, c["id"].get<std::int64_t>());
  EXPECT_EQ(v.status, "linked");
  EXPECT_EQ(v.expires_day, "");
  EXPECT_EQ(reports_->follow_up(linked.code).status, "in_review");
  EXPECT_EQ(
      error_of([&] { reports_->link_to_case(worker_, key, closed.report_id, 999999); }).field(),
      "case_id");
  v = reports_->close(worker_, key, closed.report_id, "Duplicate of an earlier report");
  EXPECT_EQ(v.close_reason, "Duplicate of an earlier report");
  EXPECT_EQ(reports_->follow_up(closed.code).status, "closed");
  EXPECT_EQ(error_of([&] { reports_->close(worker_, key, linked.report_id, "x"); }).code(),
            "report_linked");

  const std::string today = detail::today();
  EXPECT_EQ(reports_->purge_expired(detail::add_days(today, settings_.retention_days - 1)), 0);
  EXPECT_EQ(reports_->purge_expired(detail::add_days(today, settings_.retention_days)), 2);
  EXPECT_EQ(count("reports"), 1);
  EXPECT_EQ(count("report_receipts"), 1);
  EXPECT_EQ(count("report_contents"), 1);
  EXPECT_EQ(count("report_keys"), 1);
  EXPECT_EQ(count("report_messages"), 0);
  EXPECT_EQ(reports_->follow_up(linked.code).report_id, linked.report_id);
  EXPECT_EQ(error_of([&] { reports_->follow_up(untouched.code); }).kind(), ErrorKind::not_found);
  EXPECT_EQ(reports_->purge_expired("2999-01-01"), 0);   // linked reports never expire
  EXPECT_FALSE(reports_->session_key("w").has_value());  // stale session wraps go too
}

TEST_P(ReportsTest, DatabaseDumpRevealsNoReportAndOnlyDays) {
  const auto key = recipient(worker_, "w");
  Submission s = sample();
  s.description = "Zq7 hidden description of the farm owner Yannis";
  s.place = "Zq7 secret place Messinia";
  const auto receipt = reports_->submit(s);
  reports_->add_information(receipt.code, "Zq7 follow-up detail");
  reports_->reply(worker_, key, receipt.report_id, "Zq7 reply", "thread");
  reports_->close(worker_, key, receipt.report_id, "Zq7 closing note");
  const std::string canonical = *detail::normalize_receipt_code(receipt.code);
  const std::vector<std::string> needles = {"Zq7", "Yannis", "Messinia", receipt.code, canonical};

  auto lease = p_->db->connection();
  for (const auto& table : kModuleTables) {
    for (const auto& row : lease->query("SELECT * FROM " + table)) {
      for (const auto& value : row.values) {
        std::string bytes;
        if (const auto* t = std::get_if<std::string>(&value)) bytes = *t;
        if (const auto* b = std::get_if<store::Blob>(&value)) bytes.assign(b->begin(), b->end());
        for (const auto& n : needles)
          EXPECT_EQ(bytes.find(n), std::string::npos) << table << ": " << n;
      }
    }
  }
  if (GetParam() == Dialect::sqlite) {
    const auto path = p_->test_db.url().substr(std::string("sqlite:").size());
    for (const std::string& file : {path, path + "-wal"}) {
      std::ifstream in(file, std::ios::binary);
      const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (const auto& n : needles) EXPECT_EQ(raw.find(n), std::string::npos) << file << ": " << n;
    }
  }
  // Only days are kept: every day column holds YYYY-MM-DD, and no column holds a time.
  const std::regex day(R"(^\d{4}-\d{2}-\d{2}$)");
  for (const auto& table : kModuleTables) {
    std::vector<std::string> columns;
    if (GetParam() == Dialect::sqlite) {
      for (const auto& r : lease->query("SELECT name FROM pragma_table_info('" + table + "')")) {
        columns.push_back(r.text(0));
      }
    } else {
      for (const auto& r :
           lease->query("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                        {table})) {
        columns.push_back(r.text(0));
      }
    }
    ASSERT_FALSE(columns.empty()) << table;
    for (const auto& col : columns) {
      EXPECT_FALSE(std::regex_search(col, std::regex("(_at|time|stamp|created|updated)$")))
          << table << "." << col;
      if (col != "day" && !col.ends_with("_day")) continue;
      for (const auto& r :
           lease->query("SELECT " + col + " FROM " + table + " WHERE " + col + " IS NOT NULL")) {
        EXPECT_TRUE(std::regex_match(r.text(0), day)) << table << "." << col << " " << r.text(0);
      }
    }
  }
  // Public submissions leave no trace in the audit log; staff actions do.
  for (const auto& e : p_->audit->list(0, 100)) {
    EXPECT_NE(e.action, "report.submit");
    EXPECT_EQ(e.detail.find("Zq7"), std::string::npos);
  }
}

TEST_P(ReportsTest, PasswordChangeKeepsAccessAndForgottenKeysAreReshared) {
  const auto coord_key = recipient(coordinator_, "c");
  recipient(worker_, "w1");
  const auto receipt = reports_->submit(sample());

  reports_->change_password(worker_.user_id, kPassword, "a brand new password");
  EXPECT_EQ(error_of([&] { reports_->open_session(worker_.user_id, kPassword, "w2"); }).kind(),
            ErrorKind::unauthorized);
  reports_->open_session(worker_.user_id, "a brand new password", "w2");
  EXPECT_EQ(reports_->read(worker_, *reports_->session_key("w2"), receipt.report_id).report_id,
            receipt.report_id);

  // An administrator reset the password: the old key is gone, a new pair comes at sign-in.
  reports_->forget_key(coordinator_, worker_.user_id);
  EXPECT_FALSE(reports_->session_key("w2").has_value());
  reports_->open_session(worker_.user_id, "reset password 123", "w3");
  const auto new_key = reports_->session_key("w3");
  ASSERT_TRUE(new_key.has_value());
  EXPECT_EQ(error_of([&] { reports_->read(worker_, *new_key, receipt.report_id); }).code(),
            "not_a_recipient");
  EXPECT_EQ(reports_->share_backlog(coord_key), 1);
  EXPECT_EQ(reports_->read(worker_, *new_key, receipt.report_id).submission.description,
            sample().description);
}

// Group commit: a submission that fails in the writer (here a receipt lookup that already
// exists) fails alone, the others waiting with it are committed; and every submit that
// returned is durable.
TEST_P(ReportsTest, GroupCommitIsolatesFailuresAndIsDurable) {
  const auto first = reports_->submit(sample());
  std::string taken;
  {
    auto lease = p_->db->connection();
    taken =
        lease
            ->query_one("SELECT lookup FROM report_receipts WHERE report_id = ?", {first.report_id})
            ->text(0);
  }
  {
    detail::GroupWriter writer(*p_->db, settings_);
    constexpr int kItems = 16;
    std::vector<detail::Prepared> items(kItems);
    for (int i = 0; i < kItems; ++i) {
      items[i].channel = "web";
      items[i].k = detail::random_key();
      items[i].content = detail::content_json(sample());
      items[i].lookup = i == 7 ? taken : detail::receipt_lookup(std::to_string(i));
      items[i].wrap_key = detail::random_key();
    }
    std::vector<std::int64_t> ids(kItems, 0);
    std::vector<std::string> errors(kItems);
    std::vector<std::thread> threads;
    threads.reserve(kItems);
    for (int i = 0; i < kItems; ++i) {
      threads.emplace_back([&, i] {
        try {
          ids[i] = writer.write(items[i]);
        } catch (const Error& e) {
          errors[i] = e.code();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kItems; ++i) {
      if (i == 7) {
        EXPECT_EQ(errors[i], "conflict");
      } else {
        EXPECT_GT(ids[i], 0) << i << " " << errors[i];
      }
    }
    EXPECT_EQ(count("reports"), kItems);  // the first one and fifteen of these
    EXPECT_EQ(count("report_contents"), kItems);
  }
  recipient(worker_, "w");
  recipient(coordinator_, "c");
  const auto early_keys = count("report_keys");  // sealed from intake at the first sign-in
  constexpr int kThreads = 8;
  constexpr int kEach = 10;
  std::vector<std::vector<Receipt>> got(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) got[t].push_back(reports_->submit(sample()));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::int64_t> ids;
  for (const auto& v : got) {
    for (const auto& r : v) ids.insert(r.report_id);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kEach));
  reports_.reset();
  const auto reopened = p_->test_db.open(1);
  auto lease = reopened->connection();
  EXPECT_EQ(lease->query_one("SELECT COUNT(*) FROM reports")->integer(0), 16 + kThreads * kEach);
  EXPECT_EQ(lease->query_one("SELECT COUNT(*) FROM report_keys")->integer(0),
            early_keys + 2 * kThreads * kEach);
}

TEST_P(ReportsTest, BadInputIsRefusedAndNothingStored) {
  recipient(worker_, "w");
  const auto expect_field = [&](const Submission& s, const std::string& field) {
    const auto e = error_of([&] { reports_->submit(s); });
    EXPECT_EQ(e.field(), field) << e.what();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  };
  Submission s = sample();
  s.description = "bad \xC3\x28 bytes";
  expect_field(s, "description");
  s = sample();
  s.description = std::string(settings_.max_description + 1, 'a');
  expect_field(s, "description");
  s = sample();
  s.place = "tab\tok but bell \x07 not";
  expect_field(s, "place");
  s = sample();
  s.attachments.assign(settings_.max_attachments + 1, {"a.png", tiny_png()});
  expect_field(s, "attachments");
  s = sample();
  s.attachments = {{"ok.png", tiny_png()},
                   {"big.png", std::string(settings_.max_attachment_bytes + 1, 'x')}};
  expect_field(s, "attachments/2");
  EXPECT_EQ(error_of([&] { reports_->submit(s); }).kind(), ErrorKind::too_large);
  s = sample();
  s.attachments = {
      {"holiday.jpg", std::string("MZ\x90\x00\x03", 5) + "This program cannot be run"}};
  expect_field(s, "attachments/1");
  EXPECT_STREQ(error_of([&] { reports_->submit(s); }).what(),
               "attachments/1: not a JPEG or PNG image");
  s.attachments = {{"x.jpg", "<html><script>alert(1)</script></html>"}};
  expect_field(s, "attachments/1");
  s.attachments = {{"x.jpg", std::string("PK\x03\x04", 4) + "zipzip"}};
  expect_field(s, "attachments/1");
  s = sample();
  s.signs = {"cannot_leave", "flying_carpet"};
  expect_field(s, "signs/2");
  s = sample();
  s.work_type = "astronaut";
  expect_field(s, "work_type");
  s = sample();
  s.place_country = "XX";
  expect_field(s, "place_country");
  s = sample();
  s.place_country = "GRC";
  expect_field(s, "place_country");
  s = sample();
  s.people_count = 0;
  expect_field(s, "people_count");
  s = sample();
  s.channel = "phone";  // only staff enter phone reports
  expect_field(s, "channel");
  for (const auto& table : kModuleTables) {
    if (table == "report_recipients" || table == "report_sessions") continue;
    EXPECT_EQ(count(table), 0) << table;
  }
}

TEST_P(ReportsTest, StaffEnterPhoneReportsAudited) {
  const auto before = p_->audit->count();
  reports_->submit(sample());
  EXPECT_EQ(p_->audit->count(), before);  // public submissions are never audited
  Submission s = sample();
  s.channel = "phone";
  const auto receipt = reports_->submit_for(worker_, s);
  EXPECT_EQ(p_->audit->count(), before + 1);
  EXPECT_EQ(p_->audit->list(0, 1)[0].record, "report:" + std::to_string(receipt.report_id));
  EXPECT_EQ(error_of([&] { reports_->submit_for(analyst_, s); }).kind(), ErrorKind::forbidden);
  s.channel = "web";
  EXPECT_EQ(error_of([&] { reports_->submit_for(worker_, s); }).field(), "channel");
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportsTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::reports
