package dev.thaw.snapshots;

import dev.thaw.functions.FunctionVersion;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Spare restore slots ({@link RestoreSlot} in the platform), one for each of the snapshots restored most recently (a
 * slot's CRIU is paused inside that snapshot's restore), refilled in the background once the restore that took one
 * is done ({@link #refill}): made during the restore, a slot's process start, CRIU start and namespaces would take
 * CPU from it on a small host. A take that finds none opens a slot on the spot, which costs what the spare saves.
 * When more snapshots are restored than keep a spare, the one restored least recently gives its spare up. A spare
 * made for an earlier snapshot of the same version (re-created since) is discarded, not used.
 */
final class RestoreSlots<S extends RestoreSlots.Slot> implements AutoCloseable {
    /** Snapshots that keep a spare; each spare holds a paused CRIU, its namespaces and cgroups. */
    static final int MAX_SNAPSHOTS = 8;
    private static final Logger LOG = Logger.getLogger(RestoreSlots.class.getName());

    /** What the spares need of a slot. */
    interface Slot {
        /** False once the slot can no longer be resumed (its CRIU died). */
        boolean usable();

        /** Releases an unused slot and everything it holds. */
        void discard();

        /** Notes that the slot was made ahead, for the restore's report. */
        void markSpare();
    }

    /** Opens a slot for one snapshot. */
    @FunctionalInterface
    interface Opener<S> {
        S open() throws IOException;
    }

    /**
     * What a slot's paused CRIU is bound to: a snapshot and the plain copy of its images it reads. A copy evicted from
     * memory and decrypted again lies elsewhere, so a spare made for the old one is discarded, not used.
     */
    record Source(Manifest manifest, Path images) {
    }

    /** A refill waits this long, so it does not share the CPU with the restored copy's first invoke either. */
    private final long refillDelayMillis;
    private final Map<String, Spare> spares = new ConcurrentHashMap<>();
    /** Refills under way, those of spares given up included: close() waits for them. */
    private final AtomicInteger refilling = new AtomicInteger();
    private volatile boolean closed;

    RestoreSlots() {
        this(200);
    }

    RestoreSlots(long refillDelayMillis) {
        this.refillDelayMillis = refillDelayMillis;
    }

    /** A ready slot for a copy of {@code version} from {@code source}; the caller owns it. */
    S take(FunctionVersion version, Source source, Opener<S> opener) throws IOException {
        Spare spare = spares.computeIfAbsent(key(version), k -> new Spare());
        spare.lastTaken = System.nanoTime();
        giveUpLeastRecent();
        S slot = null;
        Made<S> made = spare.slot.getAndSet(null);
        if (made != null && (!made.source.equals(source) || !made.slot.usable())) {
            made.slot.discard();
        } else if (made != null) {
            slot = made.slot;
            slot.markSpare();
        }
        return slot != null ? slot : opener.open();
    }

    /** Makes a spare for {@code version}'s snapshot in the background, if there is none. */
    void refill(FunctionVersion version, Source source, Opener<S> opener) {
        Spare spare = spares.get(key(version));
        if (spare != null) {
            spare.refill(source, opener);
        }
    }

    /** Whether a spare is ready for {@code version}'s snapshot. */
    boolean hasSpare(FunctionVersion version) {
        Spare spare = spares.get(key(version));
        return spare != null && spare.slot.get() != null;
    }

    /** Beyond {@link #MAX_SNAPSHOTS}, the snapshots restored least recently give their spares up. */
    private void giveUpLeastRecent() {
        while (spares.size() > MAX_SNAPSHOTS) {
            Map.Entry<String, Spare> oldest = spares.entrySet().stream()
                    .min(Comparator.comparingLong(e -> e.getValue().lastTaken)).orElse(null);
            if (oldest != null && spares.remove(oldest.getKey(), oldest.getValue())) {
                oldest.getValue().giveUp();
            }
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
        while (refilling.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Spare spare : spares.values()) {
            Made<S> made = spare.slot.getAndSet(null);
            if (made != null) {
                made.slot.discard();
            }
        }
    }

    /** A spare slot and the snapshot it was made for. */
    private record Made<S>(S slot, Source source) {
    }

    /** The one spare slot of a snapshot, and whether one is being made. */
    private final class Spare {
        final AtomicReference<Made<S>> slot = new AtomicReference<>();
        volatile long lastTaken = System.nanoTime();
        /** Set when the snapshot lost its place among the most recently restored. */
        volatile boolean givenUp;
        private boolean refillRunning;

        /** A spare given up is discarded in the background: discarding waits for its CRIU to exit. */
        void giveUp() {
            givenUp = true;
            Made<S> made = slot.getAndSet(null);
            if (made != null) {
                Thread.ofVirtual().name("restore-slot-discard").start(made.slot::discard);
            }
        }

        void refill(Source source, Opener<S> opener) {
            synchronized (this) {
                if (closed || givenUp || slot.get() != null || refillRunning) {
                    return;
                }
                refillRunning = true;
            }
            refilling.incrementAndGet();
            Thread.ofVirtual().name("restore-slot-refill").start(() -> {
                try {
                    Thread.sleep(refillDelayMillis);
                    if (closed || givenUp) {
                        return;
                    }
                    Made<S> made = new Made<>(opener.open(), source);
                    Made<S> old = slot.getAndSet(made);
                    if (old != null) {
                        old.slot.discard();
                    }
                    // Given up or closed meanwhile: whichever saw the slot last discards it.
                    if ((closed || givenUp) && slot.compareAndSet(made, null)) {
                        made.slot.discard();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException e) {
                    LOG.warning(() -> "cannot prepare a spare restore slot: " + e.getMessage());
                } finally {
                    synchronized (this) {
                        refillRunning = false;
                    }
                    refilling.decrementAndGet();
                }
            });
        }
    }
}
