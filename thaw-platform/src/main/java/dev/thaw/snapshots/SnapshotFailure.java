package dev.thaw.snapshots;

/** Taking a snapshot failed; {@code reasonCode} and the message become the version's StateReasonCode and reason. */
public final class SnapshotFailure extends Exception {
    /** CRIU hung and was killed: the platform's failure, not the function's, so worth one more try. */
    static final String DUMP_TIMED_OUT = "SnapStartDumpTimedOut";

    private final String reasonCode;

    public SnapshotFailure(String reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    public String reasonCode() {
        return reasonCode;
    }
}
