// PostgreSQL backend: libpq, one PGconn per pooled connection. Parameters go as text (typed
// where the type is known, so "SELECT ?" with an integer answers an integer) except blobs,
// which go as binary bytea; results come back as text and are converted by column type.
// Text and NULL parameters are left for the server to type from context, so a placeholder
// with no context ("? IS NULL") needs a cast there: "CAST(? AS TEXT) IS NULL".
#include "store/postgres.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

namespace ctis::store::detail {

namespace {

// Type OIDs from PostgreSQL's catalog/pg_type.h (not shipped with libpq).
constexpr Oid bool_oid = 16;
constexpr Oid bytea_oid = 17;
constexpr Oid int8_oid = 20;
constexpr Oid int2_oid = 21;
constexpr Oid int4_oid = 23;
constexpr Oid oid_oid = 26;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;
constexpr Oid numeric_oid = 1700;

std::string one_line(std::string_view text, std::size_t limit = 300) {
  std::string out;
  for (char c : text.substr(0, limit)) {
    const bool space = c == '\n' || c == '\r' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (text.size() > limit) out += "...";
  return out;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

bool starts_with(const char* s, std::string_view prefix) {
  return s && std::string_view(s).substr(0, prefix.size()) == prefix;
}

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

bool is_commit(std::string_view sql) {
  if (sql.size() < 6) return false;
  std::string word(sql.substr(0, 6));
  for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return word == "COMMIT";
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;  // shortest exact form
  return std::string(buf, end);
}

[[noreturn]] void fail_value(Oid type, std::string_view text) {
  throw Error(
      ErrorKind::internal, "store_type",
      "cannot read PostgreSQL value of type " + std::to_string(type) + ": " + one_line(text, 40));
}

Value convert(Oid type, const char* text, std::size_t size) {
  const std::string_view v(text, size);
  switch (type) {
    case int2_oid:
    case int4_oid:
    case int8_oid:
    case oid_oid: {
      std::int64_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size()) fail_value(type, v);
      return n;
    }
    case float4_oid:
    case float8_oid:
    case numeric_oid: {
      double d = 0;  // from_chars also reads "NaN" and "Infinity"
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec != std::errc() || end != v.data() + v.size()) fail_value(type, v);
      return d;
    }
    case bool_oid:
      return std::int64_t{v == "t" ? 1 : 0};
    case bytea_oid:
      if (!v.starts_with("\\x")) fail_value(type, v);  // bytea_output is set to hex
      return from_hex(v.substr(2));
    default:
      return std::string(v);
  }
}

class PgConnection final : public PooledConnection {
 public:
  explicit PgConnection(const std::string& url) : url_(url) {
    // Listed before dbname so that settings in the URL win.
    const char* keys[] = {"connect_timeout", "client_encoding", "dbname", nullptr};
    const char* values[] = {"10", "UTF8", url.c_str(), nullptr};
    conn_.reset(PQconnectdbParams(keys, values, 1));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
      fail_unavailable("store_unavailable",
                       "cannot connect to PostgreSQL at " + mask_password(url) + ": " +
                           one_line(conn_ ? PQerrorMessage(conn_.get()) : "out of memory"));
    }
    // NOTICEs ("relation already exists, skipping") would go to stderr: drop them.
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
    execute_script("SET client_min_messages = warning; SET bytea_output = hex");
  }

  using Connection::execute;
  using Connection::query;

