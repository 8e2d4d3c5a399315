-- The FIU analysts' desk: the results of finance scans kept as review items. A scan row holds
-- the scan's ledger (finance::Ledger::save) so that networks and reports are built from exactly
-- the transactions the hits name; digest identifies the scan, so loading it again adds nothing.

CREATE TABLE fiu_scans (
  id {{id}},
  digest TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  typologies_version TEXT NOT NULL,
  transaction_count BIGINT NOT NULL,
  account_count BIGINT NOT NULL,
  ledger {{blob}} NOT NULL,
  loaded_by BIGINT,
  loaded_at BIGINT NOT NULL
);

-- One row per hit. accounts_json lists the member accounts (the subject first);
-- transactions_json the hit's transaction positions in the scan's ledger.
CREATE TABLE fiu_hits (
  id {{id}},
  scan_id BIGINT NOT NULL REFERENCES fiu_scans (id),
  hit_index BIGINT NOT NULL,
  pattern TEXT NOT NULL,
  subject TEXT NOT NULL,
  party TEXT NOT NULL,
  accounts_json TEXT NOT NULL,
  transactions_json TEXT NOT NULL,
  first_time BIGINT,
  last_time BIGINT,
  total_minor BIGINT NOT NULL,
  explanation TEXT NOT NULL,
  subject_score BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('new', 'escalated', 'dismissed')),
  decided_by BIGINT,
  decided_at BIGINT,
  reason TEXT,
  UNIQUE (scan_id, hit_index)
);
CREATE INDEX fiu_hits_status ON fiu_hits (status, pattern);

-- Ranked account risk of a scan, with its reasons (pattern and points, as JSON).
CREATE TABLE fiu_risk (
  scan_id BIGINT NOT NULL REFERENCES fiu_scans (id),
  rank_number BIGINT NOT NULL,
  account TEXT NOT NULL,
  party TEXT NOT NULL,
  score BIGINT NOT NULL,
  reasons_json TEXT NOT NULL,
  PRIMARY KEY (scan_id, rank_number)
);

-- The goAML STR built when a hit was escalated; it validated against the FIU's schema.
CREATE TABLE fiu_reports (
  hit_id BIGINT PRIMARY KEY REFERENCES fiu_hits (id),
  xml TEXT NOT NULL,
  created_by BIGINT,
  created_at BIGINT NOT NULL
);

-- Subjects already alerted for a scan: one alert per subject and scan, never repeated.
CREATE TABLE fiu_alerted (
  scan_id BIGINT NOT NULL REFERENCES fiu_scans (id),
  subject TEXT NOT NULL,
  alert_id BIGINT,
  PRIMARY KEY (scan_id, subject)
);
