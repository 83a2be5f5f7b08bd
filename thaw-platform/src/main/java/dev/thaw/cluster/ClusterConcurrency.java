package dev.thaw.cluster;

import dev.thaw.errors.ThawException;
import dev.thaw.invoke.ConcurrencyGate;
import dev.thaw.store.ClusterTables;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
 *
 * <p>A lease whose invocation ended stays with this instance for {@link #LINGER_MILLIS}, and the next invocation of
 * the same function under the same limit takes it over without a database round trip, so back-to-back invocations
 * cost none. The limits still hold across instances, since every lease, busy or lingering, counts in the database;
 * near a limit, another instance may be throttled until a lingering lease is given back. An instance refused there
 * first gives back its own lingering leases and tries once more. A lease taken under a limit that has since changed
 * is never taken over.
 */
public final class ClusterConcurrency implements ConcurrencyGate, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterConcurrency.class.getName());
    /** Long enough to outlast a stalled renewal on a busy host; a dead instance's slots return after it. */
    private static final long LEASE_MILLIS = 15_000;
    private static final long RENEW_MILLIS = 2_000;
    /** How long a lease no invocation uses stays with this instance before it goes back to the cluster. */
    static final long LINGER_MILLIS = 500;
    private static final long GIVE_BACK_EVERY_MILLIS = 100;
    private static final int RETRY_AFTER_SECONDS = 1;

    private final ClusterTables tables;
    private final int accountLimit;
    private final String holder;
    private final Clock clock;
    /** Leases no invocation uses now, by what they were taken for; the most recently freed last. Guarded by this. */
    private final Map<Slot, Deque<Lingering>> lingering = new HashMap<>();
    /** When the last renewal of this instance's leases succeeded. */
    private volatile long lastRenewal;
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("concurrency-leases").factory());

    /**
     * What a lease was taken for: a function, and the limit it was counted against (its reserved concurrency, or
     * the account's unreserved share when it has none).
     */
    private record Slot(String function, boolean reserved, int limit, Provisioned provisioned) {
    }

    /** {@code renewedAt}: when it was taken or last renewed, as far as this instance knows. */
    private record Lingering(String leaseId, long since, long renewedAt) {
    }

    public ClusterConcurrency(ClusterTables tables, int accountLimit, String holder, Clock clock) {
        this.tables = tables;
        this.accountLimit = accountLimit;
        this.holder = holder;
        this.clock = clock;
    }

    public ClusterConcurrency start() {
        renewer.scheduleWithFixedDelay(this::renew, RENEW_MILLIS, RENEW_MILLIS, TimeUnit.MILLISECONDS);
        renewer.scheduleWithFixedDelay(this::giveBackLingering, GIVE_BACK_EVERY_MILLIS, GIVE_BACK_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        return this;
    }

    private void renew() {
        try {
            long now = clock.millis();
            tables.renewConcurrencyLeases(holder, now, now + LEASE_MILLIS);
            lastRenewal = now;
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
     * are taken out of the account's unreserved share, as in one process. A lease taken over keeps the kind the
     * database gave it, so taking one over changes no count.
     */
    @Override
    public Permit acquire(String functionName, OptionalInt reserved, int totalReserved, Provisioned provisioned) {
        int unreservedLimit = accountLimit - totalReserved - provisioned.onUnreservedFunctions();
        Slot slot = new Slot(functionName, reserved.isPresent(),
                reserved.isPresent() ? reserved.getAsInt() : unreservedLimit, provisioned);
        Optional<Lingering> kept = takeOver(slot);
        if (kept.isPresent()) {
            return permit(slot, kept.get().leaseId(), kept.get().renewedAt());
        }
        // Leases of this function kept under another limit (it changed) would count against the new one.
        giveBack(lingeringOf(functionName));
        String id = UUID.randomUUID().toString();
        Optional<ClusterTables.Refusal> refused = take(id, functionName, reserved, unreservedLimit, provisioned);
        if (refused.isPresent()) {
            List<String> mine = lingeringOf(null);
            if (!mine.isEmpty()) {
                giveBack(mine);
                refused = take(id, functionName, reserved, unreservedLimit, provisioned);
            }
        }
        if (refused.isPresent()) {
            throw switch (refused.get()) {
                case RESERVED_LIMIT -> ThawException.throttled("ReservedFunctionConcurrentInvocationLimitExceeded",
                        "Rate Exceeded.", RETRY_AFTER_SECONDS);
                case ACCOUNT_LIMIT -> ThawException.throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded.",
                        RETRY_AFTER_SECONDS);
            };
        }
        return permit(slot, id, clock.millis());
    }

    private Optional<ClusterTables.Refusal> take(String id, String function, OptionalInt reserved,
                                                 int unreservedLimit, Provisioned provisioned) {
        long now = clock.millis();
        return tables.takeConcurrencyLease(id, function, reserved, unreservedLimit, provisioned.key(),
                provisioned.copies(), holder, now, now + LEASE_MILLIS);
    }

    /**
     * A lingering lease taken for exactly this slot, if this instance keeps one that is surely still in the
     * database: renewed, or taken, well within the lease's life (renewals may have failed meanwhile).
     */
    private synchronized Optional<Lingering> takeOver(Slot slot) {
        Deque<Lingering> kept = lingering.get(slot);
        if (kept == null || kept.isEmpty()) {
            return Optional.empty();
        }
        Lingering last = kept.pollLast();
        if (kept.isEmpty()) {
            lingering.remove(slot);
        }
        long renewed = Math.max(last.renewedAt(), lastRenewal);
        if (clock.millis() - renewed > LEASE_MILLIS / 2) {
            kept.addLast(last);
            lingering.putIfAbsent(slot, kept);
            return Optional.empty();
        }
        return Optional.of(new Lingering(last.leaseId(), last.since(), renewed));
    }

    /** Removes and returns the lingering leases of {@code function} (every function when null). */
    private synchronized List<String> lingeringOf(String function) {
        List<String> ids = new ArrayList<>();
        for (Iterator<Map.Entry<Slot, Deque<Lingering>>> it = lingering.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Slot, Deque<Lingering>> e = it.next();
            if (function == null || e.getKey().function().equals(function)) {
                e.getValue().forEach(l -> ids.add(l.leaseId()));
                it.remove();
            }
        }
        return ids;
    }

    private Permit permit(Slot slot, String leaseId, long renewedAt) {
        return new Permit() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (ClusterConcurrency.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    lingering.computeIfAbsent(slot, s -> new ArrayDeque<>())
                            .addLast(new Lingering(leaseId, clock.millis(), renewedAt));
                }
            }
        };
    }

    /** Gives back every lease that has lingered longer than {@link #LINGER_MILLIS}; package-private for tests. */
    void giveBackLingering() {
        long before = clock.millis() - LINGER_MILLIS;
        List<String> old = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Deque<Lingering>> it = lingering.values().iterator(); it.hasNext(); ) {
                Deque<Lingering> kept = it.next();
                while (!kept.isEmpty() && kept.peekFirst().since() <= before) {
                    old.add(kept.pollFirst().leaseId());
                }
                if (kept.isEmpty()) {
                    it.remove();
                }
            }
        }
        giveBack(old);
    }

    private void giveBack(List<String> leaseIds) {
        for (String id : leaseIds) {
            try {
                tables.releaseConcurrencyLease(id);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot give back a concurrency lease (it expires by itself): "
                        + e.getMessage());
            }
        }
    }

    /** Stops renewing and gives back the leases no invocation uses. */
    @Override
    public void close() {
        renewer.shutdownNow();
        giveBack(lingeringOf(null));
    }
}