  std::vector<Row> query(std::string_view sql, Params params = {}) override {
    const Result res = run(sql, params);
    std::vector<Row> rows;
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return rows;
    const int columns = PQnfields(res.get());
    const int count = PQntuples(res.get());
    std::vector<Oid> types(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) types[static_cast<std::size_t>(c)] = PQftype(res.get(), c);
    rows.reserve(static_cast<std::size_t>(count));
    for (int r = 0; r < count; ++r) {
      Row row;
      row.values.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.values.emplace_back(nullptr);
        } else {
          row.values.push_back(convert(types[static_cast<std::size_t>(c)],
                                       PQgetvalue(res.get(), r, c),
                                       static_cast<std::size_t>(PQgetlength(res.get(), r, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  std::int64_t execute(std::string_view sql, Params params = {}) override {
    const Result res = run(sql, params);
    const char* tuples = PQcmdTuples(res.get());
    std::int64_t n = 0;
    std::from_chars(tuples, tuples + std::strlen(tuples), n);
    return n;
  }

  void execute_script(std::string_view sql) override {
    const Result res(PQexec(conn_.get(), std::string(sql).c_str()));
    check(res.get(), sql);
  }

  Dialect dialect() const override { return Dialect::postgresql; }

  bool recycle() noexcept override {
    if (PQstatus(conn_.get()) != CONNECTION_OK) return false;
    switch (PQtransactionStatus(conn_.get())) {
      case PQTRANS_IDLE:
        return true;
      case PQTRANS_INTRANS:
      case PQTRANS_INERROR:
        PQclear(PQexec(conn_.get(), "ROLLBACK"));
        return PQstatus(conn_.get()) == CONNECTION_OK &&
               PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
      default:
        return false;
    }
  }

 private:
  Result run(std::string_view sql, Params params) {
    int placeholders = 0;
    const std::string text = number_placeholders(sql, placeholders);
    if (placeholders != static_cast<int>(params.size())) {
      throw Error(ErrorKind::internal, "store_sql",
                  "statement takes " + std::to_string(placeholders) + " parameters, got " +
                      std::to_string(params.size()) + ": " + one_line(sql, 200));
    }
    const auto n = params.size();
    std::vector<Oid> types(n, 0);  // 0: let the server infer (text into any column type)
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0);
    std::vector<int> formats(n, 0);
    std::vector<std::string> numbers(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Value& p = params[i];
      if (const auto* v = std::get_if<std::int64_t>(&p)) {
        numbers[i] = std::to_string(*v);
        types[i] = int8_oid;
        values[i] = numbers[i].c_str();
      } else if (const auto* d = std::get_if<double>(&p)) {
        numbers[i] = format_double(*d);
        types[i] = float8_oid;
        values[i] = numbers[i].c_str();
      } else if (const auto* s = std::get_if<std::string>(&p)) {
        if (s->find('\0') != std::string::npos) {
          fail_invalid("", "text for PostgreSQL cannot contain a NUL character");
        }
        values[i] = s->c_str();
      } else if (const auto* b = std::get_if<Blob>(&p)) {
        types[i] = bytea_oid;
        // Non-null even when empty: a null pointer would mean SQL NULL.
        values[i] = b->empty() ? "" : reinterpret_cast<const char*>(b->data());
        lengths[i] = static_cast<int>(b->size());
        formats[i] = 1;
      }
    }
    Result res(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(n), types.data(),
                            values.data(), lengths.data(), formats.data(), 0));
    check(res.get(), sql);
    // After a failed statement PostgreSQL turns COMMIT into ROLLBACK (SQLite would commit
    // the rest): say so rather than let the caller believe the changes were saved.
    if (std::string_view(PQcmdStatus(res.get())) == "ROLLBACK" && is_commit(sql)) {
      throw Error(ErrorKind::internal, "transaction_aborted",
                  "a statement failed inside the transaction, so PostgreSQL rolled it back; "
                  "use INSERT ... ON CONFLICT instead of catching the error");
    }
    return res;
  }

  void check(PGresult* res, std::string_view sql) {
    const auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return;
    }
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    // The primary message only: DETAIL can quote row values (personal data).
    const std::string message = one_line(primary ? primary : PQerrorMessage(conn_.get()));
    if (!state || PQstatus(conn_.get()) != CONNECTION_OK || starts_with(state, "08") ||
        starts_with(state, "57") || starts_with(state, "53") || starts_with(state, "58")) {
      fail_unavailable("store_unavailable",
                       "PostgreSQL at " + mask_password(url_) + " failed: " + message);
    }
    const std::string_view code(state);
    if (code == "23505" || code == "23503" || code == "23P01") {
      throw Error(ErrorKind::conflict, "conflict", message);
    }
    if (code.starts_with("23")) {  // NOT NULL, CHECK: the caller let bad data through
      throw Error(ErrorKind::internal, "constraint_violation", message);
    }
    if (code == "40001" || code == "40P01") {
      throw RetryableError(ErrorKind::unavailable, "store_busy",
                           "PostgreSQL transaction failed and may be retried: " + message);
    }
    if (code == "P0001") {  // RAISE EXCEPTION, e.g. in a trigger
      if (message.find("append-only") != std::string::npos) {
        throw Error(ErrorKind::forbidden, "append_only", message);
      }
      throw Error(ErrorKind::conflict, "conflict", message);
    }
    if (code.starts_with("22")) {  // data exception: value out of range, bad encoding...
      throw Error(ErrorKind::invalid, "invalid", message);
    }
    throw Error(ErrorKind::internal, "store_sql",
                message + " [" + std::string(code) + "] (in: " + one_line(sql, 200) + ")");
  }

  std::string url_;
  std::unique_ptr<PGconn, ConnDeleter> conn_;
};

class PgDatabase final : public Database {
 public:
  explicit PgDatabase(const Options& options)
      : url_(options.url), pool_(options.pool_size, [url = options.url] {
          return std::make_unique<PgConnection>(url);
        }) {}

  Dialect dialect() const override { return Dialect::postgresql; }
  Lease connection() override { return Lease(this, pool_.acquire()); }
  bool ping() override {
    try {
      return !connection()->query("SELECT 1").empty();
    } catch (const std::exception&) {
      return false;
    }
  }
  PoolStats stats() const override { return pool_.stats(); }
  std::string describe() const override { return mask_password(url_); }

 protected:
  void give_back(std::unique_ptr<Connection> conn) override { pool_.release(std::move(conn)); }

 private:
  std::string url_;
  ConnectionPool pool_;
};

// Length of a dollar-quote delimiter ("$$", "$tag$") starting at sql[i], or 0.
std::size_t dollar_tag_length(std::string_view sql, std::size_t i) {
  std::size_t j = i + 1;
  if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) return 0;  // $1
  while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) {
    ++j;
  }
  return j < sql.size() && sql[j] == '$' ? j - i + 1 : 0;
}

}  // namespace

std::string number_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  std::size_t i = 0;
  // Copies sql[i, end) through unchanged and moves past it.
  const auto copy_to = [&](std::size_t end) {
    end = std::min(end, sql.size());
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (c == '\'') {
      // E'...' strings take backslash escapes; in others a quote is doubled, which the
      // scan handles as two adjacent literals.
      const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           (i < 2 || !is_identifier_char(sql[i - 2]));
      std::size_t j = i + 1;
      while (j < sql.size() && sql[j] != '\'') j += (escapes && sql[j] == '\\') ? 2 : 1;
      copy_to(j + 1);
    } else if (c == '"') {
      const auto end = sql.find('"', i + 1);
      copy_to(end == std::string_view::npos ? sql.size() : end + 1);
    } else if (c == '-' && next == '-') {
      copy_to(sql.find('\n', i));
    } else if (c == '/' && next == '*') {
      const auto end = sql.find("*/", i + 2);
      copy_to(end == std::string_view::npos ? sql.size() : end + 2);
    } else if (c == '$' && (i == 0 || !is_identifier_char(sql[i - 1])) &&
               dollar_tag_length(sql, i) > 0) {
      const auto tag = sql.substr(i, dollar_tag_length(sql, i));
      const auto end = sql.find(tag, i + tag.size());
      copy_to(end == std::string_view::npos ? sql.size() : end + tag.size());
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++count);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

std::unique_ptr<Database> open_postgres(const Options& options) {
  auto db = std::make_unique<PgDatabase>(options);
  db->connection()->query("SELECT 1");  // connects now: a bad URL fails at startup
  return db;
}

}  // namespace ctis::store::detail
