// Runs the HTTP server over an opened runtime until SIGTERM/SIGINT.
#pragma once

#include <functional>
#include <string>

#include "cli/runtime.h"

namespace ctis::cli {

// Binds, calls on_listening with the URL (so callers can print it), serves, drains, returns.
void serve(Runtime& rt, const std::function<void(const std::string& url)>& on_listening);

// Fills the demo installation: organisations and one user per role, all synthetic; returns the
// admin password, shown once. Refuses a database that already has users.
std::string load_demo(Runtime& rt);

}  // namespace ctis::cli
