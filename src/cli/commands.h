// Subcommands of `ctis`: each declares its flags on a CLI11 app, and run_selected() runs the
// one the user chose. Conventions: --data DIR names the data folder, --out FILE an output
// (default stdout), input files are positional, errors go to stderr with a non-zero exit.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config.h"

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
  // Case import and export.
  std::string input;  // positional input file
  std::string format;
  bool skip_invalid = false;
};

void add_commands(CLI::App& app, Options& opts);
int run_selected(CLI::App& app, const Options& opts);

// For subcommands defined in other files of this folder.
using Command = std::function<int(const Options&)>;
// A runnable subcommand with the common flags (--config, --data, --store-url).
CLI::App* add_leaf(CLI::App* parent, const std::string& name, const std::string& help,
                   Options& opts, Command run);
// The configuration from --config / $CTIS_CONFIG, the environment and the flags.
Config load_options(const Options& opts);
// Writes a result to --out FILE (created 0600) or stdout.
void emit(const Options& opts, const std::string& text);
// `ctis case ...` (case_commands.cc).
void add_case_commands(CLI::App& app, Options& opts);

}  // namespace ctis::cli
