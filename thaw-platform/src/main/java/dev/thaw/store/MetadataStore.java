package dev.thaw.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * SQLite-backed metadata. Thread-safe: every method holds the store's monitor for its statements. The reads on the
 * invoke path (a version, an alias, whether a function exists, reserved concurrency, a Function URL and its
 * policy) are answered from memory after the first time; every write goes through this class and drops what it
 * changes, so the cache is never stale.
 */
public final class MetadataStore implements AutoCloseable {
    private final Connection connection;
    private final Map<String, Optional<String>> versionCache = new HashMap<>();
    private final Map<String, Optional<String>> aliasCache = new HashMap<>();
    private final Map<String, Boolean> existsCache = new HashMap<>();
    private final Map<String, OptionalInt> reservedCache = new HashMap<>();
    private final Map<String, Optional<String>> urlCache = new HashMap<>();
    private final Map<String, List<String>> permissionCache = new HashMap<>();
    private Integer totalReserved;

    private MetadataStore(Connection connection) {
        this.connection = connection;
    }

    public static MetadataStore open(Path databaseFile) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + databaseFile);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA foreign_keys=ON");
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
                // Not tied to the functions table: a name keeps its slot, so a function deleted while one of its
                // environments still runs never shares host uids with another function.
                s.execute("""
                        CREATE TABLE IF NOT EXISTS host_uid_slots (
                          function_name TEXT PRIMARY KEY,
                          slot INTEGER NOT NULL UNIQUE)""");
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
                // Version numbers of a layer are never reused, even after every version is deleted, as on Lambda.
                s.execute("""
                        CREATE TABLE IF NOT EXISTS layers (
                          name TEXT PRIMARY KEY,
                          next_version INTEGER NOT NULL DEFAULT 1)""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS layer_versions (
                          layer_name TEXT NOT NULL REFERENCES layers(name),
                          version INTEGER NOT NULL,
                          document TEXT NOT NULL,
                          PRIMARY KEY (layer_name, version))""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS recursion_configs (
                          function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
                          recursive_loop TEXT NOT NULL)""");
                s.execute("""
                        CREATE TABLE IF NOT EXISTS loaded_classes (
                          function_name TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
                          code_sha256 TEXT NOT NULL,
                          names TEXT NOT NULL)""");
            }
            return new MetadataStore(c);
        } catch (SQLException e) {
            throw new StoreException("cannot open metadata database " + databaseFile, e);
        }
    }

    public synchronized boolean functionExists(String name) {
        return existsCache.computeIfAbsent(name, n ->
                queryOne("SELECT 1 FROM functions WHERE name = ?", rs -> 1, n).isPresent());
    }

    private void forgetEverything() {
        urlCache.clear();
        permissionCache.clear();
        versionCache.clear();
        aliasCache.clear();
        existsCache.clear();
        reservedCache.clear();
        totalReserved = null;
    }

    private static String key(String a, String b) {
        return a + "\n" + b;
    }

    /** Creates the function row and its $LATEST document atomically; false if the name is taken. */
    public synchronized boolean insertFunction(String name, String latestDocument, String createdAt) {
        try {
            return inTransaction(() -> {
                if (queryOne("SELECT 1 FROM functions WHERE name = ?", rs -> 1, name).isPresent()) {
                    return false;
                }
                update("INSERT INTO functions(name, created_at) VALUES (?, ?)", name, createdAt);
                update("INSERT INTO versions(function_name, version, ordinal, document) VALUES (?, '$LATEST', 0, ?)",
                        name, latestDocument);
                return true;
            });
        } finally {
            forgetEverything();
        }
    }

    public synchronized void deleteFunction(String name) {
        update("DELETE FROM functions WHERE name = ?", name);
        forgetEverything();
    }

    /** Function names in order, starting after {@code afterName} (exclusive; null for the first page). */
    public synchronized List<String> functionNames(String afterName, int limit) {
        return queryList("SELECT name FROM functions WHERE name > ? ORDER BY name LIMIT ?", rs -> rs.getString(1),
                afterName == null ? "" : afterName, limit);
    }

    public synchronized Optional<String> version(String functionName, String version) {
        return versionCache.computeIfAbsent(key(functionName, version), k ->
                queryOne("SELECT document FROM versions WHERE function_name = ? AND version = ?",
                        rs -> rs.getString(1), functionName, version));
    }

    public synchronized void putVersion(String functionName, String version, String document) {
        versionCache.remove(key(functionName, version));
        int ordinal = "$LATEST".equals(version) ? 0 : Integer.parseInt(version);
        update("""
                INSERT INTO versions(function_name, version, ordinal, document) VALUES (?, ?, ?, ?)
                ON CONFLICT(function_name, version) DO UPDATE SET document = excluded.document""",
                functionName, version, ordinal, document);
    }

    public synchronized void deleteVersion(String functionName, String version) {
        versionCache.remove(key(functionName, version));
        update("DELETE FROM versions WHERE function_name = ? AND version = ?", functionName, version);
    }

    /** Version documents ordered $LATEST first, then by number, starting after ordinal {@code afterOrdinal}. */
    public synchronized List<String> versions(String functionName, int afterOrdinal, int limit) {
        return queryList("""
                SELECT document FROM versions WHERE function_name = ? AND ordinal > ?
                ORDER BY ordinal LIMIT ?""", rs -> rs.getString(1), functionName, afterOrdinal, limit);
    }

    /** All version documents of every function (for reconciliation at startup). */
    public synchronized List<String> allVersions() {
        return queryList("SELECT document FROM versions ORDER BY function_name, ordinal", rs -> rs.getString(1));
    }

    /** Reserves the next version number of a function. */
    public synchronized int allocateVersionNumber(String functionName) {
        return inTransaction(() -> {
            int next = queryOne("SELECT next_version FROM functions WHERE name = ?", rs -> rs.getInt(1), functionName)
                    .orElseThrow(() -> new StoreException("no function " + functionName, null));
            update("UPDATE functions SET next_version = ? WHERE name = ?", next + 1, functionName);
            return next;
        });
    }

    /**
     * The function's slot of host uids, given on first use and kept for good.
     *
     * @throws StoreException when all {@code capacity} slots are taken
     */
    public synchronized int hostUidSlot(String functionName, int capacity) {
        return inTransaction(() -> {
            Optional<Integer> known = queryOne("SELECT slot FROM host_uid_slots WHERE function_name = ?",
                    rs -> rs.getInt(1), functionName);
            if (known.isPresent()) {
                return known.get();
            }
            int next = queryOne("SELECT COALESCE(MAX(slot) + 1, 0) FROM host_uid_slots", rs -> rs.getInt(1))
                    .orElse(0);
            if (next >= capacity) {
                throw new StoreException("all " + capacity + " host uid slots are taken", null);
            }
            update("INSERT INTO host_uid_slots (function_name, slot) VALUES (?, ?)", functionName, next);
            return next;
        });
    }

    public synchronized OptionalInt reservedConcurrency(String functionName) {
        OptionalInt cached = reservedCache.get(functionName);
        if (cached != null) {
            return cached;
        }
        Optional<Integer> v = queryOne("SELECT reserved_concurrency FROM functions WHERE name = ?",
                rs -> rs.getObject(1) == null ? null : rs.getInt(1), functionName);
        OptionalInt result = v.map(OptionalInt::of).orElse(OptionalInt.empty());
        reservedCache.put(functionName, result);
        return result;
    }

    public synchronized void setReservedConcurrency(String functionName, Integer value) {
        reservedCache.remove(functionName);
        totalReserved = null;
        update("UPDATE functions SET reserved_concurrency = ? WHERE name = ?", value, functionName);
    }

    /** Sum of reserved concurrency over all functions except {@code exceptFunction}. */
    public synchronized int totalReservedConcurrency(String exceptFunction) {
        if (totalReserved == null) {
            totalReserved = queryOne("SELECT COALESCE(SUM(reserved_concurrency), 0) FROM functions",
                    rs -> rs.getInt(1)).orElse(0);
        }
        return totalReserved - reservedConcurrency(exceptFunction).orElse(0);
    }

    public synchronized Optional<String> alias(String functionName, String alias) {
        return aliasCache.computeIfAbsent(key(functionName, alias), k -> queryOne(
                "SELECT document FROM aliases WHERE function_name = ? AND name = ?", rs -> rs.getString(1),
                functionName, alias));
    }

    public synchronized boolean insertAlias(String functionName, String alias, String document) {
        if (alias(functionName, alias).isPresent()) {
            return false;
        }
        aliasCache.remove(key(functionName, alias));
        update("INSERT INTO aliases(function_name, name, document) VALUES (?, ?, ?)", functionName, alias, document);
        return true;
    }

    public synchronized void updateAlias(String functionName, String alias, String document) {
        aliasCache.remove(key(functionName, alias));
        update("UPDATE aliases SET document = ? WHERE function_name = ? AND name = ?", document, functionName, alias);
    }

    /** Deletes an alias with the Function URL that serves it and its resource policy, as Lambda does. */
    public synchronized void deleteAlias(String functionName, String alias) {
        aliasCache.remove(key(functionName, alias));
        urlCache.clear();
        permissionCache.remove(key(functionName, alias));
        inTransaction(() -> {
            update("DELETE FROM permissions WHERE function_name = ? AND qualifier = ?", functionName, alias);
            update("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?", functionName, alias);
            update("DELETE FROM aliases WHERE function_name = ? AND name = ?", functionName, alias);
            return null;
        });
    }

    public synchronized List<String> aliases(String functionName, String afterName, int limit) {
        return queryList("SELECT document FROM aliases WHERE function_name = ? AND name > ? ORDER BY name LIMIT ?",
                rs -> rs.getString(1), functionName, afterName == null ? "" : afterName, limit);
    }

    // --- function URLs -------------------------------------------------------------------------------------------

    /** Stores a new Function URL; false if the function (with that qualifier, "" for none) already has one. */
    public synchronized boolean insertFunctionUrl(String urlId, String functionName, String qualifier,
                                                  String document) {
        return inTransaction(() -> {
            if (functionUrl(functionName, qualifier).isPresent()) {
                return false;
            }
            urlCache.remove(urlId);
            update("INSERT INTO function_urls(url_id, function_name, qualifier, document) VALUES (?, ?, ?, ?)",
                    urlId, functionName, qualifier, document);
            return true;
        });
    }

    public synchronized void updateFunctionUrl(String urlId, String document) {
        urlCache.remove(urlId);
        update("UPDATE function_urls SET document = ? WHERE url_id = ?", document, urlId);
    }

    public synchronized boolean deleteFunctionUrl(String functionName, String qualifier) {
        urlCache.clear();
        return updateCount("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?",
                functionName, qualifier) > 0;
    }

    /** The Function URL of a function ("" qualifier) or of one of its aliases. */
    public synchronized Optional<String> functionUrl(String functionName, String qualifier) {
        return queryOne("SELECT document FROM function_urls WHERE function_name = ? AND qualifier = ?",
                rs -> rs.getString(1), functionName, qualifier);
    }

    /** The Function URL with this id, answered from memory after the first time (it is on the request path). */
    public synchronized Optional<String> functionUrlById(String urlId) {
        return urlCache.computeIfAbsent(urlId, id -> queryOne(
                "SELECT document FROM function_urls WHERE url_id = ?", rs -> rs.getString(1), id));
    }

    /** A function's Function URLs ordered by id, starting after {@code afterUrlId} (null for the first page). */
    public synchronized List<String> functionUrls(String functionName, String afterUrlId, int limit) {
        return queryList("SELECT document FROM function_urls WHERE function_name = ? AND url_id > ? "
                + "ORDER BY url_id LIMIT ?", rs -> rs.getString(1), functionName,
                afterUrlId == null ? "" : afterUrlId, limit);
    }

    // --- tags and permissions ------------------------------------------------------------------------------------

    /** Adds or replaces tags of a function. */
    public synchronized void putTags(String functionName, Map<String, String> tags) {
        inTransaction(() -> {
            tags.forEach((k, v) -> update("""
                    INSERT INTO tags(function_name, key, value) VALUES (?, ?, ?)
                    ON CONFLICT(function_name, key) DO UPDATE SET value = excluded.value""", functionName, k, v));
            return null;
        });
    }

    public synchronized void deleteTags(String functionName, List<String> keys) {
        inTransaction(() -> {
            keys.forEach(k -> update("DELETE FROM tags WHERE function_name = ? AND key = ?", functionName, k));
            return null;
        });
    }

    /** A function's tags, by key. */
    public synchronized Map<String, String> tags(String functionName) {
        Map<String, String> tags = new java.util.TreeMap<>();
        queryList("SELECT key, value FROM tags WHERE function_name = ?",
                rs -> Map.entry(rs.getString(1), rs.getString(2)), functionName)
                .forEach(e -> tags.put(e.getKey(), e.getValue()));
        return tags;
    }

    /** Stores a policy statement; false if the function's qualifier ("" for none) has one with that id. */
    public synchronized boolean insertPermission(String functionName, String qualifier, String statementId,
                                                 String statement) {
        return inTransaction(() -> {
            if (queryOne("SELECT 1 FROM permissions WHERE function_name = ? AND qualifier = ? AND statement_id = ?",
                    rs -> 1, functionName, qualifier, statementId).isPresent()) {
                return false;
            }
            permissionCache.remove(key(functionName, qualifier));
            update("INSERT INTO permissions(function_name, qualifier, statement_id, statement) VALUES (?, ?, ?, ?)",
                    functionName, qualifier, statementId, statement);
            return true;
        });
    }

    public synchronized boolean deletePermission(String functionName, String qualifier, String statementId) {
        permissionCache.remove(key(functionName, qualifier));
        return updateCount("DELETE FROM permissions WHERE function_name = ? AND qualifier = ? AND statement_id = ?",
                functionName, qualifier, statementId) > 0;
    }

    /**
     * The statements of a function's (or one qualifier's) policy, in the order they were added; answered from memory
     * after the first time (a public Function URL reads them on every request).
     */
    public synchronized List<String> permissions(String functionName, String qualifier) {
        return permissionCache.computeIfAbsent(key(functionName, qualifier), k -> List.copyOf(queryList(
                "SELECT statement FROM permissions WHERE function_name = ? AND qualifier = ? ORDER BY rowid",
                rs -> rs.getString(1), functionName, qualifier)));
    }

    public synchronized void putRecursiveLoop(String functionName, String value) {
        update("""
                INSERT INTO recursion_configs(function_name, recursive_loop) VALUES (?, ?)
                ON CONFLICT(function_name) DO UPDATE SET recursive_loop = excluded.recursive_loop""",
                functionName, value);
    }

    public synchronized Optional<String> recursiveLoop(String functionName) {
        return queryOne("SELECT recursive_loop FROM recursion_configs WHERE function_name = ?",
                rs -> rs.getString(1), functionName);
    }

    // --- layers --------------------------------------------------------------------------------------------------

    /** Reserves the next version number of a layer, creating the layer on its first version. */
    public synchronized long allocateLayerVersion(String layerName) {
        return inTransaction(() -> {
            update("INSERT INTO layers(name) VALUES (?) ON CONFLICT(name) DO NOTHING", layerName);
            long next = queryOne("SELECT next_version FROM layers WHERE name = ?", rs -> rs.getLong(1), layerName)
                    .orElseThrow();
            update("UPDATE layers SET next_version = ? WHERE name = ?", next + 1, layerName);
            return next;
        });
    }

    public synchronized void insertLayerVersion(String layerName, long version, String document) {
        update("INSERT INTO layer_versions(layer_name, version, document) VALUES (?, ?, ?)", layerName, version,
                document);
    }

    public synchronized Optional<String> layerVersion(String layerName, long version) {
        return queryOne("SELECT document FROM layer_versions WHERE layer_name = ? AND version = ?",
                rs -> rs.getString(1), layerName, version);
    }

    public synchronized boolean deleteLayerVersion(String layerName, long version) {
        return updateCount("DELETE FROM layer_versions WHERE layer_name = ? AND version = ?", layerName, version) > 0;
    }

    /** A layer's version documents, newest first, with numbers below {@code beforeVersion}. */
    public synchronized List<String> layerVersions(String layerName, long beforeVersion, int limit) {
        return queryList("""
                SELECT document FROM layer_versions WHERE layer_name = ? AND version < ?
                ORDER BY version DESC LIMIT ?""", rs -> rs.getString(1), layerName, beforeVersion, limit);
    }

    /** Names of layers that have at least one version, in order, after {@code afterName} (null for the first). */
    public synchronized List<String> layerNames(String afterName, int limit) {
        return queryList("SELECT DISTINCT layer_name FROM layer_versions WHERE layer_name > ? ORDER BY layer_name "
                + "LIMIT ?", rs -> rs.getString(1), afterName == null ? "" : afterName, limit);
    }

    /** Every layer version document (to know which stored contents are still in use). */
    public synchronized List<String> allLayerVersions() {
        return queryList("SELECT document FROM layer_versions", rs -> rs.getString(1));
    }

    // --- asynchronous invocations ---------------------------------------------------------------------------

    private static final String EVENT_COLUMNS =
            "id, function_name, version, payload, accepted_at, attempts, next_attempt_at, last_error, state";

    /** Stores an accepted event as queued and due now; it is durable when this returns. */
    public synchronized void insertEvent(String id, String functionName, String version, byte[] payload,
                                         long acceptedAt) {
        update("INSERT INTO events(" + EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, 0, ?, NULL, 'queued')",
                id, functionName, version, payload, acceptedAt, acceptedAt);
    }

    /** Puts events that were running when the platform stopped back in the queue; returns how many. */
    public synchronized int requeueRunningEvents() {
        return updateCount("UPDATE events SET state = 'queued' WHERE state = 'running'");
    }

    /** Marks up to {@code limit} queued events that are due at {@code now} as running and returns them. */
    public synchronized List<StoredEvent> claimDueEvents(long now, int limit) {
        return inTransaction(() -> {
            List<StoredEvent> due = queryList("SELECT " + EVENT_COLUMNS + """
                     FROM events WHERE state = 'queued' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, accepted_at LIMIT ?""", MetadataStore::event, now, limit);
            for (StoredEvent e : due) {
                update("UPDATE events SET state = 'running' WHERE id = ?", e.id());
            }
            return due;
        });
    }

    /** A delivered event is forgotten: at-least-once delivery needs no record of success. */
    public synchronized void deleteEvent(String id) {
        update("DELETE FROM events WHERE id = ?", id);
    }

    public synchronized void requeueEvent(String id, int attempts, long nextAttemptAt, String lastError) {
        update("UPDATE events SET state = 'queued', attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                attempts, nextAttemptAt, lastError, id);
    }

    public synchronized void failEvent(String id, int attempts, String lastError) {
        update("UPDATE events SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                attempts, lastError, id);
    }

    /** Events not yet delivered or failed (queued or being delivered); {@code oldestAcceptedAt} 0 when none. */
    public record EventBacklog(long depth, long oldestAcceptedAt) {
    }

    public synchronized EventBacklog eventBacklog() {
        return queryOne("SELECT COUNT(*), COALESCE(MIN(accepted_at), 0) FROM events WHERE state IN ('queued', "
                + "'running')", rs -> new EventBacklog(rs.getLong(1), rs.getLong(2))).orElseThrow();
    }

    /** Failed events, oldest first, of one function or (null) of all. */
    public synchronized List<StoredEvent> failedEvents(String functionName) {
        return queryList("SELECT " + EVENT_COLUMNS + """
                 FROM events WHERE state = 'failed' AND (? IS NULL OR function_name = ?)
                ORDER BY accepted_at""", MetadataStore::event, functionName, functionName);
    }

    private static StoredEvent event(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4), rs.getLong(5),
                rs.getInt(6), rs.getLong(7), rs.getString(8),
                StoredEvent.State.valueOf(rs.getString(9).toUpperCase(java.util.Locale.ROOT)));
    }

    public synchronized void putEventConfig(StoredEventConfig config) {
        update("""
                INSERT INTO event_invoke_configs(function_name, maximum_retry_attempts, maximum_event_age_seconds,
                  last_modified) VALUES (?, ?, ?, ?)
                ON CONFLICT(function_name) DO UPDATE SET maximum_retry_attempts = excluded.maximum_retry_attempts,
                  maximum_event_age_seconds = excluded.maximum_event_age_seconds,
                  last_modified = excluded.last_modified""",
                config.functionName(), config.maximumRetryAttempts(), config.maximumEventAgeInSeconds(),
                config.lastModifiedEpochSeconds());
    }

    public synchronized Optional<StoredEventConfig> eventConfig(String functionName) {
        return queryOne("""
                SELECT function_name, maximum_retry_attempts, maximum_event_age_seconds, last_modified
                FROM event_invoke_configs WHERE function_name = ?""", rs -> new StoredEventConfig(rs.getString(1),
                nullableInt(rs, 2), nullableInt(rs, 3), rs.getLong(4)), functionName);
    }

    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column) == null ? null : rs.getInt(column);
    }

    /** Returns whether there was a config to delete. */
    public synchronized boolean deleteEventConfig(String functionName) {
        return updateCount("DELETE FROM event_invoke_configs WHERE function_name = ?", functionName) > 0;
    }

    /** The classes recorded for a function's class priming, with the code they were recorded from. */
    public record LoadedClasses(String codeSha256, String names) {
    }

    public synchronized Optional<LoadedClasses> loadedClasses(String functionName) {
        return queryOne("SELECT code_sha256, names FROM loaded_classes WHERE function_name = ?",
                rs -> new LoadedClasses(rs.getString(1), rs.getString(2)), functionName);
    }

    /** Replaces a function's recorded classes; nothing happens when the function no longer exists. */
    public synchronized void putLoadedClasses(String functionName, LoadedClasses classes) {
        update("""
                INSERT INTO loaded_classes(function_name, code_sha256, names)
                SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM functions WHERE name = ?)
                ON CONFLICT(function_name) DO UPDATE SET code_sha256 = excluded.code_sha256, names = excluded.names""",
                functionName, classes.codeSha256(), classes.names(), functionName);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close metadata database", e);
        }
    }

    // --- JDBC plumbing -------------------------------------------------------------------------------------------

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private interface TransactionBody<T> {
        T run();
    }

    private <T> T inTransaction(TransactionBody<T> body) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = body.run();
                connection.commit();
                return result;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("transaction failed", e);
        }
    }

    private void update(String sql, Object... args) {
        updateCount(sql, args);
    }

    private int updateCount(String sql, Object... args) {
        try (PreparedStatement ps = prepare(sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("statement failed: " + sql, e);
        }
    }

    private <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = queryList(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getFirst());
    }

    private <T> List<T> queryList(String sql, RowMapper<T> mapper, Object... args) {
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("query failed: " + sql, e);
        }
    }

    private PreparedStatement prepare(String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
