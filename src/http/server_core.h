// Private: the state connections share with the server, and how connections are started.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/http.h"
#include "http/worker_pool.h"

namespace ctis::http::detail {

namespace asio = boost::asio;

class ServerCore;

// One connection, as seen by the shutdown logic.
class SessionBase {
 public:
  SessionBase(ServerCore& core, asio::any_io_executor executor)
      : core_(core), executor_(std::move(executor)) {}
  virtual ~SessionBase();
  SessionBase(const SessionBase&) = delete;
  SessionBase& operator=(const SessionBase&) = delete;

  // Runs on executor(). Closes the connection now if it is idle between requests, or always
  // when `force`; otherwise the connection closes after its current response.
  virtual void on_stop(bool force) = 0;
  const asio::any_io_executor& executor() const { return executor_; }

 protected:
  ServerCore& core_;

 private:
  asio::any_io_executor executor_;
};

class ServerCore {
 public:
  ServerCore(ServerOptions options, Handler handler);
  virtual ~ServerCore() = default;

  const ServerOptions& options() const { return options_; }
  WorkerPool& workers() { return workers_; }
  std::string_view fixed_headers() const { return fixed_headers_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  void mark_stopping() { stopping_.store(true, std::memory_order_release); }
  // Rebuilds the fixed headers (HSTS) once TLS is known to be on.
  void set_tls(bool tls);

  // Calls the handler, turning exceptions into error responses. Never throws.
  Response invoke(Request& req) noexcept;

  void add_session(const std::shared_ptr<SessionBase>& session);
  void remove_session(SessionBase* session);
  std::size_t session_count() const;
  // Posts on_stop(force) to every live session.
  void notify_sessions(bool force);

 protected:
  // Called (on any thread) when the last session goes away after stop began.
  virtual void on_sessions_drained() {}

  ServerOptions options_;
  Handler handler_;
  WorkerPool workers_;
  std::string fixed_headers_;
  std::atomic<bool> stopping_{false};

 private:
  mutable std::mutex sessions_mu_;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions_;
};

// Take ownership of an accepted socket and serve it until it closes.
void start_plain_session(ServerCore& core, asio::ip::tcp::socket socket);
void start_tls_session(ServerCore& core, asio::ip::tcp::socket socket, asio::ssl::context& ssl);

}  // namespace ctis::http::detail
