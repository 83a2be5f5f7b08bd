package dev.thaw.snapshots;

/**
 * How many spare restore slots one snapshot keeps: one, raised to the number of its restores that overlapped in its
 * largest recent burst, up to a ceiling, until that burst is {@code holdNanos} in the past.
 *
 * <p>A burst begins when a slot is taken while none of the snapshot's restores is under way, and ends when the last
 * one ends; its size is the number of slots taken meanwhile. A copy made ahead saves its restore the slot's process
 * starts, CRIU's start and the namespaces, and a burst is where those add up: every copy but the first made its slot
 * on its path. Traffic that came in a burst tends to come again, so the next one finds as many slots ready. Times are
 * {@link System#nanoTime()} values passed in, so this is plain logic.
 */
final class SpareCount {
    private final int ceiling;
    private final long holdNanos;
    private int underWay;
    private int burstTakes;
    private int raised = 1;
    private long raisedAt;

    SpareCount(int ceiling, long holdNanos) {
        if (ceiling < 1 || holdNanos < 0) {
            throw new IllegalArgumentException("a snapshot keeps at least one spare, for a time that is not negative");
        }
        this.ceiling = ceiling;
        this.holdNanos = holdNanos;
    }

    /** A restore took a slot at {@code now}: with none under way, a new burst begins. */
    void taken(long now) {
        if (underWay++ == 0) {
            burstTakes = 0;
        }
        burstTakes++;
        if (burstTakes > wanted(now)) {
            raised = Math.min(ceiling, burstTakes);
            raisedAt = now;
        } else if (raised > 1 && burstTakes >= raised) {
            raisedAt = now; // a burst as large as the one that raised it: hold the count for longer
        }
    }

    /** A restore that took a slot has ended, restored or not. */
    void ended() {
        if (underWay > 0) {
            underWay--;
        }
    }

    /** Whether none of the snapshot's restores is under way. */
    boolean quiet() {
        return underWay == 0;
    }

    /** How many spares the snapshot should keep at {@code now}. */
    int wanted(long now) {
        return raised > 1 && now - raisedAt < holdNanos ? raised : 1;
    }

    /** When a burst last raised the count or held it: compare by subtraction, as {@link System#nanoTime()} values. */
    long raisedAt() {
        return raisedAt;
    }

    /** Nanoseconds from {@code now} until the count falls back to one; 0 when it is not raised. */
    long nanosUntilOne(long now) {
        return wanted(now) > 1 ? holdNanos - (now - raisedAt) : 0;
    }
}
