-- Cases of the same person (cases/duplicates.cc): a "same_person" decision on a possible
-- duplicate links the two cases; a later "not_duplicate" decision ends the link. An ended link
-- keeps its row with who ended it and when, so the table holds each link's history beside the
-- audit log (case.link, case.unlink). At most one open link per pair; the pair is kept in order
-- (case_a < case_b).

CREATE TABLE case_links (
  id {{id}},
  case_a BIGINT NOT NULL REFERENCES cases (id),
  case_b BIGINT NOT NULL REFERENCES cases (id),
  linked_by BIGINT,
  linked_at BIGINT NOT NULL,
  unlinked_by BIGINT,
  unlinked_at BIGINT,
  CHECK (case_a < case_b),
  CHECK ((unlinked_by IS NULL OR unlinked_at IS NOT NULL))
);
CREATE UNIQUE INDEX case_links_open ON case_links (case_a, case_b) WHERE unlinked_at IS NULL;
CREATE INDEX case_links_b ON case_links (case_b);

-- Pairs decided "same_person" before links existed are linked by that decision.
INSERT INTO case_links (case_a, case_b, linked_by, linked_at)
SELECT case_a, case_b, decided_by, decided_at FROM case_duplicate_decisions
WHERE decision = 'same_person';
