-- Route monitoring: the public route data sets as stored rows, each tagged with the import that
-- brought it. A source (format + file name) is imported again by replacing the rows of its
-- previous import in the same transaction, so counts never double. Days are days since
-- 1970-01-01 (UTC); a Frontex month is its first day. All figures are aggregate: no personal data.

CREATE TABLE route_imports (
  id {{id}},
  file_name TEXT NOT NULL,
  format TEXT NOT NULL,
  rows_stored BIGINT NOT NULL,
  rows_skipped BIGINT NOT NULL,
  first_day BIGINT,
  last_day BIGINT,
  imported_by TEXT NOT NULL,
  imported_at BIGINT NOT NULL
);
CREATE INDEX route_imports_source ON route_imports (format, file_name);

-- Frontex: detections of illegal border crossing per route, nationality and month.
CREATE TABLE route_detections (
  import_id BIGINT NOT NULL REFERENCES route_imports (id),
  route TEXT NOT NULL,
  sea INTEGER NOT NULL,
  nationality TEXT NOT NULL,
  month BIGINT NOT NULL,
  detections BIGINT NOT NULL,
  censored INTEGER NOT NULL
);
CREATE INDEX route_detections_import ON route_detections (import_id);
CREATE INDEX route_detections_series ON route_detections (route, nationality, month);

-- IOM DTM: persons counted at a flow monitoring point, from one country to another.
CREATE TABLE route_flows (
  import_id BIGINT NOT NULL REFERENCES route_imports (id),
  day BIGINT NOT NULL,
  route TEXT NOT NULL,
  point TEXT NOT NULL,
  point_country TEXT NOT NULL,
  from_country TEXT NOT NULL,
  to_country TEXT NOT NULL,
  persons BIGINT NOT NULL,
  censored INTEGER NOT NULL
);
CREATE INDEX route_flows_import ON route_flows (import_id);
CREATE INDEX route_flows_day ON route_flows (day);

-- Missing Migrants Project: incidents; counts are NULL when not published, censored when the
-- source gave only a bound. Routes are the MMP route names joined with "|".
CREATE TABLE route_incidents (
  import_id BIGINT NOT NULL REFERENCES route_imports (id),
  mmp_id TEXT NOT NULL,
  day BIGINT NOT NULL,
  date_precision TEXT NOT NULL CHECK (date_precision IN ('day', 'month', 'year')),
  routes TEXT NOT NULL,
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  dead BIGINT,
  missing BIGINT,
  survivors BIGINT,
  censored INTEGER NOT NULL,
  cause TEXT NOT NULL,
  country TEXT NOT NULL,
  source_quality TEXT NOT NULL
);
CREATE INDEX route_incidents_import ON route_incidents (import_id);
CREATE INDEX route_incidents_day ON route_incidents (day);

-- Alarms already raised as alerts: one per rule, series and period, so that evaluating again
-- (after the alerts' own dedup window too) never repeats an alert.
CREATE TABLE route_alarms (
  rule_id BIGINT NOT NULL,
  corridor TEXT NOT NULL,
  nationality TEXT NOT NULL,
  period TEXT NOT NULL,
  alert_id BIGINT,
  raised_at BIGINT NOT NULL,
  PRIMARY KEY (rule_id, corridor, nationality, period)
);
