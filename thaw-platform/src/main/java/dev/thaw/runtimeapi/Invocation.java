package dev.thaw.runtimeapi;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One event handed to the runtime, and the future its outcome completes. */
public record Invocation(
        String requestId,
        byte[] payload,
        long deadlineEpochMs,
        String invokedFunctionArn,
        String traceId,
        Optional<String> clientContext,
        Optional<String> cognitoIdentity,
        CompletableFuture<RuntimeOutcome> outcome) {
}
