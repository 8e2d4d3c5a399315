// One HTTP/1.1 connection (plain or TLS): read a request under limits and timeouts, run the
// handler on the worker pool, write the response, repeat while keep-alive allows.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <array>
#include <chrono>

#include "http/internal.h"
#include "http/server_core.h"

namespace ctis::http::detail {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kInlineBody = 16 * 1024;    // smaller bodies are copied into one write
constexpr std::size_t kKeepBuffer = 64 * 1024;    // larger buffers are released after use
constexpr std::size_t kDrainLimit = 1024 * 1024;  // bytes read and discarded before closing
constexpr milliseconds kCloseTimeout{1000};

// Parses straight into our Request, so no beast::http::fields are built per request.
class RequestParser final : public bhttp::basic_parser<true> {
 public:
  explicit RequestParser(Request& req) : req_(req) {}
  bool expect_continue() const { return expect_continue_; }
  int version() const { return version_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view method, beast::string_view target,
                       int version, beast::error_code&) override {
    req_.method.assign(method.data(), method.size());
    req_.target.assign(target.data(), target.size());
    version_ = version;
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}
  void on_field_impl(bhttp::field f, beast::string_view name, beast::string_view value,
                     beast::error_code&) override {
    std::string lower(name.size(), '\0');
    for (std::size_t i = 0; i < name.size(); ++i) lower[i] = ascii_lower(name[i]);
    if (f == bhttp::field::expect && iequals({value.data(), value.size()}, "100-continue")) {
      expect_continue_ = true;
    }
    req_.headers.emplace_back(std::move(lower), std::string(value.data(), value.size()));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    // The parser has already checked the length against body_limit.
    if (length) req_.body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                 beast::error_code&) override {
    req_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  Request& req_;
  bool expect_continue_ = false;
  int version_ = 11;
};

template <class Stream>
class Session final : public SessionBase {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Session(ServerCore& core, Stream stream, asio::any_io_executor executor)
      : SessionBase(core, std::move(executor)), stream_(std::move(stream)) {}

  asio::awaitable<void> run(std::shared_ptr<Session> self);

  void on_stop(bool force) override {
    if (force || state_ == State::idle) lowest().close();
  }

 private:
  enum class State { idle, busy };

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  asio::awaitable<void> serve();
  asio::awaitable<Response> call_handler();
  asio::awaitable<bool> write(const Response& res, bool head, std::string_view connection);
  asio::awaitable<void> close(bool drain);
  void reset_request();

  Stream stream_;
  beast::flat_buffer buffer_;
  Request req_;
  std::string out_;
  State state_ = State::idle;
};

template <class Stream>
asio::awaitable<void> Session<Stream>::run(std::shared_ptr<Session> self) {
  (void)self;  // keeps the session alive for the coroutine's lifetime
  try {
    if constexpr (kTls) {
      lowest().expires_after(milliseconds(core_.options().read_timeout_ms));
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, use_nothrow);
      if (ec) {
        lowest().close();
        co_return;  // scanners and plain-HTTP clients: nothing worth logging
      }
    }
    co_await serve();
  } catch (const std::exception& e) {
    log_error("http: connection failed: " + loggable(e.what()));
  } catch (...) {
    log_error("http: connection failed: non-standard exception");
  }
}

template <class Stream>
void Session<Stream>::reset_request() {
  req_.method.clear();
  req_.target.clear();
  req_.path.clear();
  req_.query.clear();
  req_.headers.clear();
  if (req_.body.capacity() > kKeepBuffer) {
    std::string().swap(req_.body);
  } else {
    req_.body.clear();
  }
  req_.params.clear();
  req_.tls = kTls;
}

template <class Stream>
asio::awaitable<void> Session<Stream>::serve() {
  const ServerOptions& opt = core_.options();
  const milliseconds read_timeout(opt.read_timeout_ms);
  const milliseconds idle_timeout(opt.idle_timeout_ms);
  for (;;) {
    if (core_.stopping()) break;
    if (buffer_.size() == 0) {
      // Between requests: wait for the first byte under the idle timeout.
      if (buffer_.capacity() > kKeepBuffer) buffer_.shrink_to_fit();
      state_ = State::idle;
      lowest().expires_after(idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), use_nothrow);
      if (ec) break;  // peer closed, idle timeout, or stop
      buffer_.commit(n);
    }
    state_ = State::busy;
    reset_request();
    lowest().expires_after(read_timeout);  // the whole request must arrive within this

    RequestParser parser(req_);
    parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
    parser.body_limit(opt.body_limit);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, parser, use_nothrow);
    if (!ec && !parser.is_done()) {
      if (parser.expect_continue() && parser.version() >= 11) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(kContinue), use_nothrow);
        ec = wec;
      }
      if (!ec) std::tie(ec, n) = co_await bhttp::async_read(stream_, buffer_, parser, use_nothrow);
    }
    if (ec) {
      // Timeouts, resets and EOF mid-request: nobody to answer.
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::eof || ec == asio::error::operation_aborted ||
          ec == asio::error::connection_reset || ec == asio::error::bad_descriptor ||
          ec == asio::ssl::error::stream_truncated || ec == bhttp::error::partial_message) {
        break;
      }
      Response res;
      if (ec == bhttp::error::header_limit) {
        res = Response::error(
            431, "headers_too_large",
            "request headers exceed " + std::to_string(opt.header_limit) + " bytes");
      } else if (ec == bhttp::error::body_limit) {
        res = Response::error(413, "too_large",
                              "request body exceeds " + std::to_string(opt.body_limit) + " bytes");
      } else {
        res = Response::error(400, "bad_request", "malformed HTTP request");
      }
      // The stream may be mid-message, so the connection cannot be reused.
      if (co_await write(res, false, "close")) co_await close(true);
      co_return;
    }

    const bool keep_alive = parser.keep_alive();
    const bool head = req_.method == "HEAD";
    Response res;
    if (auto problem = split_target(req_)) {
      res = Response::error(400, "invalid_path", *problem);
    } else {
      lowest().expires_never();  // handler time is not the client's fault
      res = co_await call_handler();
    }
    if (res.status < 200 || res.status > 999) {  // 1xx is never a final answer
      log_error("http: handler returned invalid status " + std::to_string(res.status));
      res = Response::error(500, "internal", "internal error");
    }
    // Once stopping, finish this exchange and close rather than wait for another request.
    const bool close_after = !keep_alive || core_.stopping();
    std::string_view connection =
        close_after ? "close" : (parser.version() < 11 ? "keep-alive" : "");
    if (!co_await write(res, head, connection)) break;
    if (close_after) {
      co_await close(false);
      co_return;
    }
  }
  lowest().close();
}

