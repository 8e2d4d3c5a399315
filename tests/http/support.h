// Test support: a raw HTTP/1.1 client over POSIX sockets (optionally TLS through OpenSSL), a
// server runner on a background thread, temp dirs and a self-signed certificate generator.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/http.h"

namespace ctis::http::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  bool has(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return true;
    }
    return false;
  }
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// One connection to 127.0.0.1:port. Every wait is bounded so a broken server fails the test
// instead of hanging it.
class Conn {
 public:
  explicit Conn(std::uint16_t port, bool tls = false) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      int err = errno;
      ::close(fd_);
      fd_ = -1;
      throw std::system_error(err, std::generic_category(), "connect");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (tls) {
      ctx_ = SSL_CTX_new(TLS_client_method());
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // self-signed test certificate
      ssl_ = SSL_new(ctx_);
      SSL_set_fd(ssl_, fd_);
      timeval tv{5, 0};
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      if (SSL_connect(ssl_) != 1) throw std::runtime_error("TLS handshake failed");
    }
  }
  ~Conn() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                       : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads one response; throws if the connection closes or nothing arrives in `timeout`.
  Reply read(bool head = false, std::chrono::milliseconds timeout = 5000ms) {
    auto deadline = Clock::now() + timeout;
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) fill(deadline);
    Reply r;
    std::string_view head_text(buf_.data(), end);
    std::size_t line_end = head_text.find("\r\n");
    std::string_view status_line = head_text.substr(0, line_end);
    r.status = std::stoi(std::string(status_line.substr(9, 3)));
    std::size_t pos = line_end == std::string_view::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      std::size_t e = head_text.find("\r\n", pos);
      if (e == std::string_view::npos) e = head_text.size();
      std::string_view line = head_text.substr(pos, e - pos);
      std::size_t colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::move(name), std::string(value));
      pos = e + 2;
    }
    buf_.erase(0, end + 4);
    std::size_t length = 0;
    if (!head && r.status != 204 && r.status != 304 && r.has("content-length")) {
      length = std::stoul(r.header("content-length"));
    }
    while (buf_.size() < length) fill(deadline);
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  Reply request(std::string_view raw, bool head = false) {
    send(raw);
    return read(head);
  }

  // True when the server closes the connection (EOF or reset) within `timeout`.
  bool closed_within(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    try {
      while (true) fill(deadline);
    } catch (const Closed&) {
      return true;
    } catch (const TimedOut&) {
      return false;
    }
  }

 private:
  struct Closed : std::runtime_error {
    Closed() : std::runtime_error("connection closed by server") {}
  };
  struct TimedOut : std::runtime_error {
    TimedOut() : std::runtime_error("timed out waiting for the server") {}
  };

  void fill(Clock::time_point deadline) {
    char tmp[16384];
    if (!ssl_ || SSL_pending(ssl_) == 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) throw TimedOut();
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready == 0) throw TimedOut();
    }
    ssize_t n = ssl_ ? SSL_read(ssl_, tmp, sizeof tmp) : ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) throw Closed();
    buf_.append(tmp, static_cast<std::size_t>(n));
  }

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

inline std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

inline std::string post(std::string_view path, std::string_view body) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nContent-Type: " +
         "application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// A Server bound to 127.0.0.1:0 and running on a background thread until stop().
class Running {
 public:
  Running(ServerOptions options, Handler handler) : server_(adjust(std::move(options)), handler) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~Running() { stop(); }
  void stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  std::uint16_t port() const { return port_; }
  Server& server() { return server_; }
  std::thread& thread() { return thread_; }

 private:
  static ServerOptions adjust(ServerOptions o) {
    if (o.listen == ServerOptions{}.listen) o.listen = "127.0.0.1:0";
    o.worker_threads = o.worker_threads == 16 ? 4 : o.worker_threads;
    return o;
  }
  Server server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

// A fresh directory under the system temp dir, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ctis-http-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& rel, std::string_view content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::FILE* f = std::fopen(p.c_str(), "wb");
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }

 private:
  std::filesystem::path path_;
};

// Writes a self-signed P-256 certificate for "localhost" and its key as PEM files.
inline void make_self_signed(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  if (X509_sign(x, key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
  std::FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

}  // namespace ctis::http::test
