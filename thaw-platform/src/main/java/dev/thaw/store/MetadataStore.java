package dev.thaw.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The platform's metadata in SQLite or PostgreSQL. Thread-safe: every method runs on a pooled connection (one for
 * SQLite, which serialises them). The reads on the invoke path (a version, an alias, whether a function exists,
 * reserved concurrency, a Function URL and its policy) are answered from memory after the first time; every write through this class drops the
 * cache, and on PostgreSQL so does every write by another instance ({@link ChangeFeed}), so the cache is never stale.
 */
public final class MetadataStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetadataStore.class.getName());
    /** A lease given to an event when no other is asked for: long enough for GC pauses, short enough to recover. */
    public static final Duration DEFAULT_EVENT_LEASE = Duration.ofSeconds(30);
    private static final String ALL_FUNCTIONS = "";

    private final Database database;
    private final HikariDataSource pool;
    private final String instanceId;
    private final long leaseMillis;
    private final ChangeFeed changes;
    private final Map<String, Optional<String>> versionCache = new ConcurrentHashMap<>();
    private final Map<String, Optional<String>> aliasCache = new ConcurrentHashMap<>();
    private final Map<String, Boolean> existsCache = new ConcurrentHashMap<>();
    private final Map<String, OptionalInt> reservedCache = new ConcurrentHashMap<>();
    private final Map<String, Integer> totalReservedCache = new ConcurrentHashMap<>();
    private final Map<String, Optional<String>> urlCache = new ConcurrentHashMap<>();
    private final Map<String, List<String>> permissionCache = new ConcurrentHashMap<>();
    private final Map<String, List<StoredProvisionedConcurrency>> provisionedCache = new ConcurrentHashMap<>();
    /** Bumped by every change; a read that raced with one does not fill the cache with what it saw before. */
    private long generation;

    private MetadataStore(Database database, HikariDataSource pool, String instanceId, Duration eventLease) {
        this.database = database;
        this.pool = pool;
        this.instanceId = instanceId;
        this.leaseMillis = eventLease.toMillis();
        this.changes = database instanceof Database.Postgres pg ? ChangeFeed.start(pg, this::forgetEverything)
                : ChangeFeed.local();
    }

    /** An SQLite file used by this process alone. */
    public static MetadataStore open(Path databaseFile) {
        return open(Database.sqlite(databaseFile), "local", DEFAULT_EVENT_LEASE);
    }

    /**
     * Brings the schema up to date (an SQLite home made before versioned migrations is adopted as it is and
     * upgraded), then opens a pool of connections.
     *
     * @param instanceId names this platform instance in the events it claims; stable across its restarts
     * @param eventLease how long a claimed event stays with this instance without being renewed
     */
    public static MetadataStore open(Database database, String instanceId, Duration eventLease) {
        migrate(database);
        HikariDataSource pool = new HikariDataSource(poolConfig(database));
        try {
            return new MetadataStore(database, pool, instanceId, eventLease);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static void migrate(Database database) {
        Database.Postgres pg = database instanceof Database.Postgres p ? p : null;
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(database.jdbcUrl() + (pg == null ? "" : "?" + PostgresTimeouts.URL_PARAMETERS),
                            pg == null ? null : pg.user(), pg == null ? null : pg.password())
                    .locations(database.dialect().migrationLocation())
                    // Homes from before migrations hold the tables of V1 without a history: V1 runs over them.
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("metadata schema of " + database.display() + " migrated to version "
                        + result.targetSchemaVersion + " (" + result.migrationsExecuted + " migration(s) applied)");
            }
        } catch (FlywayException e) {
            throw new StoreException("cannot bring the metadata database " + database.display()
                    + " up to date: " + e.getMessage(), e);
        }
    }

    private static HikariConfig poolConfig(Database database) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("metadata");
        c.setJdbcUrl(database.jdbcUrl());
        switch (database) {
            case Database.Sqlite ignored -> {
                // One writer at a time is SQLite's model; a single connection keeps its statements in order.
                c.setMaximumPoolSize(1);
            }
            case Database.Postgres pg -> {
                c.setUsername(pg.user());
                c.setPassword(pg.password());
                c.setMaximumPoolSize(8);
                c.setMinimumIdle(1);
                // While the database is down a request waits this long for a connection, then fails as a 5xx.
                c.setConnectionTimeout(PostgresTimeouts.CONNECTION_WAIT.toMillis());
                c.setValidationTimeout(1000);
                PostgresTimeouts.properties().forEach(c::addDataSourceProperty);
            }
        }
        return c;
    }

    public Database database() {
        return database;
    }

    /** The cluster's tables (workers, concurrency leases), on the same connections. */
    public ClusterTables cluster() {
        return new ClusterTables(pool, database);
    }

    public boolean functionExists(String name) {
        return cached(existsCache, name,
                () -> queryOne("SELECT 1 FROM functions WHERE name = ?", rs -> 1, name).isPresent());
    }

    private <V> V cached(Map<String, V> cache, String key, Supplier<V> load) {
        V known = cache.get(key);
        if (known != null) {
            return known;
        }
        long before;
        synchronized (this) {
            before = generation;
        }
        V loaded = load.get();
        synchronized (this) {
            if (generation == before && changes.trusted()) {
                cache.put(key, loaded);
            }
        }
        return loaded;
    }

    private synchronized void forgetEverything() {
        generation++;
        versionCache.clear();
        aliasCache.clear();
        existsCache.clear();
        reservedCache.clear();
        totalReservedCache.clear();
        urlCache.clear();
        permissionCache.clear();
        provisionedCache.clear();
    }

    /** After a write that cached reads may depend on (other instances hear of it through {@link ChangeFeed}). */
    private void changed() {
        forgetEverything();
    }

    private static String key(String a, String b) {
        return a + "\n" + b;
    }

    /** Creates the function row and its $LATEST document atomically; false if the name is taken. */
    public boolean insertFunction(String name, String latestDocument, String createdAt) {
        try {
            return inTransaction(c -> {
                if (updateCount(c, "INSERT INTO functions(name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                        name, createdAt) == 0) {
                    return false;
                }
                updateCount(c, "INSERT INTO versions(function_name, version, ordinal, document) "
                        + "VALUES (?, '$LATEST', 0, ?)", name, latestDocument);
                return true;
            });
        } finally {
            changed();
        }
    }

    public void deleteFunction(String name) {
        try {
            update("DELETE FROM functions WHERE name = ?", name);
        } finally {
            changed();
        }
    }

    /** Function names in order, starting after {@code afterName} (exclusive; null for the first page). */
    public List<String> functionNames(String afterName, int limit) {
        return queryList("SELECT name FROM functions WHERE name > ? ORDER BY name LIMIT ?", rs -> rs.getString(1),
                afterName == null ? "" : afterName, limit);
    }

    public Optional<String> version(String functionName, String version) {
        return cached(versionCache, key(functionName, version), () ->
                queryOne("SELECT document FROM versions WHERE function_name = ? AND version = ?",
                        rs -> rs.getString(1), functionName, version));
    }

    public void putVersion(String functionName, String version, String document) {
        int ordinal = "$LATEST".equals(version) ? 0 : Integer.parseInt(version);
        try {
            update("""
                    INSERT INTO versions(function_name, version, ordinal, document) VALUES (?, ?, ?, ?)
                    ON CONFLICT (function_name, version) DO UPDATE SET document = excluded.document""",
                    functionName, version, ordinal, document);
        } finally {
            changed();
        }
    }

    /** Deletes a version with its provisioned concurrency configuration and its event invoke config. */
    public void deleteVersion(String functionName, String version) {
        try {
            inTransaction(c -> {
                updateCount(c, "DELETE FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?",
                        functionName, version);
                updateCount(c, "DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?",
                        functionName, version);
                updateCount(c, "DELETE FROM versions WHERE function_name = ? AND version = ?", functionName,
                        version);
                return null;
            });
        } finally {
            changed();
        }
    }

    /** Version documents ordered $LATEST first, then by number, starting after ordinal {@code afterOrdinal}. */
    public List<String> versions(String functionName, int afterOrdinal, int limit) {
        return queryList("""
                SELECT document FROM versions WHERE function_name = ? AND ordinal > ?
                ORDER BY ordinal LIMIT ?""", rs -> rs.getString(1), functionName, afterOrdinal, limit);
    }

    /** All version documents of every function (for reconciliation at startup). */
    public List<String> allVersions() {
        return queryList("SELECT document FROM versions ORDER BY function_name, ordinal", rs -> rs.getString(1));
    }

    /** Reserves the next version number of a function; the row lock makes it unique across instances. */
    public int allocateVersionNumber(String functionName) {
        return inTransaction(c -> {
            if (updateCount(c, "UPDATE functions SET next_version = next_version + 1 WHERE name = ?",
                    functionName) == 0) {
                throw new StoreException("no function " + functionName, null);
            }
            return queryOne(c, "SELECT next_version - 1 FROM functions WHERE name = ?", rs -> rs.getInt(1),
                    functionName).orElseThrow();
        });
    }

    /**
     * The function's slot of host uids, given on first use and kept for good.
     *
     * @throws StoreException when all {@code capacity} slots are taken
     */
    public int hostUidSlot(String functionName, int capacity) {
        // Another instance may take the same free slot at the same moment: the loser's insert does nothing; retry.
        for (int attempt = 0; attempt < 16; attempt++) {
            Optional<Integer> slot = inTransaction(c -> {
                Optional<Integer> known = queryOne(c, "SELECT slot FROM host_uid_slots WHERE function_name = ?",
                        rs -> rs.getInt(1), functionName);
                if (known.isPresent()) {
                    return known;
                }
                int next = queryOne(c, "SELECT COALESCE(MAX(slot) + 1, 0) FROM host_uid_slots", rs -> rs.getInt(1))
                        .orElse(0);
                if (next >= capacity) {
                    throw new StoreException("all " + capacity + " host uid slots are taken", null);
                }
                return updateCount(c, "INSERT INTO host_uid_slots (function_name, slot) VALUES (?, ?) "
                        + "ON CONFLICT DO NOTHING", functionName, next) == 1 ? Optional.of(next) : Optional.empty();
            });
            if (slot.isPresent()) {
                return slot.get();
            }
        }
        throw new StoreException("cannot give " + functionName + " a host uid slot: others kept taking it", null);
    }

    public OptionalInt reservedConcurrency(String functionName) {
        return cached(reservedCache, functionName, () -> {
            Optional<Integer> v = queryOne("SELECT reserved_concurrency FROM functions WHERE name = ?",
                    rs -> nullableInt(rs, 1), functionName);
            return v.map(OptionalInt::of).orElse(OptionalInt.empty());
        });
    }

    public void setReservedConcurrency(String functionName, Integer value) {
        try {
            update("UPDATE functions SET reserved_concurrency = ? WHERE name = ?", value, functionName);
        } finally {
            changed();
        }
    }

    /** Sum of reserved concurrency over all functions except {@code exceptFunction}. */
    public int totalReservedConcurrency(String exceptFunction) {
        int total = cached(totalReservedCache, ALL_FUNCTIONS, () -> queryOne(
                "SELECT COALESCE(SUM(reserved_concurrency), 0) FROM functions", rs -> rs.getInt(1)).orElse(0));
        return total - reservedConcurrency(exceptFunction).orElse(0);
    }

    public Optional<String> alias(String functionName, String alias) {
        return cached(aliasCache, key(functionName, alias), () -> queryOne(
                "SELECT document FROM aliases WHERE function_name = ? AND name = ?", rs -> rs.getString(1),
                functionName, alias));
    }

    public boolean insertAlias(String functionName, String alias, String document) {
        try {
            return updateCount("INSERT INTO aliases(function_name, name, document) VALUES (?, ?, ?) "
                    + "ON CONFLICT (function_name, name) DO NOTHING", functionName, alias, document) == 1;
        } finally {
            changed();
        }
    }

    public void updateAlias(String functionName, String alias, String document) {
        try {
            update("UPDATE aliases SET document = ? WHERE function_name = ? AND name = ?", document, functionName,
                    alias);
        } finally {
            changed();
        }
    }

    /**
     * Deletes an alias with the Function URL that serves it, its resource policy, its provisioned concurrency
     * configuration and its event invoke config, as Lambda does.
     */
    public void deleteAlias(String functionName, String alias) {
        try {
            inTransaction(c -> {
                updateCount(c, "DELETE FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?",
                        functionName, alias);
                updateCount(c, "DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?",
                        functionName, alias);
                updateCount(c, "DELETE FROM permissions WHERE function_name = ? AND qualifier = ?", functionName,
                        alias);
                updateCount(c, "DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?", functionName,
                        alias);
                updateCount(c, "DELETE FROM aliases WHERE function_name = ? AND name = ?", functionName, alias);
                return null;
            });
        } finally {
            changed();
        }
    }

    public List<String> aliases(String functionName, String afterName, int limit) {
        return queryList("SELECT document FROM aliases WHERE function_name = ? AND name > ? ORDER BY name LIMIT ?",
                rs -> rs.getString(1), functionName, afterName == null ? "" : afterName, limit);
    }

    // --- provisioned concurrency ---------------------------------------------------------------------------------

    /** Adds or replaces the configuration of a function's version or alias. */
    public void putProvisionedConcurrency(StoredProvisionedConcurrency config) {
        try {
            update("""
                    INSERT INTO provisioned_concurrency(function_name, qualifier, requested, last_modified)
                    VALUES (?, ?, ?, ?) ON CONFLICT (function_name, qualifier) DO UPDATE SET
                      requested = excluded.requested, last_modified = excluded.last_modified""",
                    config.functionName(), config.qualifier(), config.requested(), config.lastModified());
        } finally {
            changed();
        }
    }

    /** Returns whether there was a configuration to delete. */
    public boolean deleteProvisionedConcurrency(String functionName, String qualifier) {
        try {
            return updateCount("DELETE FROM provisioned_concurrency WHERE function_name = ? AND qualifier = ?",
                    functionName, qualifier) > 0;
        } finally {
            changed();
        }
    }

    /**
     * Every function's configurations, ordered by function and qualifier; answered from memory after the first time
     * (the copies kept ready are compared with them every second).
     */
    public List<StoredProvisionedConcurrency> allProvisionedConcurrency() {
        return cached(provisionedCache, ALL_FUNCTIONS, () -> List.copyOf(queryList(
                "SELECT function_name, qualifier, requested, last_modified FROM provisioned_concurrency "
                        + "ORDER BY function_name, qualifier",
                rs -> new StoredProvisionedConcurrency(rs.getString(1), rs.getString(2), rs.getInt(3),
                        rs.getString(4)))));
    }

    // --- function URLs -------------------------------------------------------------------------------------------

    /** Stores a new Function URL; false if the function (with that qualifier, "" for none) already has one. */
    public boolean insertFunctionUrl(String urlId, String functionName, String qualifier, String document) {
        try {
            return updateCount("INSERT INTO function_urls(url_id, function_name, qualifier, document) "
                    + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", urlId, functionName, qualifier, document) == 1;
        } finally {
            changed();
        }
    }

    public void updateFunctionUrl(String urlId, String document) {
        try {
            update("UPDATE function_urls SET document = ? WHERE url_id = ?", document, urlId);
        } finally {
            changed();
        }
    }

    public boolean deleteFunctionUrl(String functionName, String qualifier) {
        try {
            return updateCount("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?",
                    functionName, qualifier) > 0;
        } finally {
            changed();
        }
    }

    /** The Function URL of a function ("" qualifier) or of one of its aliases. */
    public Optional<String> functionUrl(String functionName, String qualifier) {
        return queryOne("SELECT document FROM function_urls WHERE function_name = ? AND qualifier = ?",
                rs -> rs.getString(1), functionName, qualifier);
    }

    /** The Function URL with this id, answered from memory after the first time (it is on the request path). */
    public Optional<String> functionUrlById(String urlId) {
        return cached(urlCache, urlId, () -> queryOne(
                "SELECT document FROM function_urls WHERE url_id = ?", rs -> rs.getString(1), urlId));
    }

    /** A function's Function URLs ordered by id, starting after {@code afterUrlId} (null for the first page). */
    public List<String> functionUrls(String functionName, String afterUrlId, int limit) {
        return queryList("SELECT document FROM function_urls WHERE function_name = ? AND url_id > ? "
                + "ORDER BY url_id LIMIT ?", rs -> rs.getString(1), functionName,
                afterUrlId == null ? "" : afterUrlId, limit);
    }

    // --- tags and permissions ------------------------------------------------------------------------------------

    /** Adds or replaces tags of a function. */
    public void putTags(String functionName, Map<String, String> tags) {
        inTransaction(c -> {
            for (Map.Entry<String, String> tag : tags.entrySet()) {
                updateCount(c, """
                        INSERT INTO tags(function_name, key, value) VALUES (?, ?, ?)
                        ON CONFLICT (function_name, key) DO UPDATE SET value = excluded.value""",
                        functionName, tag.getKey(), tag.getValue());
            }
            return null;
        });
    }

    public void deleteTags(String functionName, List<String> keys) {
        inTransaction(c -> {
            for (String k : keys) {
                updateCount(c, "DELETE FROM tags WHERE function_name = ? AND key = ?", functionName, k);
            }
            return null;
        });
    }

    /** A function's tags, by key. */
    public Map<String, String> tags(String functionName) {
        Map<String, String> tags = new java.util.TreeMap<>();
        queryList("SELECT key, value FROM tags WHERE function_name = ?",
                rs -> Map.entry(rs.getString(1), rs.getString(2)), functionName)
                .forEach(e -> tags.put(e.getKey(), e.getValue()));
        return tags;
    }

    /** Stores a policy statement; false if the function's qualifier ("" for none) has one with that id. */
    public boolean insertPermission(String functionName, String qualifier, String statementId, String statement) {
        try {
            return updateCount("INSERT INTO permissions(function_name, qualifier, statement_id, statement) "
                    + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", functionName, qualifier, statementId,
                    statement) == 1;
        } finally {
            changed();
        }
    }

    public boolean deletePermission(String functionName, String qualifier, String statementId) {
        try {
            return updateCount("DELETE FROM permissions WHERE function_name = ? AND qualifier = ? "
                    + "AND statement_id = ?", functionName, qualifier, statementId) > 0;
        } finally {
            changed();
        }
    }

    /**
     * The statements of a function's (or one qualifier's) policy, in the order they were added; answered from memory
     * after the first time (a public Function URL reads them on every request).
     */
    public List<String> permissions(String functionName, String qualifier) {
        // SQLite numbers rows as they are inserted; PostgreSQL's table has an identity column for it.
        String order = database.dialect() == Database.Dialect.SQLITE ? "rowid" : "added";
        return cached(permissionCache, key(functionName, qualifier), () -> List.copyOf(queryList(
                "SELECT statement FROM permissions WHERE function_name = ? AND qualifier = ? ORDER BY " + order,
                rs -> rs.getString(1), functionName, qualifier)));
    }

    public void putRecursiveLoop(String functionName, String value) {
        update("""
                INSERT INTO recursion_configs(function_name, recursive_loop) VALUES (?, ?)
                ON CONFLICT (function_name) DO UPDATE SET recursive_loop = excluded.recursive_loop""",
                functionName, value);
    }

    public Optional<String> recursiveLoop(String functionName) {
        return queryOne("SELECT recursive_loop FROM recursion_configs WHERE function_name = ?",
                rs -> rs.getString(1), functionName);
    }

    // --- layers --------------------------------------------------------------------------------------------------

    /** Reserves the next version number of a layer, creating the layer on its first version. */
    public synchronized long allocateLayerVersion(String layerName) {
        return inTransaction(c -> {
            updateCount(c, "INSERT INTO layers(name) VALUES (?) ON CONFLICT(name) DO NOTHING", layerName);
            // The row lock this UPDATE takes orders instances that publish the same layer at once.
            updateCount(c, "UPDATE layers SET next_version = next_version + 1 WHERE name = ?", layerName);
            return queryOne(c, "SELECT next_version - 1 FROM layers WHERE name = ?", rs -> rs.getLong(1), layerName)
                    .orElseThrow();
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

    /** Deletes a layer version and its policy's statements. */
    public synchronized boolean deleteLayerVersion(String layerName, long version) {
        return inTransaction(c -> {
            updateCount(c, "DELETE FROM layer_version_permissions WHERE layer_name = ? AND version = ?", layerName,
                    version);
            return updateCount(c, "DELETE FROM layer_versions WHERE layer_name = ? AND version = ?", layerName,
                    version) > 0;
        });
    }

    /** Stores a statement of a layer version's policy; false if the version has one with that id. */
    public synchronized boolean insertLayerVersionPermission(String layerName, long version, String statementId,
                                                             String statement) {
        return updateCount("INSERT INTO layer_version_permissions(layer_name, version, statement_id, statement) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", layerName, version, statementId, statement) == 1;
    }

    public synchronized boolean deleteLayerVersionPermission(String layerName, long version, String statementId) {
        return updateCount("DELETE FROM layer_version_permissions WHERE layer_name = ? AND version = ? "
                + "AND statement_id = ?", layerName, version, statementId) > 0;
    }

    /** The statements of a layer version's policy, in the order they were added. */
    public synchronized List<String> layerVersionPermissions(String layerName, long version) {
        String order = database.dialect() == Database.Dialect.SQLITE ? "rowid" : "added";
        return queryList("SELECT statement FROM layer_version_permissions WHERE layer_name = ? AND version = ? "
                + "ORDER BY " + order, rs -> rs.getString(1), layerName, version);
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
            "id, function_name, version, payload, accepted_at, attempts, next_attempt_at, last_error, state, qualifier";
    /** The same columns named by table, for a statement that joins another row source with an id. */
    private static final String EVENT_COLUMNS_OF_EVENTS = EVENT_COLUMNS.replaceAll("(^|, )(\\w+)", "$1events.$2");

    /**
     * Stores an accepted event as queued and due now; it is durable when this returns. {@code version} is what runs,
     * {@code qualifier} what the invoke named ({@code $LATEST} for none).
     */
    public void insertEvent(String id, String functionName, String version, String qualifier, byte[] payload,
                            long acceptedAt) {
        update("INSERT INTO events(" + EVENT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, 0, ?, NULL, 'queued', ?)",
                id, functionName, version, payload, acceptedAt, acceptedAt, qualifier);
    }

    /**
     * Puts events this instance was running when it last stopped back in the queue (and any claimed before leases
     * existed); returns how many. Events of other instances stay theirs until their leases end.
     */
    public int requeueRunningEvents() {
        return updateCount("""
                UPDATE events SET state = 'queued', claimed_by = NULL, lease_until = NULL
                WHERE state = 'running' AND (claimed_by IS NULL OR claimed_by = ?)""", instanceId);
    }

    /**
     * Claims up to {@code limit} events for this instance, leased until {@code now} plus the lease: queued ones that
     * are due, and running ones whose lease ended (their instance died). On PostgreSQL, instances claiming at once
     * skip each other's rows instead of waiting for them.
     */
    public List<StoredEvent> claimDueEvents(long now, int limit) {
        long leaseUntil = now + leaseMillis;
        return switch (database.dialect()) {
            // The rows are picked once, in a materialized CTE: as a sub-select of "id IN (...)" the planner may
            // run the LIMIT query more than once and claim more rows than asked.
            case POSTGRESQL -> queryList("WITH picked AS MATERIALIZED (SELECT id FROM events WHERE (state = "
                    + "'queued' AND next_attempt_at <= ?) OR (state = 'running' AND lease_until < ?) "
                    + "ORDER BY next_attempt_at, accepted_at LIMIT ? FOR UPDATE SKIP LOCKED) "
                    + "UPDATE events SET state = 'running', claimed_by = ?, lease_until = ? FROM picked "
                    + "WHERE events.id = picked.id RETURNING " + EVENT_COLUMNS_OF_EVENTS, MetadataStore::event,
                    now, now, limit, instanceId, leaseUntil);
            case SQLITE -> inTransaction(c -> {
                List<StoredEvent> due = queryList(c, "SELECT " + EVENT_COLUMNS + " FROM events WHERE (state = "
                        + "'queued' AND next_attempt_at <= ?) OR (state = 'running' AND lease_until < ?) "
                        + "ORDER BY next_attempt_at, accepted_at LIMIT ?", MetadataStore::event, now, now, limit);
                for (StoredEvent e : due) {
                    updateCount(c, "UPDATE events SET state = 'running', claimed_by = ?, lease_until = ? WHERE id = ?",
                            instanceId, leaseUntil, e.id());
                }
                return due;
            });
        };
    }

    /** Extends the leases of every event this instance is running; returns how many it still holds. */
    public int renewEventLeases(long now) {
        return updateCount("UPDATE events SET lease_until = ? WHERE state = 'running' AND claimed_by = ?",
                now + leaseMillis, instanceId);
    }

    /** Gives this instance's running events back to the queue, for another instance to take at once. */
    public int releaseEventClaims() {
        return updateCount("UPDATE events SET state = 'queued', claimed_by = NULL, lease_until = NULL "
                + "WHERE state = 'running' AND claimed_by = ?", instanceId);
    }

    /** A delivered event is forgotten: at-least-once delivery needs no record of success. */
    public void deleteEvent(String id) {
        update("DELETE FROM events WHERE id = ?", id);
    }

    public void requeueEvent(String id, int attempts, long nextAttemptAt, String lastError) {
        update("UPDATE events SET state = 'queued', claimed_by = NULL, lease_until = NULL, attempts = ?, "
                + "next_attempt_at = ?, last_error = ? WHERE id = ?", attempts, nextAttemptAt, lastError, id);
    }

    public void failEvent(String id, int attempts, String lastError) {
        update("UPDATE events SET state = 'failed', claimed_by = NULL, lease_until = NULL, attempts = ?, "
                + "last_error = ? WHERE id = ?", attempts, lastError, id);
    }

    /** Events not yet delivered or failed (queued or being delivered); {@code oldestAcceptedAt} 0 when none. */
    public record EventBacklog(long depth, long oldestAcceptedAt) {
    }

    public EventBacklog eventBacklog() {
        return queryOne("SELECT COUNT(*), COALESCE(MIN(accepted_at), 0) FROM events WHERE state IN ('queued', "
                + "'running')", rs -> new EventBacklog(rs.getLong(1), rs.getLong(2))).orElseThrow();
    }

    /** Failed events, oldest first, of one function or (null) of all. */
    public List<StoredEvent> failedEvents(String functionName) {
        if (functionName == null) {
            return queryList("SELECT " + EVENT_COLUMNS + " FROM events WHERE state = 'failed' ORDER BY accepted_at",
                    MetadataStore::event);
        }
        return queryList("SELECT " + EVENT_COLUMNS + """
                 FROM events WHERE state = 'failed' AND function_name = ?
                ORDER BY accepted_at""", MetadataStore::event, functionName);
    }

    private static StoredEvent event(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(10), rs.getBytes(4),
                rs.getLong(5), rs.getInt(6), rs.getLong(7), rs.getString(8),
                StoredEvent.State.valueOf(rs.getString(9).toUpperCase(java.util.Locale.ROOT)));
    }

    // --- event invoke configs, one per qualifier of a function -----------------------------------------------

    private static final String EVENT_CONFIG_COLUMNS =
            "function_name, qualifier, maximum_retry_attempts, maximum_event_age_seconds, last_modified";

    /** Adds or replaces the config of a function's qualifier. */
    public void putEventConfig(StoredEventConfig config) {
        update("INSERT INTO event_invoke_configs(" + EVENT_CONFIG_COLUMNS + ") VALUES (?, ?, ?, ?, ?) "
                + """
                ON CONFLICT (function_name, qualifier) DO UPDATE SET
                  maximum_retry_attempts = excluded.maximum_retry_attempts,
                  maximum_event_age_seconds = excluded.maximum_event_age_seconds,
                  last_modified = excluded.last_modified""",
                config.functionName(), config.qualifier(), config.maximumRetryAttempts(),
                config.maximumEventAgeInSeconds(), config.lastModifiedEpochSeconds());
    }

    /**
     * Changes the limits given (non-null) of an existing config in one statement, so concurrent updates of
     * different limits both stay; empty when the qualifier has no config.
     */
    public Optional<StoredEventConfig> updateEventConfig(String functionName, String qualifier,
                                                         Integer maximumRetryAttempts,
                                                         Integer maximumEventAgeInSeconds, long lastModified) {
        return inTransaction(c -> {
            int updated = updateCount(c, """
                    UPDATE event_invoke_configs SET
                      maximum_retry_attempts = COALESCE(?, maximum_retry_attempts),
                      maximum_event_age_seconds = COALESCE(?, maximum_event_age_seconds),
                      last_modified = ?
                    WHERE function_name = ? AND qualifier = ?""",
                    maximumRetryAttempts, maximumEventAgeInSeconds, lastModified, functionName, qualifier);
            if (updated == 0) {
                return Optional.empty();
            }
            return queryOne(c, "SELECT " + EVENT_CONFIG_COLUMNS + " FROM event_invoke_configs "
                    + "WHERE function_name = ? AND qualifier = ?", MetadataStore::eventConfigRow, functionName,
                    qualifier);
        });
    }

    public Optional<StoredEventConfig> eventConfig(String functionName, String qualifier) {
        return queryOne("SELECT " + EVENT_CONFIG_COLUMNS + " FROM event_invoke_configs "
                + "WHERE function_name = ? AND qualifier = ?", MetadataStore::eventConfigRow, functionName, qualifier);
    }

    /** A function's configs in qualifier order, after {@code afterQualifier} (exclusive; null for the first page). */
    public List<StoredEventConfig> eventConfigs(String functionName, String afterQualifier, int limit) {
        return queryList("SELECT " + EVENT_CONFIG_COLUMNS + " FROM event_invoke_configs "
                + "WHERE function_name = ? AND qualifier > ? ORDER BY qualifier LIMIT ?", MetadataStore::eventConfigRow,
                functionName, afterQualifier == null ? "" : afterQualifier, limit);
    }

    /** Returns whether there was a config to delete. */
    public boolean deleteEventConfig(String functionName, String qualifier) {
        return updateCount("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?",
                functionName, qualifier) > 0;
    }

    private static StoredEventConfig eventConfigRow(ResultSet rs) throws SQLException {
        return new StoredEventConfig(rs.getString(1), rs.getString(2), nullableInt(rs, 3), nullableInt(rs, 4),
                rs.getLong(5));
    }

    private static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    /** The classes recorded for a function's class priming, with the code they were recorded from. */
    public record LoadedClasses(String codeSha256, String names) {
    }

    public Optional<LoadedClasses> loadedClasses(String functionName) {
        return queryOne("SELECT code_sha256, names FROM loaded_classes WHERE function_name = ?",
                rs -> new LoadedClasses(rs.getString(1), rs.getString(2)), functionName);
    }

    /** Replaces a function's recorded classes; nothing happens when the function no longer exists. */
    public void putLoadedClasses(String functionName, LoadedClasses classes) {
        update("""
                INSERT INTO loaded_classes(function_name, code_sha256, names)
                SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM functions WHERE name = ?)
                ON CONFLICT (function_name) DO UPDATE SET code_sha256 = excluded.code_sha256, names = excluded.names""",
                functionName, classes.codeSha256(), classes.names(), functionName);
    }

    @Override
    public void close() {
        changes.close();
        pool.close();
    }

    // --- JDBC plumbing -------------------------------------------------------------------------------------------

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private interface TransactionBody<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(TransactionBody<T> body) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = body.run(c);
                c.commit();
                return result;
            } catch (RuntimeException | SQLException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("transaction failed", e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private Connection connection() throws SQLException {
        return pool.getConnection();
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException(what + " (" + database.display() + "): " + e.getMessage(), e);
    }

    private void update(String sql, Object... args) {
        updateCount(sql, args);
    }

    private int updateCount(String sql, Object... args) {
        try (Connection c = connection()) {
            return updateCount(c, sql, args);
        } catch (SQLException e) {
            throw failure("statement failed: " + sql, e);
        }
    }

    private static int updateCount(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    private <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        List<T> rows = queryList(sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getFirst());
    }

    private static <T> Optional<T> queryOne(Connection c, String sql, RowMapper<T> mapper, Object... args)
            throws SQLException {
        List<T> rows = queryList(c, sql, mapper, args);
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.getFirst());
    }

    private <T> List<T> queryList(String sql, RowMapper<T> mapper, Object... args) {
        try (Connection c = connection()) {
            return queryList(c, sql, mapper, args);
        } catch (SQLException e) {
            throw failure("query failed: " + sql, e);
        }
    }

    private static <T> List<T> queryList(Connection c, String sql, RowMapper<T> mapper, Object... args)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
