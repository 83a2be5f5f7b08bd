package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A minimal client of Thaw's HTTP API for the CLI commands. Errors surface as {@link ApiError} with AWS's type. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String endpoint;
    private final Optional<RequestSigner> signer;

    /** A client that signs nothing, for a platform without access keys. */
    ApiClient(String endpoint) {
        this(endpoint, Optional.empty());
    }

    ApiClient(String endpoint, Optional<RequestSigner> signer) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.signer = signer;
    }

    static String encode(String pathPart) {
        return URLEncoder.encode(pathPart, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** An AWS-shaped error response. */
    static final class ApiError extends RuntimeException {
        final int status;
        final String type;

        ApiError(int status, String type, String message) {
            super(type + ": " + message);
            this.status = status;
            this.type = type;
        }
    }

    record Response(int status, Map<String, java.util.List<String>> headers, byte[] body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("response is not JSON: " + new String(body, StandardCharsets.UTF_8));
            }
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    Response send(String method, String path, byte[] body, Map<String, String> headers) {
        URI uri = URI.create(endpoint + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(16))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (body != null) {
            all.put("Content-Type", "application/json");
        }
        if (signer.isPresent()) {
            all = signer.get().sign(method, uri, all, body);
        }
        all.forEach(b::header);
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            Response resp = new Response(r.statusCode(), r.headers().map(), r.body());
            if (r.statusCode() >= 400) {
                String type = resp.header("x-amzn-ErrorType");
                String message = new String(r.body(), StandardCharsets.UTF_8);
                try {
                    message = JSON.readTree(r.body()).path("message").asText(message);
                } catch (IOException ignored) {
                    // Not JSON: keep the raw body.
                }
                throw new ApiError(r.statusCode(), type == null ? "HTTP " + r.statusCode() : type, message);
            }
            return resp;
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach Thaw at " + endpoint + " (" + e.getMessage()
                    + "); is `thaw server` running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops every idle environment of the platform; returns how many it stopped. */
    int evictIdle() {
        return json("POST", "/thaw/v1/evict", JSON.createObjectNode()).path("Evicted").asInt();
    }

    /** How many environments the platform runs now. */
    int environmentCount() {
        return json("GET", "/thaw/v1/environments", null).path("Environments").size();
    }

    JsonNode json(String method, String path, JsonNode body) {
        try {
            return send(method, path, body == null ? null : JSON.writeValueAsBytes(body), Map.of()).json();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
