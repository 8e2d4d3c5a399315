-- Cases of presumed victims. Identifiers and immigration status are encrypted (vault); the CTDC
-- profile is pseudonymous and kept in clear, with the columns that lists filter on.

CREATE TABLE cases (
  id {{id}},
  reference TEXT NOT NULL UNIQUE,
  organisation_id BIGINT NOT NULL REFERENCES organisations (id),
  assigned_to BIGINT REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('identified', 'referred', 'assisted', 'closed')),
  person_enc {{blob}} NOT NULL,
  name_index TEXT,
  family_name_index TEXT,
  document_index TEXT,
  immigration_status_enc {{blob}},
  non_punishment INTEGER NOT NULL DEFAULT 0,
  profile TEXT NOT NULL,
  legs TEXT NOT NULL,
  citizenship TEXT,
  exploitation TEXT NOT NULL DEFAULT '',
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX cases_organisation ON cases (organisation_id, id);
CREATE INDEX cases_assigned ON cases (assigned_to);
CREATE INDEX cases_name ON cases (name_index);
CREATE INDEX cases_family_name ON cases (family_name_index);
CREATE INDEX cases_document ON cases (document_index);

-- Field-level history: who changed what, from what to what. Values may be personal data, so
-- both sides are encrypted.
CREATE TABLE case_history (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  at BIGINT NOT NULL,
  actor_id BIGINT,
  actor TEXT NOT NULL,
  field TEXT NOT NULL,
  old_enc {{blob}},
  new_enc {{blob}}
);
CREATE INDEX case_history_case ON case_history (case_id, id);

CREATE TABLE case_notes (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  at BIGINT NOT NULL,
  author_id BIGINT,
  author TEXT NOT NULL,
  text_enc {{blob}} NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);
