// Request helpers, Response, Router and Metrics without sockets.
#include <gtest/gtest.h>

#include <regex>
#include <thread>
#include <vector>

#include "http/http.h"

namespace ctis::http {
namespace {

Request make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

TEST(Request, HeaderIsCaseInsensitive) {
  Request r;
  r.headers = {{"content-type", "text/plain"}, {"x-a", "1"}, {"x-a", "2"}};
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_EQ(r.header("X-A"), "1");
  EXPECT_EQ(r.header("missing"), "");
}

TEST(Request, QueryParamDecodes) {
  Request r;
  r.query = "q=hello+world&name=J%C3%BCrgen&empty=&flag&bad=%zz&a%20b=c";
  EXPECT_EQ(r.query_param("q"), "hello world");
  EXPECT_EQ(r.query_param("name"), "J\xC3\xBCrgen");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("bad"), "%zz");  // kept as written
  EXPECT_EQ(r.query_param("a b"), "c");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
}

TEST(Request, Cookie) {
  Request r;
  r.headers = {{"cookie", "a=1; session=abc.def ;  other=\"quoted\""}};
  EXPECT_EQ(r.cookie("session"), "abc.def");
  EXPECT_EQ(r.cookie("other"), "quoted");
  EXPECT_EQ(r.cookie("a"), "1");
  EXPECT_EQ(r.cookie("sess"), "");
}

TEST(Request, JsonParsesAndRejects) {
  Request r;
  r.body = R"({"a":[1,2]})";
  EXPECT_EQ(r.json()["a"][1], 2);

  r.body = R"({"a": tru})";
  try {
    (void)r.json();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_EQ(e.code(), "invalid_json");
    EXPECT_NE(std::string(e.what()).find("at byte"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("tru"), std::string::npos) << "echoes the body";
  }

  r.body = "\"\xff\"";
  try {
    (void)r.json();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_json");
  }

  r.body = std::string(100, '[') + std::string(100, ']');
  EXPECT_THROW((void)r.json(), Error);
}

TEST(Response, ErrorShape) {
  auto with_field = Response::error(Error(ErrorKind::invalid, "invalid", "bad email", "/email"));
  EXPECT_EQ(with_field.status, 400);
  EXPECT_EQ(nlohmann::json::parse(with_field.body),
            nlohmann::json::parse(
                R"({"error":{"code":"invalid","message":"bad email","field":"/email"}})"));
  auto without = Response::error(Error(ErrorKind::conflict, "duplicate", "exists"));
  EXPECT_EQ(without.status, 409);
  EXPECT_FALSE(nlohmann::json::parse(without.body)["error"].contains("field"));
  EXPECT_EQ(Response::error(Error(ErrorKind::unavailable, "x", "y")).status, 503);
  EXPECT_EQ(Response::no_content().status, 204);
  EXPECT_EQ(Response::json(201, {{"id", 1}}).body, R"({"id":1})");
}

TEST(Router, CapturesLiteralsAndMethods) {
  Router router;
  auto tag = [](std::string t) {
    return [t](Request& req) {
      nlohmann::json params = req.params;
      return Response::json(200, {{"route", t}, {"params", params}});
    };
  };
  router.add("GET", "/api/v1/users/{id}", tag("user"));
  router.add("GET", "/api/v1/users/me", tag("me"));
  router.add("DELETE", "/api/v1/users/{id}", tag("delete"));
  router.add("GET", "/api/v1/{kind}/{id}/notes/{note}", tag("note"));
  router.add("POST", "/api/v1/users", tag("create"));

  auto body = [&](std::string method, std::string path) {
    Request r = make(std::move(method), std::move(path));
    return nlohmann::json::parse(router.dispatch(r).body);
  };
  EXPECT_EQ(body("GET", "/api/v1/users/42")["params"]["id"], "42");
  EXPECT_EQ(body("GET", "/api/v1/users/me")["route"], "me");  // literal beats capture
  EXPECT_EQ(body("DELETE", "/api/v1/users/me")["route"], "delete");
  auto note = body("GET", "/api/v1/cases/7/notes/9");
  EXPECT_EQ(note["params"], nlohmann::json({{"kind", "cases"}, {"id", "7"}, {"note", "9"}}));
  EXPECT_EQ(body("HEAD", "/api/v1/users/5")["route"], "user");  // HEAD uses GET

  Request missing = make("GET", "/api/v1/users/42/extra");
  EXPECT_EQ(router.dispatch(missing).status, 404);
  Request empty_capture = make("GET", "/api/v1/users/");
  EXPECT_EQ(router.dispatch(empty_capture).status, 404);

  Request wrong = make("PUT", "/api/v1/users/42");
  int status = 0;
  std::string allow;
  EXPECT_EQ(router.match(wrong, &status, &allow), nullptr);
  EXPECT_EQ(status, 405);
  EXPECT_EQ(allow, "GET, DELETE, HEAD");
  Response res = router.dispatch(wrong);
  EXPECT_EQ(res.status, 405);
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(nlohmann::json::parse(res.body)["error"]["code"], "method_not_allowed");
}

TEST(Metrics, RendersCountersAndCumulativeHistogram) {
  Metrics m;
  m.observe("/api/v1/users/{id}", 200, 0.0004);  // first bucket
  m.observe("/api/v1/users/{id}", 200, 0.003);   // 0.005
  m.observe("/api/v1/users/{id}", 404, 0.2);     // 0.25
  m.observe("/api/v1/users/{id}", 200, 9.0);     // only +Inf
  m.observe("/healthz", 200, 0.001);             // exactly on a bound counts in it
  m.set_gauge("ctis_cases_open", "Open cases.", 12);
  m.set_gauge("ctis_queue{name=\"mail\"}", "Queued jobs.", 3);
  m.set_gauge("ctis_queue{name=\"sms\"}", "Queued jobs.", 4);
  std::string text = m.render();

  auto has = [&](const std::string& line) {
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << "missing: " << line << "\n" << text;
  };
  has("# TYPE ctis_http_requests_total counter");
  has(R"(ctis_http_requests_total{route="/api/v1/users/{id}",status="200"} 3)");
  has(R"(ctis_http_requests_total{route="/api/v1/users/{id}",status="404"} 1)");
  has(R"(ctis_http_requests_total{route="/healthz",status="200"} 1)");
  has("# TYPE ctis_http_request_duration_seconds histogram");
  const std::string b = R"(ctis_http_request_duration_seconds_bucket{route="/api/v1/users/{id}",)";
  has(b + R"(le="0.0005"} 1)");
  has(b + R"(le="0.001"} 1)");
  has(b + R"(le="0.0025"} 1)");
  has(b + R"(le="0.005"} 2)");
  has(b + R"(le="0.1"} 2)");
  has(b + R"(le="0.25"} 3)");
  has(b + R"(le="2.5"} 3)");
  has(b + R"(le="+Inf"} 4)");
  has(R"(ctis_http_request_duration_seconds_count{route="/api/v1/users/{id}"} 4)");
  has(R"(ctis_http_request_duration_seconds_bucket{route="/healthz",le="0.001"} 1)");
  has(R"(ctis_http_request_duration_seconds_bucket{route="/healthz",le="0.0005"} 0)");
  has("# HELP ctis_cases_open Open cases.");
  has("# TYPE ctis_cases_open gauge");
  has("ctis_cases_open 12");
  has(R"(ctis_queue{name="mail"} 3)");
  has(R"(ctis_queue{name="sms"} 4)");
  EXPECT_EQ(text.find("# TYPE ctis_queue gauge"), text.rfind("# TYPE ctis_queue gauge"));

  std::smatch sum;
  ASSERT_TRUE(std::regex_search(
      text, sum, std::regex(R"re(_sum\{route="/api/v1/users/\{id\}"\} ([0-9.e+-]+))re")));
  EXPECT_NEAR(std::stod(sum[1]), 9.2034, 1e-9);

  m.set_gauge("ctis_cases_open", "Open cases.", 13);  // gauges are replaced, not added
  EXPECT_NE(m.render().find("ctis_cases_open 13\n"), std::string::npos);
}

TEST(Metrics, ConcurrentObserve) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < 5000; ++i) m.observe(i % 2 ? "/a" : "/b", 200 + t, 0.001);
    });
  }
  for (auto& t : threads) t.join();
  std::string text = m.render();
  EXPECT_NE(text.find(R"(ctis_http_request_duration_seconds_count{route="/a"} 10000)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(ctis_http_requests_total{route="/b",status="203"} 2500)"),
            std::string::npos);
}

}  // namespace
}  // namespace ctis::http
