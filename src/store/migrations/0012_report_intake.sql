-- Reports that arrived while no recipient had a key yet (reports.h, "Intake"). K is kept here
-- encrypted with the installation's data key until the first recipient's key exists; then it is
-- sealed to the recipients and this row is deleted.
CREATE TABLE report_intake (
  report_id BIGINT PRIMARY KEY REFERENCES reports (id),
  key_enc {{blob}} NOT NULL
);
