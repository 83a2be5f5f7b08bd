package dev.thaw.environments;

import dev.thaw.errors.RuntimeErrorType;
import dev.thaw.runtimeapi.ErrorBody;

/**
 * An environment could not become ready: INIT threw, timed out or the process died, or a restore failed. The
 * {@code errorType} and {@code body} are what the caller receives as the invocation's error.
 */
public final class StartupFailure extends Exception {
    private final String errorType;
    private final byte[] body;
    private final String log;

    public StartupFailure(String errorType, byte[] body, String log, String message) {
        super(message);
        this.errorType = errorType;
        this.body = body;
        this.log = log;
    }

    /** A failure the platform reports itself: its error JSON says {@code message}, with nothing logged. */
    static StartupFailure of(RuntimeErrorType type, String message, String detail) {
        return new StartupFailure(type.type(), ErrorBody.of(type.type(), message), "", detail);
    }

    /** A failure the platform reports itself after INIT logged {@code log}: its error JSON says {@code message}. */
    static StartupFailure withLog(RuntimeErrorType type, String message, String log) {
        return new StartupFailure(type.type(), ErrorBody.of(type.type(), message), log, message);
    }

    public String errorType() {
        return errorType;
    }

    public byte[] body() {
        return body;
    }

    public String log() {
        return log;
    }
}
