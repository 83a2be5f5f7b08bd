package dev.thaw.cluster;

import dev.thaw.errors.ThawException;
import dev.thaw.invoke.ConcurrencyGate;
import dev.thaw.store.ClusterTables;

import java.time.Clock;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Account and reserved concurrency across every API instance of a cluster: each running invocation holds a lease row
 * in the shared database, taken under one lock so two instances never both take the last slot, renewed every 2 s
 * while it runs, and given back when it ends. An instance that dies loses its leases when they expire, 15 s on.
 * Provisioned concurrency is counted the same way: a lease on a version's copies names their environment key.
 */
public final class ClusterConcurrency implements ConcurrencyGate, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterConcurrency.class.getName());
    /** Long enough to outlast a stalled renewal on a busy host; a dead instance's slots return after it. */
    private static final long LEASE_MILLIS = 15_000;
    private static final long RENEW_MILLIS = 2_000;
    private static final int RETRY_AFTER_SECONDS = 1;

    private final ClusterTables tables;
    private final int accountLimit;
    private final String holder;
    private final Clock clock;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("concurrency-leases").factory());

    public ClusterConcurrency(ClusterTables tables, int accountLimit, String holder, Clock clock) {
        this.tables = tables;
        this.accountLimit = accountLimit;
        this.holder = holder;
        this.clock = clock;
    }

    public ClusterConcurrency start() {
        renewer.scheduleWithFixedDelay(this::renew, RENEW_MILLIS, RENEW_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void renew() {
        try {
            long now = clock.millis();
            tables.renewConcurrencyLeases(holder, now, now + LEASE_MILLIS);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot renew concurrency leases: " + e.getMessage());
        }
    }

    @Override
    public Permit acquire(String functionName, OptionalInt reserved, int totalReserved) {
        return acquire(functionName, reserved, totalReserved, new Provisioned("", 0, 0));
    }

    /**
     * Provisioned concurrency across the cluster: an invocation of an unreserved function runs on its version's
     * copies while fewer than their number of leases (of any instance) do; the copies of all unreserved functions
     * are taken out of the account's unreserved share, as in one process.
     */
    @Override
    public Permit acquire(String functionName, OptionalInt reserved, int totalReserved, Provisioned provisioned) {
        String id = UUID.randomUUID().toString();
        long now = clock.millis();
        Optional<ClusterTables.Refusal> refused = tables.takeConcurrencyLease(id, functionName, reserved,
                accountLimit - totalReserved - provisioned.onUnreservedFunctions(), provisioned.key(),
                provisioned.copies(), holder, now, now + LEASE_MILLIS);
        if (refused.isPresent()) {
            throw switch (refused.get()) {
                case RESERVED_LIMIT -> ThawException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded",
                        "Rate Exceeded.", RETRY_AFTER_SECONDS);
                case ACCOUNT_LIMIT -> ThawException.throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded.",
                        RETRY_AFTER_SECONDS);
            };
        }
        return new Permit() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    tables.releaseConcurrencyLease(id);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot give back a concurrency lease (it expires by itself): "
                            + e.getMessage());
                }
            }
        };
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
