package dev.thaw.snapshots;

import dev.thaw.functions.FunctionVersion;
import dev.thaw.metrics.PlatformReadings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The spares' bookkeeping, with slots that only record what was done to them. */
class RestoreSlotsTest {

    private static final class FakeSlot implements RestoreSlots.Slot {
        volatile boolean discarded;
        volatile boolean spare;

        @Override
        public boolean usable() {
            return !discarded;
        }

        @Override
        public void discard() {
            discarded = true;
        }

        @Override
        public void markSpare() {
            spare = true;
        }
    }

    private final RestoreSlots<FakeSlot> slots = new RestoreSlots<>(0, RestoreSlots.BURST_HOLD_NANOS,
            RestoreSlots.MAX_EXTRA_SPARES);
    private final List<FakeSlot> opened = new ArrayList<>();
    private final AtomicInteger opens = new AtomicInteger();
    private final RestoreSlots.Source source = new RestoreSlots.Source(null, Path.of("images"));

    private FakeSlot open() {
        FakeSlot slot = new FakeSlot();
        synchronized (opened) {
            opened.add(slot);
        }
        opens.incrementAndGet();
        return slot;
    }

    private static FunctionVersion version(int n) {
        return new FunctionVersion("fn" + n, "1", null, null, null, null, null, null);
    }

    /** A restore as SnapshotRestorer does it: take a slot, then have the spare refilled; waits for the refill. */
    private FakeSlot restore(FunctionVersion v) throws Exception {
        FakeSlot slot = slots.take(v, source, this::open);
        slots.refill(v, source, this::open);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!slots.hasSpare(v) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(slots.hasSpare(v), "a spare was made for " + v.functionName());
        return slot;
    }

    @Test
    void aSecondRestoreOfASnapshotTakesTheSpareTheFirstLeft() throws Exception {
        FakeSlot first = restore(version(1));
        assertFalse(first.spare, "the first restore had to open its slot");
        FakeSlot second = restore(version(1));
        assertTrue(second.spare, "the second restore took the spare");
        assertEquals(3, opens.get(), "the first slot and two spares");
        slots.close();
    }

    @Test
    void theSnapshotRestoredLeastRecentlyGivesItsSpareUpToANewOne() throws Exception {
        for (int n = 1; n <= RestoreSlots.MAX_SNAPSHOTS; n++) {
            restore(version(n));
        }
        restore(version(1)); // restored again: now version 2 is the least recent
        FakeSlot twosSpare = opened.get(2 * 2 - 1);

        FakeSlot ninth = restore(version(RestoreSlots.MAX_SNAPSHOTS + 1));
        assertFalse(ninth.spare);
        assertTrue(slots.hasSpare(version(RestoreSlots.MAX_SNAPSHOTS + 1)), "one more snapshot keeps a spare");
        assertFalse(slots.hasSpare(version(2)), "the least recent gave its up");
        assertTrue(slots.hasSpare(version(1)), "a snapshot restored since keeps its spare");
        awaitDiscarded(List.of(twosSpare), "the spare given up was discarded, not left paused");

        assertTrue(restore(version(RestoreSlots.MAX_SNAPSHOTS + 1)).spare, "the new snapshot's next restore is fast");
        slots.close();
    }

