// The server over real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <atomic>

#include "support.h"

namespace ctis::http::test {
namespace {

void expect_security_headers(const Reply& r, bool tls = false) {
  EXPECT_EQ(r.header("server"), "ctis");
  EXPECT_EQ(r.header("content-security-policy"), ServerOptions{}.content_security_policy);
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_EQ(r.header("cross-origin-opener-policy"), "same-origin");
  EXPECT_EQ(r.has("strict-transport-security"), tls);
  EXPECT_TRUE(r.has("cache-control"));
}

void expect_error(const Reply& r, int status, std::string_view code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], code) << r.body;
  EXPECT_TRUE(body["error"]["message"].is_string());
}

ServerOptions listen_on(std::string listen) {
  ServerOptions o;
  o.listen = std::move(listen);
  return o;
}

// The application glue the api module is expected to write: a router plus a few test routes.
Handler test_app() {
  auto router = std::make_shared<Router>();
  router->add("GET", "/healthz", [](Request&) { return Response::json(200, {{"ok", true}}); });
  router->add("GET", "/users/{id}", [](Request& req) {
    return Response::json(200, {{"id", req.params.at("id")}, {"tls", req.tls}});
  });
  router->add("GET", "/users/me", [](Request&) { return Response::json(200, {{"me", true}}); });
  router->add("POST", "/echo", [](Request& req) { return Response::json(200, req.json()); });
  router->add("GET", "/query", [](Request& req) {
    return Response::json(200, {{"path", req.path},
                                {"q", req.query_param("q").value_or("-")},
                                {"sid", req.cookie("sid")}});
  });
  router->add("GET", "/throw/ctis", [](Request&) -> Response {
    throw Error(ErrorKind::not_found, "case_not_found", "no such case", "/id");
  });
  router->add("GET", "/throw/std", [](Request&) -> Response { throw std::runtime_error("boom"); });
  router->add("GET", "/slow", [](Request&) {
    std::this_thread::sleep_for(300ms);
    return Response::json(200, {{"slow", true}});
  });
  router->add("GET", "/cached", [](Request&) {
    Response r = Response::json(200, {});
    r.headers.emplace_back("Cache-Control", "max-age=60");
    r.headers.emplace_back("X-Bad", "a\r\nSet-Cookie: x=1");  // dropped, never split
    return r;
  });
  return [router](Request& req) { return router->dispatch(req); };
}

