package dev.thaw.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The SQL of a cluster: worker rows written by workers and read by routers, the concurrency leases that make
 * account and reserved concurrency hold across API instances, and the claims that let one worker per host
 * fingerprint make a version's snapshot. The cluster package gives the rows their meaning.
 */
public final class ClusterTables {
    /** One lock number for every concurrency decision, so two instances never both take the last slot. */
    private static final long CONCURRENCY_LOCK = 0x7468_6177_0009L;

    private static final String WORKER_COLUMNS = "id, address, fingerprint, memory_mib, free_memory_mib, "
            + "running_environments, idle_environments, cached_snapshots, started_at, heartbeat_at, provisioned_copies";

    private final DataSource pool;
    private final Database database;

    ClusterTables(DataSource pool, Database database) {
        this.pool = pool;
        this.database = database;
    }

    /** A worker's row as stored; JSON columns stay text here. */
    public record WorkerRow(String id, String address, String fingerprint, long memoryMib, long freeMemoryMib,
                            int runningEnvironments, String idleEnvironmentsJson, String cachedSnapshotsJson,
                            long startedAt, long heartbeatAt, String provisionedCopiesJson) {
    }

    /** Inserts or replaces a worker's row (a worker that comes back takes its row again). */
    public void putWorker(WorkerRow w) {
        String sql = database.dialect() == Database.Dialect.SQLITE
                ? "INSERT OR REPLACE INTO workers (" + WORKER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "INSERT INTO workers (" + WORKER_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET "
                + "address = EXCLUDED.address, fingerprint = EXCLUDED.fingerprint, memory_mib = EXCLUDED.memory_mib, "
                + "free_memory_mib = EXCLUDED.free_memory_mib, running_environments = EXCLUDED.running_environments, "
                + "idle_environments = EXCLUDED.idle_environments, cached_snapshots = EXCLUDED.cached_snapshots, "
                + "started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at, "
                + "provisioned_copies = EXCLUDED.provisioned_copies";
        update(sql, w.id(), w.address(), w.fingerprint(), w.memoryMib(), w.freeMemoryMib(), w.runningEnvironments(),
                w.idleEnvironmentsJson(), w.cachedSnapshotsJson(), w.startedAt(), w.heartbeatAt(),
                w.provisionedCopiesJson());
    }

    /** A heartbeat: the worker's current capacity; false when its row is gone (it must register again). */
    public boolean heartbeat(String id, long freeMemoryMib, int running, String idleJson, String snapshotsJson,
                             long now, String provisionedJson) {
        return update("UPDATE workers SET free_memory_mib = ?, running_environments = ?, idle_environments = ?, "
                + "cached_snapshots = ?, heartbeat_at = ?, provisioned_copies = ? WHERE id = ?",
                freeMemoryMib, running, idleJson, snapshotsJson, now, provisionedJson, id) == 1;
    }

    public void deleteWorker(String id) {
        update("DELETE FROM workers WHERE id = ?", id);
    }

