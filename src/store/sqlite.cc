// SQLite backend: one sqlite3 handle per pooled connection, each with its own cache of
// prepared statements (an authenticated request runs a few small queries; preparing them
// every time would cost more than running them).
#include "store/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <type_traits>
#include <unordered_map>

namespace ctis::store::detail {

namespace {

std::string one_line(std::string_view sql) {
  constexpr std::size_t limit = 200;
  std::string out(sql.substr(0, limit));
  for (auto& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (sql.size() > limit) out += "...";
  return out;
}

// Maps an SQLite result code (extended codes are on) to the store's error vocabulary.
[[noreturn]] void throw_sqlite_error(int rc, const std::string& message, const std::string& path,
                                     std::string_view sql) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      throw Error(ErrorKind::conflict, "conflict", message);
    case SQLITE_CONSTRAINT_TRIGGER:  // RAISE(ABORT, ...) in a trigger
      if (message.find("append-only") != std::string::npos) {
        throw Error(ErrorKind::forbidden, "append_only", message);
      }
      throw Error(ErrorKind::conflict, "conflict", message);
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:  // NOT NULL, CHECK: the caller let bad data through
      throw Error(ErrorKind::internal, "constraint_violation", message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      throw RetryableError(ErrorKind::unavailable, "store_busy",
                           "SQLite database " + path + " is busy: " + message);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
    case SQLITE_NOMEM:
      fail_unavailable("store_unavailable", "SQLite database " + path + ": " + message);
    case SQLITE_TOOBIG:
      throw Error(ErrorKind::too_large, "too_large", message);
    default:
      throw Error(ErrorKind::internal, "store_sql", message + " (in: " + one_line(sql) + ")");
  }
}

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
struct HandleCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Lets the statement cache be searched with a string_view without building a string.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SqliteConnection final : public PooledConnection {
 public:
  SqliteConnection(std::string path, const Options& options) : path_(std::move(path)) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
      fail_unavailable("store_unavailable", "cannot open SQLite database " + path_ + ": " +
                                                (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    // The first statement reads the file header: a corrupt or foreign file fails here.
    const auto mode = query("PRAGMA journal_mode=WAL");
    if (path_ != ":memory:" && (mode.empty() || mode[0].text(0) != "wal")) {
      fail_unavailable("store_unavailable", "SQLite database " + path_ + " cannot use WAL mode");
    }
    execute(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    execute("PRAGMA foreign_keys=ON");
    // Statement journals of large transactions (imports) stay in memory, not in /var/tmp.
    execute("PRAGMA temp_store=MEMORY");
  }

  using Connection::execute;
  using Connection::query;

  std::vector<Row> query(std::string_view sql, Params params = {}) override {
    std::vector<Row> rows;
    run(sql, params, &rows);
    return rows;
  }

  std::int64_t execute(std::string_view sql, Params params = {}) override {
    // sqlite3_changes64() keeps the count of the last INSERT/UPDATE/DELETE, so a statement
    // that changed no rows (DDL, a SELECT) would report a stale figure: check the total.
    const auto before = sqlite3_total_changes64(db_.get());
    run(sql, params, nullptr);
    return sqlite3_total_changes64(db_.get()) == before ? 0 : sqlite3_changes64(db_.get());
  }

  void execute_script(std::string_view sql) override {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      const std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      fail(sqlite3_extended_errcode(db_.get()), text, sql);
    }
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  bool recycle() noexcept override {
    if (broken_) return false;
    if (!sqlite3_get_autocommit(db_.get())) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return sqlite3_get_autocommit(db_.get()) != 0;
  }

  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }

 private:
  // Runs one statement, collecting rows into `rows` when given.
  void run(std::string_view sql, Params params, std::vector<Row>* rows) {
    sqlite3_stmt* stmt = prepare(sql);
    struct ResetOnExit {
      sqlite3_stmt* stmt;
      ~ResetOnExit() {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
      }
    } reset{stmt};
    bind(stmt, sql, params);
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(rc, sqlite3_errmsg(db_.get()), sql);
      if (rows) rows->push_back(read_row(stmt, columns));
    }
  }

  sqlite3_stmt* prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second.get();
    constexpr std::size_t max_cached = 256;
    if (statements_.size() >= max_cached) statements_.clear();  // rare: SQL built at runtime
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, &tail);
    StatementPtr stmt(raw);
    if (rc != SQLITE_OK) fail(rc, sqlite3_errmsg(db_.get()), sql);
    if (!stmt) {
      throw Error(ErrorKind::internal, "store_sql", "empty statement: " + one_line(sql));
    }
    for (const char* p = tail; p && p < sql.data() + sql.size(); ++p) {
      if (*p != ';' && !std::isspace(static_cast<unsigned char>(*p))) {
        throw Error(ErrorKind::internal, "store_sql",
                    "one statement at a time (execute_script runs several): " + one_line(sql));
      }
    }
    return statements_.emplace(std::string(sql), std::move(stmt)).first->second.get();
  }

