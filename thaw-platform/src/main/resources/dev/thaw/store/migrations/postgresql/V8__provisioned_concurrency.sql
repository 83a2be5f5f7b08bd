-- Provisioned concurrency configurations, as SQLite's V8; every instance hears of a change and reconsiders the
-- copies it keeps.
CREATE TABLE provisioned_concurrency (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  requested INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (function_name, qualifier));

CREATE TRIGGER provisioned_concurrency_changed AFTER INSERT OR UPDATE OR DELETE ON provisioned_concurrency
  FOR EACH STATEMENT EXECUTE FUNCTION thaw_notify_metadata_change();
