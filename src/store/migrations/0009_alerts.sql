-- Alerts: one mechanism for every module (routes, finance, cases) to tell people that something
-- needs attention. An alert is stored once; subscriptions decide who gets it and how: the in-app
-- inbox, an e-mail, a signed webhook, or the daily digest. Deliveries that leave the program go
-- through an outbox written in the same transaction as the alert, so none is lost in a crash.
-- Alerts carry no personal data: only identifiers such as "case:12", whose readers are audited.

CREATE TABLE alerts (
  id {{id}},
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  detail TEXT NOT NULL,
  tags TEXT NOT NULL,
  record TEXT NOT NULL DEFAULT '',
  organisation_id BIGINT REFERENCES organisations (id),
  dedup_key TEXT,
  repeats BIGINT NOT NULL DEFAULT 0,
  raised_at BIGINT NOT NULL
);
CREATE INDEX alerts_raised ON alerts (raised_at);

-- One row per open dedup key: a raise with the same key before open_until is a repeat.
CREATE TABLE alert_dedup (
  dedup_key TEXT PRIMARY KEY,
  alert_id BIGINT REFERENCES alerts (id),
  open_until BIGINT NOT NULL
);

-- Webhook endpoints; the signing secret is encrypted (vault, field "alert_webhooks.secret").
CREATE TABLE alert_webhooks (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL,
  secret_enc {{blob}} NOT NULL,
  organisation_id BIGINT REFERENCES organisations (id),
  enabled INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT,
  created_at BIGINT NOT NULL
);

-- A person's or a role's subscription names exactly one of user_id and role; a webhook
-- subscription names neither (it delivers once to its endpoint). Empty filters match all.
CREATE TABLE alert_subscriptions (
  id {{id}},
  user_id BIGINT REFERENCES users (id),
  role TEXT,
  organisation_id BIGINT REFERENCES organisations (id),
  channel TEXT NOT NULL CHECK (channel IN ('app', 'email', 'webhook', 'digest')),
  webhook_id BIGINT REFERENCES alert_webhooks (id),
  source TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  min_severity TEXT NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
  tags TEXT NOT NULL DEFAULT '{}',
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  CHECK ((channel = 'webhook' AND webhook_id IS NOT NULL AND user_id IS NULL AND role IS NULL)
         OR (channel <> 'webhook' AND webhook_id IS NULL
             AND ((user_id IS NULL AND role IS NOT NULL)
                  OR (user_id IS NOT NULL AND role IS NULL))))
);
CREATE INDEX alert_subscriptions_user ON alert_subscriptions (user_id);

CREATE TABLE alert_inbox (
  alert_id BIGINT NOT NULL REFERENCES alerts (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  delivered_at BIGINT NOT NULL,
  acknowledged_at BIGINT,
  ack_note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX alert_inbox_user ON alert_inbox (user_id, alert_id);

-- Alerts waiting for a user's digest of their day ("2026-11-29", UTC).
CREATE TABLE alert_digest_items (
  user_id BIGINT NOT NULL REFERENCES users (id),
  day TEXT NOT NULL,
  alert_id BIGINT NOT NULL REFERENCES alerts (id),
  PRIMARY KEY (user_id, day, alert_id)
);

-- The digest log: a (user, day) is queued once, whatever happens after.
CREATE TABLE alert_digests (
  user_id BIGINT NOT NULL REFERENCES users (id),
  day TEXT NOT NULL,
  alert_count BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, day)
);

-- Deliveries that leave the program: e-mail per alert, webhook per alert, digest per user-day.
CREATE TABLE alert_outbox (
  id {{id}},
  channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook', 'digest')),
  alert_id BIGINT REFERENCES alerts (id),
  webhook_id BIGINT REFERENCES alert_webhooks (id),
  user_id BIGINT REFERENCES users (id),
  digest_day TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);

-- Rules the route monitor evaluates; stored and validated here.
CREATE TABLE alert_rules (
  id {{id}},
  name TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  corridors TEXT NOT NULL,
  nationalities TEXT NOT NULL,
  method TEXT NOT NULL,
  parameters TEXT NOT NULL,
  min_count BIGINT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  enabled INTEGER NOT NULL,
  created_by BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX alert_rules_source ON alert_rules (source);
