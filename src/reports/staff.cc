// The staff side: the queue, reading, answering and triage of reports, and their deletion.
#include "reports/internal.h"

namespace ctis::reports {

namespace {

bool one_of(std::string_view value, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed) {
    if (a == value) return true;
  }
  return false;
}

std::string record(std::int64_t report_id) { return "report:" + std::to_string(report_id); }

void check_key_holder(const auth::Principal& by, const UnlockedKey& key) {
  if (!by.signed_in()) throw Error(ErrorKind::unauthorized, "unauthorized", "sign in first");
  if (key.user_id() == 0 || key.user_id() != by.user_id) {
    throw Error(ErrorKind::forbidden, "report_key_locked",
                "your report key is not unlocked in this session; sign in again");
  }
}

}  // namespace

Reports::Impl::Opened Reports::Impl::open_report(store::Connection& conn, const auth::Principal& by,
                                                 const UnlockedKey& key, std::int64_t report_id) {
  check_key_holder(by, key);
  const auto row = conn.query_one(
      "SELECT status, messaging, channel, day, activity_day, expires_day, case_id, "
      "close_reason_enc FROM reports WHERE id = ?",
      {report_id});
  if (!row) {
    throw Error(ErrorKind::not_found, "not_found",
                "report " + std::to_string(report_id) + " not found", "report_id");
  }
  const auto sealed =
      conn.query_one("SELECT sealed_key FROM report_keys WHERE report_id = ? AND user_id = ?",
                     {report_id, by.user_id});
  if (!sealed) {
    throw Error(ErrorKind::forbidden, "not_a_recipient",
                "report " + std::to_string(report_id) + " was not shared with you");
  }
  const auto& me = *key.impl_;
  auto k = detail::unseal(sealed->blob(0), me.public_key.data(), me.secret_key);
  if (!k) {
    throw Error(ErrorKind::forbidden, "report_key_locked",
                "report " + std::to_string(report_id) + " is sealed to an older key of yours");
  }
  Opened r;
  r.id = report_id;
  r.status = row->text(0);
  r.messaging = row->text(1);
  r.channel = row->text(2);
  r.day = row->text(3);
  r.activity_day = row->text(4);
  r.expires_day = row->opt_text(5);
  r.case_id = row->opt_integer(6);
  if (!row->is_null(7)) r.close_reason_enc = row->blob(7);
  r.k = *k;
  return r;
}

StaffView Reports::Impl::staff_view(store::Connection& conn, const Opened& r) {
  StaffView v;
  v.report_id = r.id;
  v.status = r.status;
  v.messaging = r.messaging;
  v.day = r.day;
  v.expires_day = r.expires_day.value_or("");
  v.case_id = r.case_id;
  if (!r.close_reason_enc.empty()) {
    v.close_reason =
        detail::open_with(r.k, r.close_reason_enc, detail::report_ad(r.id, "close_reason"));
  }
  const auto content =
      conn.query_one("SELECT content_enc FROM report_contents WHERE report_id = ?", {r.id});
  if (!content) throw Error(ErrorKind::internal, "internal", "report without contents");
  v.submission = detail::parse_content(
      detail::open_with(r.k, content->blob(0), detail::report_ad(r.id, "content")));
  for (const auto& a : conn.query(
           "SELECT id, name_enc FROM report_attachments WHERE report_id = ? ORDER BY id", {r.id})) {
    const auto id = a.integer(0);
    v.attachments.emplace_back(
        id,
        detail::open_with(r.k, a.blob(1),
                          detail::report_ad(r.id, "attachment:" + std::to_string(id) + ":name")));
  }
  for (const auto& m : conn.query(
           "SELECT id, author, visibility, day, body_enc FROM report_messages WHERE report_id = ? "
           "ORDER BY id",
           {r.id})) {
    Message msg;
    msg.id = m.integer(0);
    msg.author = m.text(1);
    msg.visibility = m.text(2);
    msg.day = m.text(3);
    detail::parse_message(
        detail::open_with(r.k, m.blob(4),
                          detail::report_ad(r.id, "message:" + std::to_string(msg.id))),
        msg);
    v.messages.push_back(std::move(msg));
  }
  return v;
}

