#include "cli/commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "cli/runtime.h"
#include "cli/serve.h"
#include "fiu/fiu.h"

namespace ctis::cli {
namespace {

std::map<const CLI::App*, Command>& registry() {
  static std::map<const CLI::App*, Command> commands;
  return commands;
}

}  // namespace

std::string read_text_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_invalid(what, "cannot read " + path + ": " + std::strerror(errno));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::int64_t millis_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

Config load_options(const Options& o) {
  std::map<std::string, std::string> overrides;
  if (!o.data_dir.empty()) overrides["data_dir"] = o.data_dir;
  if (!o.store_url.empty()) overrides["store.url"] = o.store_url;
  if (!o.listen.empty()) overrides["server.listen"] = o.listen;
  std::string file = o.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("CTIS_CONFIG"); env && *env) file = env;
  }
  Config c = load_config(file, overrides);
  set_log_level(c.log_level == "debug"   ? LogLevel::debug
                : c.log_level == "warn"  ? LogLevel::warn
                : c.log_level == "error" ? LogLevel::error
                                         : LogLevel::info);
  return c;
}

void emit(const Options& o, const std::string& text) {
  if (o.out.empty() || o.out == "-") {
    std::cout << text << std::flush;
    return;
  }
  // Outputs can hold secrets (generated passwords, tokens): readable by the owner only.
  const int fd = ::open(o.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const bool ok =
      fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (fd >= 0) ::close(fd);
  if (!ok) fail_unavailable("out", "cannot write " + o.out + ": " + std::strerror(errno));
}

std::ofstream open_private_output(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail_unavailable("out", "cannot write " + path + ": " + std::strerror(errno));
  ::close(fd);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail_unavailable("out", "cannot write " + path + ": " + std::strerror(errno));
  return out;
}

namespace {

std::string read_password(const Options& o, const std::string& what) {
  if (!o.password_stdin) return {};
  std::string line;
  if (!std::getline(std::cin, line)) fail_invalid("password", "no " + what + " on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

auth::User require_user(Runtime& rt, const std::string& username) {
  auto u = rt.auth->find_user_by_name(username);
  if (!u) throw Error(ErrorKind::not_found, "not_found", "no user named " + username);
  return *u;
}

}  // namespace

CLI::App* add_leaf(CLI::App* parent, const std::string& name, const std::string& help, Options& o,
                   Command run) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("--config", o.config_file, "TOML configuration file (or $CTIS_CONFIG)");
  cmd->add_option("--data", o.data_dir, "Data folder (database, key file)");
  cmd->add_option("--store-url", o.store_url,
                  "Database URL: sqlite:FILE or postgresql://user@host:port/db");
  registry()[cmd] = std::move(run);
  return cmd;
}

namespace {

int cmd_serve(const Options& o) {
  const Config c = load_options(o);
  if (o.print_config) {
    std::cout << print_config(c);
    return 0;
  }
  Runtime rt = open_runtime(c, Schema::migrate);
  serve(rt, [](const std::string& url) { std::cout << "listening on " << url << std::endl; });
  return 0;
}

int cmd_demo(const Options& o) {
  const Config c = load_options(o);
  Runtime rt = open_runtime(c, Schema::migrate);
  const std::string folder = std::filesystem::absolute(c.data_dir).string();
  if (rt.auth->count_users() == 0) {
    const std::string password = load_demo(rt);
    std::cout << "CTIS demo created in " << folder << "\n"
              << "admin password: " << password << "\n"
              << "(shown once: write it down; the other demo users are listed by "
                 "`ctis user list --data "
              << c.data_dir << "`)" << std::endl;
  } else {
    std::cout << "CTIS demo in " << folder << " (existing; to reset the admin password: "
              << "ctis user passwd admin --data " << c.data_dir << ")" << std::endl;
  }
  serve(rt, [](const std::string& url) { std::cout << "listening on " << url << std::endl; });
  return 0;
}

int cmd_migrate(const Options& o) {
  const Config c = load_options(o);
  const store::Options so = store_options(c);
  if (so.url.rfind("sqlite:", 0) == 0) std::filesystem::create_directories(c.data_dir);
  auto db = store::Database::open(so);
  const auto report = store::migrate(*db, store::builtin_migrations());
  std::ostringstream out;
  out << "schema version " << report.from_version << " -> " << report.to_version << "\n";
  for (const auto& name : report.applied) out << "applied " << name << "\n";
  emit(o, out.str());
  return 0;
}

int cmd_backup(const Options& o) {
  if (o.out.empty() || o.out == "-") fail_invalid("--out", "db backup needs --out FILE");
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  store::backup(*rt.db, o.out);
  rt.audit->append(auth::operator_principal().audit("db.backup", "database"));
  std::cerr << "backup written to " << o.out << " (the key file is not in it: back up "
            << rt.config.keys_file() << " separately)\n";
  return 0;
}

int cmd_user_add(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::migrate);
  auth::NewUser n{o.username,     o.role,  o.organisation,
                  o.display_name, o.email, read_password(o, "password")};
  const bool generated = n.password.empty();
  if (generated) n.password = random_token(12);
  const auto u = rt.auth->create_user(auth::operator_principal(), n, true);
  std::ostringstream out;
  out << "created user " << u.username << " (id " << u.id << ", " << auth::role_name(u.role) << ", "
      << u.organisation_name << ")\n";
  if (generated) out << "password: " << n.password << "\n";
  emit(o, out.str());
  return 0;
}

int cmd_user_list(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  std::ostringstream out;
  out << "id\tusername\trole\torganisation\tstatus\n";
  for (const auto& u : rt.auth->users()) {
    out << u.id << "\t" << u.username << "\t" << auth::role_name(u.role) << "\t"
        << u.organisation_name << "\t" << (u.disabled ? "disabled" : "active") << "\n";
  }
  rt.audit->append(auth::operator_principal().audit("user.list", "users"));
  emit(o, out.str());
  return 0;
}

int cmd_user_disable(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const auto u = require_user(rt, o.username);
  auth::UserChange ch;
  ch.disabled = true;
  rt.auth->change_user(auth::operator_principal(), u.id, ch);
  std::cerr << "disabled " << u.username << "; its sessions and tokens are ended\n";
  return 0;
}

int cmd_user_passwd(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const auto u = require_user(rt, o.username);
  std::string password = read_password(o, "password");
  const bool generated = password.empty();
  if (generated) password = random_token(12);
  rt.auth->set_password(auth::operator_principal(), u.id, password);
  // The old password sealed this recipient's private key for reports: a new pair is made at
  // their next sign-in and the other recipients share the open reports with it again.
  if (rt.reports->is_recipient(u.id)) {
    rt.reports->forget_key(auth::operator_principal(), u.id);
    std::cerr << u.username
              << " receives reports: a new report key is made at their next "
                 "sign-in; other recipients re-share open reports with it\n";
  }
  if (generated) emit(o, "password: " + password + "\n");
  return 0;
}

int cmd_token_create(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const auto u = require_user(rt, o.username);
  std::optional<Millis> expires;
  if (o.expires_days > 0) expires = now_millis() + Millis{o.expires_days} * 24 * 3600 * 1000;
  auto [info, secret] =
      rt.auth->create_token(auth::operator_principal(), u.id, o.token_name, o.scopes, expires);
  std::cerr << "token " << info.id << " for " << u.username << " (shown once):\n";
  emit(o, secret + "\n");
  return 0;
}

int cmd_token_revoke(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  rt.auth->revoke_token(auth::operator_principal(), o.token_id);
  std::cerr << "revoked token " << o.token_id << "\n";
  return 0;
}

int cmd_audit_verify(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const auto v = rt.audit->verify();
  if (v.ok) {
    // The last hash is worth recording elsewhere: the chain itself cannot show that entries
    // were cut from its end.
    emit(o, "audit chain intact: " + std::to_string(v.entries) + " entries, last hash " +
                (v.last_hash.empty() ? "none" : v.last_hash) + "\n");
    return 0;
  }
  emit(o, "audit chain BROKEN at entry " + std::to_string(v.first_broken) + ": " + v.reason + "\n");
  return 8;
}

int cmd_keys_rotate(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  // 1. New active key, old one kept: every ciphertext still opens whatever happens next.
  rt.keys->add_key();
  // 2. Re-encrypt everything in one transaction.
  std::int64_t fields = 0;
  rt.db->transaction([&](store::Connection& c) {
    fields = rt.auth->reencrypt(c, *rt.keys) + rt.cases->reencrypt(c, *rt.keys) +
             rt.reports->reencrypt(c, *rt.keys) + rt.alerts->reencrypt(c, *rt.keys) +
             fiu::reencrypt(c, *rt.keys);
    auto entry = auth::operator_principal().audit("keys.rotate", "keys");
    entry.detail = "active " + rt.keys->active_key_id() + ", " + std::to_string(fields) + " fields";
    rt.audit->append(c, entry);
  });
  // 3. Only now drop the old key.
  rt.keys->retire_inactive();
  emit(o, "rotated to key " + rt.keys->active_key_id() + "; re-encrypted " +
              std::to_string(fields) + " fields\n");
  return 0;
}

}  // namespace

void add_commands(CLI::App& app, Options& o) {
  auto* version = app.add_subcommand("version", "Print the version");
  registry()[version] = [](const Options&) {
    std::cout << "ctis " << CTIS_VERSION << "\n";
    return 0;
  };

  auto* serve = add_leaf(&app, "serve", "Serve the web app and API", o, cmd_serve);
  serve->add_option("--listen", o.listen, "host:port to listen on (port 0: any free port)");
  serve->add_flag("--print-config", o.print_config,
                  "Print the effective configuration (secrets masked) and exit");

  auto* demo =
      add_leaf(&app, "demo", "Create a demo installation in --data and serve it", o, cmd_demo);
  demo->add_option("--listen", o.listen, "host:port to listen on (port 0: any free port)");

  auto* db = app.add_subcommand("db", "Database maintenance");
  db->require_subcommand(1);
  add_leaf(db, "migrate", "Apply pending schema migrations", o, cmd_migrate)
      ->add_option("--out", o.out, "Report to FILE (default stdout)");
  add_leaf(db, "backup", "Write a consistent copy of the SQLite database", o, cmd_backup)
      ->add_option("--out", o.out, "Backup file to create")
      ->required();

  auto* user = app.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* add = add_leaf(user, "add", "Create a user (password generated unless --password-stdin)", o,
                       cmd_user_add);
  add->add_option("username", o.username, "User name")->required();
  add->add_option(
         "--role", o.role,
         "admin, coordinator, caseworker, analyst, fiu_analyst, partner or law_enforcement")
      ->required();
  add->add_option("--org", o.organisation, "Organisation (created if new)")->required();
  add->add_option("--display-name", o.display_name, "Full name");
  add->add_option("--email", o.email, "E-mail address");
  add->add_flag("--password-stdin", o.password_stdin, "Read the password from standard input");
  add->add_option("--out", o.out, "Write the result to FILE");
  add_leaf(user, "list", "List users", o, cmd_user_list)
      ->add_option("--out", o.out, "Write the list to FILE");
  add_leaf(user, "disable", "Disable a user and end their sessions and tokens", o, cmd_user_disable)
      ->add_option("username", o.username, "User name")
      ->required();
  auto* passwd =
      add_leaf(user, "passwd", "Set a user's password (generated unless --password-stdin)", o,
               cmd_user_passwd);
  passwd->add_option("username", o.username, "User name")->required();
  passwd->add_flag("--password-stdin", o.password_stdin, "Read the password from standard input");
  passwd->add_option("--out", o.out, "Write a generated password to FILE");

  auto* token = app.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto* create = add_leaf(token, "create", "Create an API token for a user (printed once)", o,
                          cmd_token_create);
  create->add_option("username", o.username, "User the token acts as")->required();
  create->add_option("--name", o.token_name, "What the token is for")->required();
  create->add_option("--scopes", o.scopes, "read and/or write")->delimiter(',')->required();
  create->add_option("--expires-days", o.expires_days, "Days until it expires (default never)");
  create->add_option("--out", o.out, "Write the token to FILE");
  add_leaf(token, "revoke", "Revoke an API token", o, cmd_token_revoke)
      ->add_option("id", o.token_id, "Token id")
      ->required();

  auto* audit = app.add_subcommand("audit", "Audit log");
  audit->require_subcommand(1);
  add_leaf(audit, "verify",
           "Check the hash chain; exit 8 and name the first broken entry if broken", o,
           cmd_audit_verify)
      ->add_option("--out", o.out, "Write the report to FILE");

  auto* keys = app.add_subcommand("keys", "Data encryption keys");
  keys->require_subcommand(1);
  add_leaf(keys, "rotate", "Make a new data key and re-encrypt all personal data under it", o,
           cmd_keys_rotate)
      ->add_option("--out", o.out, "Write the report to FILE");

  add_case_commands(app, o);
  add_link_commands(app, o);
  add_routes_commands(app, o);
  add_finance_commands(app, o);
}

int run_selected(CLI::App& app, const Options& opts) {
  const CLI::App* cmd = &app;
  while (!cmd->get_subcommands().empty()) cmd = cmd->get_subcommands().front();
  auto it = registry().find(cmd);
  if (it == registry().end()) {
    std::cerr << app.help();
    return 2;
  }
  return it->second(opts);
}

}  // namespace ctis::cli
