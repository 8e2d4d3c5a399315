// Files attached to a case.
#include "cases/internal.h"

namespace ctis::cases {
namespace {

using nlohmann::json;

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The type from the first bytes, never from what the client claims.
std::optional<std::string> sniff(const std::string& bytes) {
  if (starts_with(bytes, "%PDF-")) return "application/pdf";
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts_with(bytes, "\xff\xd8\xff")) return "image/jpeg";
  if (bytes.find('\0') == std::string::npos && valid_utf8(bytes)) {
    return "text/plain; charset=utf-8";
  }
  return std::nullopt;
}

std::string clean_name(const std::string& name) {
  // Only the last path component, without control characters: names end up in headers.
  std::string base = name.substr(name.find_last_of("/\\") + 1);
  std::string out;
  for (unsigned char ch : base) {
    if (ch >= 0x20 && ch != 0x7f && ch != '"') out.push_back(static_cast<char>(ch));
  }
  return out;
}

}  // namespace

json Cases::attachments(const auth::Principal& by, std::int64_t id) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  json out = json::array();
  for (const auto& r :
       c->query("SELECT id, name_enc, content_type, size, sha256, created_by, created_at FROM "
                "case_attachments WHERE case_id = ? ORDER BY id",
                {id})) {
    out.push_back({{"id", r.integer(0)},
                   {"name", keys_->decrypt(r.blob(1), "cases.attachment_name")},
                   {"content_type", r.text(2)},
                   {"size", r.integer(3)},
                   {"sha256", r.text(4)},
                   {"created_by", r.text(5)},
                   {"created_at", format_iso8601(r.integer(6))}});
  }
  audit_.append(by.audit("case.attachments.read", "case:" + std::to_string(id)));
  return {{"attachments", out}};
}

json Cases::attach(const auth::Principal& by, std::int64_t id, const json& in) {
  if (!in.is_object()) fail_invalid("", "the body must be a JSON object");
  for (const auto& [k, v] : in.items()) {
    if (k != "name" && k != "content_base64") fail_invalid("/" + k, "unknown field \"" + k + "\"");
  }
  if (!in.contains("name") || !in["name"].is_string()) fail_invalid("/name", "name is required");
  const std::string name = clean_name(in["name"].get<std::string>());
  if (name.empty() || name.size() > 255 || !valid_utf8(name)) {
    fail_invalid("/name", "name must be 1 to 255 bytes of UTF-8");
  }
  if (!in.contains("content_base64") || !in["content_base64"].is_string()) {
    fail_invalid("/content_base64", "content_base64 is required");
  }
  const auto& b64 = in["content_base64"].get_ref<const std::string&>();
  if (b64.size() > kMaxAttachmentBytes / 3 * 4 + 8) {
    throw Error(ErrorKind::too_large, "too_large",
                "attachments are limited to " + std::to_string(kMaxAttachmentBytes) + " bytes",
                "/content_base64");
  }
  std::vector<std::uint8_t> raw;
  try {
    raw = from_base64(b64);
  } catch (const Error&) {
    fail_invalid("/content_base64", "content_base64 is not valid base64");
  }
  const std::string bytes(raw.begin(), raw.end());
  if (bytes.empty()) fail_invalid("/content_base64", "the file is empty");
  if (bytes.size() > kMaxAttachmentBytes) {
    throw Error(ErrorKind::too_large, "too_large",
                "attachments are limited to " + std::to_string(kMaxAttachmentBytes) + " bytes",
                "/content_base64");
  }
  const auto type = sniff(bytes);
  if (!type) {
    fail_invalid("/content_base64", "only PDF, PNG, JPEG and plain-text files can be attached");
  }
  in_case(by, id, Access::full, [&](store::Connection& c, const Loaded&) {
    c.execute(
        "INSERT INTO case_attachments (case_id, name_enc, content_type, size, sha256, "
        "content_enc, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {id, keys_->encrypt(name, "cases.attachment_name"), *type,
         static_cast<std::int64_t>(bytes.size()), sha256_hex(bytes),
         keys_->encrypt(bytes, "cases.attachment"), by.username, now_millis()});
    auto entry = by.audit("case.attachment.create", "case:" + std::to_string(id));
    entry.detail = *type + ", " + std::to_string(bytes.size()) + " bytes";
    audit_.append(c, entry);
  });
  return attachments(by, id);
}

Cases::File Cases::attachment(const auth::Principal& by, std::int64_t id, std::int64_t aid) {
  auto c = db_.connection();
  require(by, *c, id, Access::full);
  auto r = c->query_one(
      "SELECT name_enc, content_type, content_enc FROM case_attachments WHERE id = ? AND "
      "case_id = ?",
      {aid, id});
  if (!r) throw Error(ErrorKind::not_found, "not_found", "no attachment " + std::to_string(aid));
  audit_.append(by.audit("case.attachment.read", "case:" + std::to_string(id)));
  return {keys_->decrypt(r->blob(0), "cases.attachment_name"), r->text(1),
          keys_->decrypt(r->blob(2), "cases.attachment")};
}

}  // namespace ctis::cases
