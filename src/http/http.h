// http: a small, hardened HTTP/1.1 server on Boost.Beast, knowing nothing of CTIS itself.
//
// The server parses requests with limits (header and body size), read and idle timeouts and
// keep-alive, hands each complete request to one Handler on a pool of worker threads (so the
// handler may block on the database), adds the security headers to every response, and on
// SIGTERM/SIGINT (or stop()) stops accepting, lets in-flight requests finish and closes.
// Optional TLS from PEM certificate and key files.
//
// Threads: run() blocks the caller; I/O runs on `io_threads`, handlers on `worker_threads`.
// The Handler must be thread-safe. Errors: run() throws ctis::Error(unavailable,
// "listen_failed") when the address cannot be bound, and (unavailable, "tls_failed") when the
// certificate or key cannot be loaded; a handler that throws gets a JSON 500 and a log line.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/core.h"

namespace ctis::http {

struct Request {
  std::string method;                                        // "GET"
  std::string target;                                        // "/api/v1/users/3?x=1" as received
  std::string path;                                          // "/api/v1/users/3", percent-decoded
  std::string query;                                         // "x=1"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool tls = false;
  std::map<std::string, std::string> params;  // filled by Router::dispatch from "{name}"

  // First header with this (case-insensitive) name, or "".
  std::string header(std::string_view name) const;
  // A query parameter, percent-decoded, or nullopt.
  std::optional<std::string> query_param(std::string_view name) const;
  // Value of one cookie from the Cookie header, or "".
  std::string cookie(std::string_view name) const;
  // The body parsed as JSON; throws Error(invalid, field "") for malformed JSON or bad UTF-8.
  nlohmann::json json() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;

  static Response json(int status, const nlohmann::json& body);
  static Response no_content();  // 204
  // {"error":{"code","message","field"?}} with the status for the error's kind.
  static Response error(const ctis::Error& error);
  static Response error(int status, std::string_view code, std::string_view message,
                        std::string_view field = {});
};

using Handler = std::function<Response(Request&)>;

// Method + path pattern routing: "/api/v1/users/{id}" captures "id". Literal segments win over
// captures. Unknown path: 404; known path with another method: 405 with Allow.
class Router {
 public:
  struct Route {
    std::string method;
    std::string pattern;
    Handler handler;
  };
  void add(std::string method, std::string pattern, Handler handler);
  // Finds the route, fills req.params and returns it; nullptr with *status set to 404 or 405.
  // HEAD falls back to the GET route (the server drops the body).
  const Route* match(Request& req, int* status, std::string* allow) const;
  // match() and call the route's handler; a JSON 404, or 405 with an Allow header, otherwise.
  Response dispatch(Request& req) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // per route, split pattern
};

// Serves files under a directory (the built web app): GET/HEAD only, no path escapes, correct
// content types, ETag / If-None-Match, long cache for hashed assets under /assets/, and
// index.html for unknown paths without an extension (client-side routing).
class StaticFiles {
 public:
  explicit StaticFiles(std::string root);
  std::optional<Response> serve(const Request& req) const;

 private:
  std::string root_;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";  // "host:port"; port 0 picks a free port
  int io_threads = 1;
  int worker_threads = 16;
  std::size_t header_limit = std::size_t{16} * 1024;  // bytes
  std::size_t body_limit = std::size_t{1024} * 1024;  // bytes; larger bodies get 413
  int read_timeout_ms = 15000;                        // whole request must arrive within this
  int idle_timeout_ms = 60000;                        // keep-alive connection idle limit
  int shutdown_grace_ms = 10000;                      // in-flight requests get this long on stop
  std::string tls_cert_file;                          // both set: HTTPS only
  std::string tls_key_file;
  // Content-Security-Policy and friends; HSTS is added when TLS is on.
  std::string content_security_policy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
      "form-action 'self'; frame-ancestors 'none'";
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  // Binds (throwing on failure) and returns the bound port; call before run().
  std::uint16_t bind();
  // Serves until stop() or SIGTERM/SIGINT; returns after the graceful drain: accepting stops,
  // idle keep-alive connections close, requests in progress finish and are answered with
  // "Connection: close". After shutdown_grace_ms the remaining connections are closed; a
  // handler still running then is waited for (it cannot be interrupted). Call once.
  void run();
  // Thread-safe; may be called from a handler or a signal context via asio, and before run()
  // (which then returns at once).
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Prometheus metrics: request counts by route and status, latency histogram by route, and any
// gauges the application registers. Thread-safe.
class Metrics {
 public:
  void observe(std::string_view route, int status, double seconds);
  void set_gauge(std::string_view name, std::string_view help, double value);
  // The text exposition format (version 0.0.4).
  std::string render() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_ = make_impl();
  static std::shared_ptr<Impl> make_impl();
};

}  // namespace ctis::http
