// The reporter's side: submitting (group commit), following up and adding information.
#include <sodium.h>

#include <cstring>

#include "reports/internal.h"

namespace ctis::reports {

namespace detail {

std::int64_t insert_attachment(store::Connection& conn, const Key32& k, std::int64_t report_id,
                               std::optional<std::int64_t> message_id, const Attachment& a) {
  // The id is part of the associated data, so the row comes first and its contents after.
  const store::Value message = message_id ? store::Value{*message_id} : store::Value{nullptr};
  const auto id = conn.query_one(
                          "INSERT INTO report_attachments (report_id, message_id, name_enc, "
                          "content_enc) VALUES (?, ?, ?, ?) RETURNING id",
                          {report_id, message, Blob{}, Blob{}})
                      ->integer(0);
  const std::string part = "attachment:" + std::to_string(id);
  conn.execute("UPDATE report_attachments SET name_enc = ?, content_enc = ? WHERE id = ?",
               {seal_with(k, a.filename, report_ad(report_id, part + ":name")),
                seal_with(k, a.bytes, report_ad(report_id, part + ":content")), id});
  return id;
}

std::int64_t insert_message(store::Connection& conn, const Key32& k, std::int64_t report_id,
                            std::string_view author, std::string_view visibility,
                            std::string_view text, std::string_view staff_name,
                            const std::vector<Attachment>& attachments) {
  const auto id =
      conn.query_one(
              "INSERT INTO report_messages (report_id, author, visibility, day, "
              "body_enc) VALUES (?, ?, ?, ?, ?) RETURNING id",
              {report_id, std::string(author), std::string(visibility), today(), Blob{}})
          ->integer(0);
  std::vector<std::int64_t> attachment_ids;
  attachment_ids.reserve(attachments.size());
  for (const auto& a : attachments) {
    attachment_ids.push_back(insert_attachment(conn, k, report_id, id, a));
  }
  conn.execute("UPDATE report_messages SET body_enc = ? WHERE id = ?",
               {seal_with(k, message_json(text, staff_name, attachment_ids),
                          report_ad(report_id, "message:" + std::to_string(id))),
                id});
  return id;
}

void touch_report(store::Connection& conn, std::int64_t report_id, const Settings& settings) {
  const std::string day = today();
  conn.execute(
      "UPDATE reports SET activity_day = ?, expires_day = CASE WHEN status = 'linked' THEN NULL "
      "ELSE ? END WHERE id = ?",
      {day, add_days(day, settings.retention_days), report_id});
}

std::int64_t insert_report(store::Connection& conn, const Prepared& p, const Settings& settings) {
  const std::string day = today();
  const auto id = conn.query_one(
                          "INSERT INTO reports (status, messaging, channel, day, activity_day, "
                          "expires_day) VALUES ('new', 'two_way', ?, ?, ?, ?) RETURNING id",
                          {p.channel, day, day, add_days(day, settings.retention_days)})
                      ->integer(0);
  conn.execute("INSERT INTO report_contents (report_id, content_enc) VALUES (?, ?)",
               {id, seal_with(p.k, p.content, report_ad(id, "content"))});
  const std::string_view k_bytes(reinterpret_cast<const char*>(p.k.data()), p.k.bytes.size());
  conn.execute("INSERT INTO report_receipts (lookup, report_id, key_wrap) VALUES (?, ?, ?)",
               {p.lookup, id, seal_with(p.wrap_key, k_bytes, report_ad(id, "receipt"))});
  for (const auto& [user_id, sealed] : p.sealed) {
    conn.execute("INSERT INTO report_keys (report_id, user_id, sealed_key) VALUES (?, ?, ?)",
                 {id, user_id, sealed});
  }
  if (!p.intake.empty()) {
    conn.execute("INSERT INTO report_intake (report_id, key_enc) VALUES (?, ?)", {id, p.intake});
  }
  for (const auto& a : p.attachments) insert_attachment(conn, p.k, id, std::nullopt, a);
  return id;
}

GroupWriter::GroupWriter(store::Database& db, const Settings& settings)
    : db_(db), settings_(settings) {
  const int writers = db.dialect() == store::Dialect::sqlite ? 1 : 4;
  for (int i = 0; i < writers; ++i) threads_.emplace_back([this] { run(); });
}

GroupWriter::~GroupWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  work_.notify_all();
  for (auto& t : threads_) t.join();
}

std::int64_t GroupWriter::write(const Prepared& p) {
  Item item;
  item.prepared = &p;
  std::unique_lock lock(mutex_);
  queue_.push_back(&item);
  work_.notify_one();
  done_.wait(lock, [&] { return item.done; });
  if (item.error) std::rethrow_exception(item.error);
  return item.id;
}

void GroupWriter::run() {
  for (;;) {
    std::vector<Item*> batch;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    commit(batch);
    {
      std::lock_guard lock(mutex_);
      for (Item* item : batch) item->done = true;
    }
    done_.notify_all();
  }
}

void GroupWriter::commit(std::vector<Item*>& batch) {
  try {
    db_.transaction([&](store::Connection& conn) {
      for (Item* item : batch) item->id = insert_report(conn, *item->prepared, settings_);
    });
    return;
  } catch (...) {
    if (batch.size() == 1) {
      batch.front()->error = std::current_exception();
      return;
    }
  }
  // One bad item must not fail the others: write each alone.
  for (Item* item : batch) {
    try {
      db_.transaction([&](store::Connection& conn) {
        item->id = insert_report(conn, *item->prepared, settings_);
      });
    } catch (...) {
      item->error = std::current_exception();
    }
  }
}

}  // namespace detail

