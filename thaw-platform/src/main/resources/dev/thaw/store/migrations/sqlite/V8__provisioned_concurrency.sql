-- Provisioned concurrency configurations: one per published version or alias of a function. The copies kept ready
-- for them, and so their status, live in each platform instance's memory.
CREATE TABLE IF NOT EXISTS provisioned_concurrency (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  requested INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (function_name, qualifier));
