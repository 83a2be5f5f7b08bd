package dev.thaw.invoke;

import java.util.Optional;

/** An Invoke call, parsed from HTTP. */
public record InvokeRequest(
        String functionRef,
        Optional<String> qualifier,
        InvocationType type,
        boolean tailLog,
        Optional<String> clientContext,
        byte[] payload) {

    public enum InvocationType { REQUEST_RESPONSE, EVENT, DRY_RUN }
}
