// The import of a DTM file: parsed on a second thread while the calling thread stores the rows
// already read, in one transaction (see Monitor::import_flows).
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "monitor/import_internal.h"
#include "monitor/monitor.h"

namespace ctis::monitor {
namespace {

using detail::add_days;
using detail::copy_report;
using detail::fail_with_issues;
using detail::FlowWriter;
using detail::kProgressEvery;
using detail::read_options;
using detail::remove_earlier_imports;
using detail::Rows;
using store::Connection;
using store::Value;

// SQLite: a page cache large enough for the import's pages while its transaction runs (the
// default 2 MB would spill half-written pages to the WAL and read them back), then the
// connection's own size again.
class ImportCache {
 public:
  explicit ImportCache(Connection& c) : conn_(c) {
    if (c.dialect() != store::Dialect::sqlite) return;
    previous_ = c.query_one("PRAGMA cache_size")->integer(0);
    c.execute("PRAGMA cache_size = -131072");  // KiB
  }
  ImportCache(const ImportCache&) = delete;
  ImportCache& operator=(const ImportCache&) = delete;
  ~ImportCache() {
    if (!previous_) return;
    try {
      conn_.execute("PRAGMA cache_size = " + std::to_string(*previous_));
    } catch (const std::exception&) {  // the pool closes a connection that fails
    }
  }

 private:
  Connection& conn_;
  std::optional<std::int64_t> previous_;
};

// The DTM import's two threads: the reader parses and puts chunks here, the caller stores them
// in its transaction as they come. Chunks are kept until the import ends, so that a
// transaction the database asks to retry stores them again from the first.
class ChunkPipe {
 public:
  struct Cancelled {};

  void put(routes::FlowChunk&& chunk) {
    std::lock_guard lock(mutex_);
    if (cancelled_) throw Cancelled{};
    chunks_.push_back(std::move(chunk));
    ready_.notify_one();
  }
  void finish(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    done_ = true;
    error_ = std::move(error);
    ready_.notify_one();
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  // Chunk i once read; nullptr after the last. Rethrows the reader's error: nothing is stored.
  const routes::FlowChunk* get(std::size_t i) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return i < chunks_.size() || done_; });
    if (error_) std::rethrow_exception(error_);
    return i < chunks_.size() ? &chunks_[i] : nullptr;  // deque: elements never move
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<routes::FlowChunk> chunks_;
  bool done_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

}  // namespace

ImportResult Monitor::import_flows(const auth::Principal& by, const FlowReader& read,
                                   const std::string& path, const std::string& file_name,
                                   const ImportOptions& options) {
  if (file_name.empty() || file_name.size() > 500 || !valid_utf8(file_name)) {
    fail_invalid("file_name", "the file name must be 1..500 bytes of UTF-8");
  }
  const routes::Format format = routes::Format::dtm;
  ImportResult result;
  result.format = format;
  result.file_name = file_name;
  const Millis now = options_.clock();
  routes::ReadReport report;
  routes::ReadOptions ro = read_options(options);
  ro.on_progress = nullptr;  // reported from this thread, as the chunks arrive
  std::exception_ptr failure;
  {
    ChunkPipe pipe;
    std::thread reader([&] {
      pthread_setname_np(pthread_self(), "ctis-dtm-read");  // names it in profiles and top
      try {
        read(
            [&](routes::FlowChunk&& chunk) {
              // In day order the day index is written page after page rather than all over.
              std::stable_sort(
                  chunk.rows.begin(), chunk.rows.end(),
                  [](const routes::Flow& a, const routes::Flow& b) { return a.date < b.date; });
              pipe.put(std::move(chunk));
            },
            ro, &report);
        pipe.finish(nullptr);
      } catch (const ChunkPipe::Cancelled&) {
        pipe.finish(nullptr);
      } catch (...) {
        pipe.finish(std::current_exception());
      }
    });
    try {
      db_.transaction([&](Connection& c) {
        result.rows_replaced =
            remove_earlier_imports(c, format_code(format), file_name, "route_flow_rows");
        // Counts and days are known once the whole file is read: set below.
        result.import_id =
            c.query_one(
                 "INSERT INTO route_imports (file_name, format, rows_stored, rows_skipped, "
                 "imported_by, imported_at) VALUES (?, ?, 0, 0, ?, ?) RETURNING id",
                 {file_name, format_code(format), by.username, now})
                ->integer(0);
        const ImportCache cache(c);
        FlowWriter writer(c, result.import_id);
        Rows span;
        std::size_t read_reported = 0;
        for (std::size_t i = 0;; ++i) {
          const routes::FlowChunk* chunk = pipe.get(i);
          if (!chunk) break;
          writer.add_labels(chunk->new_labels);
          if (options.on_progress && chunk->rows_read / kProgressEvery > read_reported) {
            read_reported = chunk->rows_read / kProgressEvery;
            options.on_progress(ImportProgress{"reading", chunk->rows_read, 0});
          }
          for (const auto& row : chunk->rows) {
            writer.add(row);
            span.see(row.date);
            if (++span.count % kProgressEvery == 0 && options.on_progress) {
              options.on_progress(ImportProgress{"storing", span.count, 0});
            }
          }
        }
        writer.flush();
        // The reader has finished (get() returned nullptr), so its report is complete.
        std::vector<Value> params{static_cast<std::int64_t>(span.count),
                                  static_cast<std::int64_t>(report.rows_skipped)};
        add_days(params, span);
        params.emplace_back(result.import_id);
        c.execute(
            "UPDATE route_imports SET rows_stored = ?, rows_skipped = ?, first_day = ?, "
            "last_day = ? WHERE id = ?",
            store::Params(params));
        result.rows_stored = span.count;
        auto entry = by.audit("route.import", "route_import:" + std::to_string(result.import_id));
        entry.detail = format_code(format) + ", " + std::to_string(span.count) + " rows" +
                       (result.rows_replaced ? ", replacing " + std::to_string(result.rows_replaced)
                                             : std::string());
        audit_.append(c, entry);
      });
    } catch (...) {
      failure = std::current_exception();
    }
    pipe.cancel();
    reader.join();
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::invalid && report.error_count > 0) fail_with_issues(report, path);
      throw;
    }
  }
  if (options.on_progress) {
    options.on_progress(ImportProgress{"reading", report.rows_read, 0});
    options.on_progress(ImportProgress{"storing", result.rows_stored, result.rows_stored});
  }
  copy_report(report, result);
  return result;
}

}  // namespace ctis::monitor
