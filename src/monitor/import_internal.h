// Import helpers shared by import.cc and flows_import.cc (private to the module).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "monitor/monitor.h"
#include "routes/routes.h"
#include "store/store.h"

namespace ctis::monitor::detail {

using store::Connection;
using store::Value;

// Multi-row INSERTs of up to kMaxParams parameters each: far fewer statements than rows, and
// the full-size statement is prepared once and reused from the connection's cache.
constexpr std::size_t kMaxParams = 8190;

class BatchInserter {
 public:
  BatchInserter(Connection& conn, std::string head, std::size_t columns)
      : conn_(conn), head_(std::move(head)), columns_(columns), per_batch_(kMaxParams / columns) {
    values_.reserve(per_batch_ * columns_);
    full_sql_ = sql_for(per_batch_);
  }

  template <class... V>
  void add(V&&... v) {
    static_assert(sizeof...(V) > 0);
    (values_.emplace_back(std::forward<V>(v)), ...);
    if (values_.size() == per_batch_ * columns_) flush();
  }

  void flush() {
    if (values_.empty()) return;
    const std::size_t rows = values_.size() / columns_;
    conn_.execute(rows == per_batch_ ? full_sql_ : sql_for(rows), store::Params(values_));
    values_.clear();
  }

 private:
  std::string sql_for(std::size_t rows) const {
    std::string row = "(";
    for (std::size_t i = 0; i < columns_; ++i) row += i == 0 ? "?" : ", ?";
    row += ")";
    std::string sql = head_ + " VALUES ";
    sql.reserve(sql.size() + rows * (row.size() + 2));
    for (std::size_t r = 0; r < rows; ++r) {
      if (r > 0) sql += ", ";
      sql += row;
    }
    return sql;
  }

  Connection& conn_;
  std::string head_;
  std::size_t columns_;
  std::size_t per_batch_;
  std::string full_sql_;
  std::vector<Value> values_;
};

inline Value flag(bool b) { return Value{std::int64_t{b ? 1 : 0}}; }

// Removes the earlier imports of the same source (format and file name) and their rows from
// `table`, in the caller's transaction: re-importing replaces, never doubles. Returns the rows.
inline std::size_t remove_earlier_imports(Connection& c, const std::string& format,
                                          const std::string& file_name, const std::string& table) {
  std::size_t removed = 0;
  for (const auto& old :
       c.query("SELECT id FROM route_imports WHERE format = ? AND file_name = ? ORDER BY id",
               {format, file_name})) {
    removed += static_cast<std::size_t>(
        c.execute("DELETE FROM " + table + " WHERE import_id = ?", {old.integer(0)}));
    c.execute("DELETE FROM route_imports WHERE id = ?", {old.integer(0)});
  }
  return removed;
}

struct Rows {
  std::size_t count = 0;
  routes::Day first = std::numeric_limits<routes::Day>::max();
  routes::Day last = std::numeric_limits<routes::Day>::min();
  void see(routes::Day d) {
    first = std::min(first, d);
    last = std::max(last, d);
  }
};

// The first and last day of the rows, NULL without rows.
inline void add_days(std::vector<Value>& params, const Rows& span) {
  if (span.count == 0) {
    params.emplace_back(nullptr);
    params.emplace_back(nullptr);
  } else {
    params.emplace_back(std::int64_t{span.first});
    params.emplace_back(std::int64_t{span.last});
  }
}

// The route_labels id of a label (migration 0015), added when new.
inline std::int64_t label_id(Connection& c, const std::string& label) {
  c.execute("INSERT INTO route_labels (label) VALUES (?) ON CONFLICT (label) DO NOTHING", {label});
  return c.query_one("SELECT id FROM route_labels WHERE label = ?", {label})->integer(0);
}

// Writes flows as integers: labels by route_labels id, mapped from the reader's label indices.
class FlowWriter {
 public:
  FlowWriter(Connection& c, std::int64_t import_id)
      : conn_(c),
        import_id_(import_id),
        ins_(c,
             "INSERT INTO route_flow_rows (import_id, day, route_id, point_id, "
             "point_country_id, from_id, to_id, persons, censored)",
             9) {}

  // Labels in the reader's order: the next ones after those already added.
  void add_labels(const std::vector<std::string>& labels) {
    for (const auto& label : labels) ids_.push_back(label_id(conn_, label));
  }
  void add(const routes::Flow& r) {
    ins_.add(import_id_, std::int64_t{r.date}, ids_.at(r.route), ids_.at(r.point),
             ids_.at(r.point_country), ids_.at(r.from), ids_.at(r.to), r.persons.value,
             flag(r.persons.censored));
  }
  void flush() { ins_.flush(); }

 private:
  Connection& conn_;
  std::int64_t import_id_;
  BatchInserter ins_;
  std::vector<std::int64_t> ids_;
};

// Rows of a chunk: small enough that storing starts early, large enough to keep the threads'
// hand-overs rare.
constexpr std::size_t kChunkRows = 16384;
constexpr std::size_t kProgressEvery = 100000;

// The reader's Error lists only the first bad row; the import error lists them all.
[[noreturn]] void fail_with_issues(const routes::ReadReport& report, const std::string& file);
routes::ReadOptions read_options(const ImportOptions& options);
// The reader's counts and issues beside what the store filled in.
void copy_report(const routes::ReadReport& report, ImportResult& result);

}  // namespace ctis::monitor::detail
