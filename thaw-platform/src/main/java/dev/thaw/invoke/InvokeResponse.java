package dev.thaw.invoke;

import java.util.Optional;

/** The result of an Invoke: what the function returned (or its error JSON), and Lambda's response metadata. */
public record InvokeResponse(
        int statusCode,
        byte[] payload,
        String executedVersion,
        Optional<String> functionError,
        Optional<String> logTail) {
}
