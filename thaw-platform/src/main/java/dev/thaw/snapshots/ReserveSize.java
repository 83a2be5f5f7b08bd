package dev.thaw.snapshots;

/**
 * How much {@link WarmMemory} holds: its base, raised to what the largest recent burst of restores asked for, up to a
 * ceiling, until that burst is {@code holdNanos} in the past.
 *
 * <p>A burst is a spell in which restores overlap: it begins when one starts while none is under way and ends when
 * the last one ends. Its demand is the sum of what its restores asked for, whether or not the reserve still held it;
 * restores one after another ask for one copy's memory each, which the copy evicted before had just freed. A burst
 * that asked for more than the base raises the size for the next one: traffic that came in a burst tends to come
 * again, and memory touched ahead is what a burst lacks most on a host that takes free memory back. Times are
 * {@link System#nanoTime()} values passed in, so this is plain logic.
 */
final class ReserveSize {
    private final long baseBytes;
    private final long ceilingBytes;
    private final long holdNanos;
    private int underWay;
    private long burstDemand;
    private long raisedBytes;
    private long raisedAt;

    /** {@code ceilingBytes} below {@code baseBytes} is taken as the base: the size is then fixed. */
    ReserveSize(long baseBytes, long ceilingBytes, long holdNanos) {
        if (baseBytes < 0 || holdNanos < 0) {
            throw new IllegalArgumentException("negative reserve size or time");
        }
        this.baseBytes = baseBytes;
        this.ceilingBytes = Math.max(baseBytes, ceilingBytes);
        this.holdNanos = holdNanos;
        this.raisedBytes = baseBytes;
    }

    /** A restore starts (or waits for its turn): with none under way, a new burst begins. */
    void started() {
        if (underWay++ == 0) {
            burstDemand = 0;
        }
    }

    /** A restore started before has ended, restored or not. */
    void ended() {
        if (underWay > 0) {
            underWay--;
        }
    }

    /** Counts the {@code bytes} a restore is about to fill toward the burst under way at {@code now}. */
    void released(long bytes, long now) {
        if (underWay == 0) {
            burstDemand = 0; // a restore nobody said had started is a burst of its own
        }
        burstDemand += bytes;
        if (burstDemand > target(now)) {
            raisedBytes = Math.min(ceilingBytes, burstDemand);
            raisedAt = now;
        } else if (raisedBytes > baseBytes && burstDemand >= raisedBytes) {
            raisedAt = now; // a burst as large as the one that raised it: hold the size for longer
        }
    }

    /** What the reserve should hold at {@code now}. */
    long target(long now) {
        return raised(now) ? raisedBytes : baseBytes;
    }

    /** Whether a burst has raised the size above the base and its hold has not run out at {@code now}. */
    boolean raised(long now) {
        return raisedBytes > baseBytes && now - raisedAt < holdNanos;
    }

    /** Nanoseconds from {@code now} until the raised size falls back to the base; 0 when it is not raised. */
    long nanosUntilBase(long now) {
        return raised(now) ? holdNanos - (now - raisedAt) : 0;
    }
}
