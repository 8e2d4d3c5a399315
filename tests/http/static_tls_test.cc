// StaticFiles (directly and through the server) and TLS.
#include <gtest/gtest.h>

#include "support.h"

namespace ctis::http::test {
namespace {

class StaticTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web.write("index.html", "<!doctype html><title>ctis</title>");
    web.write("app.js", "console.log(1)");
    web.write("style.css", "body{}");
    web.write("site.webmanifest", "{}");
    web.write("assets/app-3f2a.js", "export const a = 1");
    web.write("docs/index.html", "<p>docs</p>");
    web.write(".env", "SECRET=1");
    outside.write("secret.txt", "top secret");
    std::filesystem::create_symlink(outside.path() / "secret.txt", web.path() / "leak.txt");
    std::filesystem::create_symlink(web.path() / "app.js", web.path() / "alias.js");
  }

  std::optional<Response> serve(std::string path, std::string method = "GET",
                                std::string if_none_match = "") {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    if (!if_none_match.empty()) r.headers.emplace_back("if-none-match", if_none_match);
    return StaticFiles(web.path().string()).serve(r);
  }

  static std::string header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  TempDir web, outside;
};

TEST_F(StaticTest, ContentTypesAndCaching) {
  auto js = serve("/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(*js, "Cache-Control"), "no-cache");
  EXPECT_EQ(serve("/style.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(serve("/site.webmanifest")->content_type, "application/manifest+json");
  EXPECT_EQ(serve("/index.html")->content_type, "text/html; charset=utf-8");

  auto asset = serve("/assets/app-3f2a.js");
  ASSERT_TRUE(asset);
  EXPECT_EQ(header(*asset, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(StaticTest, EtagAndNotModified) {
  auto first = serve("/app.js");
  std::string etag = header(*first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  auto again = serve("/app.js", "GET", etag);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(header(*again, "ETag"), etag);
  EXPECT_EQ(serve("/app.js", "GET", "\"other\", W/" + etag)->status, 304);
  EXPECT_EQ(serve("/app.js", "GET", "\"other\"")->status, 200);
}

TEST_F(StaticTest, SpaFallbackAndMisses) {
  auto route = serve("/cases/12/edit");
  ASSERT_TRUE(route);
  EXPECT_EQ(route->body, "<!doctype html><title>ctis</title>");
  EXPECT_EQ(header(*route, "Cache-Control"), "no-cache");
  EXPECT_EQ(serve("/")->body, "<!doctype html><title>ctis</title>");
  EXPECT_EQ(serve("/docs")->body, "<p>docs</p>");
  EXPECT_EQ(serve("/assets/deep/link")->body, "<!doctype html><title>ctis</title>");
  EXPECT_EQ(header(*serve("/assets/deep/link"), "Cache-Control"), "no-cache");
  EXPECT_FALSE(serve("/missing.js"));  // an asset that is not there is a 404
  EXPECT_FALSE(serve("/app.js", "POST"));
  EXPECT_TRUE(serve("/app.js", "HEAD"));
}

TEST_F(StaticTest, NoEscapes) {
  EXPECT_FALSE(serve("/../" + outside.path().filename().string() + "/secret.txt"));
  EXPECT_FALSE(serve("/assets/../../etc/passwd"));
  EXPECT_FALSE(serve("/leak.txt"));  // symlink out of the root
  EXPECT_FALSE(serve("/.env"));
  EXPECT_FALSE(serve("/a\\..\\b.txt"));
  EXPECT_FALSE(serve(std::string("/app.js\0.txt", 12)));
  EXPECT_TRUE(serve("/alias.js"));  // symlink inside the root is fine
}

TEST_F(StaticTest, ThroughTheServer) {
  auto files = std::make_shared<StaticFiles>(web.path().string());
  Running srv({}, [files](Request& req) {
    if (auto r = files->serve(req)) return std::move(*r);
    return Response::error(404, "not_found", "not found");
  });
  Conn c(srv.port());
  Reply js = c.request(get("/app.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "no-cache");
  EXPECT_EQ(js.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(js.header("x-frame-options"), "DENY");
  EXPECT_TRUE(js.has("content-security-policy"));

  Reply nm = c.request(get("/app.js", "If-None-Match: " + js.header("etag") + "\r\n"));
  EXPECT_EQ(nm.status, 304);
  EXPECT_TRUE(nm.body.empty());
  EXPECT_EQ(nm.header("x-content-type-options"), "nosniff");

  Reply head = c.request("HEAD /app.js HTTP/1.1\r\nHost: t\r\n\r\n", true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "14");
  EXPECT_EQ(c.request(get("/assets/app-3f2a.js")).header("cache-control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(c.request(get("/some/client/route")).header("content-type"),
            "text/html; charset=utf-8");
  EXPECT_EQ(c.request(get("/leak.txt")).status, 404);
  EXPECT_EQ(c.request(get("/%2e%2e/secret.txt")).status, 400);
  EXPECT_EQ(c.request(get("/../secret.txt")).status, 400);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert = (dir.path() / "cert.pem").string();
    key = (dir.path() / "key.pem").string();
    make_self_signed(cert, key);
  }
  TempDir dir;
  std::string cert, key;
};

TEST_F(TlsTest, ServesHttpsWithHsts) {
  ServerOptions o;
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  Running srv(o, [](Request& req) {
    return Response::json(200, {{"tls", req.tls}, {"path", req.path}});
  });
  Conn c(srv.port(), true);
  Reply r = c.request(get("/x"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["tls"], true);
  EXPECT_EQ(r.header("strict-transport-security"), "max-age=31536000");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_EQ(c.request(get("/y")).json()["path"], "/y");  // keep-alive over TLS

  // Plain HTTP to the TLS port gets no HTTP answer.
  Conn plain(srv.port());
  plain.send(get("/x"));
  EXPECT_TRUE(plain.closed_within(2000ms));
}

TEST_F(TlsTest, PlainServerHasNoHsts) {
  Running srv({}, [](Request&) { return Response::json(200, {}); });
  Reply r = Conn(srv.port()).request(get("/"));
  EXPECT_FALSE(r.has("strict-transport-security"));
}

TEST_F(TlsTest, BadCertificateOrKey) {
  auto expect_tls_failed = [](ServerOptions o, const std::string& names) {
    o.listen = "127.0.0.1:0";
    Server s(o, [](Request&) { return Response::no_content(); });
    try {
      s.bind();
      FAIL() << "bind succeeded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unavailable);
      EXPECT_EQ(e.code(), "tls_failed");
      std::string what = e.what();
      EXPECT_NE(what.find(names), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  };
  auto files = [](std::string c, std::string k) {
    ServerOptions o;
    o.tls_cert_file = std::move(c);
    o.tls_key_file = std::move(k);
    return o;
  };
  std::string missing = (dir.path() / "nope.pem").string();
  expect_tls_failed(files(missing, key), missing);
  expect_tls_failed(files(cert, missing), missing);
  expect_tls_failed(files(key, key), key);  // a key is no certificate
  std::string other_cert = (dir.path() / "c2.pem").string();
  std::string other_key = (dir.path() / "k2.pem").string();
  make_self_signed(other_cert, other_key);
  expect_tls_failed(files(cert, other_key), other_key);
  expect_tls_failed(files(cert, ""), "key");
}

}  // namespace
}  // namespace ctis::http::test
