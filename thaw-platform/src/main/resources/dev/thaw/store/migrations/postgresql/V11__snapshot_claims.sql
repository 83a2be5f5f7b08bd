-- Who is making a version's snapshot for a host fingerprint ('*': the version's first snapshot, at publish, which
-- any worker may make): one row per claim, held by a worker that renews lease_until while it makes the snapshot and
-- deletes the row when done; a worker that dies loses its claim when the lease ends, and another takes it over.
CREATE TABLE snapshot_claims (
  function_name TEXT NOT NULL,
  version TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  holder TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  PRIMARY KEY (function_name, version, fingerprint));
