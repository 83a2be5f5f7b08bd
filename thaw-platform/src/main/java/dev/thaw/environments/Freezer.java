package dev.thaw.environments;

import dev.thaw.cgroups.EnvironmentCgroup;

import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Freezes an idle environment's processes with its cgroup's freezer and thaws them for the request that leases it.
 * Freezing and leasing are serialised, so a request never gets a frozen environment. Without cgroups nothing is
 * ever frozen.
 */
final class Freezer {
    private static final Logger LOG = Logger.getLogger(Freezer.class.getName());

    /** Null when the host offers no cgroups. */
    private final EnvironmentCgroup cgroup;
    private final Supplier<EnvironmentState> state;
    private final String owner;
    private boolean frozen;
    /** Taken from the pool for a request, so it must not be frozen. */
    private boolean leased;
    private volatile long lastThawNanos;
    private volatile long lastFreezeNanos;

    Freezer(EnvironmentCgroup cgroup, Supplier<EnvironmentState> state, String owner) {
        this.cgroup = cgroup;
        this.state = state;
        this.owner = owner;
    }

    /** Claims the idle environment for a request, thawing it first when it is frozen; false when it is gone. */
    synchronized boolean lease() {
        if (state.get() != EnvironmentState.IDLE) {
            return false;
        }
        if (frozen) {
            long start = System.nanoTime();
            try {
                cgroup.thaw();
            } catch (IllegalStateException e) {
                LOG.log(Level.WARNING, "cannot thaw " + owner, e);
                return false;
            }
            frozen = false;
            lastThawNanos = System.nanoTime() - start;
        }
        leased = true;
        return true;
    }

    /** The request is over; the environment may be frozen again. */
    synchronized void release() {
        leased = false;
    }

    /** Freezes the environment if it is still idle and not leased. */
    synchronized void freeze() {
        if (cgroup == null || frozen || leased || state.get() != EnvironmentState.IDLE) {
            return;
        }
        try {
            long start = System.nanoTime();
            cgroup.freeze();
            frozen = true;
            lastFreezeNanos = System.nanoTime() - start;
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "not freezing " + owner, e);
        }
    }

    /** Thaws a frozen environment that is being stopped: a frozen process acts on SIGTERM only once thawed. */
    synchronized void thawForStop() {
        if (frozen) {
            try {
                cgroup.thaw();
            } catch (IllegalStateException gone) {
                // its cgroup is gone already
            }
            frozen = false;
        }
    }

    synchronized boolean isFrozen() {
        return frozen;
    }

    /** How long the last thaw took, in nanoseconds (0 if it was never thawed). */
    long lastThawNanos() {
        return lastThawNanos;
    }

    /** How long the last freeze took until the kernel reported the cgroup frozen, in nanoseconds (0 if never). */
    long lastFreezeNanos() {
        return lastFreezeNanos;
    }
}
