-- Layers and their versions. Version numbers of a layer are never reused, even after every version is deleted, as
-- on Lambda. IF NOT EXISTS: a home made before versioned migrations may already hold these tables.
CREATE TABLE IF NOT EXISTS layers (
  name TEXT PRIMARY KEY,
  next_version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS layer_versions (
  layer_name TEXT NOT NULL REFERENCES layers(name),
  version INTEGER NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (layer_name, version));
