-- As PostgreSQL's V9 (a cluster needs PostgreSQL; the tables keep both schemas alike). Workers of a cluster: each registers itself, then heartbeats its capacity; one without a recent heartbeat is out
-- of rotation. idle_environments is a JSON object (environment key -> idle environments), cached_snapshots a JSON
-- array of environment keys whose snapshot the worker holds.
CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  memory_mib BIGINT NOT NULL,
  free_memory_mib BIGINT NOT NULL,
  running_environments INTEGER NOT NULL,
  idle_environments TEXT NOT NULL,
  cached_snapshots TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL);
-- Running invocations across every API instance, for account and reserved concurrency: a row per invocation, held
-- by its instance, which renews lease_until while it runs; an instance that dies loses its rows when they expire.
CREATE TABLE concurrency_leases (
  id TEXT PRIMARY KEY,
  function_name TEXT NOT NULL,
  unreserved INTEGER NOT NULL,
  holder TEXT NOT NULL,
  lease_until BIGINT NOT NULL);
CREATE INDEX concurrency_leases_by_function ON concurrency_leases (function_name, lease_until);
CREATE INDEX concurrency_leases_by_holder ON concurrency_leases (holder);
