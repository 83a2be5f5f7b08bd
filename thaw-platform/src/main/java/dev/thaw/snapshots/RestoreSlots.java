package dev.thaw.snapshots;

import dev.thaw.functions.FunctionVersion;
import dev.thaw.metrics.PlatformReadings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Spare restore slots ({@link RestoreSlot} in the platform) for the snapshots restored most recently (a slot's CRIU is
 * paused inside that snapshot's restore), refilled in the background once the restore that took one is done
 * ({@link #refill}): made during the restore, a slot's process start, CRIU start and namespaces would take CPU from it
 * on a small host. A take that finds none opens a slot on the spot, which costs what the spare saves.
 *
 * <p>Each snapshot keeps one spare, or as many as its restores overlapped in a recent burst ({@link SpareCount}, at
 * most {@link #MAX_SPARES_PER_SNAPSHOT}, for {@link #BURST_HOLD_NANOS}). The first spare is made after every restore;
 * the others only while no restore of any snapshot is under way, so that making them never competes with a burst, and
 * those beyond the count are discarded once the hold runs out. All snapshots together keep at most
 * {@link #MAX_EXTRA_SPARES} beyond their first: past it, the spares of a newer burst take the place of extra spares
 * of an older one. When more snapshots are restored than keep spares, the one restored least
 * recently gives its spares up. A spare made for an earlier snapshot of the same version (re-created since) is
 * discarded, not used.
 */
final class RestoreSlots<S extends RestoreSlots.Slot> implements AutoCloseable {
    /** Snapshots that keep spares; each spare holds a paused CRIU, its namespaces and cgroups. */
    static final int MAX_SNAPSHOTS = 8;
    /** The most spares one snapshot keeps after a burst. */
    static final int MAX_SPARES_PER_SNAPSHOT = 32;
    /** Spares beyond each snapshot's first that all snapshots keep together: a paused CRIU, a namespace, cgroups each. */
    static final int MAX_EXTRA_SPARES = 64;
    /** How long a burst's count of spares is kept after the last burst that large. */
    static final long BURST_HOLD_NANOS = TimeUnit.MINUTES.toNanos(10);
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
    private final long burstHoldNanos;
    private final int maxExtraSpares;
    private final Map<String, Spares> spares = new ConcurrentHashMap<>();
    /** Restores of any snapshot that took a slot and have not ended: spares beyond the first wait for none. */
    private final AtomicInteger underWay = new AtomicInteger();
    /** Refills under way, those of spares given up included: close() waits for them. */
    private final AtomicInteger refilling = new AtomicInteger();
    private final Object extraSparesLock = new Object();
    /** Extra spares being opened now, guarded by {@link #extraSparesLock}. */
    private int openingExtras;
    private volatile boolean closed;

    RestoreSlots() {
        this(200, BURST_HOLD_NANOS, MAX_EXTRA_SPARES);
    }

    RestoreSlots(long refillDelayMillis, long burstHoldNanos, int maxExtraSpares) {
        this.refillDelayMillis = refillDelayMillis;
        this.burstHoldNanos = burstHoldNanos;
        this.maxExtraSpares = maxExtraSpares;
    }

    /**
     * A ready slot for a copy of {@code version} from {@code source}; the caller owns it, and calls {@link #refill}
     * once its restore has ended, restored or not.
     */
    S take(FunctionVersion version, Source source, Opener<S> opener) throws IOException {
        Spares own = spares.computeIfAbsent(key(version), k -> new Spares(version));
        own.taken();
        giveUpLeastRecent();
        Made<S> made;
        while ((made = own.ready.pollFirst()) != null) {
            if (made.source.equals(source) && made.slot.usable()) {
                made.slot.markSpare();
                return made.slot;
            }
            // Discarding waits for the slot's CRIU to exit: not on the restore's path.
            Thread.ofVirtual().name("restore-slot-discard").start(made.slot::discard);
        }
        return opener.open();
    }

    /**
     * The restore that took a slot for {@code version} has ended: makes spares for its snapshot in the background,
     * up to the count it keeps now.
     */
    void refill(FunctionVersion version, Source source, Opener<S> opener) {
        boolean quiet = underWay.decrementAndGet() == 0;
        Spares own = spares.get(key(version));
        if (own != null) {
            own.ended();
            own.refill(source, opener);
        }
        if (quiet) {
            // Spares that other snapshots' bursts asked for were held back while this restore ran.
            for (Spares other : spares.values()) {
                if (other != own) {
                    other.resume();
                }
            }
        }
    }

    /** {@code version}'s snapshot is gone (the version was deleted): its spares are discarded. */
    void forget(FunctionVersion version) {
        Spares own = spares.remove(key(version));
        if (own != null) {
            own.giveUp();
        }
    }

    /** Whether a spare is ready for {@code version}'s snapshot. */
    boolean hasSpare(FunctionVersion version) {
        return spareCount(version) > 0;
    }

    /** How many spares are ready for {@code version}'s snapshot. */
    int spareCount(FunctionVersion version) {
        Spares own = spares.get(key(version));
        return own == null ? 0 : own.ready.size();
    }

    /** Each snapshot that keeps spares: how many are ready and how many it keeps now. */
    List<PlatformReadings.RestoreSlotsReading> readings() {
        List<PlatformReadings.RestoreSlotsReading> readings = new ArrayList<>();
        for (Spares own : spares.values()) {
            readings.add(new PlatformReadings.RestoreSlotsReading(own.function, own.version, own.ready.size(),
                    own.wanted()));
        }
        return readings;
    }

    /** Beyond {@link #MAX_SNAPSHOTS}, the snapshots restored least recently give their spares up. */
    private void giveUpLeastRecent() {
        while (spares.size() > MAX_SNAPSHOTS) {
            Map.Entry<String, Spares> oldest = spares.entrySet().stream()
                    .min(Comparator.comparingLong(e -> e.getValue().lastTaken)).orElse(null);
            if (oldest != null && spares.remove(oldest.getKey(), oldest.getValue())) {
                oldest.getValue().giveUp();
            }
        }
    }

    /**
     * Reserves room for one extra spare of {@code asking}: free room, or else an extra spare of the snapshot whose burst
     * was the oldest, if older than its own, discarded to make the room. False when neither is there. By bursts, not by
     * restores, so that two snapshots restored in turn do not take the room from each other on every restore.
     */
    private boolean reserveExtra(Spares asking) {
        Made<S> reclaimed;
        synchronized (extraSparesLock) {
            if (extraSpares() + openingExtras < maxExtraSpares) {
                openingExtras++;
                return true;
            }
            long asked = asking.burstAt();
            Spares donor = spares.values().stream()
                    .filter(s -> s != asking && s.ready.size() > 1 && s.burstAt() - asked < 0)
                    .min((a, b) -> Long.signum(a.burstAt() - b.burstAt())).orElse(null);
            reclaimed = donor == null ? null : donor.ready.pollLast();
            if (reclaimed == null) {
                return false;
            }
            openingExtras++;
        }
        Thread.ofVirtual().name("restore-slot-discard").start(reclaimed.slot::discard);
        return true;
    }

    private void releaseExtra() {
        synchronized (extraSparesLock) {
            openingExtras--;
        }
    }

    /** Ready spares beyond each snapshot's first, in all snapshots. */
    private int extraSpares() {
        int extras = 0;
        for (Spares own : spares.values()) {
            extras += Math.max(0, own.ready.size() - 1);
        }
        return extras;
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
        for (Spares own : spares.values()) {
            own.stopTrimmer();
            own.discardAll();
        }
    }

    /** A spare slot and the snapshot it was made for. */
    private record Made<S>(S slot, Source source) {
    }

    /** The spare slots of one snapshot, how many it keeps, and whether some are being made. */
    private final class Spares {
        final String function;
        final String version;
        final ConcurrentLinkedDeque<Made<S>> ready = new ConcurrentLinkedDeque<>();
        private final SpareCount count = new SpareCount(MAX_SPARES_PER_SNAPSHOT, burstHoldNanos);
        volatile long lastTaken = System.nanoTime();
        /** Set when the snapshot lost its place among the most recently restored. */
        volatile boolean givenUp;
        private boolean refillRunning;
        private Thread trimmer;
        /** What the last refill made spares from, to go on with once restores pause. */
        private Source lastSource;
        private Opener<S> lastOpener;

        Spares(FunctionVersion of) {
            function = of.functionName();
            version = of.version();
        }

        void taken() {
            lastTaken = System.nanoTime();
            synchronized (this) {
                count.taken(lastTaken);
            }
            underWay.incrementAndGet();
        }

        synchronized void ended() {
            count.ended();
        }

        private synchronized int wanted() {
            return count.wanted(System.nanoTime());
        }

        synchronized long burstAt() {
            return count.raisedAt();
        }

        void giveUp() {
            givenUp = true;
            stopTrimmer();
            Thread.ofVirtual().name("restore-slot-discard").start(this::discardAll);
        }

        synchronized void stopTrimmer() {
            if (trimmer != null) {
                trimmer.interrupt();
            }
        }

        void discardAll() {
            Made<S> made;
            while ((made = ready.pollFirst()) != null) {
                made.slot.discard();
            }
        }

        /** Spares beyond the count the snapshot keeps now are discarded, the most recently made first. */
        private void trim() {
            Made<S> made;
            while (ready.size() > wanted() && (made = ready.pollLast()) != null) {
                made.slot.discard();
            }
        }

        /** Whether one more spare should be made now: the first always, the others only while no restore runs. */
        private boolean wantsOneMore() {
            int have = ready.size();
            return !closed && !givenUp && have < wanted() && (have == 0 || underWay.get() == 0);
        }

        /** Goes on making the spares the count asks for, from what the last refill made them of. */
        void resume() {
            Source source;
            Opener<S> opener;
            synchronized (this) {
                source = lastSource;
                opener = lastOpener;
            }
            if (opener != null) {
                refill(source, opener);
            }
        }

        void refill(Source source, Opener<S> opener) {
            synchronized (this) {
                lastSource = source;
                lastOpener = opener;
                if (closed || givenUp || refillRunning || !wantsOneMore()) {
                    return;
                }
                refillRunning = true;
            }
            refilling.incrementAndGet();
            Thread.ofVirtual().name("restore-slot-refill").start(() -> {
                try {
                    Thread.sleep(refillDelayMillis);
                    while (wantsOneMore()) {
                        boolean extra = !ready.isEmpty();
                        if (extra && !reserveExtra(this)) {
                            break;
                        }
                        try {
                            Made<S> made = new Made<>(opener.open(), source);
                            ready.addLast(made);
                            // Given up or closed meanwhile: whichever saw the slot last discards it.
                            if ((closed || givenUp) && ready.remove(made)) {
                                made.slot.discard();
                            }
                        } finally {
                            if (extra) {
                                releaseExtra();
                            }
                        }
                    }
                    trim();
                    scheduleTrim();
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

        /** While the count is raised, a thread waits for its hold to run out and then discards the spares beyond it. */
        private synchronized void scheduleTrim() {
            if (trimmer != null || closed || givenUp || count.nanosUntilOne(System.nanoTime()) == 0) {
                return;
            }
            trimmer = Thread.ofVirtual().name("restore-slot-trim").start(() -> {
                try {
                    long wait;
                    while ((wait = untilOne()) > 0 && !closed && !givenUp) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    trim();
                } catch (InterruptedException e) {
                    // closed or given up: everything is discarded there
                } finally {
                    synchronized (this) {
                        trimmer = null;
                    }
                }
            });
        }

        private synchronized long untilOne() {
            return count.nanosUntilOne(System.nanoTime());
        }
    }
}
