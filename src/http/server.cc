// Server lifecycle: bind, accept, signals, graceful shutdown.
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include "http/internal.h"
#include "http/server_core.h"

namespace ctis::http {
namespace detail {

ServerCore::ServerCore(ServerOptions options, Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      workers_(static_cast<std::size_t>(std::max(1, options_.worker_threads))) {
  fixed_headers_ = security_headers(options_, false);
}

void ServerCore::set_tls(bool tls) { fixed_headers_ = security_headers(options_, tls); }

Response ServerCore::invoke(Request& req) noexcept {
  // Never the body in logs: only where it happened and what the exception says.
  auto where = [&req] { return "http: " + loggable(req.method) + " " + loggable(req.path) + ": "; };
  try {
    try {
      return handler_(req);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::internal) {
        log_error(where() + loggable(e.code()) + ": " + loggable(e.what(), 500));
      } else if (e.kind() == ErrorKind::unavailable) {
        log_warn(where() + loggable(e.code()) + ": " + loggable(e.what(), 500));
      }
      return Response::error(e);
    } catch (const std::exception& e) {
      log_error(where() + "unhandled exception: " + loggable(e.what(), 500));
    } catch (...) {
      log_error(where() + "unhandled non-standard exception");
    }
    return Response::error(500, "internal", "internal error");
  } catch (...) {
    // Building the error response failed (out of memory): the smallest possible answer.
    Response res;
    res.status = 500;
    res.body = R"({"error":{"code":"internal","message":"internal error"}})";
    return res;
  }
}

void ServerCore::add_session(const std::shared_ptr<SessionBase>& session) {
  std::lock_guard lock(sessions_mu_);
  sessions_.emplace(session.get(), session);
}

void ServerCore::remove_session(SessionBase* session) {
  bool drained = false;
  {
    std::lock_guard lock(sessions_mu_);
    sessions_.erase(session);
    drained = sessions_.empty() && stopping();
  }
  if (drained) on_sessions_drained();
}

std::size_t ServerCore::session_count() const {
  std::lock_guard lock(sessions_mu_);
  return sessions_.size();
}

void ServerCore::notify_sessions(bool force) {
  // Collect first: dropping the last reference to a session re-enters remove_session(), so no
  // shared_ptr may die while the registry lock is held.
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(sessions_mu_);
    live.reserve(sessions_.size());
    for (auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) {
    asio::post(s->executor(), [s, force] { s->on_stop(force); });
  }
}

}  // namespace detail

namespace {

using detail::asio::ip::tcp;
namespace asio = boost::asio;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

[[noreturn]] void tls_failed(const std::string& what, const std::string& file,
                             const boost::system::error_code& ec) {
  fail_unavailable("tls_failed",
                   one_line("cannot load TLS " + what + " " + file + ": " + ec.message()));
}

asio::ssl::context load_tls(const ServerOptions& opt) {
  if (opt.tls_cert_file.empty() || opt.tls_key_file.empty()) {
    fail_unavailable("tls_failed", "TLS needs both a certificate file and a key file");
  }
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::single_dh_use |
                  asio::ssl::context::no_compression);
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(opt.tls_cert_file, ec);
  if (ec) tls_failed("certificate", opt.tls_cert_file, ec);
  ctx.use_private_key_file(opt.tls_key_file, asio::ssl::context::pem, ec);
  if (ec) tls_failed("key", opt.tls_key_file, ec);
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    fail_unavailable("tls_failed", "TLS key " + opt.tls_key_file + " does not match certificate " +
                                       opt.tls_cert_file);
  }
  return ctx;
}

// "host:port" or "[v6]:port".
std::pair<std::string, std::string> split_listen(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find(']');
    if (close != std::string::npos && close + 1 < listen.size() && listen[close + 1] == ':') {
      host = listen.substr(1, close - 1);
      port = listen.substr(close + 2);
    }
  } else if (auto colon = listen.rfind(':'); colon != std::string::npos) {
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string::npos) {
    throw Error(ErrorKind::unavailable, "listen_failed",
                "cannot listen on " + listen + ": expected host:port");
  }
  return {host, port};
}

}  // namespace

struct Server::Impl final : detail::ServerCore {
  Impl(ServerOptions o, Handler h)
      : ServerCore(std::move(o), std::move(h)),
        ioc(std::max(1, options_.io_threads)),
        control(asio::make_strand(ioc)),
        acceptor(control),
        drain_timer(control) {}

  ~Impl() override { workers_.join(); }

