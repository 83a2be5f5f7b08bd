package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpareCountTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long HOLD = 600 * SECOND;

    private final SpareCount count = new SpareCount(32, HOLD);

    /** {@code n} restores that all overlap, the first taken at {@code at}. */
    private void burst(long at, int n) {
        for (int i = 0; i < n; i++) {
            count.taken(at + i * 1_000_000L);
        }
        for (int i = 0; i < n; i++) {
            count.ended();
        }
    }

    @Test
    void restoresOneAfterAnotherKeepOneSpareHoweverCloseTogether() {
        for (int i = 0; i < 50; i++) {
            count.taken(i * 1_000_000L);
            count.ended();
        }
        assertEquals(1, count.wanted(SECOND));
        assertEquals(0, count.nanosUntilOne(SECOND));
    }

    @Test
    void overlappingRestoresRaiseTheCountToHowManyOverlapped() {
        burst(100 * SECOND, 12);
        assertEquals(12, count.wanted(101 * SECOND));
    }

    @Test
    void theCountStopsAtTheCeiling() {
        burst(SECOND, 100);
        assertEquals(32, count.wanted(2 * SECOND));
    }

    @Test
    void restoresUnderWayAreNotQuietUntilTheLastEnds() {
        count.taken(0);
        count.taken(1);
        count.ended();
        assertFalse(count.quiet());
        count.ended();
        assertTrue(count.quiet());
        count.ended(); // an end no take matched does not count below zero
        count.taken(2);
        assertFalse(count.quiet());
    }

    @Test
    void theRaisedCountFallsBackToOneOnceTheHoldRunsOut() {
        burst(SECOND, 8);
        long end = SECOND + 7_000_000L;
        assertEquals(8, count.wanted(end + HOLD - 1));
        assertEquals(1, count.nanosUntilOne(end + HOLD - 1));
        assertEquals(1, count.wanted(end + HOLD));
        assertEquals(0, count.nanosUntilOne(end + HOLD));
    }

    @Test
    void aBurstAsLargeAsTheOneThatRaisedTheCountHoldsItForLonger() {
        burst(0, 8);
        burst(300 * SECOND, 8);
        assertEquals(8, count.wanted(300 * SECOND + HOLD - SECOND));
    }

    @Test
    void aSmallerBurstNeitherLowersTheCountNorExtendsItsHold() {
        burst(0, 8);
        burst(300 * SECOND, 3);
        assertEquals(8, count.wanted(301 * SECOND));
        assertEquals(1, count.wanted(HOLD + SECOND));
    }

    @Test
    void aSnapshotKeepsAtLeastOneSpare() {
        assertThrows(IllegalArgumentException.class, () -> new SpareCount(0, HOLD));
        assertThrows(IllegalArgumentException.class, () -> new SpareCount(1, -1));
    }
}
