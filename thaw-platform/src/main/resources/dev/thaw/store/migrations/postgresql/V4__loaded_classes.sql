-- The classes a function's $LATEST loaded, recorded for class priming, as SQLite's V4.
CREATE TABLE loaded_classes (
  function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
  code_sha256 TEXT NOT NULL,
  names TEXT NOT NULL);