  void on_sessions_drained() override {
    asio::post(control, [this] { drain_timer.cancel(); });
  }

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> drain();
  void begin_shutdown();  // on `control`

  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> control;  // acceptor, signals, drain
  tcp::acceptor acceptor;
  asio::steady_timer drain_timer;
  std::optional<asio::ssl::context> ssl;
  std::optional<asio::signal_set> signals;
  std::atomic<std::uint16_t> port{0};
  std::mutex bind_mu;
  bool bound = false;
  bool shutdown_started = false;  // on `control`
};

asio::awaitable<void> Server::Impl::accept_loop() {
  const bool multi = options_.io_threads > 1;
  while (!stopping()) {
    // With several io threads each connection gets a strand; with one, the plain executor.
    asio::any_io_executor ex = multi ? asio::any_io_executor(asio::make_strand(ioc))
                                     : asio::any_io_executor(ioc.get_executor());
    auto [ec, socket] = co_await acceptor.async_accept(ex, use_nothrow);
    if (ec) {
      if (stopping() || ec == asio::error::operation_aborted) co_return;
      // Typically out of file descriptors: back off instead of spinning.
      log_warn("http: accept failed: " + ec.message());
      asio::steady_timer pause(control, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);  // responses are written whole
    if (ssl) {
      detail::start_tls_session(*this, std::move(socket), *ssl);
    } else {
      detail::start_plain_session(*this, std::move(socket));
    }
  }
}

void Server::Impl::begin_shutdown() {
  if (shutdown_started) return;
  shutdown_started = true;
  boost::system::error_code ec;
  acceptor.close(ec);  // new connections are refused from here on
  if (signals) signals->cancel(ec);
  notify_sessions(false);
  asio::co_spawn(control, drain(), asio::detached);
}

asio::awaitable<void> Server::Impl::drain() {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(options_.shutdown_grace_ms);
  bool forced = false;
  while (session_count() > 0) {
    // Woken early by on_sessions_drained() when the last connection goes away.
    drain_timer.expires_at(forced ? clock::now() + std::chrono::hours(24) : deadline);
    co_await drain_timer.async_wait(use_nothrow);
    if (!forced && clock::now() >= deadline) {
      forced = true;
      if (auto n = session_count(); n > 0) {
        log_warn("http: shutdown grace period over, closing " + std::to_string(n) +
                 " connection(s)");
        notify_sessions(true);
      }
    }
  }
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

std::uint16_t Server::bind() {
  Impl& im = *impl_;
  std::lock_guard lock(im.bind_mu);
  if (im.bound) return im.port;
  // Signals are caught from here on: a SIGTERM between bind() and run() (the caller may print
  // the address in between) is queued and starts the shutdown as soon as run() does.
  if (!im.signals) im.signals.emplace(im.control, SIGINT, SIGTERM);
  const ServerOptions& opt = im.options();
  if (!opt.tls_cert_file.empty() || !opt.tls_key_file.empty()) {
    im.ssl.emplace(load_tls(opt));
    im.set_tls(true);
  }
  auto [host, port] = split_listen(opt.listen);
  boost::system::error_code ec;
  tcp::resolver resolver(im.ioc);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
  if (ec) {
    fail_unavailable("listen_failed", "cannot listen on " + opt.listen + ": " + ec.message());
  }
  boost::system::error_code last = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    tcp::acceptor acceptor(im.control);
    acceptor.open(entry.endpoint().protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(entry.endpoint(), ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      last = ec;
      continue;
    }
    im.port = acceptor.local_endpoint().port();
    im.acceptor = std::move(acceptor);
    im.bound = true;
    return im.port;
  }
  std::string message = last.message();
  if (!message.empty()) message[0] = detail::ascii_lower(message[0]);
  fail_unavailable("listen_failed", "cannot listen on " + opt.listen + ": " + message);
}

void Server::run() {
  bind();
  Impl& im = *impl_;
  im.signals->async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_info(std::string("http: received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
             ", shutting down");
    stop();
  });
  asio::co_spawn(im.control, im.accept_loop(), asio::detached);
  log_info("http: listening on " + im.options().listen + " (port " + std::to_string(im.port) +
           (im.ssl ? ", TLS)" : ")"));

  auto run_io = [&im] {
    for (;;) {
      try {
        im.ioc.run();
        return;
      } catch (const std::exception& e) {
        log_error(std::string("http: io thread: ") + e.what());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < im.options().io_threads; ++i) threads.emplace_back(run_io);
  run_io();
  for (auto& t : threads) t.join();
  im.signals.reset();
  log_info("http: stopped");
}

void Server::stop() {
  Impl& im = *impl_;
  im.mark_stopping();
  asio::post(im.control, [&im] { im.begin_shutdown(); });
}

std::uint16_t Server::port() const { return impl_->port; }

}  // namespace ctis::http
