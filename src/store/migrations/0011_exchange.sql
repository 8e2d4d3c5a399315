-- The linkage exchange: parties (organisations) of a linkage project upload CLKs (Bloom-filter
-- encodings of their records, made with a secret the service never sees); when all have
-- uploaded, the service matches them and keeps, per party, only that party's matched record
-- ids with a group number shared across parties. The CLKs are deleted once matched.

CREATE TABLE linkage_projects (
  id {{id}},
  name TEXT NOT NULL,
  schema_json TEXT NOT NULL,
  clk_bits BIGINT NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting', 'matched')),
  groups_found BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  matched_at BIGINT
);

-- One row per party. clks holds the party's upload (record ids and CLKs, packed) until the
-- project is matched, then NULL.
CREATE TABLE linkage_parties (
  project_id BIGINT NOT NULL REFERENCES linkage_projects (id),
  organisation_id BIGINT NOT NULL REFERENCES organisations (id),
  party_index BIGINT NOT NULL,
  uploaded_at BIGINT,
  uploaded_by BIGINT,
  record_count BIGINT NOT NULL DEFAULT 0,
  matched_count BIGINT NOT NULL DEFAULT 0,
  clks {{blob}},
  PRIMARY KEY (project_id, organisation_id)
);
CREATE INDEX linkage_parties_organisation ON linkage_parties (organisation_id);

-- What a party may read back: its own matched record ids and the group each joined.
CREATE TABLE linkage_results (
  project_id BIGINT NOT NULL REFERENCES linkage_projects (id),
  organisation_id BIGINT NOT NULL REFERENCES organisations (id),
  record_id TEXT NOT NULL,
  group_number BIGINT NOT NULL,
  PRIMARY KEY (project_id, organisation_id, record_id)
);
