// Real receivers on loopback for the delivery tests: a tiny HTTP server that records webhook
// requests and answers with a chosen status (or never answers), and an SMTP sink (aiosmtpd, run
// as a child process) that saves each message it accepts to a file.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ctis::alerts::testing {

struct ReceivedRequest {
  std::string target, body, timestamp, signature, delivery;
};

class WebhookReceiver {
 public:
  // With a certificate and key (PEM files) it speaks HTTPS.
  explicit WebhookReceiver(const std::string& cert_file = "", const std::string& key_file = "");
  ~WebhookReceiver();
  unsigned short port() const { return port_; }
  void answer(int status) { status_ = status; }  // 0: read the request and never answer
  std::vector<ReceivedRequest> requests();

 private:
  void serve();
  template <class Stream>
  void handle(Stream& stream, bool& keep);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  std::thread thread_;
};

struct SavedMail {
  std::string envelope_from, envelope_to, text;  // text: the message as received, CRLF lines
};

class SmtpSink {
 public:
  explicit SmtpSink(const std::filesystem::path& dir);
  ~SmtpSink();
  unsigned short port() const { return port_; }
  std::vector<SavedMail> messages() const;  // in arrival order

 private:
  std::filesystem::path out_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

// A loopback port nothing listens on at the moment of the call.
unsigned short free_port();

// The receiver's side of a webhook signature, computed with OpenSSL rather than the library's
// own code: "sha256=" + hex HMAC-SHA-256(secret, timestamp + "." + body).
std::string expected_signature(const std::string& secret, const std::string& timestamp,
                               const std::string& body);

}  // namespace ctis::alerts::testing
