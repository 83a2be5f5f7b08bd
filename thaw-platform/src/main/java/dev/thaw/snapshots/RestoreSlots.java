package dev.thaw.snapshots;

import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.functions.FunctionVersion;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Spare {@link RestoreSlot}s, one per memory size that has been restored (cgroup limits depend on it), refilled in
 * the background once the restore that took one is done ({@link #refill}): made during the restore, a slot's
 * process start and Runtime API server would take CPU from it on a small host. A take that finds none opens a slot
 * on the spot, which costs what the spare saves.
 */
final class RestoreSlots implements AutoCloseable {
    /** Memory sizes that get a spare; a host rarely runs more, and each spare holds a shell and its cgroups. */
    private static final int MAX_SIZES = 8;
    /** A refill waits this long, so it does not share the CPU with the restored copy's first invoke either. */
    private static final long REFILL_DELAY_MS = 200;
    private static final Logger LOG = Logger.getLogger(RestoreSlots.class.getName());

    private final EnvironmentLauncher environments;
    private final Map<Integer, Spare> spares = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RestoreSlots(EnvironmentLauncher environments) {
        this.environments = environments;
    }

    /** A ready slot for a copy of {@code version}; the caller owns it (exec it or discard it). */
    RestoreSlot take(FunctionVersion version) throws IOException {
        int memoryMb = RestoreSlot.memoryMb(version);
        Spare spare = spares.get(memoryMb);
        if (spare == null && spares.size() < MAX_SIZES) {
            spare = spares.computeIfAbsent(memoryMb, mb -> new Spare());
        }
        RestoreSlot slot = spare == null ? null : spare.slot.getAndSet(null);
        if (slot != null && !slot.usable()) {
            slot.discard();
            slot = null;
        }
        return slot != null ? slot : RestoreSlot.open(environments, version);
    }

    /** Makes a spare for {@code version}'s memory size in the background, if there is none. */
    void refill(FunctionVersion version) {
        Spare spare = spares.get(RestoreSlot.memoryMb(version));
        if (spare != null) {
            spare.refill(version);
        }
    }

    @Override
    public void close() {
        closed = true;
        // A refill under way adds its slot after this and then discards it: wait for those, so nothing outlives us.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (spares.values().stream().anyMatch(s -> s.refilling.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Spare spare : spares.values()) {
            RestoreSlot slot = spare.slot.getAndSet(null);
            if (slot != null) {
                slot.discard();
            }
        }
    }

    /** The one spare slot of a memory size, and whether one is being made. */
    private final class Spare {
        final AtomicReference<RestoreSlot> slot = new AtomicReference<>();
        final AtomicBoolean refilling = new AtomicBoolean();

        void refill(FunctionVersion version) {
            if (closed || slot.get() != null || !refilling.compareAndSet(false, true)) {
                return;
            }
            Thread.ofVirtual().name("restore-slot-refill").start(() -> {
                try {
                    Thread.sleep(REFILL_DELAY_MS);
                    if (closed) {
                        return;
                    }
                    RestoreSlot made = RestoreSlot.open(environments, version);
                    slot.set(made);
                    if (closed && slot.compareAndSet(made, null)) {
                        made.discard();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException e) {
                    LOG.warning(() -> "cannot prepare a spare restore slot: " + e.getMessage());
                } finally {
                    refilling.set(false);
                }
            });
        }
    }
}
