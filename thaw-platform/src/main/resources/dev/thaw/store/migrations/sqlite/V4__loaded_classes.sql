-- The classes a function's $LATEST loaded, recorded for class priming. IF NOT EXISTS: a home made before versioned
-- migrations may already hold this table.
CREATE TABLE IF NOT EXISTS loaded_classes (
  function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
  code_sha256 TEXT NOT NULL,
  names TEXT NOT NULL);
