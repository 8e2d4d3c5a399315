// Subcommands of `ctis`: each declares its flags on a CLI11 app, and run_selected() runs the
// one the user chose. Conventions: --data DIR names the data folder, --out FILE an output
// (default stdout), input files are positional, errors go to stderr with a non-zero exit.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace ctis::cli {

struct Options {
  std::string config_file;
  std::string data_dir;
  std::string store_url;
  std::string listen;
  bool print_config = false;
  std::string out;
  std::string username;
  std::string role;
  std::string organisation;
  std::string display_name;
  std::string email;
  bool password_stdin = false;
  std::string token_name;
  std::vector<std::string> scopes;
  int expires_days = 0;
  long long token_id = 0;
};

void add_commands(CLI::App& app, Options& opts);
int run_selected(CLI::App& app, const Options& opts);

}  // namespace ctis::cli
