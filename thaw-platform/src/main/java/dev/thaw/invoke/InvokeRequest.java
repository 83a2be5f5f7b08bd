package dev.thaw.invoke;

import java.util.Optional;

/**
 * An Invoke call, parsed from HTTP; {@code requestId} is given when the caller put it in the event already, and
 * {@code traceHeader} when the caller sent its own {@code X-Amzn-Trace-Id}.
 */
public record InvokeRequest(
        String functionRef,
        Optional<String> qualifier,
        InvocationType type,
        boolean tailLog,
        Optional<String> clientContext,
        byte[] payload,
        Optional<String> requestId,
        Optional<String> traceHeader) {

    public InvokeRequest(String functionRef, Optional<String> qualifier, InvocationType type, boolean tailLog,
                         Optional<String> clientContext, byte[] payload) {
        this(functionRef, qualifier, type, tailLog, clientContext, payload, Optional.empty(), Optional.empty());
    }

    public InvokeRequest(String functionRef, Optional<String> qualifier, InvocationType type, boolean tailLog,
                         Optional<String> clientContext, byte[] payload, Optional<String> requestId) {
        this(functionRef, qualifier, type, tailLog, clientContext, payload, requestId, Optional.empty());
    }

    public enum InvocationType { REQUEST_RESPONSE, EVENT, DRY_RUN }
}
