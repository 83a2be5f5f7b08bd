package dev.thaw.environments;

/**
 * The outcome of one invocation: the function's bytes or its error JSON, the invocation's log lines and whether the
 * environment survived.
 */
public record InvocationResult(boolean functionError, String errorType, byte[] body, String log,
                               boolean environmentReusable) {

    public static InvocationResult success(byte[] body, String log) {
        return new InvocationResult(false, null, body, log, true);
    }

    public static InvocationResult error(String errorType, byte[] body, String log, boolean reusable) {
        return new InvocationResult(true, errorType, body, log, reusable);
    }
}