    /** Workers whose last heartbeat is at or after {@code since}. */
    public List<WorkerRow> workersSince(long since) {
        List<WorkerRow> rows = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = prepare(c, "SELECT " + WORKER_COLUMNS
                     + " FROM workers WHERE heartbeat_at >= ? ORDER BY id", since);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new WorkerRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getInt(6), rs.getString(7), rs.getString(8), rs.getLong(9),
                        rs.getLong(10), rs.getString(11)));
            }
        } catch (SQLException e) {
            throw failure("reading workers", e);
        }
        return rows;
    }

    /** Why a concurrency lease was refused. */
    public enum Refusal { RESERVED_LIMIT, ACCOUNT_LIMIT }

    /**
     * Takes a lease for one invocation of {@code function} unless its reserved concurrency (when present) or the
     * account's unreserved share ({@code unreservedLimit}) is used up by unexpired leases of every instance. A
     * function without reserved concurrency whose version keeps {@code provisionedCopies} copies under
     * {@code provisionedKey} takes it on them while fewer leases than that run there (outside the unreserved share,
     * from which the caller has already taken the provisioned concurrency of unreserved functions); beyond them it
     * spills over into the unreserved share.
     *
     * @return empty when taken, else why not
     */
    public java.util.Optional<Refusal> takeConcurrencyLease(String leaseId, String function, OptionalInt reserved,
                                                           int unreservedLimit, String provisionedKey,
                                                           int provisionedCopies, String holder, long now,
                                                           long leaseUntil) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (database.dialect() == Database.Dialect.POSTGRESQL) {
                    try (PreparedStatement ps = prepare(c, "SELECT pg_advisory_xact_lock(?)", CONCURRENCY_LOCK)) {
                        ps.execute();
                    }
                }
                java.util.Optional<Refusal> refusal;
                String onProvisioned = null;
                if (reserved.isPresent()) {
                    long running = count(c, "SELECT count(*) FROM concurrency_leases WHERE function_name = ? "
                            + "AND lease_until > ?", function, now);
                    refusal = running >= reserved.getAsInt() ? java.util.Optional.of(Refusal.RESERVED_LIMIT)
                            : java.util.Optional.empty();
                } else if (provisionedCopies > 0 && count(c, "SELECT count(*) FROM concurrency_leases "
                        + "WHERE provisioned_key = ? AND lease_until > ?", provisionedKey, now) < provisionedCopies) {
                    refusal = java.util.Optional.empty();
                    onProvisioned = provisionedKey;
                } else {
                    long running = count(c, "SELECT count(*) FROM concurrency_leases WHERE unreserved = 1 "
                            + "AND lease_until > ?", now);
                    refusal = running >= unreservedLimit ? java.util.Optional.of(Refusal.ACCOUNT_LIMIT)
                            : java.util.Optional.empty();
                }
                if (refusal.isEmpty()) {
                    try (PreparedStatement ps = prepare(c, "INSERT INTO concurrency_leases (id, function_name, "
                            + "unreserved, holder, lease_until, provisioned_key) VALUES (?, ?, ?, ?, ?, ?)",
                            leaseId, function, reserved.isPresent() || onProvisioned != null ? 0 : 1, holder,
                            leaseUntil, onProvisioned)) {
                        ps.executeUpdate();
                    }
                }
                c.commit();
                return refusal;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure("taking a concurrency lease", e);
        }
    }

    public void releaseConcurrencyLease(String leaseId) {
        update("DELETE FROM concurrency_leases WHERE id = ?", leaseId);
    }

    /** Extends every lease {@code holder} still holds, and drops expired leases of anyone. */
    public void renewConcurrencyLeases(String holder, long now, long leaseUntil) {
        update("UPDATE concurrency_leases SET lease_until = ? WHERE holder = ?", leaseUntil, holder);
        update("DELETE FROM concurrency_leases WHERE lease_until <= ?", now);
    }

    /** Unexpired leases by function, across the cluster. */
    public java.util.Map<String, Integer> runningByFunction(long now) {
        java.util.Map<String, Integer> running = new java.util.TreeMap<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = prepare(c, "SELECT function_name, count(*) FROM concurrency_leases "
                     + "WHERE lease_until > ? GROUP BY function_name", now);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                running.put(rs.getString(1), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw failure("counting concurrency leases", e);
        }
        return running;
    }

    /**
     * Claims the making of a version's snapshot under {@code fingerprint} for {@code holder}: true when the claim
     * was free, had expired (its holder died), or is already {@code holder}'s (then its lease is extended).
     */
    public boolean claimSnapshot(String function, String version, String fingerprint, String holder, long now,
                                 long leaseUntil) {
        return update("INSERT INTO snapshot_claims (function_name, version, fingerprint, holder, lease_until) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (function_name, version, fingerprint) DO UPDATE SET "
                + "holder = excluded.holder, lease_until = excluded.lease_until "
                + "WHERE snapshot_claims.lease_until <= ? OR snapshot_claims.holder = excluded.holder",
                function, version, fingerprint, holder, leaseUntil, now) == 1;
    }

    /** Extends every snapshot claim {@code holder} still holds. */
    public void renewSnapshotClaims(String holder, long leaseUntil) {
        update("UPDATE snapshot_claims SET lease_until = ? WHERE holder = ?", leaseUntil, holder);
    }

    /** Gives a claim back (its snapshot is made, or could not be); someone else's claim is left alone. */
    public void releaseSnapshotClaim(String function, String version, String fingerprint, String holder) {
        update("DELETE FROM snapshot_claims WHERE function_name = ? AND version = ? AND fingerprint = ? "
                + "AND holder = ?", function, version, fingerprint, holder);
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private int update(String sql, Object... args) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("statement failed: " + sql, e);
        }
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException(what + " (" + database.display() + "): " + e.getMessage(), e);
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
