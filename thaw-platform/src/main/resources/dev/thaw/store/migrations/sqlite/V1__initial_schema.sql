-- The schema as releases before versioned migrations created it. IF NOT EXISTS, because a home from those releases
-- is baselined below version 1 and runs this over the tables it already has.
CREATE TABLE IF NOT EXISTS functions (
  name TEXT PRIMARY KEY,
  next_version INTEGER NOT NULL DEFAULT 1,
  reserved_concurrency INTEGER,
  created_at TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS versions (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  version TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (function_name, version));

CREATE TABLE IF NOT EXISTS aliases (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (function_name, name));

CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  function_name TEXT NOT NULL,
  version TEXT NOT NULL,
  payload BLOB NOT NULL,
  accepted_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  state TEXT NOT NULL);

CREATE INDEX IF NOT EXISTS events_due ON events(state, next_attempt_at);

CREATE TABLE IF NOT EXISTS event_invoke_configs (
  function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
  maximum_retry_attempts INTEGER,
  maximum_event_age_seconds INTEGER,
  last_modified INTEGER NOT NULL);

-- Not tied to the functions table: a name keeps its slot, so a function deleted while one of its environments still
-- runs never shares host uids with another function.
CREATE TABLE IF NOT EXISTS host_uid_slots (
  function_name TEXT PRIMARY KEY,
  slot INTEGER NOT NULL UNIQUE);
