#include "cli/serve.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "http/http.h"

namespace ctis::cli {
namespace {

// Deletes reports past retention at start and then every hour, until stopped.
class RetentionSweep {
 public:
  explicit RetentionSweep(reports::Reports& reports)
      : thread_([this, &reports] {
          std::unique_lock lock(mutex_);
          do {
            lock.unlock();
            try {
              const std::string today = format_iso8601(now_millis()).substr(0, 10);
              if (const int n = reports.purge_expired(today); n > 0) {
                log_info("reports: deleted " + std::to_string(n) + " past retention");
              }
            } catch (const std::exception& e) {
              log_warn(std::string("reports: retention sweep failed: ") + e.what());
            }
            lock.lock();
          } while (!wake_.wait_for(lock, std::chrono::hours(1), [this] { return stop_; }));
        }) {}
  ~RetentionSweep() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

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
  api::App app(api::Services{rt.config, *rt.db, rt.keys, *rt.audit, *rt.auth, *rt.cases, metrics,
                             rt.reports.get()});
  http::Server server(server_options(rt.config),
                      [&app](http::Request& req) { return app.handle(req); });
  const auto port = server.bind();
  std::string host = rt.config.server.listen.substr(0, rt.config.server.listen.rfind(':'));
  const std::string url = (rt.config.server.tls_cert.empty() ? "http://" : "https://") + host +
                          ":" + std::to_string(port);
  RetentionSweep sweep(*rt.reports);
  log_info("serving " + rt.db->describe() + " on " + url);
  if (on_listening) on_listening(url);
  server.run();
  log_info("stopped");
}

}  // namespace ctis::cli
