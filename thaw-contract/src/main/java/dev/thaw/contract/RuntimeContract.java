package dev.thaw.contract;

/**
 * Names the platform and the runtime must spell alike. Lambda's own Runtime API is specified by AWS; these are what
 * Thaw adds to it.
 */
public final class RuntimeContract {
    private RuntimeContract() {
    }

    /** Lambda's Runtime API prefix, under which Thaw's own calls live too. */
    public static final String RUNTIME_API_BASE = "/2018-06-01/runtime";

    /**
     * {@code POST} (and {@code GET}) under {@link #RUNTIME_API_BASE}: the SnapStart runtime has run its beforeCheckpoint
     * hooks and closed its sockets, and blocks on its restore line until the platform has dumped it.
     */
    public static final String CHECKPOINT = "/thaw/checkpoint";

    /**
     * {@code GET} and {@code POST} under {@link #RUNTIME_API_BASE}: answered like {@code invocation/next} and
     * {@code response} without touching an invocation, so a runtime can run its HTTP path once before a checkpoint.
     */
    public static final String WARMUP = "/thaw/warmup";

    /**
     * The restore line: one JSON object the platform writes to a restored copy's stdin, with the copy's Runtime API
     * address ({@link #RESTORE_RUNTIME_API}, required), its environment id and log stream name (optional), or
     * {@code {"abort":true}} when the copy is abandoned.
     */
    public static final String RESTORE_RUNTIME_API = "runtimeApi";
    public static final String RESTORE_ENVIRONMENT_ID = "environmentId";
    public static final String RESTORE_LOG_STREAM_NAME = "logStreamName";
    public static final String RESTORE_ABORT = "abort";

    /** Set (to any value) when the function's code is on the class path, as a JDK AOT cache needs it to be. */
    public static final String FUNCTION_ON_CLASS_PATH = "_THAW_FUNCTION_ON_CLASS_PATH";

    /** Set (to any value) for an AOT cache's training run: the runtime exits after INIT. */
    public static final String AOT_TRAINING = "_THAW_AOT_TRAINING";
}
