package dev.thaw.metrics;

/**
 * What the platform tells its metrics. Each call is cheap enough for the warm invoke path; {@link #NONE} records
 * nothing.
 */
public interface PlatformMetrics {
    /** How a cold environment came to be. */
    enum ColdStartKind {
        INIT("init"), RESTORE("restore");

        private final String label;

        ColdStartKind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** How the environment that served an invocation came to be. */
    enum Start {
        WARM("warm"), INIT("cold"), RESTORE("restored"), PROVISIONED("provisioned-concurrency");

        private final String label;

        Start(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** An invocation reached an environment (or failed to get one) and ended without an error. */
    void invocationSucceeded(String function, String version, Start start, double seconds);

    /** An invocation ended with a function or runtime error of {@code errorType}. */
    void invocationFailed(String function, String version, Start start, String errorType, double seconds);

    /** An invocation was refused for concurrency ({@code reason} is Lambda's Reason, such as ReservedFunction...). */
    void throttled(String function, String version, String reason);

    /** A cold start finished: INIT ran for {@code seconds}, or a snapshot was restored in {@code seconds}. */
    void coldStarted(String function, String version, ColdStartKind kind, double seconds);

    /** A snapshot restore was tried: {@code succeeded} false when CRIU or the copy failed. */
    void snapshotRestore(String function, String version, boolean succeeded);

    /** A snapshot failed its integrity check (sizes, mtimes, inodes or SHA-256) and was not used. */
    void snapshotIntegrityFailed(String function, String version);

    /** A snapshot that could not be used is being taken again. */
    void snapshotRecreated(String function, String version);

    /** An Event invocation was stored. */
    void eventAccepted(String function);

    /** An Event invocation was delivered successfully. */
    void eventDelivered(String function);

    /** An Event invocation failed an attempt and will be tried again. */
    void eventRetried(String function);

    /** An Event invocation failed for good (retries used up or too old) and went to the failed events. */
    void eventFailed(String function);

    PlatformMetrics NONE = new PlatformMetrics() {
        @Override
        public void invocationSucceeded(String function, String version, Start start, double seconds) {
        }

        @Override
        public void invocationFailed(String function, String version, Start start, String errorType,
                                     double seconds) {
        }

        @Override
        public void throttled(String function, String version, String reason) {
        }

        @Override
        public void coldStarted(String function, String version, ColdStartKind kind, double seconds) {
        }

        @Override
        public void snapshotRestore(String function, String version, boolean succeeded) {
        }

        @Override
        public void snapshotIntegrityFailed(String function, String version) {
        }

        @Override
        public void snapshotRecreated(String function, String version) {
        }

        @Override
        public void eventAccepted(String function) {
        }

        @Override
        public void eventDelivered(String function) {
        }

        @Override
        public void eventRetried(String function) {
        }

        @Override
        public void eventFailed(String function) {
        }
    };
}
