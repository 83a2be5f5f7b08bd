package dev.thaw.events;

/** How hard the dispatcher tries one function's events; the defaults are Lambda's. */
public record RetryPolicy(int maximumRetryAttempts, int maximumEventAgeInSeconds) {
    public static final int DEFAULT_RETRY_ATTEMPTS = 2;
    public static final int DEFAULT_EVENT_AGE_SECONDS = 21600;

    public static final RetryPolicy DEFAULT = new RetryPolicy(DEFAULT_RETRY_ATTEMPTS, DEFAULT_EVENT_AGE_SECONDS);

    /** Whether an event accepted at {@code acceptedAt} is too old to (re)try at {@code when} (epoch ms). */
    boolean expiredAt(long acceptedAt, long when) {
        return when - acceptedAt > maximumEventAgeInSeconds * 1000L;
    }
}
