package dev.thaw.api;

import dev.thaw.errors.ThawException;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Optional;

/** Small request and response helpers shared by the API handlers. */
final class Http {
    private Http() {
    }

    /** A path parameter, percent-decoded once (by the server, as it matched the route). */
    static String pathParam(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
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
        return intQuery(req, "MaxItems", 1, 10000).orElse(defaultValue);
    }

    /** An integer query parameter between {@code min} and {@code max}; anything else is InvalidParameterValue. */
    static Optional<Integer> intQuery(ServerRequest req, String name, int min, int max) {
        Optional<String> raw = query(req, name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(raw.get());
            if (n < min || n > max) {
                throw ThawException.invalidParameter(name + " must be between " + min + " and " + max + ".");
            }
            return Optional.of(n);
        } catch (NumberFormatException e) {
            throw ThawException.invalidParameter(name + " must be a number.");
        }
    }
}