  void bind(sqlite3_stmt* stmt, std::string_view sql, Params params) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      throw Error(ErrorKind::internal, "store_sql",
                  "statement takes " + std::to_string(expected) + " parameters, got " +
                      std::to_string(params.size()) + ": " + one_line(sql));
    }
    for (int i = 0; i < expected; ++i) {
      const int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              return sqlite3_bind_null(stmt, i + 1);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              return sqlite3_bind_int64(stmt, i + 1, v);
            } else if constexpr (std::is_same_v<T, double>) {
              return sqlite3_bind_double(stmt, i + 1, v);
            } else if constexpr (std::is_same_v<T, std::string>) {
              return sqlite3_bind_text64(stmt, i + 1, v.data(), v.size(), SQLITE_STATIC,
                                         SQLITE_UTF8);
            } else {
              // A null data pointer would bind SQL NULL, not an empty blob.
              if (v.empty()) return sqlite3_bind_zeroblob(stmt, i + 1, 0);
              return sqlite3_bind_blob64(stmt, i + 1, v.data(), v.size(), SQLITE_STATIC);
            }
          },
          params[static_cast<std::size_t>(i)]);
      if (rc != SQLITE_OK) fail(rc, sqlite3_errmsg(db_.get()), sql);
    }
  }

  static Row read_row(sqlite3_stmt* stmt, int columns) {
    Row row;
    row.values.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          row.values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
          break;
        case SQLITE_FLOAT:
          row.values.emplace_back(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_TEXT: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
          row.values.emplace_back(std::string(text ? text : "", size));
          break;
        }
        case SQLITE_BLOB: {
          const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, c));
          const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
          row.values.emplace_back(data ? Blob(data, data + size) : Blob{});
          break;
        }
        default:
          row.values.emplace_back(nullptr);
      }
    }
    return row;
  }

  [[noreturn]] void fail(int rc, const std::string& message, std::string_view sql) {
    const int primary = rc & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_IOERR) {
      broken_ = true;  // reopen rather than reuse a handle that has seen the file fail
    }
    throw_sqlite_error(rc, message, path_, sql);
  }

  std::string path_;
  std::unique_ptr<sqlite3, HandleCloser> db_;
  // Declared after db_ so statements are finalized before the handle closes.
  std::unordered_map<std::string, StatementPtr, TextHash, std::equal_to<>> statements_;
  bool broken_ = false;
};

std::string path_from_url(const std::string& url) {
  std::string_view path = url;
  if (path.starts_with("sqlite://")) {
    path.remove_prefix(9);  // sqlite:///abs/path
  } else if (path.starts_with("sqlite:")) {
    path.remove_prefix(7);
  }
  if (path.empty()) fail_invalid("url", "the SQLite URL names no file: " + url);
  return std::string(path);
}

// Checks the file is there (or creates it owner-only: it holds personal data) before SQLite
// gets to create it with the umask's permissions.
void prepare_file(const std::string& path, bool create_if_missing) {
  if (path == ":memory:") return;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return;
  if (!create_if_missing) {
    fail_unavailable("store_unavailable", "SQLite database " + path + " does not exist");
  }
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST) {
    fail_unavailable("store_unavailable",
                     "cannot create SQLite database " + path + ": " + std::strerror(errno));
  }
  if (fd >= 0) ::close(fd);
}

}  // namespace

SqliteDatabase::SqliteDatabase(const Options& options)
    : path_(path_from_url(options.url)),
      // Each ":memory:" handle is its own database, so one connection must serve everyone.
      pool_(path_ == ":memory:" ? 1 : options.pool_size,
            [path = path_, options] { return std::make_unique<SqliteConnection>(path, options); }) {
  prepare_file(path_, options.create_if_missing);
}

Lease SqliteDatabase::connection() { return Lease(this, pool_.acquire()); }

bool SqliteDatabase::ping() {
  try {
    return !connection()->query("SELECT 1").empty();
  } catch (const std::exception&) {
    return false;
  }
}

void SqliteDatabase::backup_to(const std::string& destination_path) {
  const int fd = ::open(destination_path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      throw Error(ErrorKind::conflict, "backup_exists",
                  "backup destination " + destination_path + " already exists");
    }
    fail_unavailable("backup_failed",
                     "cannot create backup " + destination_path + ": " + std::strerror(errno));
  }
  ::close(fd);
  sqlite3* raw = nullptr;
  try {
    std::unique_ptr<sqlite3, HandleCloser> destination;
    const int rc = sqlite3_open_v2(destination_path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    destination.reset(raw);
    if (rc != SQLITE_OK) {
      fail_unavailable("backup_failed", "cannot open backup " + destination_path + ": " +
                                            (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    Lease lease = connection();
    auto& source = static_cast<SqliteConnection&>(*lease);
    sqlite3_backup* copy = sqlite3_backup_init(raw, "main", source.handle(), "main");
    if (!copy) {
      fail_unavailable("backup_failed",
                       "cannot back up to " + destination_path + ": " + sqlite3_errmsg(raw));
    }
    // All pages in one step: one read transaction, so the copy is consistent.
    int step;
    while ((step = sqlite3_backup_step(copy, -1)) == SQLITE_BUSY || step == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const int finished = sqlite3_backup_finish(copy);
    if (step != SQLITE_DONE || finished != SQLITE_OK) {
      fail_unavailable("backup_failed",
                       "backup to " + destination_path + " failed: " + sqlite3_errmsg(raw));
    }
  } catch (...) {
    ::unlink(destination_path.c_str());
    throw;
  }
}

std::unique_ptr<Database> open_sqlite(const Options& options) {
  auto db = std::make_unique<SqliteDatabase>(options);
  // Reads the schema: a file that is not (or no longer) a database fails now, not later.
  db->connection()->query("SELECT count(*) FROM sqlite_master");
  return db;
}

}  // namespace ctis::store::detail
