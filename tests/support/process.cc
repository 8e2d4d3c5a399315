#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ctis::testing {
namespace {

std::vector<char*> argv_of(const std::string& bin, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(bin.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

void set_env(const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

std::string ctis_binary() {
  const char* bin = std::getenv("CTIS_BIN");
  if (bin && *bin) return bin;
#ifdef CTIS_BIN_PATH
  return CTIS_BIN_PATH;
#else
  throw std::runtime_error("CTIS_BIN is not set");
#endif
}

RunResult run_ctis(const std::vector<std::string>& args, const std::string& input,
                   const std::map<std::string, std::string>& env, int timeout_s) {
  const std::string bin = ctis_binary();
  int in[2], out[2], err[2];
  if (::pipe(in) || ::pipe(out) || ::pipe(err)) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    set_env(env);
    auto argv = argv_of(bin, args);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (!input.empty()) {
    [[maybe_unused]] auto n = ::write(in[1], input.data(), input.size());
  }
  ::close(in[1]);
  RunResult r;
  // Read both pipes without deadlock: stderr on a thread.
  std::thread err_reader([&] { r.err = read_all(err[0]); });
  r.out = read_all(out[0]);
  err_reader.join();
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  const std::string bin = ctis_binary();
  err_path_ =
      (std::filesystem::temp_directory_path() /
       ("ctis-server-" + std::to_string(::getpid()) + "-" +
        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".err"))
          .string();
  int out[2];
  if (::pipe(out)) throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    const int errfd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(errfd, 2);
    ::close(out[0]);
    ::close(out[1]);
    set_env(env);
    auto argv = argv_of(bin, args);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  const std::regex listening("listening on https?://[^\\s:]+:(\\d+)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::smatch m;
  while (!std::regex_search(output_, m, listening)) {
    pollfd p{out[0], POLLIN, 0};
    if (std::chrono::steady_clock::now() > deadline || ::poll(&p, 1, 200) < 0) break;
    if (p.revents & (POLLIN | POLLHUP)) {
      char buf[4096];
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(out[0]);  // the server's later stdout writes are not needed
  if (!std::regex_search(output_, m, listening)) {
    kill_hard();
    throw std::runtime_error("server did not start: " + output_ + stderr_text());
  }
  port_ = static_cast<unsigned short>(std::stoi(m[1].str()));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill_hard();
  std::filesystem::remove(err_path_);
}

void ServerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(err_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace ctis::testing
