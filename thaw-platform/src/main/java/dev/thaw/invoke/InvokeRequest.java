package dev.thaw.invoke;

import java.util.Optional;

/** An Invoke call, parsed from HTTP; {@code requestId} is given when the caller put it in the event already. */
public record InvokeRequest(
        String functionRef,
        Optional<String> qualifier,
        InvocationType type,
        boolean tailLog,
        Optional<String> clientContext,
        byte[] payload,
        Optional<String> requestId) {

    public InvokeRequest(String functionRef, Optional<String> qualifier, InvocationType type, boolean tailLog,
                         Optional<String> clientContext, byte[] payload) {
        this(functionRef, qualifier, type, tailLog, clientContext, payload, Optional.empty());
    }

    public enum InvocationType { REQUEST_RESPONSE, EVENT, DRY_RUN }
}
