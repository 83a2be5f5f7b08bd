package dev.thaw.snapshots;

/** Taking a snapshot failed; its {@link Reason} and message become the version's StateReasonCode and reason. */
public final class SnapshotFailure extends Exception {
    /** Why a snapshot could not be taken, as the version's StateReasonCode says it. */
    public enum Reason {
        /** This host has no working CRIU. */
        UNAVAILABLE("SnapStartUnavailable"),
        /** INIT failed. */
        FUNCTION_ERROR("FunctionError"),
        /** A beforeCheckpoint hook failed. */
        BEFORE_CHECKPOINT_ERROR("SnapStartBeforeCheckpointError"),
        /** The function held a network connection at the checkpoint. */
        OPEN_CONNECTION("SnapStartOpenConnection"),
        /** CRIU's dump failed. */
        DUMP_FAILED("SnapStartDumpFailed"),
        /** CRIU hung and was killed: the platform's failure, not the function's, so worth one more try. */
        DUMP_TIMED_OUT("SnapStartDumpTimedOut"),
        /** Anything else that went wrong on the platform's side. */
        INTERNAL_ERROR("InternalError");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public SnapshotFailure(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