    /** {@code n} restores of {@code v} that take their slots at once, as a burst does. */
    private void takeAtOnce(RestoreSlots<FakeSlot> in, FunctionVersion v, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            in.take(v, source, this::open);
        }
    }

    /** {@code n} of the restores of {@code v} end, each asking for its spares to be made. */
    private void end(RestoreSlots<FakeSlot> in, FunctionVersion v, int n) {
        for (int i = 0; i < n; i++) {
            in.refill(v, source, this::open);
        }
    }

    /** A burst of {@code n} restores of a first snapshot, all ended; returns the {@code n} spares it left. */
    private List<FakeSlot> sparesOfABurst(RestoreSlots<FakeSlot> in, FunctionVersion v, int n) throws Exception {
        takeAtOnce(in, v, n);
        end(in, v, n);
        awaitSpares(in, v, n);
        synchronized (opened) {
            return List.copyOf(opened.subList(n, 2 * n));
        }
    }

    private static void awaitDiscarded(List<FakeSlot> slots, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (slots.stream().anyMatch(slot -> !slot.discarded) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(slots.stream().allMatch(slot -> slot.discarded), what);
    }

    private void awaitSpares(RestoreSlots<FakeSlot> in, FunctionVersion v, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (in.spareCount(v) != n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(n, in.spareCount(v), "spares of " + v.functionName());
    }

    @Test
    void aBurstLeavesAsManySparesAsItsRestoresOverlappedOnceTheyHaveAllEnded() throws Exception {
        FunctionVersion v = version(1);
        takeAtOnce(slots, v, 5);
        end(slots, v, 4);
        awaitSpares(slots, v, 1);
        Thread.sleep(50);
        assertEquals(1, slots.spareCount(v), "while one of the burst still runs, only the first spare is made");
        end(slots, v, 1);
        awaitSpares(slots, v, 5);
        assertEquals(List.of(new PlatformReadings.RestoreSlotsReading("fn1", "1", 5, 5)), slots.readings(),
                "what /metrics shows");

        for (int i = 0; i < 5; i++) {
            assertTrue(slots.take(v, source, this::open).spare, "the next burst finds all its slots made ahead");
        }
        slots.close();
    }

    @Test
    void sparesBeyondTheFirstWaitWhileAnotherSnapshotIsBeingRestored() throws Exception {
        FunctionVersion v = version(1);
        FunctionVersion other = version(2);
        takeAtOnce(slots, v, 3);
        takeAtOnce(slots, other, 1);
        end(slots, v, 3);
        awaitSpares(slots, v, 1);
        Thread.sleep(50);
        assertEquals(1, slots.spareCount(v), "no more while the other restore runs");
        end(slots, other, 1);
        awaitSpares(slots, v, 3);
        awaitSpares(slots, other, 1);
        slots.close();
    }

    @Test
    void theSparesABurstAskedForAreDiscardedOnceItsHoldRunsOut() throws Exception {
        RestoreSlots<FakeSlot> shortHold = new RestoreSlots<>(0, 1_000_000_000L,
                RestoreSlots.MAX_EXTRA_SPARES);
        FunctionVersion v = version(1);
        takeAtOnce(shortHold, v, 4);
        end(shortHold, v, 4);
        awaitSpares(shortHold, v, 4);
        awaitSpares(shortHold, v, 1);
        long discarded;
        synchronized (opened) {
            discarded = opened.stream().filter(slot -> slot.discarded).count();
        }
        assertEquals(3, discarded, "the three beyond the first were discarded, not left paused");
        shortHold.close();
    }

    @Test
    void aNewerBurstsSparesTakeThePlaceOfAnOlderOnesExtrasBeyondTheCeiling() throws Exception {
        RestoreSlots<FakeSlot> ceilingOfFour = new RestoreSlots<>(0, RestoreSlots.BURST_HOLD_NANOS, 4);
        FunctionVersion older = version(1);
        FunctionVersion newer = version(2);
        List<FakeSlot> oldersSpares = sparesOfABurst(ceilingOfFour, older, 4);

        takeAtOnce(ceilingOfFour, newer, 4);
        end(ceilingOfFour, newer, 4);
        awaitSpares(ceilingOfFour, newer, 4);
        assertEquals(2, ceilingOfFour.spareCount(older), "two of its three extras made room: four extras in all");
        awaitDiscarded(oldersSpares.subList(2, 4), "the extras given up were discarded, the last made first");
        assertFalse(oldersSpares.get(0).discarded || oldersSpares.get(1).discarded, "the rest are kept");
        assertEquals(List.of(4, 2), ceilingOfFour.readings().stream()
                        .sorted(Comparator.comparing(PlatformReadings.RestoreSlotsReading::function).reversed())
                        .map(PlatformReadings.RestoreSlotsReading::ready).toList(),
                "/metrics shows the older snapshot short of the four it wants");

        takeAtOnce(ceilingOfFour, older, 1);
        end(ceilingOfFour, older, 1);
        Thread.sleep(50);
        assertEquals(2, ceilingOfFour.spareCount(older), "a restore of the older one alone takes no room back");
        ceilingOfFour.close();
    }

    @Test
    void sparesMadeFromAnEarlierCopyOfTheImagesAreDiscardedNotUsed() throws Exception {
        FunctionVersion v = version(1);
        List<FakeSlot> spares = sparesOfABurst(slots, v, 3);
        RestoreSlots.Source decryptedAgain = new RestoreSlots.Source(null, Path.of("images-decrypted-again"));
        FakeSlot slot = slots.take(v, decryptedAgain, this::open);
        assertFalse(slot.spare, "a spare bound to the old images cannot restore from the new ones");
        awaitDiscarded(spares, "every stale spare was discarded");
        slots.refill(v, decryptedAgain, this::open);
        slots.close();
    }

    @Test
    void aDeletedVersionsSparesAreDiscardedAndNoLongerReported() throws Exception {
        FunctionVersion v = version(1);
        List<FakeSlot> spares = sparesOfABurst(slots, v, 3);
        slots.forget(v);
        assertEquals(0, slots.spareCount(v));
        assertTrue(slots.readings().isEmpty(), "no series for a deleted version");
        awaitDiscarded(spares, "its spares were discarded");
        slots.close();
    }

    @Test
    void closingDiscardsEverySpareButNoSlotARestoreTook() throws Exception {
        List<FakeSlot> taken = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            taken.add(restore(version(n)));
        }
        slots.close();
        for (FakeSlot slot : opened) {
            assertEquals(!taken.contains(slot), slot.discarded, "spares are discarded, taken slots are the copies'");
        }
    }
}
