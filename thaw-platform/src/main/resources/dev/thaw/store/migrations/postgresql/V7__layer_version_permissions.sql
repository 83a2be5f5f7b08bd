-- Statements of a layer version's policy, as SQLite's V7; added orders them.
CREATE TABLE layer_version_permissions (
  layer_name TEXT NOT NULL,
  version BIGINT NOT NULL,
  statement_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  added BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (layer_name, version, statement_id));
