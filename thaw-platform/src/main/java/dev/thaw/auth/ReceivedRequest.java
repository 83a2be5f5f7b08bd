package dev.thaw.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A request as it arrived, in the terms a signature covers: the method, the Host header, the path and query still
 * percent-encoded as the client sent (and signed) them, the headers by lower-case name, and the body, read only when
 * the cheaper checks have passed.
 */
public record ReceivedRequest(String method, String host, String rawPath, String rawQuery,
                              Map<String, List<String>> headers, Supplier<byte[]> body) {
    public ReceivedRequest {
        headers = Map.copyOf(headers);
    }

    Optional<String> header(String lowerCaseName) {
        List<String> values = headers.get(lowerCaseName);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
