#include "cli/serve.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "fiu/fiu.h"
#include "http/http.h"

namespace ctis::cli {
namespace {

// Runs `work` on a thread of its own at once and then every hour until destroyed. Each piece of
// work catches and logs its own failures, so one bad hour never stops the next.
class Hourly {
 public:
  explicit Hourly(std::function<void()> work)
      : work_(std::move(work)), thread_([this] {
          std::unique_lock lock(mutex_);
          do {
            lock.unlock();
            work_();
            lock.lock();
          } while (!wake_.wait_for(lock, std::chrono::hours(1), [this] { return stop_; }));
        }) {}
  Hourly(const Hourly&) = delete;
  Hourly& operator=(const Hourly&) = delete;
  ~Hourly() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::function<void()> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// Deletes reports past retention and sends yesterday's alert digests (each at most once per
// person and day, so repeating an hour is harmless).
void housekeeping(reports::Reports& reports, alerts::Dispatcher& dispatcher) {
  const Millis now = now_millis();
  try {
    const std::string today = format_iso8601(now).substr(0, 10);
    if (const int n = reports.purge_expired(today); n > 0) {
      log_info("reports: deleted " + std::to_string(n) + " past retention");
    }
  } catch (const std::exception& e) {
    log_warn(std::string("reports: retention sweep failed: ") + e.what());
  }
  try {
    const std::string yesterday =
        format_iso8601(now - std::int64_t{24} * 3600 * 1000).substr(0, 10);
    dispatcher.send_digests(yesterday, now);
  } catch (const std::exception& e) {
    log_warn(std::string("alerts: digests failed: ") + e.what());
  }
}

// The route monitor's alert rules over the stored route data. An alarm raises its alert once
// (monitor.h), so repeating an hour is harmless.
void watch_routes(monitor::Monitor& monitor, alerts::Alerts& alerts) {
  try {
    const auto r = monitor.evaluate(alerts);
    log_info("routes: " + std::to_string(r.rules) + " rules over " + std::to_string(r.series) +
             " series, " + std::to_string(r.alert_ids.size()) + " alerts raised");
  } catch (const std::exception& e) {
    log_warn(std::string("routes: rule evaluation failed: ") + e.what());
  }
}

alerts::DeliveryOptions delivery_options(Runtime& rt) {
  alerts::DeliveryOptions o;
  o.smtp_host = rt.config.alerts.smtp_host;
  o.smtp_port = static_cast<unsigned short>(rt.config.alerts.smtp_port);
  o.from_address = rt.config.alerts.from_address;
  auth::Auth& users = *rt.auth;
  o.email_of = [&users](std::int64_t user_id) -> std::optional<std::string> {
    const auto user = users.find_user(user_id);
    if (!user || user->email.empty() || user->disabled) return std::nullopt;
    return user->email;
  };
  return o;
}

// The FIU desk validates STRs against the FIU's goAML schema: the data folder's copy
// (finance/goAMLSchema.xsd) or the public 5.0.1 one under CTIS_SHARED_DATA.
fiu::Options desk_options(const Config& c) {
  fiu::Options o;
  const auto own = std::filesystem::path(c.data_dir) / "finance" / "goAMLSchema.xsd";
  const char* shared = std::getenv("CTIS_SHARED_DATA");
  if (std::filesystem::exists(own)) {
    o.goaml_xsd = own;
  } else if (shared != nullptr && *shared != '\0') {
    const auto p = std::filesystem::path(shared) / "finance" / "goaml-5.0.1" / "goAMLSchema.xsd";
    if (std::filesystem::exists(p)) o.goaml_xsd = p;
  }
  if (o.goaml_xsd.empty()) log_warn("finance desk: no goAML schema found, escalation is off");
  return o;
}

// The scan `ctis finance scan --data` (or the demo) kept enters the desk; loading it again is
// harmless (the desk recognises it).
void load_kept_scan(fiu::Desk& desk, const Config& c) {
  const auto folder = std::filesystem::path(c.data_dir) / "finance" / "scan";
  if (!std::filesystem::exists(folder / "ledger.bin")) return;
  try {
    const auto r = desk.load_scan_folder(auth::operator_principal(), folder);
    log_info("finance desk: scan " + std::to_string(r.scan_id) +
             (r.already_loaded ? " already loaded"
                               : " loaded, " + std::to_string(r.items) + " items, " +
                                     std::to_string(r.alerts) + " alerts"));
  } catch (const std::exception& e) {
    log_warn(std::string("finance desk: the kept scan was not loaded: ") + e.what());
  }
}

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
  api::Services services{rt.config, *rt.db,  rt.keys,          *rt.audit,      *rt.auth,
                         *rt.cases, metrics, rt.reports.get(), rt.alerts.get()};
  services.exchange = rt.exchange.get();
  services.monitor = rt.monitor.get();
  fiu::Desk desk(*rt.db, rt.keys, *rt.audit, rt.alerts.get(), desk_options(rt.config));
  load_kept_scan(desk, rt.config);
  services.fiu = &desk;
  // Projects whose last upload was stored but not matched (a crash in between) match now, on
  // the exchange's worker thread: the server does not wait for them to start.
  if (rt.exchange) rt.exchange->match_pending_in_background();
  api::App app(services);
  http::Server server(server_options(rt.config),
                      [&app](http::Request& req) { return app.handle(req); });
  const auto port = server.bind();
  std::string host = rt.config.server.listen.substr(0, rt.config.server.listen.rfind(':'));
  const std::string url = (rt.config.server.tls_cert.empty() ? "http://" : "https://") + host +
                          ":" + std::to_string(port);
  alerts::Dispatcher dispatcher(*rt.db, rt.keys, *rt.audit, delivery_options(rt));
  dispatcher.start();
  Hourly hourly_housekeeping([&rt, &dispatcher] { housekeeping(*rt.reports, dispatcher); });
  Hourly hourly_route_watch([&rt] { watch_routes(*rt.monitor, *rt.alerts); });
  log_info("serving " + rt.db->describe() + " on " + url);
  if (on_listening) on_listening(url);
  server.run();
  log_info("stopped");
}

}  // namespace ctis::cli
