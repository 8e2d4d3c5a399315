-- The finance desk's financial personal data is written encrypted from now on: account and
-- party names and explanations (names_enc), ledgers (ledger_enc) and STRs (xml_enc). The clear
-- columns are left empty; subject_key and account_key are blind indexes for lookups by subject,
-- and fiu_alerted.subject holds the blind index too. Rows written before are encrypted in place
-- the first time the desk starts.

ALTER TABLE fiu_scans ADD COLUMN ledger_enc {{blob}};
ALTER TABLE fiu_hits ADD COLUMN names_enc {{blob}};
ALTER TABLE fiu_hits ADD COLUMN subject_key TEXT;
ALTER TABLE fiu_risk ADD COLUMN names_enc {{blob}};
ALTER TABLE fiu_risk ADD COLUMN account_key TEXT;
ALTER TABLE fiu_reports ADD COLUMN xml_enc {{blob}};
CREATE INDEX fiu_hits_subject ON fiu_hits (scan_id, subject_key);

-- Ranked party risk of a scan (a party's score adds its accounts'); names_enc holds the party's
-- name and its scored accounts.
CREATE TABLE fiu_party_risk (
  scan_id BIGINT NOT NULL REFERENCES fiu_scans (id),
  rank_number BIGINT NOT NULL,
  names_enc {{blob}} NOT NULL,
  score BIGINT NOT NULL,
  reasons_json TEXT NOT NULL,
  PRIMARY KEY (scan_id, rank_number)
);
