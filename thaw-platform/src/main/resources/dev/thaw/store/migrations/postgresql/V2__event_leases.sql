-- A running event belongs to the instance that claimed it until its lease ends; then any instance may claim it.
ALTER TABLE events ADD COLUMN claimed_by TEXT;
ALTER TABLE events ADD COLUMN lease_until BIGINT;
CREATE INDEX events_lease ON events(state, lease_until);
