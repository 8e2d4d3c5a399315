#include "receivers.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/core.h"

extern char** environ;

namespace ctis::alerts::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct WebhookReceiver::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::vector<tcp::socket> held;  // connections left unanswered on purpose
  std::unique_ptr<asio::ssl::context> tls;
};

WebhookReceiver::WebhookReceiver(const std::string& cert_file, const std::string& key_file)
    : impl_(std::make_unique<Impl>()) {
  port_ = impl_->acceptor.local_endpoint().port();
  if (!cert_file.empty()) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(cert_file);
    impl_->tls->use_private_key_file(key_file, asio::ssl::context::pem);
  }
  thread_ = std::thread([this] { serve(); });
}

WebhookReceiver::~WebhookReceiver() {
  stopping_ = true;
  // Wakes the blocking accept with one last connection.
  try {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  } catch (const std::exception&) {
  }
  thread_.join();
}

template <class Stream>
void WebhookReceiver::handle(Stream& stream, bool& keep) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(stream, buffer, req, ec);
  if (ec) return;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back({std::string(req.target()), req.body(),
                         std::string(req["X-CTIS-Timestamp"]), std::string(req["X-CTIS-Signature"]),
                         std::string(req["X-CTIS-Delivery"])});
  }
  const int status = status_;
  if (status == 0) {
    keep = true;
    return;
  }
  http::response<http::string_body> res(static_cast<http::status>(status), 11);
  if (status != 204) res.body() = "{}";
  res.prepare_payload();
  http::write(stream, res, ec);
}

void WebhookReceiver::serve() {
  while (!stopping_) {
    tcp::socket socket(impl_->io);
    beast::error_code ec;
    impl_->acceptor.accept(socket, ec);
    if (ec || stopping_) break;
    bool keep = false;
    if (impl_->tls) {
      asio::ssl::stream<tcp::socket&> tls(socket, *impl_->tls);
      tls.handshake(asio::ssl::stream_base::server, ec);
      if (!ec) handle(tls, keep);
    } else {
      handle(socket, keep);
    }
    if (keep) {
      impl_->held.push_back(std::move(socket));
    } else {
      socket.shutdown(tcp::socket::shutdown_both, ec);
    }
  }
}

std::vector<ReceivedRequest> WebhookReceiver::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

unsigned short free_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

namespace {

// Saves each accepted message as msg-N.eml: two envelope lines, then the message as received
// (the server has already removed the dot-stuffing).
constexpr const char* sink_script = R"(import pathlib, sys, time
from aiosmtpd.controller import Controller
out = pathlib.Path(sys.argv[2])
class Sink:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        head = "%s\n%s\n" % (envelope.mail_from, ",".join(envelope.rcpt_tos))
        tmp = out / ("msg-%04d.tmp" % Sink.count)
        tmp.write_bytes(head.encode() + envelope.content)
        tmp.rename(out / ("msg-%04d.eml" % Sink.count))
        return "250 Message accepted"
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
while True:
    time.sleep(60)
)";

bool can_connect(unsigned short port) {
  asio::io_context io;
  tcp::socket s(io);
  beast::error_code ec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  return !ec;
}

}  // namespace

SmtpSink::SmtpSink(const std::filesystem::path& dir) : out_(dir / "mail") {
  std::filesystem::create_directories(out_);
  const auto script = dir / "smtp_sink.py";
  std::ofstream(script) << sink_script;
  port_ = free_port();
  const std::string python = "/usr/bin/python3";
  const std::string port_text = std::to_string(port_);
  std::vector<std::string> args = {python, script.string(), port_text, out_.string()};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, python.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start " + python + " for the SMTP sink");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!can_connect(port_)) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("the SMTP sink exited: is python3-aiosmtpd installed?");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the SMTP sink did not listen within 15 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::vector<SavedMail> SmtpSink::messages() const {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(out_)) {
    if (e.path().extension() == ".eml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SavedMail> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    SavedMail m;
    std::getline(in, m.envelope_from);
    std::getline(in, m.envelope_to);
    std::stringstream rest;
    rest << in.rdbuf();
    m.text = rest.str();
    out.push_back(std::move(m));
  }
  return out;
}

std::string expected_signature(const std::string& secret, const std::string& timestamp,
                               const std::string& body) {
  const std::string text = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  return "sha256=" + to_hex({mac, length});
}

}  // namespace ctis::alerts::testing
