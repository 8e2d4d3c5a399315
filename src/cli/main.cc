// The `ctis` command. Exit codes: 0 success; 1 internal error; 2 bad input or usage;
// 3 not allowed; 4 not found; 5 conflict; 6 rate limited; 7 a dependency is unavailable
// (database, key file, port).
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "cli/commands.h"
#include "core/core.h"

int main(int argc, char** argv) {
  using namespace ctis;
  CLI::App app{"CTIS — counter-trafficking information system"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  cli::Options opts;
  cli::add_commands(app, opts);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    return cli::run_selected(app, opts);
  } catch (const Error& e) {
    std::cerr << "ctis: " << e.what();
    if (!e.field().empty() && std::string(e.what()).find(e.field()) == std::string::npos) {
      std::cerr << " (" << e.field() << ")";
    }
    std::cerr << "\n";
    return exit_code(e.kind());
  } catch (const std::exception& e) {
    std::cerr << "ctis: internal error: " << e.what() << "\n";
    return 1;
  }
}