std::vector<QueueItem> Reports::queue(const auth::Principal& by, const UnlockedKey& key,
                                      std::optional<std::string> status, int limit) {
  check_key_holder(by, key);
  if (status && !one_of(*status, {"new", "in_review", "linked", "closed"})) {
    fail_invalid("status", "status: expected new, in_review, linked or closed");
  }
  if (limit < 1 || limit > 500) fail_invalid("limit", "limit: expected 1 to 500");
  const auto& me = *key.impl_;
  std::vector<QueueItem> out;
  {
    auto lease = impl_->db.connection();
    std::vector<store::Value> params{by.user_id};
    std::string sql =
        "SELECT r.id, r.status, r.day, r.channel, k.sealed_key, c.content_enc FROM reports r "
        "JOIN report_keys k ON k.report_id = r.id AND k.user_id = ? JOIN report_contents c ON "
        "c.report_id = r.id";
    if (status) {
      sql += " WHERE r.status = ?";
      params.emplace_back(*status);
    }
    sql += " ORDER BY r.id DESC LIMIT ?";
    params.emplace_back(std::int64_t{limit});
    for (const auto& row : lease->query(sql, params)) {
      const auto id = row.integer(0);
      const auto k = detail::unseal(row.blob(4), me.public_key.data(), me.secret_key);
      if (!k) continue;  // sealed to an older key: share_backlog() by a colleague restores it
      const auto s = detail::parse_content(
          detail::open_with(*k, row.blob(5), detail::report_ad(id, "content")));
      QueueItem item;
      item.report_id = id;
      item.status = row.text(1);
      item.day = row.text(2);
      item.channel = row.text(3);
      item.work_type = s.work_type;
      item.place_country = s.place_country;
      item.signs = static_cast<int>(s.signs.size());
      item.unread_from_reporter = static_cast<int>(
          lease
              ->query_one(
                  "SELECT COUNT(*) FROM report_messages m WHERE m.report_id = ? AND m.author = "
                  "'reporter' AND m.id > COALESCE((SELECT MAX(s.id) FROM report_messages s WHERE "
                  "s.report_id = ? AND s.author = 'staff' AND s.visibility = 'thread'), 0)",
                  {id, id})
              ->integer(0));
      out.push_back(std::move(item));
    }
  }
  impl_->audit.append(by.audit("report.queue", ""));
  return out;
}

StaffView Reports::read(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id) {
  StaffView view;
  impl_->db.transaction([&](store::Connection& conn) {
    auto r = impl_->open_report(conn, by, key, report_id);
    if (r.status == "new") {
      conn.execute("UPDATE reports SET status = 'in_review' WHERE id = ?", {report_id});
      r.status = "in_review";
    }
    impl_->audit.append(conn, by.audit("report.read", record(report_id)));
    view = impl_->staff_view(conn, r);
  });
  return view;
}

Attachment Reports::attachment(const auth::Principal& by, const UnlockedKey& key,
                               std::int64_t report_id, std::int64_t attachment_id) {
  Attachment out;
  {
    auto lease = impl_->db.connection();
    const auto r = impl_->open_report(*lease, by, key, report_id);
    const auto row = lease->query_one(
        "SELECT name_enc, content_enc FROM report_attachments WHERE id = ? AND report_id = ?",
        {attachment_id, report_id});
    if (!row) {
      throw Error(ErrorKind::not_found, "not_found",
                  "attachment " + std::to_string(attachment_id) + " not found", "attachment_id");
    }
    const std::string part = "attachment:" + std::to_string(attachment_id);
    out.filename =
        detail::open_with(r.k, row->blob(0), detail::report_ad(report_id, part + ":name"));
    out.bytes =
        detail::open_with(r.k, row->blob(1), detail::report_ad(report_id, part + ":content"));
  }
  // Audited before the bytes leave: no audit, no data.
  impl_->audit.append(by.audit("report.attachment_read",
                               record(report_id) + "/attachment:" + std::to_string(attachment_id)));
  return out;
}

StaffView Reports::reply(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                         std::string_view text, std::string_view visibility) {
  if (!one_of(visibility, {"thread", "internal"})) {
    fail_invalid("visibility", "visibility: expected thread or internal");
  }
  const std::string body = detail::normalize_newlines(text);
  detail::check_text("text", body, impl_->settings.max_message, true);
  StaffView view;
  impl_->db.transaction([&](store::Connection& conn) {
    auto r = impl_->open_report(conn, by, key, report_id);
    if (visibility == "thread" && r.messaging == "off") {
      throw Error(ErrorKind::conflict, "messaging_off",
                  "messaging with the reporter is off for this report; add an internal note "
                  "or switch messaging on",
                  "visibility");
    }
    detail::insert_message(conn, r.k, report_id, "staff", visibility, body, by.username, {});
    if (r.status == "new") {
      conn.execute("UPDATE reports SET status = 'in_review' WHERE id = ?", {report_id});
      r.status = "in_review";
    }
    detail::touch_report(conn, report_id, impl_->settings);
    impl_->audit.append(
        conn, by.audit(visibility == "thread" ? "report.reply" : "report.note", record(report_id)));
    r.expires_day =
        conn.query_one("SELECT expires_day FROM reports WHERE id = ?", {report_id})->opt_text(0);
    view = impl_->staff_view(conn, r);
  });
  return view;
}

