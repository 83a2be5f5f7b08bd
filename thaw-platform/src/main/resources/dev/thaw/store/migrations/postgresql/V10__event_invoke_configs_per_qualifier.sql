-- As SQLite's V10: event invoke configs belong to a qualifier of a function ($LATEST, a version number or an alias);
-- a config kept per function before becomes the $LATEST one. Events remember the qualifier their invoke named.
ALTER TABLE event_invoke_configs ADD COLUMN qualifier TEXT NOT NULL DEFAULT '$LATEST';
ALTER TABLE event_invoke_configs ALTER COLUMN qualifier DROP DEFAULT;
ALTER TABLE event_invoke_configs DROP CONSTRAINT event_invoke_configs_pkey;
ALTER TABLE event_invoke_configs ADD PRIMARY KEY (function_name, qualifier);
ALTER TABLE events ADD COLUMN qualifier TEXT NOT NULL DEFAULT '$LATEST';
