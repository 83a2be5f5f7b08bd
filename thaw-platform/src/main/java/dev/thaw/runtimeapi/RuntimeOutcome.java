package dev.thaw.runtimeapi;

/** What the runtime reported for one invocation. */
public sealed interface RuntimeOutcome {
    /** POST /invocation/{id}/response. */
    record Response(byte[] body) implements RuntimeOutcome {
    }

    /** POST /invocation/{id}/error, with Lambda-Runtime-Function-Error-Type and the error JSON. */
    record Error(String errorType, byte[] body) implements RuntimeOutcome {
    }

    /** The response exceeded the 6 MB limit; the runtime was told 413. */
    record ResponseTooLarge(long size) implements RuntimeOutcome {
    }
}
