package dev.thaw.runtime;

import java.util.Optional;

/** One event as {@code /runtime/invocation/next} delivers it. */
record Invocation(
        String requestId,
        long deadlineMs,
        String invokedFunctionArn,
        Optional<String> traceId,
        Optional<String> clientContextJson,
        Optional<String> cognitoIdentityJson,
        byte[] payload) {
}
