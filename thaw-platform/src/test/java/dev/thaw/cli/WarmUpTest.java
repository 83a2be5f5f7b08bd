package dev.thaw.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmUpTest {
    private static final long SECOND = 1_000_000_000L;
    private final WarmUp rule = new WarmUp(Duration.ofSeconds(20), Duration.ofMinutes(2), 0.02);

    @Test
    void aSettledCompilerEndsTheWarmUpOnlyOnceTheMinimumHasPassed() {
        assertFalse(rule.done(0, 1000, 5 * SECOND), "quiet, but before the minimum");
        assertTrue(rule.done(0, 1000, 20 * SECOND));
        assertTrue(rule.done(19, 1000, 30 * SECOND), "19 ms of a 1,000 ms round is under 2%");
    }

    @Test
    void aCompilerStillCompilingKeepsItGoingUntilTheMaximum() {
        assertFalse(rule.done(20, 1000, 30 * SECOND), "2% of the round is not under 2%");
        assertFalse(rule.done(800, 1000, 119 * SECOND));
        assertTrue(rule.done(800, 1000, 120 * SECOND), "the maximum ends it whatever the compiler does");
    }

    @Test
    void theBenchsRuleIsTwentySecondsToTwoMinutesAtTwoPercent() {
        assertFalse(WarmUp.BENCH.done(0, 1000, 19 * SECOND));
        assertTrue(WarmUp.BENCH.done(10, 1000, 20 * SECOND));
        assertTrue(WarmUp.BENCH.done(1000, 1000, 120 * SECOND));
    }

    @Test
    void aMaximumBelowTheMinimumOrAShareOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WarmUp(Duration.ofMinutes(2), Duration.ofSeconds(20), 0.02));
        assertThrows(IllegalArgumentException.class, () -> new WarmUp(Duration.ZERO, Duration.ZERO, 1.5));
    }
}
