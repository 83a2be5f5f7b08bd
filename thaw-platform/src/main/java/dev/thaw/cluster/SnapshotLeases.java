package dev.thaw.cluster;

import dev.thaw.snapshots.SnapshotClaims;
import dev.thaw.store.ClusterTables;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Snapshot claims shared by a cluster's workers: a row per claim in the shared database ({@code snapshot_claims}),
 * held by this worker, renewed every 5 s while its snapshot is being made. A worker that dies while making one
 * loses the claim 30 s after its last renewal, and the next worker that needs the snapshot takes it over.
 */
public final class SnapshotLeases implements SnapshotClaims, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotLeases.class.getName());
    /** Outlasts a few missed renewals on a busy host; a dead holder's claim is free again after it. */
    static final long LEASE_MILLIS = 30_000;
    private static final long RENEW_MILLIS = 5_000;

    private final ClusterTables tables;
    private final String holder;
    private final Clock clock;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("snapshot-claims").factory());

    public SnapshotLeases(ClusterTables tables, String holder, Clock clock) {
        this.tables = tables;
        this.holder = holder;
        this.clock = clock;
    }

    public SnapshotLeases start() {
        renewer.scheduleWithFixedDelay(this::renew, RENEW_MILLIS, RENEW_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    void renew() {
        try {
            tables.renewSnapshotClaims(holder, clock.millis() + LEASE_MILLIS);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot renew snapshot claims: " + e.getMessage());
        }
    }

    @Override
    public boolean claim(String function, String version, String fingerprint) {
        long now = clock.millis();
        return tables.claimSnapshot(function, version, fingerprint, holder, now, now + LEASE_MILLIS);
    }

    @Override
    public void release(String function, String version, String fingerprint) {
        try {
            tables.releaseSnapshotClaim(function, version, fingerprint, holder);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot give back the snapshot claim on " + function + ":" + version
                    + " (it expires by itself): " + e.getMessage());
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
