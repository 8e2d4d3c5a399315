// Subcommands of `ctis`: each declares its flags on a CLI11 app, and run_selected() runs the
// one the user chose. Conventions: --data DIR names the data folder, --out FILE an output
// (default stdout), input files are positional, errors go to stderr with a non-zero exit.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
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
  // Record linkage, surge detection and finance (link_, surveillance_, finance_commands.cc).
  std::vector<std::string> inputs;  // positional input files
  std::string schema_file;
  std::string secret_file;
  bool skip_initial_space = false;
  unsigned threads = 0;
  double threshold = 0.8;
  std::size_t top_k = 0;
  bool with_scores = false;
  // The linkage exchange client (link upload / results) and link dedup.
  std::string server_url;
  std::string token_file;
  long long project_id = 0;
  std::string settings_file;
  double min_probability = 0.5;
  double duplicate_share = 0.15;  // link generate: share of corrupted copies
  std::string method;
  std::vector<std::string> methods;
  int periods_per_year = 52;
  std::string range_from, range_to;
  double alpha = -1;  // negative: the method's default
  double multiple = 3;
  int surge_length = 3;
  int surges = 20;
  std::uint64_t seed = 1;
  std::string amlsim_dir;
  std::string csv_file;
  std::string mapping_file;
  std::string typologies_file;
  std::vector<std::string> patterns;
  std::uint64_t rows = 0;
  std::string accounts_file;  // finance: accounts CSV (scan reads it, generate writes it)
  std::string subject;        // finance report: the account to report
  std::string entity_file;    // finance report: the reporting entity JSON
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
// Creates (or truncates) FILE readable by the owner only, for outputs too large for emit().
std::ofstream open_private_output(const std::string& path);
// A whole input file; Error(invalid, field `what`) naming the path when it cannot be read.
std::string read_text_file(const std::string& path, const std::string& what);
// Wall-clock seconds since `start`, for the timings commands print.
double seconds_since(std::chrono::steady_clock::time_point start);
std::int64_t millis_since(std::chrono::steady_clock::time_point start);
// `ctis case ...` (case_commands.cc).
void add_case_commands(CLI::App& app, Options& opts);
// `ctis link ...` (link_commands.cc), `ctis routes ...` (surveillance_commands.cc),
// `ctis finance ...` (finance_commands.cc).
void add_link_commands(CLI::App& app, Options& opts);
void add_routes_commands(CLI::App& app, Options& opts);
void add_finance_commands(CLI::App& app, Options& opts);
// Generates 20,000 synthetic transactions into DATA/finance and keeps their scan there
// (finance_commands.cc); called by the demo.
void load_demo_finance(const std::string& data_dir);

}  // namespace ctis::cli
