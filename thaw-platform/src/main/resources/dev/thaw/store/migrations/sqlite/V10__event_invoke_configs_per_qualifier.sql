-- Event invoke configs belong to a qualifier of a function ($LATEST, a version number or an alias), as on Lambda. A
-- config kept per function before this applied to every event of the function; it becomes the $LATEST one, which is
-- the one an unqualified call names. SQLite cannot change a primary key, so the table is rebuilt.
CREATE TABLE event_invoke_configs_by_qualifier (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  maximum_retry_attempts INTEGER,
  maximum_event_age_seconds INTEGER,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (function_name, qualifier));
INSERT INTO event_invoke_configs_by_qualifier(function_name, qualifier, maximum_retry_attempts,
  maximum_event_age_seconds, last_modified)
  SELECT function_name, '$LATEST', maximum_retry_attempts, maximum_event_age_seconds, last_modified
  FROM event_invoke_configs;
DROP TABLE event_invoke_configs;
ALTER TABLE event_invoke_configs_by_qualifier RENAME TO event_invoke_configs;
-- The qualifier an Event invoke named, whose config governs its retries; events accepted before were governed by the
-- function's config, now the $LATEST one.
ALTER TABLE events ADD COLUMN qualifier TEXT NOT NULL DEFAULT '$LATEST';
