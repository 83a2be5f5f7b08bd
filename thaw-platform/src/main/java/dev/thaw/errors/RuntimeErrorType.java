package dev.thaw.errors;

/**
 * The error types the platform itself reports for an invocation or an INIT, in the {@code errorType} of Lambda's
 * error JSON and in {@code X-Amz-Function-Error}'s body, as Lambda names them. Errors a function reports keep the
 * type it gave.
 */
public enum RuntimeErrorType {
    /** An environment could not be started: no Runtime API port, cgroups or process. */
    UNAVAILABLE("Runtime.Unavailable"),
    /** INIT ran past its limit. */
    INIT_TIMEOUT("Runtime.InitTimeout"),
    /** The runtime exited before it answered. */
    EXIT_ERROR("Runtime.ExitError"),
    /** The memory limit killed the runtime, or the JVM ran out of memory so badly it could not report it. */
    OUT_OF_MEMORY("Runtime.OutOfMemory"),
    /** The platform was interrupted while it waited for the runtime. */
    INTERRUPTED("Runtime.Interrupted"),
    /** The invocation ran past the function's timeout. */
    TIMED_OUT("Sandbox.Timedout"),
    /** The function's response was over 6 MB. */
    RESPONSE_TOO_LARGE("Function.ResponseSizeTooLarge"),
    /** The runtime reported an error without naming its type. */
    UNKNOWN("Runtime.Unknown");

    private final String type;

    RuntimeErrorType(String type) {
        this.type = type;
    }

    /** The name Lambda gives it. */
    public String type() {
        return type;
    }

    @Override
    public String toString() {
        return type;
    }
}