StaffView Reports::set_messaging(const auth::Principal& by, const UnlockedKey& key,
                                 std::int64_t report_id, std::string_view mode) {
  if (!one_of(mode, {"two_way", "one_way", "off"})) {
    fail_invalid("messaging", "messaging: expected two_way, one_way or off");
  }
  StaffView view;
  impl_->db.transaction([&](store::Connection& conn) {
    auto r = impl_->open_report(conn, by, key, report_id);
    conn.execute("UPDATE reports SET messaging = ? WHERE id = ?", {std::string(mode), report_id});
    r.messaging = std::string(mode);
    auto entry = by.audit("report.messaging", record(report_id));
    entry.detail = std::string(mode);
    impl_->audit.append(conn, entry);
    view = impl_->staff_view(conn, r);
  });
  return view;
}

StaffView Reports::link_to_case(const auth::Principal& by, const UnlockedKey& key,
                                std::int64_t report_id, std::int64_t case_id) {
  StaffView view;
  impl_->db.transaction([&](store::Connection& conn) {
    auto r = impl_->open_report(conn, by, key, report_id);
    if (!conn.query_one("SELECT 1 FROM cases WHERE id = ?", {case_id})) {
      throw Error(ErrorKind::not_found, "not_found",
                  "case " + std::to_string(case_id) + " not found", "case_id");
    }
    conn.execute(
        "UPDATE reports SET status = 'linked', case_id = ?, expires_day = NULL, activity_day = ? "
        "WHERE id = ?",
        {case_id, detail::today(), report_id});
    r.status = "linked";
    r.case_id = case_id;
    r.expires_day.reset();
    auto entry = by.audit("report.link", record(report_id));
    entry.detail = "case:" + std::to_string(case_id);
    impl_->audit.append(conn, entry);
    view = impl_->staff_view(conn, r);
  });
  return view;
}

StaffView Reports::close(const auth::Principal& by, const UnlockedKey& key, std::int64_t report_id,
                         std::string_view reason) {
  const std::string why = detail::normalize_newlines(reason);
  detail::check_text("reason", why, 500, true);
  StaffView view;
  impl_->db.transaction([&](store::Connection& conn) {
    auto r = impl_->open_report(conn, by, key, report_id);
    if (r.status == "linked") {
      throw Error(ErrorKind::conflict, "report_linked",
                  "report " + std::to_string(report_id) + " is linked to a case and kept with it");
    }
    const std::string day = detail::today();
    r.close_reason_enc = detail::seal_with(r.k, why, detail::report_ad(report_id, "close_reason"));
    r.expires_day = detail::add_days(day, impl_->settings.retention_days);
    conn.execute(
        "UPDATE reports SET status = 'closed', close_reason_enc = ?, activity_day = ?, "
        "expires_day = ? WHERE id = ?",
        {r.close_reason_enc, day, *r.expires_day, report_id});
    r.status = "closed";
    impl_->audit.append(conn, by.audit("report.close", record(report_id)));
    view = impl_->staff_view(conn, r);
  });
  return view;
}

int Reports::purge_expired(std::string_view today) {
  if (!detail::valid_day(today)) fail_invalid("today", "today: expected a day YYYY-MM-DD");
  int purged = 0;
  impl_->db.transaction([&](store::Connection& conn) {
    detail::secure_delete_on(conn);
    const auto rows = conn.query(
        "SELECT id FROM reports WHERE status <> 'linked' AND case_id IS NULL AND expires_day IS "
        "NOT NULL AND expires_day <= ? ORDER BY id",
        {std::string(today)});
    purged = static_cast<int>(rows.size());
    for (const auto& row : rows) {
      const auto id = row.integer(0);
      for (const char* sql : {"DELETE FROM report_attachments WHERE report_id = ?",
                              "DELETE FROM report_messages WHERE report_id = ?",
                              "DELETE FROM report_keys WHERE report_id = ?",
                              "DELETE FROM report_intake WHERE report_id = ?",
                              "DELETE FROM report_receipts WHERE report_id = ?",
                              "DELETE FROM report_contents WHERE report_id = ?",
                              "DELETE FROM reports WHERE id = ?"}) {
        conn.execute(sql, {id});
      }
    }
    // Sessions last at most a day (auth: 12 hours): older unlocked-key wraps are stale.
    conn.execute("DELETE FROM report_sessions WHERE day < ?", {detail::add_days(today, -1)});
    if (purged > 0) {
      impl_->audit.append(
          conn,
          detail::system_entry("report.purge", std::to_string(purged) + " reports past retention"));
    }
  });
  if (purged == 0) return 0;
  // Leave no copy behind: the WAL (SQLite) or dead row versions (PostgreSQL) still hold them.
  // VACUUM FULL rewrites each table and its indexes into new files (the old ones are truncated
  // at commit); a plain VACUUM only marks the space free, which PostgreSQL need not overwrite.
  auto lease = impl_->db.connection();
  if (lease->dialect() == store::Dialect::sqlite) {
    lease->query("PRAGMA wal_checkpoint(TRUNCATE)");
  } else {
    for (const char* table : {"report_attachments", "report_messages", "report_keys",
                              "report_intake", "report_receipts", "report_contents", "reports"}) {
      lease->execute(std::string("VACUUM FULL ") + table);
    }
  }
  return purged;
}

}  // namespace ctis::reports
