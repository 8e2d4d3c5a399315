-- Safe reporting (reports.h). Nothing here identifies a reporter, and every time is a day
-- ("YYYY-MM-DD", UTC): no column holds an exact time. Contents, messages, attachments and
-- close reasons are encrypted with the report's own key K; K is stored only sealed to
-- recipients' public keys and wrapped under a key derived from the receipt code. The code
-- itself is never stored, only a keyed hash of it for lookup.

-- Staff who receive new reports. The private key is encrypted under argon2id(password, salt).
CREATE TABLE report_recipients (
  user_id BIGINT PRIMARY KEY REFERENCES users (id),
  active INTEGER NOT NULL DEFAULT 1,
  added_day TEXT NOT NULL,
  public_key {{blob}},
  secret_key_enc {{blob}},
  key_salt {{blob}},
  key_ops BIGINT,
  key_mem BIGINT,
  key_day TEXT
);

-- A signed-in recipient's private key wrapped under a key derived from the session secret;
-- id_hash is another keyed hash of that secret. The secret itself is never stored.
CREATE TABLE report_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id),
  wrapped_key {{blob}} NOT NULL,
  day TEXT NOT NULL
);
CREATE INDEX report_sessions_user ON report_sessions (user_id);

CREATE TABLE reports (
  id {{id}},
  status TEXT NOT NULL CHECK (status IN ('new', 'in_review', 'linked', 'closed')),
  messaging TEXT NOT NULL CHECK (messaging IN ('two_way', 'one_way', 'off')),
  channel TEXT NOT NULL CHECK (channel IN ('web', 'phone', 'in_person')),
  day TEXT NOT NULL,
  activity_day TEXT NOT NULL,
  expires_day TEXT,
  case_id BIGINT REFERENCES cases (id),
  close_reason_enc {{blob}}
);
CREATE INDEX reports_expiry ON reports (expires_day);

-- Written once, apart from the row above that changes, so no stale copy of it is left behind.
CREATE TABLE report_contents (
  report_id BIGINT PRIMARY KEY REFERENCES reports (id),
  content_enc {{blob}} NOT NULL
);

CREATE TABLE report_receipts (
  lookup TEXT PRIMARY KEY,
  report_id BIGINT NOT NULL UNIQUE REFERENCES reports (id),
  key_wrap {{blob}} NOT NULL
);

CREATE TABLE report_keys (
  report_id BIGINT NOT NULL REFERENCES reports (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  sealed_key {{blob}} NOT NULL,
  PRIMARY KEY (report_id, user_id)
);
CREATE INDEX report_keys_user ON report_keys (user_id, report_id);

CREATE TABLE report_messages (
  id {{id}},
  report_id BIGINT NOT NULL REFERENCES reports (id),
  author TEXT NOT NULL CHECK (author IN ('reporter', 'staff')),
  visibility TEXT NOT NULL CHECK (visibility IN ('thread', 'internal')),
  day TEXT NOT NULL,
  body_enc {{blob}} NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, id);

CREATE TABLE report_attachments (
  id {{id}},
  report_id BIGINT NOT NULL REFERENCES reports (id),
  message_id BIGINT REFERENCES report_messages (id),
  name_enc {{blob}} NOT NULL,
  content_enc {{blob}} NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id, id);
