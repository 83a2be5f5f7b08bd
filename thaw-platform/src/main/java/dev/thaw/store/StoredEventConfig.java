package dev.thaw.store;

/** A function's event invoke config; a null limit means the caller left it unset (the default applies). */
public record StoredEventConfig(
        String functionName,
        Integer maximumRetryAttempts,
        Integer maximumEventAgeInSeconds,
        long lastModifiedEpochSeconds) {
}
