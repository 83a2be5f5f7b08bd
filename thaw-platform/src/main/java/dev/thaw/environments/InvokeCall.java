package dev.thaw.environments;

import java.util.Optional;

/**
 * One synchronous invocation as an environment sees it; {@code traceHeader} is the caller's X-Ray header, when it
 * sent one (the environment makes one up otherwise).
 */
public record InvokeCall(
        String requestId,
        byte[] payload,
        String invokedFunctionArn,
        Optional<String> clientContext,
        long timeoutMillis,
        Optional<String> traceHeader) {
}
