-- Function URLs, tags, resource policies and recursion settings. IF NOT EXISTS: a home made before versioned
-- migrations may already hold these tables, and is baselined below version 1.
CREATE TABLE IF NOT EXISTS function_urls (
  url_id TEXT PRIMARY KEY,
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  document TEXT NOT NULL,
  UNIQUE (function_name, qualifier));

CREATE TABLE IF NOT EXISTS tags (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (function_name, key));

CREATE TABLE IF NOT EXISTS permissions (
  function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  statement_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  PRIMARY KEY (function_name, qualifier, statement_id));

CREATE TABLE IF NOT EXISTS recursion_configs (
  function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
  recursive_loop TEXT NOT NULL);
