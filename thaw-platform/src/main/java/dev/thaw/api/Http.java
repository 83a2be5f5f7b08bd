package dev.thaw.api;

import dev.thaw.errors.ThawException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Small request and response helpers shared by the API handlers. */
final class Http {
    private Http() {
    }

    /** Reads the body, refusing more than {@code limit} bytes with RequestTooLargeException. */
    static byte[] body(ServerRequest req, int limit, String operation) {
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw ThawException.tooLarge("Request must be smaller than " + limit + " bytes for the "
                        + operation + " operation");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pathParam(ServerRequest req, String name) {
        return URLDecoder.decode(req.path().pathParameters().get(name), StandardCharsets.UTF_8);
    }

    static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional().filter(s -> !s.isEmpty());
    }

    static Optional<String> header(ServerRequest req, String name) {
        return req.headers().first(HeaderNames.create(name)).filter(s -> !s.isEmpty());
    }

    static void json(ServerResponse res, int status, com.fasterxml.jackson.databind.JsonNode body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }

    static void noContent(ServerResponse res) {
        res.status(Status.NO_CONTENT_204);
        res.send();
    }

    static int maxItems(ServerRequest req, int defaultValue) {
        Optional<String> raw = query(req, "MaxItems");
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(raw.get());
            if (n < 1 || n > 10000) {
                throw ThawException.invalidParameter("MaxItems must be between 1 and 10000.");
            }
            return n;
        } catch (NumberFormatException e) {
            throw ThawException.invalidParameter("MaxItems must be a number.");
        }
    }
}
