-- The route's places and dates, service outcomes and referral purposes can identify a person:
-- from now on they are written encrypted. The clear columns keep only what statistics need
-- (the route's countries) or nothing (''); rows written before keep their clear values, which
-- are read when no encrypted value exists.

ALTER TABLE cases ADD COLUMN legs_enc {{blob}};
ALTER TABLE case_services ADD COLUMN outcome_enc {{blob}};
ALTER TABLE case_referrals ADD COLUMN purpose_enc {{blob}};
