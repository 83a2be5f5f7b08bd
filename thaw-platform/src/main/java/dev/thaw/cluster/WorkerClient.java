package dev.thaw.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A router's calls to workers' internal API, with the cluster token. Blocking, on the thread that routes the
 * invocation (the API's request thread), over kept-alive connections with Nagle's algorithm off: a request is
 * written, and its answer read, without handing it to another thread.
 */
final class WorkerClient {
    static final String INVOKE_PATH = "/thaw/internal/v1/invoke/";
    static final String CODE_PATH = "/thaw/internal/v1/code/";
    static final String LAYERS_PATH = "/thaw/internal/v1/layers/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Beyond the function's own timeout: the worker's cold start and its reply. */
    private static final Duration REPLY_MARGIN = Duration.ofSeconds(60);

    private final ClusterToken token;
    private static final HeaderName TOKEN = HeaderNames.create(ClusterToken.HEADER);
    private static final HeaderName CODE_SHA256 = HeaderNames.create("X-Thaw-Code-Sha256");
    private static final HeaderName REQUEST_ID = HeaderNames.create("X-Thaw-Request-Id");
    private static final HeaderName LOG_TYPE = HeaderNames.create("X-Amz-Log-Type");
    private static final HeaderName CLIENT_CONTEXT = HeaderNames.create("X-Amz-Client-Context");
    private static final HeaderName TRACE = HeaderNames.create("X-Amzn-Trace-Id");
    private static final HeaderName EXECUTED_VERSION = HeaderNames.create("X-Amz-Executed-Version");
    private static final HeaderName FUNCTION_ERROR = HeaderNames.create("X-Amz-Function-Error");
    private static final HeaderName LOG_RESULT = HeaderNames.create("X-Amz-Log-Result");
    private static final HeaderName LAYER_SHA256S = HeaderNames.create("X-Thaw-Layer-Sha256s");
    private static final HeaderName MISSING_CODE = HeaderNames.create(WorkerNode.MISSING_CODE_HEADER);
    private static final HeaderName MISSING_LAYERS = HeaderNames.create(WorkerNode.MISSING_LAYERS_HEADER);
    private static final HeaderName ERROR_TYPE = HeaderNames.create("x-amzn-ErrorType");

    private final WebClient http = WebClient.builder()
            .connectTimeout(CONNECT_TIMEOUT)
            .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).tcpNoDelay(true).build())
            .followRedirects(false)
            .shareConnectionCache(false)
            .build();

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
        HttpClientRequest b = http.post("http://" + worker.address() + INVOKE_PATH + "{function}/{version}")
                .pathParam("function", function)
                .pathParam("version", version)
                .readTimeout(Duration.ofSeconds(timeoutSeconds).plus(REPLY_MARGIN))
                .header(TOKEN, token.value())
                .header(CODE_SHA256, codeSha256)
                .header(REQUEST_ID, requestId);
        if (request.tailLog()) {
            b.header(LOG_TYPE, "Tail");
        }
        if (!layerSha256s.isEmpty()) {
            b.header(LAYER_SHA256S, String.join(",", layerSha256s));
        }
        request.clientContext().ifPresent(c -> b.header(CLIENT_CONTEXT,
                java.util.Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8))));
        request.traceHeader().ifPresent(t -> b.header(TRACE, t));
        Answer response = send(worker, b, request.payload());
        Optional<String> missingCode = response.headers().first(MISSING_CODE);
        Optional<String> missingLayers = response.headers().first(MISSING_LAYERS);
        if (missingCode.isPresent() || missingLayers.isPresent()) {
            throw new MissingContent(missingCode, missingLayers.map(l -> List.of(l.split(","))).orElse(List.of()));
        }
        if (response.status() != 200) {
            throw error(response);
        }
        return new InvokeResponse(200, response.body(),
                response.headers().first(EXECUTED_VERSION).orElse(version),
                response.headers().first(FUNCTION_ERROR),
                response.headers().first(LOG_RESULT));
    }

    void putCode(WorkerStatus worker, String sha256, byte[] zip) throws NotReached, LostInFlight {
        put(worker, CODE_PATH, sha256, zip);
    }

    void putLayer(WorkerStatus worker, String sha256, byte[] zip) throws NotReached, LostInFlight {
        put(worker, LAYERS_PATH, sha256, zip);
    }

    private void put(WorkerStatus worker, String path, String sha256, byte[] zip) throws NotReached, LostInFlight {
        Answer response = send(worker, http.put("http://" + worker.address() + path + sha256)
                .readTimeout(REPLY_MARGIN)
                .header(TOKEN, token.value()), zip);
        if (response.status() != 204 && response.status() != 200) {
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
        Answer response = send(worker, http.get("http://" + worker.address() + path + sha256)
                .readTimeout(REPLY_MARGIN)
                .header(TOKEN, token.value()), null);
        return response.status() == 200 ? Optional.of(response.body()) : Optional.empty();
    }

    /** A worker's answer, read in full. */
    private record Answer(int status, ClientResponseHeaders headers, byte[] body) {
    }

    /**
     * Sends the request with {@code body} (none when null) and reads the whole answer. A connection that cannot be
     * made means nothing ran there; any failure after it was made means the worker may have run the request.
     */
    private Answer send(WorkerStatus worker, HttpClientRequest request, byte[] body)
            throws NotReached, LostInFlight {
        HttpClientResponse response;
        try {
            response = body == null ? request.request() : request.submit(body);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof ConnectException || e.getCause() instanceof NoRouteToHostException
                    || e.getCause() instanceof SocketTimeoutException && duringConnect(e.getCause())) {
                throw new NotReached("worker " + worker.id() + " at " + worker.address() + " cannot be reached: "
                        + e.getCause(), e);
            }
            throw new LostInFlight("worker " + worker.id() + " at " + worker.address() + " went away: " + e, e);
        } catch (RuntimeException e) {
            throw new LostInFlight("worker " + worker.id() + " at " + worker.address() + " went away: " + e, e);
        }
        try (response) {
            // The raw bytes, without the media layer: a 204, or an error without a body, reads as empty.
            return new Answer(response.status().code(), response.headers(),
                    response.inputStream().readAllBytes());
        } catch (IOException | RuntimeException e) {
            throw new LostInFlight("worker " + worker.id() + " at " + worker.address() + " went away while "
                    + "answering: " + e, e);
        }
    }

    /** Whether a timeout came from making the connection (nothing was sent) rather than from waiting for an answer. */
    private static boolean duringConnect(Throwable timeout) {
        return Arrays.stream(timeout.getStackTrace())
                .anyMatch(f -> f.getClassName().equals("java.net.Socket") && f.getMethodName().equals("connect"));
    }

    /** The worker's AWS-shaped error, as the same exception here (type, message, extra fields, headers). */
    private static ThawException error(Answer response) {
        String type = response.headers().first(ERROR_TYPE).orElse("ServiceException");
        ErrorCode code = Arrays.stream(ErrorCode.values())
                .filter(c -> c.awsType().equals(type) && c.httpStatus() == response.status())
                .findFirst().orElse(ErrorCode.SERVICE);
        String message = "The worker failed (" + response.status() + ")";
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
        response.headers().first(HeaderNames.RETRY_AFTER).ifPresent(v -> headers.put("Retry-After", v));
        return new ThawException(code, message, extra, headers, null);
    }
}
