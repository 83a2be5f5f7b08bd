package dev.thaw.cli;

import java.time.Duration;

/**
 * When a warm series has warmed up: after at least {@code minimum}, at the first round of invokes during which the
 * JIT compiler compiled for less than {@code settledShare} of the round's time, and at {@code maximum} whatever the
 * compiler does. Plain logic: the bench passes in what it measured.
 */
record WarmUp(Duration minimum, Duration maximum, double settledShare) {

    /** What {@code thaw bench} uses: at least 20 s, then until the compiler spends under 2% of a round, at most 2 min. */
    static final WarmUp BENCH = new WarmUp(Duration.ofSeconds(20), Duration.ofMinutes(2), 0.02);

    WarmUp {
        if (minimum.isNegative() || maximum.compareTo(minimum) < 0 || settledShare < 0 || settledShare > 1) {
            throw new IllegalArgumentException("a warm-up needs 0 <= minimum <= maximum and a share within [0, 1]");
        }
    }

    /**
     * Whether warming up is over after a round that took {@code roundMillis}, during which the compiler compiled for
     * {@code compiledMillis}, {@code elapsedNanos} after the warm-up began.
     */
    boolean done(long compiledMillis, double roundMillis, long elapsedNanos) {
        if (elapsedNanos >= maximum.toNanos()) {
            return true;
        }
        return elapsedNanos >= minimum.toNanos() && compiledMillis < roundMillis * settledShare;
    }
}
