package dev.thaw.urls;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what a function returned into the HTTP response of its URL, by Lambda's rules. An object with a
 * {@code statusCode} is a response: {@code statusCode}, {@code headers}, {@code cookies} (one Set-Cookie each),
 * {@code body}, and {@code isBase64Encoded} for a binary body. Anything else is the body of a 200 with content type
 * application/json: a JSON string gives its text, any other value its JSON as returned. A result that is not JSON,
 * or a response object that breaks those rules, is malformed (empty here; the URL answers 502).
 */
public final class UrlResponses {
    private UrlResponses() {
    }

    public static Optional<UrlResponse> fromPayload(byte[] payload) {
        JsonNode result;
        try {
            result = payload.length == 0 ? null : UrlEvent.JSON.readTree(payload);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (result == null || result.isMissingNode() || result.isNull()) {
            return Optional.of(json(200, new byte[0]));
        }
        if (result.isTextual()) {
            return Optional.of(json(200, result.textValue().getBytes(StandardCharsets.UTF_8)));
        }
        if (!result.isObject() || !result.has("statusCode")) {
            return Optional.of(json(200, payload));
        }
        return structured(result);
    }

    private static Optional<UrlResponse> structured(JsonNode result) {
        JsonNode status = result.get("statusCode");
        int code;
        if (status.isIntegralNumber() && status.canConvertToInt()) {
            code = status.asInt();
        } else if (status.isTextual() && status.textValue().matches("\\d{3}")) {
            code = Integer.parseInt(status.textValue());
        } else {
            return Optional.empty();
        }
        if (code < 100 || code > 599) {
            return Optional.empty();
        }
        List<UrlRequest.Header> headers = new ArrayList<>();
        Set<String> named = new HashSet<>();
        JsonNode single = result.path("headers");
        if (!single.isMissingNode() && !single.isNull()) {
            if (!single.isObject()) {
                return Optional.empty();
            }
            for (Map.Entry<String, JsonNode> h : single.properties()) {
                if (!h.getValue().isValueNode() || h.getValue().isNull()) {
                    return Optional.empty();
                }
                headers.add(new UrlRequest.Header(h.getKey(), h.getValue().asText()));
                named.add(h.getKey().toLowerCase(Locale.ROOT));
            }
        }
        // Payload 2.0 has no multiValueHeaders; a handler written for 1.0 still gets the names headers lacks.
        JsonNode multi = result.path("multiValueHeaders");
        if (multi.isObject()) {
            for (Map.Entry<String, JsonNode> h : multi.properties()) {
                if (named.contains(h.getKey().toLowerCase(Locale.ROOT)) || !h.getValue().isArray()) {
                    continue;
                }
                h.getValue().forEach(v -> headers.add(new UrlRequest.Header(h.getKey(), v.asText())));
            }
        }
        JsonNode cookies = result.path("cookies");
        if (!cookies.isMissingNode() && !cookies.isNull()) {
            if (!cookies.isArray()) {
                return Optional.empty();
            }
            for (JsonNode c : cookies) {
                if (!c.isTextual()) {
                    return Optional.empty();
                }
                headers.add(new UrlRequest.Header("Set-Cookie", c.textValue()));
            }
        }
        if (headers.stream().noneMatch(h -> h.name().equalsIgnoreCase("Content-Type"))) {
            headers.add(new UrlRequest.Header("Content-Type", "application/json"));
        }
        JsonNode body = result.path("body");
        byte[] bytes;
        if (body.isMissingNode() || body.isNull()) {
            bytes = new byte[0];
        } else if (!body.isTextual()) {
            return Optional.empty();
        } else if (result.path("isBase64Encoded").asBoolean(false)) {
            try {
                bytes = Base64.getDecoder().decode(body.textValue().replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        } else {
            bytes = body.textValue().getBytes(StandardCharsets.UTF_8);
        }
        return Optional.of(new UrlResponse(code, headers, bytes));
    }

    private static UrlResponse json(int status, byte[] body) {
        return new UrlResponse(status, List.of(new UrlRequest.Header("Content-Type", "application/json")), body);
    }
}
