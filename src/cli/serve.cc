#include "cli/serve.h"

#include "api/api.h"
#include "http/http.h"

namespace ctis::cli {

http::ServerOptions server_options(const Config& c) {
  http::ServerOptions o;
  o.listen = c.server.listen;
  o.io_threads = c.server.io_threads;
  o.worker_threads = c.server.worker_threads;
  o.header_limit = static_cast<std::size_t>(c.server.header_limit);
  o.body_limit = static_cast<std::size_t>(c.server.body_limit);
  o.read_timeout_ms = c.server.read_timeout_ms;
  o.idle_timeout_ms = c.server.idle_timeout_ms;
  o.shutdown_grace_ms = c.server.shutdown_grace_ms;
  o.tls_cert_file = c.server.tls_cert;
  o.tls_key_file = c.server.tls_key;
  return o;
}

void serve(Runtime& rt, const std::function<void(const std::string& url)>& on_listening) {
  http::Metrics metrics;
  api::App app(api::Services{rt.config, *rt.db, rt.keys, *rt.audit, *rt.auth, *rt.cases, metrics});
  http::Server server(server_options(rt.config),
                      [&app](http::Request& req) { return app.handle(req); });
  const auto port = server.bind();
  std::string host = rt.config.server.listen.substr(0, rt.config.server.listen.rfind(':'));
  const std::string url = (rt.config.server.tls_cert.empty() ? "http://" : "https://") + host +
                          ":" + std::to_string(port);
  log_info("serving " + rt.db->describe() + " on " + url);
  if (on_listening) on_listening(url);
  server.run();
  log_info("stopped");
}

}  // namespace ctis::cli
