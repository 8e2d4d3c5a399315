// The public report form over real sockets: after a submission and a follow-up, neither the
// database nor the server's output holds anything about the reporter (address, user agent,
// exact time) or the report in clear; and the form keeps answering under a flood.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"
#include "support/test_db.h"

namespace ctis::testing {
namespace {

using nlohmann::json;
using store::Dialect;

const char* kUserAgent = "Marker-UA-7f3a";
const char* kForwardedFor = "198.51.100.23";
const char* kDescription = "Marker zq81: workers locked in at night";
const char* kPlace = "Marker-place-77";

std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::string& boundary) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ReportServerTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDb>(GetParam());
    data_ = (db_->dir() / "data").string();
    for (const auto& [name, role] : {std::pair{"admin", "admin"}, {"coord", "coordinator"}}) {
      const auto r =
          run_ctis({"user", "add", name, "--role", role, "--org", "Office", "--display-name", name,
                    "--password-stdin", "--data", data_, "--store-url", db_->url()},
                   "long password 123\n", env_);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
  void start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"serve",    "--data",   data_,        "--store-url",
                                  db_->url(), "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(args, env_);
  }
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "", std::map<std::string, std::string> h = {}) {
    return http_request("127.0.0.1", server_->port(), method, target, body, h);
  }
  // Signs in; returns {cookie, csrf}.
  std::pair<std::string, std::string> sign_in(const std::string& user) {
    const auto r = request("POST", "/api/v1/auth/login",
                           json{{"username", user}, {"password", "long password 123"}}.dump(),
                           {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string set = r.header("set-cookie");
    return {set.substr(13, set.find(';') - 13), json::parse(r.body)["csrf_token"]};
  }
  void make_coordinator_a_recipient() {
    const auto [cookie, csrf] = sign_in("admin");
    const auto users = json::parse(
        request("GET", "/api/v1/users", "", {{"Cookie", "ctis_session=" + cookie}}).body);
    std::int64_t coord = 0;
    for (const auto& u : users["users"]) {
      if (u["username"] == "coord") coord = u["id"];
    }
    const auto r = request("POST", "/api/v1/report-recipients", json{{"user_id", coord}}.dump(),
                           {{"Cookie", "ctis_session=" + cookie},
                            {"X-CSRF-Token", csrf},
                            {"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200) << r.body;
    sign_in("coord");  // the recipient's key pair is made at this sign-in
  }
  HttpResult submit(const std::string& description) {
    const std::string boundary = "----ctis-test-boundary";
    return request("POST", "/report",
                   multipart({{"lang", "en"},
                              {"work_type", "factory"},
                              {"signs", "cannot_leave"},
                              {"place", kPlace},
                              {"description", description},
                              {"website", ""}},
                             boundary),
                   {{"Content-Type", "multipart/form-data; boundary=" + boundary},
                    {"User-Agent", kUserAgent},
                    {"X-Forwarded-For", kForwardedFor},
                    {"Forwarded", std::string("for=") + kForwardedFor}});
  }

  std::map<std::string, std::string> env_ = {{"CTIS_FAST_PASSWORD_HASHING", "true"}};
  std::unique_ptr<TestDb> db_;
  std::string data_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_P(ReportServerTest, NothingAboutTheReporterIsKeptOrLogged) {
  start();
  make_coordinator_a_recipient();
  const auto page = request("GET", "/report?lang=ar", "", {{"User-Agent", kUserAgent}});
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("dir=\"rtl\""), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.header("cache-control"), "no-store");

  const auto sent = submit(kDescription);
  ASSERT_EQ(sent.status, 200) << sent.body;
  // The code is shown in groups (spans): its text without the markup.
  const auto at = sent.body.find("class=\"code\"");
  ASSERT_NE(at, std::string::npos) << sent.body;
  const std::string shown = std::regex_replace(
      sent.body.substr(at, sent.body.find("</p>", at) - at), std::regex("<[^>]*>|^[^>]*>"), "");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(shown, m, std::regex("[0-9A-Z]{4}(-[0-9A-Z]{4}){3}-[0-9A-Z]{4}")))
      << shown;
  const std::string code = m.str(0);
  const auto follow =
      request("POST", "/report/follow-up", "lang=en&code=" + code,
              {{"Content-Type", "application/x-www-form-urlencoded"}, {"User-Agent", kUserAgent}});
  ASSERT_EQ(follow.status, 200) << follow.body;
  const auto wrong = request("POST", "/report/follow-up", "lang=en&code=0000-0000-0000-0000-0000",
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(wrong.status, 404);
  EXPECT_EQ(server_->stop(), 0);

  // The server's output: no address, user agent, content or code.
  const std::string output = server_->output() + server_->stderr_text();
  std::string code_plain = code;
  std::erase(code_plain, '-');
  for (const std::string& needle : {std::string(kUserAgent), std::string(kForwardedFor),
                                    std::string("zq81"), std::string(kPlace), code, code_plain}) {
    EXPECT_EQ(output.find(needle), std::string::npos) << needle << " in the server output";
  }

  // The database: every value of every table, as text, holds none of it either; the report
  // tables hold no time finer than a day.
  const auto db = db_->open(1);
  auto conn = db->connection();
  const bool sqlite = GetParam() == Dialect::sqlite;
  std::vector<std::string> tables;
  for (const auto& row : conn->query(sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                                            : "SELECT table_name FROM information_schema.tables "
                                              "WHERE table_schema = current_schema()")) {
    tables.push_back(row.text(0));
  }
  ASSERT_GT(tables.size(), 5u);
  const std::regex time_of_day("\\d{2}:\\d{2}");
  int report_values = 0;
  for (const auto& table : tables) {
    for (const auto& row : conn->query("SELECT * FROM " + table)) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (row.is_null(i)) continue;
        const auto& v = row.values[i];
        std::string text;
        if (const auto* s = std::get_if<std::string>(&v)) text = *s;
        if (const auto* b = std::get_if<store::Blob>(&v)) text.assign(b->begin(), b->end());
        for (const std::string& needle : {std::string(kUserAgent), std::string(kForwardedFor),
                                          std::string("zq81"), std::string(kPlace), code}) {
          EXPECT_EQ(text.find(needle), std::string::npos) << needle << " in table " << table;
        }
        if (table.rfind("report", 0) == 0) {
          ++report_values;
          EXPECT_FALSE(std::regex_search(text, time_of_day)) << table << ": " << text;
          if (const auto* n = std::get_if<std::int64_t>(&v)) {
            EXPECT_LT(*n, 1'000'000'000'000) << table << " holds what looks like a time";
          }
        }
      }
    }
  }
  EXPECT_GT(report_values, 0);
  if (sqlite) {
    const std::string path = db_->url().substr(std::string("sqlite:").size());
    const std::string bytes = slurp_file(path) + slurp_file(path + "-wal");
    ASSERT_GT(bytes.size(), 0u);
    for (const std::string& needle :
         {std::string(kUserAgent), std::string(kForwardedFor), std::string("zq81"), code}) {
      EXPECT_EQ(bytes.find(needle), std::string::npos) << needle << " in the database file";
    }
  }
}

TEST_P(ReportServerTest, TheFormKeepsAnsweringUnderAFlood) {
  const auto config = db_->dir() / "flood.toml";
  std::ofstream(config) << "[reports]\nsubmissions_per_second = 20\nsubmission_burst = 40\n";
  start({"--config", config.string()});
  make_coordinator_a_recipient();

  std::atomic<int> accepted{0}, refused{0}, other{0}, pages_ok{0}, pages_bad{0};
  std::atomic<bool> flooding{true};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> flood;
  for (int t = 0; t < 6; ++t) {
    flood.emplace_back([&] {
      for (int i = 0; i < 60; ++i) {
        const auto r = submit("flood");
        (r.status == 200 ? accepted : r.status == 429 ? refused : other)++;
      }
    });
  }
  std::thread reader([&] {
    while (flooding) {
      (request("GET", "/report?lang=fr").status == 200 ? pages_ok : pages_bad)++;
    }
  });
  for (auto& t : flood) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  flooding = false;
  reader.join();

  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(accepted + refused, 360);
  EXPECT_LE(accepted.load(), 40 + static_cast<int>(20 * seconds) + 2);
  EXPECT_GT(pages_ok.load(), 0);
  EXPECT_EQ(pages_bad.load(), 0);
  // A refusal says why in the reporter's words, as a page.
  const auto busy = submit("one more");
  if (busy.status == 429) {
    EXPECT_NE(busy.body.find("<html"), std::string::npos);
  }
  // Once the flood is over the bucket refills and a person's report goes through.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(submit("after the flood").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportServerTest,
                         ::testing::Values(Dialect::sqlite, Dialect::postgresql), dialect_name);

}  // namespace
}  // namespace ctis::testing
