package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReserveSizeTest {
    private static final long MB = 1L << 20;
    private static final long SECOND = 1_000_000_000L;
    private static final long HOLD = 600 * SECOND;

    private final ReserveSize size = new ReserveSize(256 * MB, 3072 * MB, HOLD);

    @Test
    void restoresOneAfterAnotherLeaveTheBaseAsItIsHoweverCloseTogether() {
        for (int i = 0; i < 20; i++) {
            size.started();
            size.released(80 * MB, i * 1_000_000L);
            size.ended();
        }
        assertEquals(256 * MB, size.target(SECOND));
        assertFalse(size.raised(SECOND));
    }

    @Test
    void overlappingRestoresRaiseTheSizeToWhatTheyAskedForInAll() {
        burst(100 * SECOND, 32);
        assertEquals(32 * 76 * MB, size.target(110 * SECOND));
        assertTrue(size.raised(110 * SECOND));
    }

    @Test
    void restoresStillWaitingForTheirTurnBelongToTheBurst() {
        for (int i = 0; i < 8; i++) {
            size.started();
        }
        for (int i = 0; i < 8; i++) {
            size.released(76 * MB, i * 100_000_000L); // four at a time would be under way; all eight overlap
            size.ended();
        }
        assertEquals(8 * 76 * MB, size.target(SECOND));
    }

    @Test
    void theRaisedSizeStopsAtTheCeiling() {
        burst(SECOND, 100);
        assertEquals(3072 * MB, size.target(2 * SECOND));
    }

    @Test
    void theSizeFallsBackToTheBaseOnceTheHoldHasRunOutAndAnEqualBurstRenewsIt() {
        burst(0, 16);
        assertEquals(16 * 76 * MB, size.target(HOLD - 1));
        assertEquals(HOLD - SECOND, size.nanosUntilBase(SECOND));
        burst(HOLD / 2, 16);
        assertEquals(16 * 76 * MB, size.target(HOLD + SECOND), "the second burst renewed the hold");
        assertEquals(256 * MB, size.target(HOLD / 2 + HOLD + SECOND));
        assertEquals(0, size.nanosUntilBase(HOLD / 2 + HOLD + SECOND));
    }

    @Test
    void aFixedSizeNeverMoves() {
        ReserveSize fixed = new ReserveSize(256 * MB, 0, HOLD);
        for (int i = 0; i < 32; i++) {
            fixed.started();
            fixed.released(76 * MB, i * 1000L);
        }
        assertEquals(256 * MB, fixed.target(SECOND));
    }

    @Test
    void negativeSizesOrTimesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ReserveSize(-1, 0, HOLD));
        assertThrows(IllegalArgumentException.class, () -> new ReserveSize(0, 0, -1));
    }

    /** {@code copies} overlapping restores of 76 MB each, 10 ms apart, the last one's pages released at {@code end}. */
    private void burst(long end, int copies) {
        for (int i = 0; i < copies; i++) {
            size.started();
        }
        for (int i = copies - 1; i >= 0; i--) {
            size.released(76 * MB, end - i * 10_000_000L);
        }
        for (int i = 0; i < copies; i++) {
            size.ended();
        }
    }
}
