-- DTM flows stored compactly: the route, monitoring point and country codes of a flow repeat
-- over hundreds of thousands of rows, so each is stored once in route_labels and the rows hold
-- its id. Rows shrink to integers (about 36 bytes a row with the index), which makes the import
-- of a DTM file (867,580 rows) much cheaper. route_flows stays readable under its old name, as
-- a view with the old columns.

CREATE TABLE route_labels (
  id {{id}},
  label TEXT NOT NULL UNIQUE
);

-- The label columns name route_labels ids; they carry no REFERENCES clause because a foreign
-- key check per label column and row would cost more than the insert itself, and labels are
-- never deleted.
CREATE TABLE route_flow_rows (
  import_id BIGINT NOT NULL REFERENCES route_imports (id),
  day BIGINT NOT NULL,
  route_id BIGINT NOT NULL,
  point_id BIGINT NOT NULL,
  point_country_id BIGINT NOT NULL,
  from_id BIGINT NOT NULL,
  to_id BIGINT NOT NULL,
  persons BIGINT NOT NULL,
  censored INTEGER NOT NULL
);

INSERT INTO route_labels (label)
SELECT route FROM route_flows
UNION SELECT point FROM route_flows
UNION SELECT point_country FROM route_flows
UNION SELECT from_country FROM route_flows
UNION SELECT to_country FROM route_flows;

INSERT INTO route_flow_rows (import_id, day, route_id, point_id, point_country_id, from_id,
                             to_id, persons, censored)
SELECT f.import_id, f.day, r.id, p.id, pc.id, fc.id, tc.id, f.persons, f.censored
FROM route_flows f
JOIN route_labels r ON r.label = f.route
JOIN route_labels p ON p.label = f.point
JOIN route_labels pc ON pc.label = f.point_country
JOIN route_labels fc ON fc.label = f.from_country
JOIN route_labels tc ON tc.label = f.to_country;

DROP TABLE route_flows;

-- One index only: each index costs as much as the row itself on import. Rows are deleted by
-- import_id only when their source is imported again, which rewrites most of the table anyway.
CREATE INDEX route_flow_rows_day ON route_flow_rows (day);

-- Outer joins on the primary key: a query that uses no label (COUNT(*), MIN(day)) reads only
-- route_flow_rows.
CREATE VIEW route_flows AS
SELECT f.import_id, f.day, r.label AS route, p.label AS point, pc.label AS point_country,
       fc.label AS from_country, tc.label AS to_country, f.persons, f.censored
FROM route_flow_rows f
LEFT JOIN route_labels r ON r.id = f.route_id
LEFT JOIN route_labels p ON p.id = f.point_id
LEFT JOIN route_labels pc ON pc.id = f.point_country_id
LEFT JOIN route_labels fc ON fc.id = f.from_id
LEFT JOIN route_labels tc ON tc.id = f.to_id;
