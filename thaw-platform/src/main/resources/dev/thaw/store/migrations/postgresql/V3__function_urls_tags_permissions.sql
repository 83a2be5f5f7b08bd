-- Function URLs, tags, resource policies and recursion settings, as SQLite's V3. A policy lists its statements in
-- the order they were added: SQLite's rowid gives that order, here an identity column does.
CREATE TABLE function_urls (
  url_id TEXT PRIMARY KEY,
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  document TEXT NOT NULL,
  UNIQUE (function_name, qualifier));

CREATE TABLE tags (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (function_name, key));

CREATE TABLE permissions (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  statement_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  added BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (function_name, qualifier, statement_id));

CREATE TABLE recursion_configs (
  function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
  recursive_loop TEXT NOT NULL);