TEST(Server, RoutesCapturesAnd404And405) {
  Running srv({}, test_app());
  Conn c(srv.port());
  Reply r = c.request(get("/users/42"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["id"], "42");
  EXPECT_EQ(r.json()["tls"], false);
  expect_security_headers(r);
  EXPECT_EQ(r.header("cache-control"), "no-store");

  EXPECT_EQ(c.request(get("/users/me")).json()["me"], true);

  Reply nf = c.request(get("/nowhere"));
  expect_error(nf, 404, "not_found");
  expect_security_headers(nf);

  Reply na = c.request("DELETE /users/42 HTTP/1.1\r\nHost: t\r\n\r\n");
  expect_error(na, 405, "method_not_allowed");
  EXPECT_EQ(na.header("allow"), "GET, HEAD");
  expect_security_headers(na);
}

TEST(Server, QueryCookiesAndDecodedPath) {
  Running srv({}, test_app());
  Conn c(srv.port());
  Reply r = c.request(get("/q%75ery?q=a+b%21", "Cookie: x=1; sid=s3cr3t\r\n"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["path"], "/query");
  EXPECT_EQ(r.json()["q"], "a b!");
  EXPECT_EQ(r.json()["sid"], "s3cr3t");
}

TEST(Server, HandlerExceptionsBecomeJsonErrors) {
  Running srv({}, test_app());
  Conn c(srv.port());
  Reply r = c.request(get("/throw/ctis"));
  expect_error(r, 404, "case_not_found");
  EXPECT_EQ(r.json()["error"]["field"], "/id");

  Reply i = c.request(get("/throw/std"));
  expect_error(i, 500, "internal");
  EXPECT_EQ(i.json()["error"]["message"], "internal error");
  EXPECT_FALSE(i.json()["error"].contains("field"));
  expect_security_headers(i);
  EXPECT_EQ(c.request(get("/healthz")).status, 200);  // connection still usable
}

TEST(Server, ResponseHeadersFromHandler) {
  Running srv({}, test_app());
  Reply r = Conn(srv.port()).request(get("/cached"));
  EXPECT_EQ(r.header("cache-control"), "max-age=60");  // not overridden by no-store
  EXPECT_FALSE(r.has("x-bad"));
  EXPECT_FALSE(r.has("set-cookie"));
}

TEST(Server, InvalidJsonAndUtf8) {
  Running srv({}, test_app());
  Conn c(srv.port());
  Reply ok = c.request(post("/echo", R"({"name":"Ana"})"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.json()["name"], "Ana");
  expect_error(c.request(post("/echo", R"({"name":)")), 400, "invalid_json");
  expect_error(c.request(post("/echo", "{\"name\":\"\xff\xfe\"}")), 400, "invalid_json");
}

TEST(Server, BodyOverLimitIs413) {
  ServerOptions o;
  o.body_limit = 100;
  Running srv(o, test_app());
  Conn c(srv.port());
  Reply r = c.request(post("/echo", std::string(200, 'x')));
  expect_error(r, 413, "too_large");
  expect_security_headers(r);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.closed_within(2000ms));
  // At the limit is fine.
  Conn c2(srv.port());
  EXPECT_EQ(c2.request(post("/echo", "\"" + std::string(98, 'y') + "\"")).status, 200);
}

TEST(Server, ChunkedBodyOverLimitIs413) {
  ServerOptions o;
  o.body_limit = 10;
  Running srv(o, test_app());
  Conn c(srv.port());
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n" +
         std::string(20, 'a') + "\r\n0\r\n\r\n");
  expect_error(c.read(), 413, "too_large");
}

TEST(Server, HeadersOverLimitIs431) {
  ServerOptions o;
  o.header_limit = 1024;
  Running srv(o, test_app());
  Conn c(srv.port());
  Reply r = c.request(get("/healthz", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  expect_error(r, 431, "headers_too_large");
  expect_security_headers(r);
  EXPECT_TRUE(c.closed_within(2000ms));
}

TEST(Server, MalformedRequestIs400AndCloses) {
  Running srv({}, test_app());
  Conn c(srv.port());
  Reply r = c.request("THIS IS NOT HTTP\r\n\r\n");
  expect_error(r, 400, "bad_request");
  expect_security_headers(r);
  EXPECT_TRUE(c.closed_within(2000ms));

  Conn c2(srv.port());
  expect_error(c2.request("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"), 400, "bad_request");
}

TEST(Server, PathTraversalAndNulRejected) {
  Running srv({}, test_app());
  Conn c(srv.port());
  expect_error(c.request(get("/users/../healthz")), 400, "invalid_path");
  expect_error(c.request(get("/users/%2e%2E/healthz")), 400, "invalid_path");
  expect_error(c.request(get("/users/%2E%2E")), 400, "invalid_path");
  expect_error(c.request(get("/users/a%00b")), 400, "invalid_path");
  expect_error(c.request(get("/users/%zz")), 400, "invalid_path");
  expect_error(c.request(get("http://example.com/healthz")), 400, "invalid_path");
  EXPECT_EQ(c.request(get("/users/..x")).status, 200);  // only whole ".." segments
}

TEST(Server, KeepAliveAndPipelining) {
  Running srv({}, test_app());
  Conn c(srv.port());
  EXPECT_EQ(c.request(get("/healthz")).status, 200);
  Reply second = c.request(get("/users/7"));
  EXPECT_EQ(second.status, 200);
  EXPECT_FALSE(second.has("connection"));
  // Two requests in one write: two responses, in order.
  c.send(get("/users/1") + get("/users/2"));
  EXPECT_EQ(c.read().json()["id"], "1");
  EXPECT_EQ(c.read().json()["id"], "2");
  // HEAD: Content-Length of the GET body, no body.
  Reply head = c.request("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n", true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "11");
  EXPECT_EQ(c.request(get("/healthz")).body, R"({"ok":true})");  // nothing stray in between
  // Connection: close is honoured.
  Reply last = c.request(get("/healthz", "Connection: close\r\n"));
  EXPECT_EQ(last.header("connection"), "close");
  EXPECT_TRUE(c.closed_within(2000ms));
}

TEST(Server, Http10ClosesUnlessKeepAlive) {
  Running srv({}, test_app());
  Conn c(srv.port());
  Reply r = c.request("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(r.header("connection"), "keep-alive");
  Reply r2 = c.request("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r2.status, 200);
  EXPECT_TRUE(c.closed_within(2000ms));
}

TEST(Server, ExpectContinue) {
  Running srv({}, test_app());
  Conn c(srv.port());
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(c.read().status, 100);
  c.send("{}");
  EXPECT_EQ(c.read().status, 200);
}

TEST(Server, IdleTimeoutClosesConnection) {
  ServerOptions o;
  o.idle_timeout_ms = 200;
  Running srv(o, test_app());
  Conn c(srv.port());
  EXPECT_EQ(c.request(get("/healthz")).status, 200);
  auto start = Clock::now();
  EXPECT_TRUE(c.closed_within(2000ms));
  EXPECT_GE(Clock::now() - start, 150ms);

  Conn silent(srv.port());  // never sends anything
  EXPECT_TRUE(silent.closed_within(2000ms));
}

TEST(Server, ReadTimeoutOnSlowRequest) {
  ServerOptions o;
  o.read_timeout_ms = 200;
  o.idle_timeout_ms = 10000;
  Running srv(o, test_app());
  Conn c(srv.port());
  c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n");  // and never the blank line
  auto start = Clock::now();
  EXPECT_TRUE(c.closed_within(2000ms));
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_LT(Clock::now() - start, 1500ms);
}

TEST(Server, GracefulShutdownFinishesInFlightRequest) {
  ServerOptions o;
  o.shutdown_grace_ms = 5000;
  Running srv(o, test_app());
  Conn idle(srv.port());
  EXPECT_EQ(idle.request(get("/healthz")).status, 200);  // now idle in keep-alive

  Conn busy(srv.port());
  busy.send(get("/slow"));
  std::this_thread::sleep_for(100ms);  // the handler is sleeping now
  auto start = Clock::now();
  srv.server().stop();

  EXPECT_TRUE(idle.closed_within(1000ms));  // idle connections go at once
  Reply r = busy.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["slow"], true);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(busy.closed_within(1000ms));

  srv.thread().join();  // run() returned
  EXPECT_LT(Clock::now() - start, 2000ms);
  EXPECT_THROW(Conn{srv.port()}, std::system_error);  // refused
}

TEST(Server, ShutdownGraceIsBounded) {
  ServerOptions o;
  o.shutdown_grace_ms = 100;
  Running srv(o, test_app());
  Conn c(srv.port());
  c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n");  // mid-request, stays incomplete
  std::this_thread::sleep_for(50ms);
  auto start = Clock::now();
  srv.stop();
  EXPECT_LT(Clock::now() - start, 1000ms);
  EXPECT_TRUE(c.closed_within(500ms));
}

TEST(Server, StopBeforeRunReturnsPromptly) {
  Server server(listen_on("127.0.0.1:0"), test_app());
  server.bind();
  server.stop();
  server.run();  // must not block
  SUCCEED();
}

TEST(Server, ListenOnPortInUse) {
  Running first({}, test_app());
  ServerOptions o;
  o.listen = "127.0.0.1:" + std::to_string(first.port());
  Server second(o, test_app());
  try {
    second.bind();
    FAIL() << "bind succeeded on a busy port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
    EXPECT_EQ(e.code(), "listen_failed");
    EXPECT_EQ(std::string(e.what()), "cannot listen on " + o.listen + ": address already in use");
  }
  Server bad(listen_on("nonsense"), test_app());
  EXPECT_THROW(bad.bind(), Error);
}

TEST(Server, ListensOnIpv6Loopback) {
  Server server(listen_on("[::1]:0"), test_app());
  std::uint16_t port = 0;
  try {
    port = server.bind();
  } catch (const Error& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  EXPECT_NE(port, 0);
  EXPECT_EQ(server.port(), port);
}

TEST(Server, SeveralIoThreadsUnderConcurrency) {
  ServerOptions o;
  o.io_threads = 2;
  Running srv(o, test_app());
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      Conn c(srv.port());
      for (int i = 0; i < 50; ++i) {
        Reply r = c.request(get("/users/" + std::to_string(t * 100 + i)));
        if (r.status == 200 && r.json()["id"] == std::to_string(t * 100 + i)) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok, 400);
}

}  // namespace
}  // namespace ctis::http::test