template <class Stream>
asio::awaitable<Response> Session<Stream>::call_handler() {
  // Hop to the worker pool for the handler (it may block), then back to this connection's
  // executor. Outstanding work is tracked so the io_context cannot run dry meanwhile.
  return asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      [this](auto handler) {
        auto home = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
        core_.workers().post([this, home, h = std::move(handler)]() mutable {
          Response res = core_.invoke(req_);
          asio::post(home, [h = std::move(h), r = std::move(res)]() mutable {
            std::move(h)(std::move(r));
          });
        });
      },
      asio::use_awaitable);
}

template <class Stream>
asio::awaitable<bool> Session<Stream>::write(const Response& res, bool head,
                                             std::string_view connection) {
  const bool body_allowed = status_has_body(res.status);
  std::string_view body = (body_allowed && !head) ? std::string_view(res.body) : "";
  out_.clear();
  serialize_head(out_, res, body_allowed ? res.body.size() : 0, connection, core_.fixed_headers());
  lowest().expires_after(milliseconds(core_.options().read_timeout_ms));
  beast::error_code ec;
  if (body.size() <= kInlineBody) {
    out_.append(body);  // one buffer, one send
    std::tie(ec, std::ignore) =
        co_await asio::async_write(stream_, asio::buffer(out_), use_nothrow);
  } else {
    std::array<asio::const_buffer, 2> buffers{asio::buffer(out_), asio::buffer(body)};
    std::tie(ec, std::ignore) = co_await asio::async_write(stream_, buffers, use_nothrow);
  }
  if (out_.capacity() > kKeepBuffer) std::string().swap(out_);
  co_return !ec;
}

template <class Stream>
asio::awaitable<void> Session<Stream>::close(bool drain) {
  lowest().expires_after(kCloseTimeout);
  if constexpr (kTls) {
    (void)drain;
    co_await stream_.async_shutdown(use_nothrow);
  } else {
    beast::error_code ec;
    lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    // After an error the client may still be sending (a body we refused); read it away so
    // the close does not reset the connection before the client has read our response.
    std::size_t total = 0;
    while (drain && !ec && total < kDrainLimit) {
      buffer_.clear();
      std::size_t n = 0;
      std::tie(ec, n) = co_await lowest().async_read_some(buffer_.prepare(kReadChunk), use_nothrow);
      total += n;
    }
  }
  lowest().close();
}

template <class Stream>
void start(ServerCore& core, Stream stream, asio::any_io_executor executor) {
  auto session = std::make_shared<Session<Stream>>(core, std::move(stream), executor);
  core.add_session(session);
  asio::co_spawn(executor, session->run(session), asio::detached);
}

}  // namespace

SessionBase::~SessionBase() { core_.remove_session(this); }

void start_plain_session(ServerCore& core, asio::ip::tcp::socket socket) {
  auto executor = socket.get_executor();
  start(core, beast::tcp_stream(std::move(socket)), executor);
}

void start_tls_session(ServerCore& core, asio::ip::tcp::socket socket, asio::ssl::context& ssl) {
  auto executor = socket.get_executor();
  start(core, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), ssl),
        executor);
}

}  // namespace ctis::http::detail
