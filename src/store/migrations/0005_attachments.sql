-- Files attached to a case (documents, photos): content encrypted, type checked from the
-- bytes, size limited. The name can identify a person, so it is encrypted too.

CREATE TABLE case_attachments (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  name_enc {{blob}} NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_enc {{blob}} NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, id);
