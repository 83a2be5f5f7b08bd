package dev.thaw.store;

/**
 * The event invoke config of one qualifier of a function ({@code $LATEST}, a version number or an alias name); a null
 * limit means the caller left it unset (the default applies).
 */
public record StoredEventConfig(
        String functionName,
        String qualifier,
        Integer maximumRetryAttempts,
        Integer maximumEventAgeInSeconds,
        long lastModifiedEpochSeconds) {
}
