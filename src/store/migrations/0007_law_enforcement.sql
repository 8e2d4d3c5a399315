-- A role for police, prosecutors and labour inspectors: law_enforcement. Its users see the
-- cases of their organisation and those referred to it with the person's consent, in a view
-- that always carries the non-punishment flag and never the immigration status (cases.h).
-- The users.role CHECK list grows by one; SQLite cannot alter a CHECK, so it rebuilds users.
-- sqlite: rebuilds tables

-- dialect: sqlite
CREATE TABLE users_new (
  id {{id}},
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'caseworker', 'analyst',
                                     'fiu_analyst', 'partner', 'law_enforcement')),
  organisation_id BIGINT NOT NULL REFERENCES organisations (id),
  display_name_enc {{blob}},
  email_enc {{blob}},
  email_index TEXT UNIQUE,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
INSERT INTO users_new (id, username, role, organisation_id, display_name_enc, email_enc,
                       email_index, password_hash, disabled, failed_logins, locked_until,
                       created_at, updated_at)
  SELECT id, username, role, organisation_id, display_name_enc, email_enc, email_index,
         password_hash, disabled, failed_logins, locked_until, created_at, updated_at
  FROM users;
-- Ids are never reused: the new table continues the old one's sequence.
UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'users')
  WHERE name = 'users_new';
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_organisation ON users (organisation_id);

-- dialect: postgresql
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('admin', 'coordinator', 'caseworker', 'analyst', 'fiu_analyst', 'partner',
                  'law_enforcement'));
