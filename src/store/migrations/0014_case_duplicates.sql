-- Possible duplicates among cases (cases/duplicates.cc): a reviewer's decision on a pair of
-- cases, "not_duplicate" or "same_person". A decided pair is not proposed again. The pair is
-- kept in order (case_a < case_b) so that each pair has one row.

CREATE TABLE case_duplicate_decisions (
  case_a BIGINT NOT NULL REFERENCES cases (id),
  case_b BIGINT NOT NULL REFERENCES cases (id),
  decision TEXT NOT NULL CHECK (decision IN ('not_duplicate', 'same_person')),
  decided_by BIGINT,
  decided_at BIGINT NOT NULL,
  PRIMARY KEY (case_a, case_b),
  CHECK (case_a < case_b)
);
CREATE INDEX case_duplicate_decisions_b ON case_duplicate_decisions (case_b);
