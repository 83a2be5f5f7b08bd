-- The same tables as SQLite's V1; times in epoch milliseconds need BIGINT here, payloads BYTEA.
CREATE TABLE functions (
  name TEXT PRIMARY KEY,
  next_version INTEGER NOT NULL DEFAULT 1,
  reserved_concurrency INTEGER,
  created_at TEXT NOT NULL);

CREATE TABLE versions (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  version TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (function_name, version));

CREATE TABLE aliases (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (function_name, name));

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  function_name TEXT NOT NULL,
  version TEXT NOT NULL,
  payload BYTEA NOT NULL,
  accepted_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT,
  state TEXT NOT NULL);

CREATE INDEX events_due ON events(state, next_attempt_at);

CREATE TABLE event_invoke_configs (
  function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
  maximum_retry_attempts INTEGER,
  maximum_event_age_seconds INTEGER,
  last_modified BIGINT NOT NULL);

-- Not tied to the functions table: a name keeps its slot, so a function deleted while one of its environments still
-- runs never shares host uids with another function.
CREATE TABLE host_uid_slots (
  function_name TEXT PRIMARY KEY,
  slot INTEGER NOT NULL UNIQUE);
