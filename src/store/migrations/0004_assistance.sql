-- Protection and assistance: services, referrals between organisations (with the person's
-- consent, which can be withdrawn), and dated procedures (reflection and recovery period,
-- residence permits, compensation claims) with due dates for reminders. Free text is
-- encrypted. Nothing here records or depends on cooperation with the authorities.

CREATE TABLE case_services (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  kind TEXT NOT NULL,
  provider TEXT NOT NULL,
  start_date TEXT,
  end_date TEXT,
  outcome TEXT,
  note_enc {{blob}},
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX case_services_case ON case_services (case_id, id);

CREATE TABLE case_referrals (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  to_organisation_id BIGINT NOT NULL REFERENCES organisations (id),
  purpose TEXT NOT NULL,
  consent_recorded_at BIGINT NOT NULL,
  consent_withdrawn_at BIGINT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals (case_id);
CREATE INDEX case_referrals_to ON case_referrals (to_organisation_id);

CREATE TABLE case_procedures (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES cases (id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  start_date TEXT,
  due_date TEXT,
  decided_date TEXT,
  amount BIGINT,
  currency TEXT,
  note_enc {{blob}},
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX case_procedures_case ON case_procedures (case_id, id);
CREATE INDEX case_procedures_due ON case_procedures (due_date);
