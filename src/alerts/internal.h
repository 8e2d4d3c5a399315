// alerts internals shared by the .cc files: validation helpers, row mapping and the two network
// clients (HTTP POST for webhooks, SMTP for e-mail).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alerts.h"

namespace ctis::alerts::detail {

// info < warning < critical; -1 when unknown.
int severity_rank(std::string_view severity);

// Lower-case letters, digits, '_', '-' and '.', 1..64 characters.
bool is_identifier(std::string_view s);

// Checks a free-text field: valid UTF-8, at most max_bytes, and (single_line) no line breaks.
void check_text(const std::string& field, const std::string& value, std::size_t max_bytes,
                bool required, bool single_line);

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // "/path?query", at least "/"
};
// Throws Error(invalid) naming `field` when the URL is not http:// or https:// with a host.
Url parse_url(const std::string& url, const std::string& field);

// "YYYY-MM-DD" of a UTC time, and the UTC start of such a day (Error(invalid) when malformed).
std::string day_of(Millis t);
Millis day_start(const std::string& day);

// Column list and mapper for alerts rows.
inline constexpr const char* alert_columns =
    "id, source, kind, severity, title, summary, detail, tags, record, organisation_id, repeats, "
    "raised_at";
Alert read_alert(const store::Row& row, std::size_t first = 0);
nlohmann::json alert_json(const Alert& alert);  // the webhook body

// Network clients. Both throw std::runtime_error with a short reason on any failure,
// including a timeout.
// https verifies the server's certificate and name against ca_file ("": the system's CAs).
int http_post(const Url& url, const std::string& body,
              const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms,
              const std::string& ca_file = "");

struct Mail {
  std::string from, to, subject, body;  // body lines separated by "\n"
};
void smtp_send(const std::string& host, unsigned short port, const std::string& helo,
               const Mail& mail, int timeout_ms);
// The DATA section of a message: headers, CRLF line ends, lines starting with "." doubled.
std::string smtp_data(const Mail& mail, Millis date);

}  // namespace ctis::alerts::detail
