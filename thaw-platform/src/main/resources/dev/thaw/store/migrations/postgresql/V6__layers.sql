-- Layers and their versions, as SQLite's V6.
CREATE TABLE layers (
  name TEXT PRIMARY KEY,
  next_version BIGINT NOT NULL DEFAULT 1);
CREATE TABLE layer_versions (
  layer_name TEXT NOT NULL REFERENCES layers(name),
  version BIGINT NOT NULL,
  document TEXT NOT NULL,
  PRIMARY KEY (layer_name, version));
