package dev.thaw.environments;

import java.util.Optional;

/** One synchronous invocation as an environment sees it. */
public record InvokeCall(
        String requestId,
        byte[] payload,
        String invokedFunctionArn,
        Optional<String> clientContext,
        long timeoutMillis) {
}
