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

// Adds `count` synthetic cases along real corridors to an organisation, the same on every run
// (demo_cases.cc). Created by `by` if it may create the organisation's cases, else by the
// organisation's first coordinator.
void load_demo_cases(Runtime& rt, std::int64_t organisation_id, const auth::Principal& by,
                     std::size_t count);

// A few invented public reports, sealed to the demo's recipients of reports.
void load_demo_reports(Runtime& rt);

}  // namespace ctis::cli
