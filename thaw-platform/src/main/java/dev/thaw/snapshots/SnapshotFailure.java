package dev.thaw.snapshots;

/** Taking a snapshot failed; {@code reasonCode} and the message become the version's StateReasonCode and reason. */
public final class SnapshotFailure extends Exception {
    private final String reasonCode;

    public SnapshotFailure(String reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    public String reasonCode() {
        return reasonCode;
    }
}
