package dev.thaw.store;

/**
 * One asynchronous (Event) invocation as stored in the {@code events} table. Times are epoch milliseconds;
 * {@code version} is the version resolved when the event was accepted, so the same code runs on every attempt;
 * {@code qualifier} is what the invoke named ({@code $LATEST} when it named none), whose event invoke config applies.
 */
public record StoredEvent(
        String id,
        String functionName,
        String version,
        String qualifier,
        byte[] payload,
        long acceptedAt,
        int attempts,
        long nextAttemptAt,
        String lastError,
        State state) {

    public enum State { QUEUED, RUNNING, DONE, FAILED }
}
