package dev.thaw.runtime;

import dev.thaw.contract.RuntimeContract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The Runtime API at one address ({@code host:port}), over the JDK's HttpURLConnection. Connections are kept
 * alive between calls (the JDK default) so warm invokes do not reconnect; that requires every response body
 * to be read to the end and closed, which {@link #exchange} does for success and error alike. The checkpoint
 * call is the exception: it must leave no socket behind.
 */
final class RuntimeApiClient {

    private static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String address;
    private final String base;

    RuntimeApiClient(String address) {
        this.address = address;
        this.base = "http://" + address + RuntimeContract.RUNTIME_API_BASE;
    }

    String address() {
        return address;
    }

    /** Long poll: no read timeout, the environment may wait (or be frozen) here for any time. */
    Invocation nextInvocation() throws IOException {
        return fetchInvocation("/invocation/next");
    }

    /** GETs {@code path} and reads the answer as {@code next}'s: the event as body, its context in headers. */
    private Invocation fetchInvocation(String path) throws IOException {
        HttpURLConnection c = open(path, "GET");
        byte[] body = exchange(c, "GET " + path);
        String requestId = c.getHeaderField("Lambda-Runtime-Aws-Request-Id");
        if (requestId == null || requestId.isBlank()) {
            throw new IOException("GET " + path + " returned no Lambda-Runtime-Aws-Request-Id");
        }
        return new Invocation(
                requestId,
                parseDeadline(c.getHeaderField("Lambda-Runtime-Deadline-Ms")),
                Optional.ofNullable(c.getHeaderField("Lambda-Runtime-Invoked-Function-Arn")).orElse(""),
                header(c, "Lambda-Runtime-Trace-Id"),
                header(c, "Lambda-Runtime-Client-Context"),
                header(c, "Lambda-Runtime-Cognito-Identity"),
                body);
    }

    /**
     * Runs the invoke path's HTTP once, a GET answered like {@code next} and a POST like a response, on the
     * platform's warm-up calls: the JDK classes behind a kept-alive exchange are then loaded before a checkpoint
     * instead of on a restored copy's first invoke.
     */
    void warmUp() throws IOException {
        fetchInvocation(RuntimeContract.WARMUP);
        post(RuntimeContract.WARMUP, "{}".getBytes(StandardCharsets.UTF_8), null);
    }

    /** The classes to prime before a checkpoint, one name a line as the platform sends them. */
    List<String> classesToPrime() throws IOException {
        HttpURLConnection c = open(RuntimeContract.CLASSES_TO_PRIME, "GET");
        String body = new String(exchange(c, "GET " + RuntimeContract.CLASSES_TO_PRIME), StandardCharsets.UTF_8);
        return body.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** Tells the platform which classes the function's loader loaded since the last report. */
    void reportLoadedClasses(List<String> names) throws IOException {
        post(RuntimeContract.LOADED_CLASSES, String.join("\n", names).getBytes(StandardCharsets.UTF_8), null,
                "text/plain; charset=utf-8");
    }

    void postResponse(String requestId, byte[] response) throws IOException {
        post("/invocation/" + requestId + "/response", response, null);
    }

    void postInvocationError(String requestId, RuntimeErrorType type, byte[] errorJson) throws IOException {
        post("/invocation/" + requestId + "/error", errorJson, type);
    }

    void postInitError(RuntimeErrorType type, byte[] errorJson) throws IOException {
        post("/init/error", errorJson, type);
    }

    void postRestoreError(RuntimeErrorType type, byte[] errorJson) throws IOException {
        post("/restore/error", errorJson, type);
    }

    /**
     * Asks the platform to snapshot this process, leaving no socket behind for CRIU to find: the kept-alive
     * connection is closed first, and the request goes out on a connection of its own with {@code Connection: close},
     * which the platform answers in kind (the JDK decides keep-alive from the response alone, and would otherwise
     * park the connection in its cache, out of disconnect()'s reach). {@code body} is the priming summary (JSON).
     */
    void requestCheckpoint(byte[] body) throws IOException {
        closeCachedConnection();
        HttpURLConnection c = open(RuntimeContract.CHECKPOINT, "POST");
        c.setRequestProperty("Connection", "close");
        c.setRequestProperty("Content-Type", "application/json");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(body.length);
        try {
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            exchange(c, "POST /thaw/checkpoint");
        } finally {
            c.disconnect();
        }
    }

    /** connect() on a new connection takes the cached socket out of the cache; disconnect() before any request closes it. */
    private void closeCachedConnection() throws IOException {
        HttpURLConnection c = open(RuntimeContract.CHECKPOINT, "GET");
        c.connect();
        c.disconnect();
    }

    /**
     * Not in fixed-length streaming mode, on purpose: for a streaming POST over a kept-alive connection the JDK
     * first probes the socket with a 1 ms poll timeout (HttpClient.available()), which would add over a
     * millisecond to every warm invoke. Buffered, the JDK sends the Content-Length it counted, and headers and
     * body leave in one write.
     */
    private void post(String path, byte[] body, RuntimeErrorType errorType) throws IOException {
        post(path, body, errorType, "application/json");
    }

    private void post(String path, byte[] body, RuntimeErrorType errorType, String contentType) throws IOException {
        HttpURLConnection c = open(path, "POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", contentType);
        if (errorType != null) {
            c.setRequestProperty(ERROR_TYPE_HEADER, errorType.header());
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        exchange(c, "POST " + path);
    }

    private HttpURLConnection open(String path, String method) throws IOException {
        // The Runtime API is local: never route it through a proxy the function may have configured.
        HttpURLConnection c = (HttpURLConnection) new URL(base + path).openConnection(Proxy.NO_PROXY);
        c.setRequestMethod(method);
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(0);
        c.setUseCaches(false);
        return c;
    }

    /** Reads the whole body (error bodies too) and closes it, so the connection returns to the keep-alive cache. */
    private static byte[] exchange(HttpURLConnection c, String call) throws IOException {
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        byte[] body;
        if (in == null) {
            body = new byte[0];
        } else {
            try (InputStream stream = in) {
                body = readAll(stream, c.getContentLengthLong());
            }
        }
        if (status / 100 != 2) {
            throw new RuntimeApiException(call, status, new String(body, StandardCharsets.UTF_8));
        }
        return body;
    }

    private static byte[] readAll(InputStream in, long contentLength) throws IOException {
        if (contentLength >= 0 && contentLength <= Integer.MAX_VALUE - 8) {
            return in.readNBytes((int) contentLength);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static Optional<String> header(HttpURLConnection c, String name) {
        String value = c.getHeaderField(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** No deadline header means no known deadline. */
    private static long parseDeadline(String value) {
        try {
            return value == null ? Long.MAX_VALUE : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
