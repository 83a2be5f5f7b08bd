-- Statements of a layer version's policy (AddLayerVersionPermission), in the order they were added (rowid).
CREATE TABLE IF NOT EXISTS layer_version_permissions (
  layer_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  statement_id TEXT NOT NULL,
  statement TEXT NOT NULL,
  PRIMARY KEY (layer_name, version, statement_id));
