// Running the real `ctis` program from tests: to completion, or as a server in the background.
// The binary is $CTIS_BIN (set by CMake for tests that need it).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace ctis::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ctis_binary();

// Runs ctis with args and optional standard input; waits at most timeout_s.
RunResult run_ctis(const std::vector<std::string>& args, const std::string& input = "",
                   const std::map<std::string, std::string>& env = {}, int timeout_s = 60);

// A ctis server in the background. Start waits until it prints "listening on http://H:P".
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {});
  ~ServerProcess();  // SIGKILL if still running
  unsigned short port() const { return port_; }
  const std::string& output() const { return output_; }  // stdout so far
  void kill_hard();                                      // SIGKILL, reaped
  int stop();                                            // SIGTERM; returns the exit code
  std::string stderr_text() const;

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  std::string output_;
  std::string err_path_;
};

}  // namespace ctis::testing