using detail::Key32;

Reports::Impl::Impl(store::Database& database, audit::AuditLog& audit_log, Settings s,
                    std::shared_ptr<const vault::Keyring> keys)
    : db(database),
      audit(audit_log),
      settings(s),
      intake_keys(std::move(keys)),
      submissions(s.submissions_per_second, s.submission_burst),
      wrong_codes(s.wrong_codes_per_second, s.wrong_code_burst),
      writer(database, settings) {}

Reports::Reports(store::Database& db, audit::AuditLog& audit, Settings settings,
                 std::shared_ptr<const vault::Keyring> intake_keys) {
  if (sodium_init() < 0)
    fail_unavailable("crypto_unavailable", "reports: libsodium failed to start");
  impl_ = std::make_unique<Impl>(db, audit, settings, std::move(intake_keys));
}

Reports::~Reports() = default;

std::vector<std::pair<std::int64_t, store::Blob>> Reports::Impl::seal_for_recipients(
    store::Connection& conn, const Key32& k, std::int64_t report_id) {
  const auto rows = conn.query(
      "SELECT r.user_id, r.public_key FROM report_recipients r WHERE r.active = 1 AND "
      "r.public_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM report_keys k WHERE "
      "k.report_id = ? AND k.user_id = r.user_id) ORDER BY r.user_id",
      {report_id});
  std::vector<std::pair<std::int64_t, store::Blob>> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.emplace_back(row.integer(0), detail::seal_to(row.blob(1), k));
  return out;
}

Receipt Reports::Impl::store_new(const Submission& submission, const auth::Principal* by) {
  if (by == nullptr && !submissions.try_take()) {
    throw Error(ErrorKind::rate_limited, "too_many_reports",
                "too many reports are being sent right now; please try again in a minute");
  }
  detail::Prepared p;
  const Submission valid = detail::validate_submission(submission, settings, by != nullptr);
  p.channel = valid.channel;
  p.k = detail::random_key();
  p.content = detail::content_json(valid);
  p.attachments = valid.attachments;
  Receipt receipt;
  receipt.code = detail::new_receipt_code();
  const std::string canonical = *detail::normalize_receipt_code(receipt.code);
  p.lookup = detail::receipt_lookup(canonical);
  p.wrap_key = detail::receipt_wrap_key(canonical);
  {
    auto lease = db.connection();
    p.sealed = seal_for_recipients(*lease, p.k, 0);
  }
  if (p.sealed.empty() && intake_keys) {
    const std::string_view k_bytes(reinterpret_cast<const char*>(p.k.data()), p.k.bytes.size());
    p.intake = intake_keys->encrypt(k_bytes, detail::kIntakeField);
  }
  if (by == nullptr) {
    receipt.report_id = writer.write(p);
  } else {
    db.transaction([&](store::Connection& conn) {
      receipt.report_id = detail::insert_report(conn, p, settings);
      audit.append(conn,
                   by->audit("report.submit_for", "report:" + std::to_string(receipt.report_id)));
    });
  }
  return receipt;
}

Receipt Reports::submit(const Submission& submission) {
  return impl_->store_new(submission, nullptr);
}

Receipt Reports::submit_for(const auth::Principal& by, const Submission& submission) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
  if (by.role != auth::Role::coordinator && by.role != auth::Role::caseworker &&
      by.role != auth::Role::admin) {
    throw Error(ErrorKind::forbidden, "forbidden",
                "only coordinators, caseworkers and admins enter reports for others");
  }
  return impl_->store_new(submission, &by);
}

