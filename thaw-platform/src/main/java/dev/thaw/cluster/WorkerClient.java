package dev.thaw.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A router's calls to workers' internal API, with the cluster token. */
final class WorkerClient {
    static final String INVOKE_PATH = "/thaw/internal/v1/invoke/";
    static final String CODE_PATH = "/thaw/internal/v1/code/";
    static final String LAYERS_PATH = "/thaw/internal/v1/layers/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Beyond the function's own timeout: the worker's cold start and its reply. */
    private static final Duration REPLY_MARGIN = Duration.ofSeconds(60);

    private final ClusterToken token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();

    WorkerClient(ClusterToken token) {
        this.token = token;
    }

    /** The worker could not be reached: nothing ran there. */
    static final class NotReached extends Exception {
        NotReached(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The worker took the request and then went away: it may have run. */
    static final class LostInFlight extends Exception {
        LostInFlight(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The worker lacks the code package or the layer archives named (by SHA-256). */
    static final class MissingContent extends Exception {
        final Optional<String> code;
        final List<String> layers;

        MissingContent(Optional<String> code, List<String> layers) {
            super("missing code " + code.orElse("(none)") + ", layers " + layers);
            this.code = code;
            this.layers = layers;
        }
    }

    InvokeResponse invoke(WorkerStatus worker, String function, String version, String codeSha256,
                          List<String> layerSha256s, InvokeRequest request, String requestId, int timeoutSeconds)
            throws NotReached, LostInFlight, MissingContent {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + worker.address() + INVOKE_PATH
                        + encode(function) + "/" + encode(version)))
                .timeout(Duration.ofSeconds(timeoutSeconds).plus(REPLY_MARGIN))
                .header(ClusterToken.HEADER, token.value())
                .header("X-Thaw-Code-Sha256", codeSha256)
                .header("X-Thaw-Request-Id", requestId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.payload()));
        if (request.tailLog()) {
            b.header("X-Amz-Log-Type", "Tail");
        }
        if (!layerSha256s.isEmpty()) {
            b.header("X-Thaw-Layer-Sha256s", String.join(",", layerSha256s));
        }
        request.clientContext().ifPresent(c -> b.header("X-Amz-Client-Context",
                java.util.Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8))));
        request.traceHeader().ifPresent(t -> b.header("X-Amzn-Trace-Id", t));
        HttpResponse<byte[]> response = send(worker, b.build());
        Optional<String> missingCode = response.headers().firstValue(WorkerNode.MISSING_CODE_HEADER);
        Optional<String> missingLayers = response.headers().firstValue(WorkerNode.MISSING_LAYERS_HEADER);
        if (missingCode.isPresent() || missingLayers.isPresent()) {
            throw new MissingContent(missingCode, missingLayers.map(l -> List.of(l.split(","))).orElse(List.of()));
        }
        if (response.statusCode() != 200) {
            throw error(response);
        }
        return new InvokeResponse(200, response.body(),
                response.headers().firstValue("X-Amz-Executed-Version").orElse(version),
                response.headers().firstValue("X-Amz-Function-Error"),
                response.headers().firstValue("X-Amz-Log-Result"));
    }

    void putCode(WorkerStatus worker, String sha256, byte[] zip) throws NotReached, LostInFlight {
        put(worker, CODE_PATH, sha256, zip);
    }

    void putLayer(WorkerStatus worker, String sha256, byte[] zip) throws NotReached, LostInFlight {
        put(worker, LAYERS_PATH, sha256, zip);
    }

    private void put(WorkerStatus worker, String path, String sha256, byte[] zip) throws NotReached, LostInFlight {
        HttpResponse<byte[]> response = send(worker, HttpRequest.newBuilder(URI.create("http://" + worker.address()
                        + path + sha256))
                .timeout(REPLY_MARGIN)
                .header(ClusterToken.HEADER, token.value())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(zip)).build());
        if (response.statusCode() != 204 && response.statusCode() != 200) {
            throw error(response);
        }
    }

    /** The worker's copy of a code package, or empty when it has none. */
    Optional<byte[]> getCode(WorkerStatus worker, String sha256) throws NotReached, LostInFlight {
        return get(worker, CODE_PATH, sha256);
    }

    /** The worker's copy of a layer's archive, or empty when it has none. */
    Optional<byte[]> getLayer(WorkerStatus worker, String sha256) throws NotReached, LostInFlight {
        return get(worker, LAYERS_PATH, sha256);
    }

    private Optional<byte[]> get(WorkerStatus worker, String path, String sha256) throws NotReached, LostInFlight {
        HttpResponse<byte[]> response = send(worker, HttpRequest.newBuilder(URI.create("http://" + worker.address()
                        + path + sha256))
                .timeout(REPLY_MARGIN)
                .header(ClusterToken.HEADER, token.value())
                .GET().build());
        return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    }

    private HttpResponse<byte[]> send(WorkerStatus worker, HttpRequest request) throws NotReached, LostInFlight {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new NotReached("worker " + worker.id() + " at " + worker.address() + " cannot be reached: " + e,
                    e);
        } catch (IOException e) {
            throw new LostInFlight("worker " + worker.id() + " at " + worker.address() + " went away: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LostInFlight("interrupted while worker " + worker.id() + " ran the invocation", e);
        }
    }

    /** The worker's AWS-shaped error, as the same exception here (type, message, extra fields, headers). */
    private static ThawException error(HttpResponse<byte[]> response) {
        String type = response.headers().firstValue("x-amzn-ErrorType").orElse("ServiceException");
        ErrorCode code = Arrays.stream(ErrorCode.values())
                .filter(c -> c.awsType().equals(type) && c.httpStatus() == response.statusCode())
                .findFirst().orElse(ErrorCode.SERVICE);
        String message = "The worker failed (" + response.statusCode() + ")";
        Map<String, String> extra = new HashMap<>();
        try {
            JsonNode body = JSON.readTree(response.body());
            message = body.path("message").asText(message);
            body.fields().forEachRemaining(f -> {
                if (!Map.of("__type", 0, "message", 0, "Message", 0, "Type", 0).containsKey(f.getKey())
                        && f.getValue().isValueNode()) {
                    extra.put(f.getKey(), f.getValue().asText());
                }
            });
        } catch (IOException notJson) {
            // the status and type say enough
        }
        Map<String, String> headers = new HashMap<>();
        response.headers().firstValue("Retry-After").ifPresent(v -> headers.put("Retry-After", v));
        return new ThawException(code, message, extra, headers, null);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
