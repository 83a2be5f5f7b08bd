package dev.thaw.snapshots;

import dev.thaw.functions.FunctionVersion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Spare {@link RestoreSlot}s, one per snapshot that has been restored (a slot's CRIU is paused inside that
 * snapshot's restore), refilled in the background once the restore that took one is done ({@link #refill}): made
 * during the restore, a slot's process start, CRIU start and namespaces would take CPU from it on a small host. A
 * take that finds none opens a slot on the spot, which costs what the spare saves. A spare made for an earlier
 * snapshot of the same version (re-created since) is discarded, not used.
 */
final class RestoreSlots implements AutoCloseable {
    /** Snapshots that get a spare; each spare holds a paused CRIU, its namespaces and cgroups. */
    private static final int MAX_SNAPSHOTS = 8;
    /** A refill waits this long, so it does not share the CPU with the restored copy's first invoke either. */
    private static final long REFILL_DELAY_MS = 200;
    private static final Logger LOG = Logger.getLogger(RestoreSlots.class.getName());

    /** Opens a slot for one snapshot. */
    @FunctionalInterface
    interface Opener {
        RestoreSlot open() throws IOException;
    }

    /**
     * What a slot's paused CRIU is bound to: a snapshot and the plain copy of its images it reads. A copy evicted from
     * memory and decrypted again lies elsewhere, so a spare made for the old one is discarded, not used.
     */
    record Source(Manifest manifest, Path images) {
    }

    private final Map<String, Spare> spares = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A ready slot for a copy of {@code version} from {@code source}; the caller owns it. */
    RestoreSlot take(FunctionVersion version, Source source, Opener opener) throws IOException {
        String key = key(version);
        Spare spare = spares.get(key);
        if (spare == null && spares.size() < MAX_SNAPSHOTS) {
            spare = spares.computeIfAbsent(key, k -> new Spare());
        }
        RestoreSlot slot = null;
        if (spare != null) {
            Made made = spare.slot.getAndSet(null);
            if (made != null && (!made.source.equals(source) || !made.slot.usable())) {
                made.slot.discard();
            } else if (made != null) {
                slot = made.slot;
                slot.spare = true;
            }
        }
        return slot != null ? slot : opener.open();
    }

    /** Makes a spare for {@code version}'s snapshot in the background, if there is none. */
    void refill(FunctionVersion version, Source source, Opener opener) {
        Spare spare = spares.get(key(version));
        if (spare != null) {
            spare.refill(source, opener);
        }
    }

    private static String key(FunctionVersion version) {
        return version.functionName() + ":" + version.version();
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
            Made made = spare.slot.getAndSet(null);
            if (made != null) {
                made.slot.discard();
            }
        }
    }

    /** A spare slot and the snapshot it was made for. */
    private record Made(RestoreSlot slot, Source source) {
    }

    /** The one spare slot of a snapshot, and whether one is being made. */
    private final class Spare {
        final AtomicReference<Made> slot = new AtomicReference<>();
        final AtomicBoolean refilling = new AtomicBoolean();

        void refill(Source source, Opener opener) {
            if (closed || slot.get() != null || !refilling.compareAndSet(false, true)) {
                return;
            }
            Thread.ofVirtual().name("restore-slot-refill").start(() -> {
                try {
                    Thread.sleep(REFILL_DELAY_MS);
                    if (closed) {
                        return;
                    }
                    Made made = new Made(opener.open(), source);
                    Made old = slot.getAndSet(made);
                    if (old != null) {
                        old.slot.discard();
                    }
                    if (closed && slot.compareAndSet(made, null)) {
                        made.slot.discard();
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
