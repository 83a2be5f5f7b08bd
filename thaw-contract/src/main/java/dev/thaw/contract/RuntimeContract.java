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
     * address ({@link #RESTORE_RUNTIME_API}, required), its environment id and log stream name (optional),
     * {@link #RESTORE_TOUCH_PAGES} for a copy restored ahead of any request, or {@code {"abort":true}} when the copy
     * is abandoned.
     */
    public static final String RESTORE_RUNTIME_API = "runtimeApi";
    public static final String RESTORE_ENVIRONMENT_ID = "environmentId";
    public static final String RESTORE_LOG_STREAM_NAME = "logStreamName";
    public static final String RESTORE_ABORT = "abort";
    /**
     * {@code true} for a provisioned concurrency copy: before its first poll the runtime reads every resident page of
     * its memory once from user mode, so that the first request does not pay each page's first access.
     */
    public static final String RESTORE_TOUCH_PAGES = "touchPages";

    /** Set (to any value) when the function's code is on the class path, as a JDK AOT cache needs it to be. */
    public static final String FUNCTION_ON_CLASS_PATH = "_THAW_FUNCTION_ON_CLASS_PATH";

    /** Set (to any value) for an AOT cache's training run: the runtime exits after INIT. */
    public static final String AOT_TRAINING = "_THAW_AOT_TRAINING";

    /**
     * {@code POST} under {@link #RUNTIME_API_BASE}, text, one binary class name a line: the classes the function's
     * class loader was first asked for since the runtime's last report. Sent by a {@code $LATEST} runtime told to
     * record ({@link #RECORD_LOADED_CLASSES}) after an invocation that loaded any; the platform keeps them per
     * function for class priming.
     */
    public static final String LOADED_CLASSES = "/thaw/loaded-classes";

    /**
     * {@code GET} under {@link #RUNTIME_API_BASE}, during a SnapStart INIT: the classes to load and link before the
     * checkpoint, one binary name a line (empty when none were recorded or priming is off).
     */
    public static final String CLASSES_TO_PRIME = "/thaw/classes-to-prime";

    /**
     * The checkpoint request's JSON body: how many recorded classes the runtime loaded and linked
     * ({@link #CHECKPOINT_PRIMED_CLASSES}), how many it could not load ({@link #CHECKPOINT_UNLOADABLE_CLASSES}), and
     * how many sample events it replayed ({@link #CHECKPOINT_PRIMING_EVENTS}) and how many of them failed
     * ({@link #CHECKPOINT_FAILED_PRIMING_EVENTS}).
     */
    public static final String CHECKPOINT_PRIMED_CLASSES = "primedClasses";
    public static final String CHECKPOINT_UNLOADABLE_CLASSES = "unloadableClasses";
    public static final String CHECKPOINT_PRIMING_EVENTS = "primingEvents";
    public static final String CHECKPOINT_FAILED_PRIMING_EVENTS = "failedPrimingEvents";

    /** Set (to any value) in a {@code $LATEST} environment whose loaded classes the platform records. */
    public static final String RECORD_LOADED_CLASSES = "_THAW_RECORD_LOADED_CLASSES";

    /** The function's own variable that turns class priming off when set to {@link #CLASS_PRIMING_OFF}. */
    public static final String CLASS_PRIMING = "THAW_CLASS_PRIMING";
    public static final String CLASS_PRIMING_OFF = "off";

    /**
     * The directory of the function's package whose {@code *.json} files are sample events, replayed through the
     * handler in name order before a SnapStart checkpoint (invoke priming, opt-in).
     */
    public static final String PRIMING_EVENTS_DIRECTORY = "thaw-priming";
}
