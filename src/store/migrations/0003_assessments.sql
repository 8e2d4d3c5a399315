-- Screenings against indicator catalogues, and legal classifications, of a case. Answers,
-- notes and facts are the person's story: encrypted. The outcome is kept in clear for
-- statistics. Classifications are only ever added: each records the rule set that decided it.

CREATE TABLE screenings (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  catalogue TEXT NOT NULL,
  version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('in_progress', 'complete')),
  answers_enc {{blob}} NOT NULL,
  outcome TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX screenings_case ON screenings (case_id, id);

CREATE TABLE classifications (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  rule_set TEXT NOT NULL,
  rule_set_version INTEGER NOT NULL,
  facts_enc {{blob}} NOT NULL,
  outcome TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at BIGINT NOT NULL
);
CREATE INDEX classifications_case ON classifications (case_id, id);