Reports::Impl::ReporterAccess Reports::Impl::check_code(std::string_view code) {
  // While the bucket is empty no code is checked at all, so guessing learns nothing.
  if (!wrong_codes.has_token()) {
    throw Error(ErrorKind::rate_limited, "too_many_wrong_codes",
                "too many wrong receipt codes were tried; please wait a minute and try again");
  }
  ReporterAccess access;
  bool found = false;
  if (const auto canonical = detail::normalize_receipt_code(code)) {
    auto lease = db.connection();
    if (const auto row =
            lease->query_one("SELECT report_id, key_wrap FROM report_receipts WHERE lookup = ?",
                             {detail::receipt_lookup(*canonical)})) {
      access.id = row->integer(0);
      std::string k = detail::open_with(detail::receipt_wrap_key(*canonical), row->blob(1),
                                        detail::report_ad(access.id, "receipt"));
      if (k.size() != access.k.bytes.size()) {
        throw Error(ErrorKind::internal, "crypto", "reports: bad receipt key wrap");
      }
      std::memcpy(access.k.data(), k.data(), k.size());
      sodium_memzero(k.data(), k.size());
      found = true;
    }
  }
  if (!found) {
    wrong_codes.take();
    if (settings.wrong_code_delay_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(settings.wrong_code_delay_ms));
    }
    throw Error(ErrorKind::not_found, "unknown_receipt",
                "no report has this receipt code; check it and try again", "receipt_code");
  }
  return access;
}

ReporterView Reports::Impl::reporter_view(store::Connection& conn, const ReporterAccess& access) {
  const auto row =
      conn.query_one("SELECT status, messaging, day FROM reports WHERE id = ?", {access.id});
  if (!row) throw Error(ErrorKind::not_found, "unknown_receipt", "this report no longer exists");
  ReporterView view;
  view.report_id = access.id;
  const std::string& status = row->text(0);
  view.status = status == "new" ? "received" : status == "closed" ? "closed" : "in_review";
  view.messaging = row->text(1);
  view.day = row->text(2);
  if (view.messaging == "off") return view;
  for (const auto& m :
       conn.query("SELECT id, author, day, body_enc FROM report_messages WHERE report_id = ? AND "
                  "visibility = 'thread' ORDER BY id",
                  {access.id})) {
    Message msg;
    msg.id = m.integer(0);
    msg.author = m.text(1);
    msg.visibility = "thread";
    msg.day = m.text(2);
    detail::parse_message(
        detail::open_with(access.k, m.blob(3),
                          detail::report_ad(access.id, "message:" + std::to_string(msg.id))),
        msg);
    msg.staff_name.clear();  // the reporter never learns who answered
    view.thread.push_back(std::move(msg));
  }
  return view;
}

// Seals K to recipients who joined after the report came in (the reporter's code opens K).
void Reports::Impl::share_with_new_recipients(const ReporterAccess& access) {
  std::vector<std::pair<std::int64_t, store::Blob>> missing;
  {
    auto lease = db.connection();
    missing = seal_for_recipients(*lease, access.k, access.id);
  }
  if (missing.empty()) return;
  db.transaction([&](store::Connection& conn) {
    for (const auto& [user_id, sealed] : missing) {
      conn.execute(
          "INSERT INTO report_keys (report_id, user_id, sealed_key) SELECT ?, ?, ? WHERE NOT "
          "EXISTS (SELECT 1 FROM report_keys WHERE report_id = ? AND user_id = ?)",
          {access.id, user_id, sealed, access.id, user_id});
    }
  });
}

ReporterView Reports::follow_up(std::string_view receipt_code) {
  const auto access = impl_->check_code(receipt_code);
  impl_->share_with_new_recipients(access);
  auto lease = impl_->db.connection();
  return impl_->reporter_view(*lease, access);
}

ReporterView Reports::add_information(std::string_view receipt_code, std::string_view text,
                                      const std::vector<Attachment>& attachments) {
  if (!impl_->submissions.try_take()) {
    throw Error(ErrorKind::rate_limited, "too_many_reports",
                "too many messages are being sent right now; please try again in a minute");
  }
  const auto access = impl_->check_code(receipt_code);
  const std::string body = detail::normalize_newlines(text);
  detail::check_text("text", body, impl_->settings.max_message, attachments.empty());
  const auto files = detail::validate_attachments(attachments, impl_->settings);
  impl_->share_with_new_recipients(access);
  ReporterView view;
  impl_->db.transaction([&](store::Connection& conn) {
    const auto row = conn.query_one("SELECT messaging FROM reports WHERE id = ?", {access.id});
    if (!row) throw Error(ErrorKind::not_found, "unknown_receipt", "this report no longer exists");
    if (row->text(0) != "two_way") {
      throw Error(ErrorKind::forbidden, "messaging_closed",
                  "the team has closed replies on this report; you can still read their messages");
    }
    detail::insert_message(conn, access.k, access.id, "reporter", "thread", body, "", files);
    detail::touch_report(conn, access.id, impl_->settings);
    view = impl_->reporter_view(conn, access);
  });
  return view;
}

}  // namespace ctis::reports
