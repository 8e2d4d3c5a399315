// The network clients: a webhook POST over HTTP (or HTTPS through OpenSSL) and a plain SMTP
// submission. Each runs as one coroutine on its own io_context under one overall deadline, so a
// stalled peer costs at most the configured timeout.
#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "alerts/internal.h"

namespace ctis::alerts {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

std::string webhook_signature(const std::string& secret, const std::string& timestamp,
                              const std::string& body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  const std::string signed_text = timestamp + "." + body;
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  std::uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "sha256=" + to_hex(mac);
}

namespace detail {

namespace {

// Runs one coroutine to completion within timeout_ms; rethrows its failure.
template <class T>
T run_with_deadline(asio::io_context& io, asio::awaitable<T> task, int timeout_ms,
                    const char* what) {
  std::optional<T> result;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(task), [&](const std::exception_ptr& e, T value) {
    failure = e;
    if (!e) result = std::move(value);
  });
  io.run_for(std::chrono::milliseconds(timeout_ms));
  if (failure) std::rethrow_exception(failure);
  if (!result) {
    throw std::runtime_error(std::string(what) + " timed out after " + std::to_string(timeout_ms) +
                             " ms");
  }
  return std::move(*result);
}

template <class Stream>
asio::awaitable<int> exchange(Stream& stream, http::request<http::string_body>& req) {
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1024} * 1024);  // the answer is only looked at for its status
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  co_return static_cast<int>(parser.get().result_int());
}

asio::awaitable<int> post(Url url, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers,
                          std::string ca_file) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  http::request<http::string_body> req(http::verb::post, url.target, 11);
  const bool default_port = url.port == (url.tls ? "443" : "80");
  req.set(http::field::host, default_port ? url.host : url.host + ":" + url.port);
  req.set(http::field::user_agent, "ctis-alerts/" CTIS_VERSION);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::move(body);
  req.prepare_payload();
  if (!url.tls) {
    beast::tcp_stream stream(executor);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    co_return co_await exchange(stream, req);
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  if (ca_file.empty()) {
    tls.set_default_verify_paths();
  } else {
    tls.load_verify_file(ca_file);
  }
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    throw std::runtime_error("TLS: cannot set the server name");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_return co_await exchange(stream, req);
}

// One SMTP reply, possibly multi-line ("250-..." lines then "250 ..."): its code.
asio::awaitable<int> reply(tcp::socket& socket, std::string& buffer, std::string& last_line) {
  for (;;) {
    const std::size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer),
                                                          "\r\n", asio::use_awaitable);
    last_line = buffer.substr(0, n - 2);
    buffer.erase(0, n);
    if (last_line.size() < 3 || last_line.find_first_not_of("0123456789") < std::size_t{3}) {
      throw std::runtime_error("SMTP: malformed reply \"" + last_line.substr(0, 80) + "\"");
    }
    if (last_line.size() == 3 || last_line[3] == ' ') co_return std::stoi(last_line.substr(0, 3));
  }
}

asio::awaitable<int> smtp_session(std::string host, std::string port, std::string helo, Mail mail,
                                  std::string data) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  tcp::socket socket(executor);
  co_await asio::async_connect(socket, endpoints, asio::use_awaitable);
  std::string buffer, line;
  auto expect = [&](int code, const std::string& step) -> asio::awaitable<void> {
    const int got = co_await reply(socket, buffer, line);
    // 251 "user not local; will forward" is a success for RCPT too.
    if (got != code && !(code == 250 && got == 251)) {
      throw std::runtime_error("SMTP " + step + ": " + line.substr(0, 200));
    }
  };
  auto send = [&](const std::string& text) -> asio::awaitable<void> {
    co_await asio::async_write(socket, asio::buffer(text), asio::use_awaitable);
  };
  co_await expect(220, "greeting");
  co_await send("EHLO " + helo + "\r\n");
  co_await expect(250, "EHLO");
  co_await send("MAIL FROM:<" + mail.from + ">\r\n");
  co_await expect(250, "MAIL FROM");
  co_await send("RCPT TO:<" + mail.to + ">\r\n");
  co_await expect(250, "RCPT TO");
  co_await send("DATA\r\n");
  co_await expect(354, "DATA");
  co_await send(data + ".\r\n");
  co_await expect(250, "end of data");
  // The message is accepted; a failed QUIT changes nothing.
  try {
    co_await send("QUIT\r\n");
    co_await reply(socket, buffer, line);
  } catch (const std::exception&) {
  }
  co_return 250;
}

bool plain_address(const std::string& address) {
  return !address.empty() && address.size() <= 254 &&
         address.find_first_of("<>\r\n \t") == std::string::npos &&
         address.find('@') != std::string::npos;
}

// RFC 2047 encoded-word for a non-ASCII subject.
std::string header_text(const std::string& text) {
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (ascii) return text;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  return "=?UTF-8?B?" + to_base64({bytes, text.size()}) + "?=";
}

}  // namespace

int http_post(const Url& url, const std::string& body,
              const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms,
              const std::string& ca_file) {
  asio::io_context io;
  return run_with_deadline(io, post(url, body, headers, ca_file), timeout_ms, "HTTP POST");
}

std::string smtp_data(const Mail& mail, Millis date) {
  const std::time_t seconds = static_cast<std::time_t>(date / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char date_text[64];
  std::strftime(date_text, sizeof date_text, "%a, %d %b %Y %H:%M:%S +0000", &tm);

  // Lines normalised to CRLF; 8-bit or over-long text goes base64 so every server takes it.
  std::vector<std::string> lines;
  for (std::size_t start = 0; start <= mail.body.size();) {
    auto end = mail.body.find('\n', start);
    if (end == std::string::npos) end = mail.body.size();
    std::string line = mail.body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  const bool seven_bit =
      std::all_of(mail.body.begin(), mail.body.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != '\0'; }) &&
      std::all_of(lines.begin(), lines.end(), [](const std::string& l) { return l.size() <= 990; });

  std::string out;
  out += "From: <" + mail.from + ">\r\n";
  out += "To: <" + mail.to + ">\r\n";
  out += "Subject: " + header_text(mail.subject) + "\r\n";
  out += std::string("Date: ") + date_text + "\r\n";
  out += "Message-ID: <" + random_token(12) + "@ctis>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (seven_bit ? "7bit" : "base64") + "\r\n";
  out += "\r\n";
  if (seven_bit) {
    for (const auto& line : lines) {
      // Dot-stuffing: a line that starts with "." gets a second one, so no body line can end
      // the DATA section; the server removes it again.
      if (!line.empty() && line.front() == '.') out += '.';
      out += line + "\r\n";
    }
  } else {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(mail.body.data());
    const std::string encoded = to_base64({bytes, mail.body.size()});
    for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  }
  return out;
}

void smtp_send(const std::string& host, unsigned short port, const std::string& helo,
               const Mail& mail, int timeout_ms) {
  if (!plain_address(mail.from)) throw std::runtime_error("bad sender address");
  if (!plain_address(mail.to)) throw std::runtime_error("bad recipient address");
  if (mail.subject.find_first_of("\r\n") != std::string::npos) {
    throw std::runtime_error("the subject has a line break");
  }
  asio::io_context io;
  run_with_deadline(
      io, smtp_session(host, std::to_string(port), helo, mail, smtp_data(mail, now_millis())),
      timeout_ms, "SMTP");
}

}  // namespace detail
}  // namespace ctis::alerts
