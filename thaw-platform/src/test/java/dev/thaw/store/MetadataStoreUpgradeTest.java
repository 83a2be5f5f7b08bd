package dev.thaw.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An SQLite home made by the release before versioned migrations opens, upgrades in place and keeps its data. */
class MetadataStoreUpgradeTest {
    @TempDir
    Path dir;

    /** The tables exactly as that release's MetadataStore.open created them, with a little of everything in them. */
    private void createHomeOfTheLastRelease(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS functions (
                      name TEXT PRIMARY KEY,
                      next_version INTEGER NOT NULL DEFAULT 1,
                      reserved_concurrency INTEGER,
                      created_at TEXT NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS versions (
                      function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
                      version TEXT NOT NULL,
                      ordinal INTEGER NOT NULL,
                      document TEXT NOT NULL,
                      PRIMARY KEY (function_name, version))""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS aliases (
                      function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
                      name TEXT NOT NULL,
                      document TEXT NOT NULL,
                      PRIMARY KEY (function_name, name))""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS events (
                      id TEXT PRIMARY KEY,
                      function_name TEXT NOT NULL,
                      version TEXT NOT NULL,
                      payload BLOB NOT NULL,
                      accepted_at INTEGER NOT NULL,
                      attempts INTEGER NOT NULL DEFAULT 0,
                      next_attempt_at INTEGER NOT NULL,
                      last_error TEXT,
                      state TEXT NOT NULL)""");
            s.execute("CREATE INDEX IF NOT EXISTS events_due ON events(state, next_attempt_at)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS event_invoke_configs (
                      function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
                      maximum_retry_attempts INTEGER,
                      maximum_event_age_seconds INTEGER,
                      last_modified INTEGER NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS host_uid_slots (
                      function_name TEXT PRIMARY KEY,
                      slot INTEGER NOT NULL UNIQUE)""");
            s.execute("INSERT INTO functions VALUES ('old', 3, 4, '2026-01-01T00:00:00Z')");
            s.execute("INSERT INTO versions VALUES ('old', '$LATEST', 0, '{\"latest\":true}')");
            s.execute("INSERT INTO versions VALUES ('old', '2', 2, '{\"v\":2}')");
            s.execute("INSERT INTO aliases VALUES ('old', 'live', '{\"alias\":\"live\"}')");
            s.execute("INSERT INTO event_invoke_configs VALUES ('old', 1, NULL, 1700000000)");
            s.execute("INSERT INTO host_uid_slots VALUES ('old', 0)");
            s.execute("INSERT INTO events VALUES ('was-running', 'old', '2', x'7b7d', 10, 1, 10, NULL, 'running')");
            s.execute("INSERT INTO events VALUES ('queued', 'old', '2', x'7b7d', 20, 0, 20, NULL, 'queued')");
            s.execute("INSERT INTO events VALUES ('failed', 'old', '2', x'7b7d', 5, 3, 5, 'boom', 'failed')");
        }
    }

    @Test
    void aHomeOfTheLastReleaseUpgradesInPlaceWithItsDataIntact() throws Exception {
        Path db = dir.resolve("metadata.db");
        createHomeOfTheLastRelease(db);
        try (MetadataStore store = MetadataStore.open(db)) {
            assertTrue(store.functionExists("old"));
            assertEquals(Optional.of("{\"latest\":true}"), store.version("old", "$LATEST"));
            assertEquals(List.of("{\"latest\":true}", "{\"v\":2}"), store.versions("old", -1, 10));
            assertEquals(Optional.of("{\"alias\":\"live\"}"), store.alias("old", "live"));
            assertEquals(OptionalInt.of(4), store.reservedConcurrency("old"));
            assertEquals(3, store.allocateVersionNumber("old"), "version numbers go on where they were");
            assertEquals(0, store.hostUidSlot("old", 10));
            assertEquals(new StoredEventConfig("old", "$LATEST", 1, null, 1700000000L),
                    store.eventConfig("old", "$LATEST").orElseThrow(), "the function's config became $LATEST's");
            assertEquals(List.of("$LATEST"), store.eventConfigs("old", null, 10).stream()
                    .map(StoredEventConfig::qualifier).toList());
            assertEquals(List.of("failed"), store.failedEvents("old").stream().map(StoredEvent::id).toList());
            assertEquals(1, store.requeueRunningEvents(), "an event running at the old release's stop is redone");
            List<StoredEvent> due = store.claimDueEvents(100, 10);
            assertEquals(List.of("was-running", "queued"), due.stream().map(StoredEvent::id).toList());
            assertEquals(1, due.getFirst().attempts());
            assertEquals(List.of("$LATEST", "$LATEST"), due.stream().map(StoredEvent::qualifier).toList(),
                    "events from before qualifiers are governed by the $LATEST config, as they were by the function's");
            assertEquals("{}", new String(due.getFirst().payload()));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT version, type, success FROM flyway_schema_history ORDER BY installed_rank")) {
            List<String> history = new ArrayList<>();
            while (rs.next()) {
                assertTrue(rs.getBoolean(3));
                history.add(rs.getString(1) + " " + rs.getString(2));
            }
            List<String> expected = new ArrayList<>(List.of("0 BASELINE"));
            expected.addAll(sqliteMigrations());
            assertEquals(expected, history);
        }
        try (MetadataStore reopened = MetadataStore.open(db)) {
            assertTrue(reopened.functionExists("old"), "opening an up-to-date home again changes nothing");
        }
    }

    @Test
    void aHomeWithFunctionUrlsTagsPoliciesAndLoadedClassesKeepsThemAndTheirOrder() throws Exception {
        Path db = dir.resolve("metadata.db");
        createHomeOfTheLastRelease(db);
        // What the release that added Function URLs created beside the older tables.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS function_urls (
                      url_id TEXT PRIMARY KEY,
                      function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
                      qualifier TEXT NOT NULL,
                      document TEXT NOT NULL,
                      UNIQUE (function_name, qualifier))""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS tags (
                      function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
                      key TEXT NOT NULL,
                      value TEXT NOT NULL,
                      PRIMARY KEY (function_name, key))""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS permissions (
                      function_name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
                      qualifier TEXT NOT NULL,
                      statement_id TEXT NOT NULL,
                      statement TEXT NOT NULL,
                      PRIMARY KEY (function_name, qualifier, statement_id))""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS recursion_configs (
                      function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
                      recursive_loop TEXT NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS loaded_classes (
                      function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
                      code_sha256 TEXT NOT NULL,
                      names TEXT NOT NULL)""");
            s.execute("INSERT INTO loaded_classes VALUES ('old', 'sha', 'a.B\nc.D')");
            s.execute("INSERT INTO function_urls VALUES ('abc', 'old', 'live', '{\"url\":1}')");
            s.execute("INSERT INTO tags VALUES ('old', 'team', 'core')");
            s.execute("INSERT INTO permissions VALUES ('old', '', 'zeta', 'z')");
            s.execute("INSERT INTO permissions VALUES ('old', '', 'alpha', 'a')");
            s.execute("INSERT INTO recursion_configs VALUES ('old', 'Allow')");
        }
        try (MetadataStore store = MetadataStore.open(db)) {
            assertEquals(Optional.of("{\"url\":1}"), store.functionUrlById("abc"));
            assertEquals(java.util.Map.of("team", "core"), store.tags("old"));
            assertEquals(List.of("z", "a"), store.permissions("old", ""));
            assertEquals(Optional.of("Allow"), store.recursiveLoop("old"));
            assertEquals(Optional.of(new MetadataStore.LoadedClasses("sha", "a.B\nc.D")), store.loadedClasses("old"));
            store.deleteAlias("old", "live");
            assertEquals(Optional.empty(), store.functionUrlById("abc"), "the alias took its URL with it");
        }
    }

    @Test
    void aNewHomeGetsEveryMigrationWithoutABaseline() throws Exception {
        Path db = dir.resolve("metadata.db");
        MetadataStore.open(db).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT version, type FROM flyway_schema_history ORDER BY installed_rank")) {
            List<String> history = new ArrayList<>();
            while (rs.next()) {
                history.add(rs.getString(1) + " " + rs.getString(2));
            }
            assertEquals(sqliteMigrations(), history);
        }
    }

    private static List<String> sqliteMigrations() throws Exception {
        return ShippedMigrations.versions("sqlite").stream().map(v -> v + " SQL").toList();
    }
}
