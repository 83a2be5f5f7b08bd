package dev.thaw.runtimeapi;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Serves {@code /2018-06-01/runtime/...} for one environment on one loopback port, translating each call into an
 * {@link InvocationChannel} operation. Thaw adds two calls of its own: {@code POST /runtime/thaw/checkpoint}, with
 * which the SnapStart runtime says it has run its beforeCheckpoint hooks and closed its sockets, and
 * {@code GET} and {@code POST /runtime/thaw/warmup}, which answer like {@code next} and {@code response} without
 * touching an invocation, so the runtime can run its HTTP path once before the checkpoint.
 */
public final class RuntimeApiServer implements AutoCloseable {
    private static final String BASE = "/2018-06-01/runtime";
    private static final HeaderName REQUEST_ID = HeaderNames.create("Lambda-Runtime-Aws-Request-Id");
    private static final HeaderName DEADLINE = HeaderNames.create("Lambda-Runtime-Deadline-Ms");
    private static final HeaderName FUNCTION_ARN = HeaderNames.create("Lambda-Runtime-Invoked-Function-Arn");
    private static final HeaderName TRACE_ID = HeaderNames.create("Lambda-Runtime-Trace-Id");
    private static final HeaderName CLIENT_CONTEXT = HeaderNames.create("Lambda-Runtime-Client-Context");
    private static final HeaderName COGNITO = HeaderNames.create("Lambda-Runtime-Cognito-Identity");
    private static final HeaderName ERROR_TYPE = HeaderNames.create("Lambda-Runtime-Function-Error-Type");
    private static final long POLL_SLICE_MS = 1000;

    private final WebServer server;
    private final InvocationChannel channel;

    private RuntimeApiServer(InvocationChannel channel, int port) {
        this.channel = channel;
        this.server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                // Ports are reused as environments come and go: a closed one's connections may sit in TIME_WAIT.
                .putListenerSocketOption(java.net.StandardSocketOptions.SO_REUSEADDR, true)
                .maxPayloadSize(InvocationChannel.MAX_RESPONSE_BYTES + 1024 * 1024)
                .shutdownGracePeriod(Duration.ZERO)
                .routing(this::routes)
                .build();
    }

    /** Starts a server for {@code channel} on {@code port} (0 picks a free one). */
    public static RuntimeApiServer start(InvocationChannel channel, int port) {
        RuntimeApiServer s = new RuntimeApiServer(channel, port);
        s.server.start();
        if (!s.server.isRunning()) {
            // Helidon logs a failed bind and shuts down instead of throwing.
            throw new IllegalStateException("the Runtime API server could not listen on 127.0.0.1:" + port);
        }
        return s;
    }

    public int port() {
        return server.port();
    }

    /** The value of AWS_LAMBDA_RUNTIME_API for this environment. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    private void routes(HttpRouting.Builder r) {
        r.get(BASE + "/invocation/next", this::next)
                .post(BASE + "/invocation/{id}/response", this::response)
                .post(BASE + "/invocation/{id}/error", this::error)
                .post(BASE + "/init/error", this::initError)
                .post(BASE + "/restore/error", this::restoreError)
                .post(BASE + "/thaw/checkpoint", this::checkpoint)
                .get(BASE + "/thaw/warmup", (req, res) -> {
                    res.header(REQUEST_ID, "warmup");
                    res.header(DEADLINE, Long.toString(System.currentTimeMillis()));
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send("{}".getBytes(StandardCharsets.UTF_8));
                })
                .post(BASE + "/thaw/warmup", (req, res) -> {
                    req.content().inputStream().readAllBytes();
                    accepted(res);
                })
                .any((req, res) -> problem(res, Status.NOT_FOUND_404, "UnknownPath", "No such Runtime API call: "
                        + req.prologue().method().text() + " " + req.path().path()));
    }

    private void next(ServerRequest req, ServerResponse res) {
        Invocation inv = null;
        while (inv == null) {
            if (channel.isClosed()) {
                problem(res, Status.INTERNAL_SERVER_ERROR_500, "ServiceException", "environment is shutting down");
                return;
            }
            try {
                inv = channel.next(POLL_SLICE_MS);
            } catch (InterruptedException e) {
                // The server is stopping with the environment; the runtime is being stopped too.
                problem(res, Status.INTERNAL_SERVER_ERROR_500, "ServiceException", "environment is shutting down");
                return;
            }
        }
        res.header(REQUEST_ID, inv.requestId());
        res.header(DEADLINE, Long.toString(inv.deadlineEpochMs()));
        res.header(FUNCTION_ARN, inv.invokedFunctionArn());
        res.header(TRACE_ID, inv.traceId());
        inv.clientContext().ifPresent(c -> res.header(CLIENT_CONTEXT, c));
        inv.cognitoIdentity().ifPresent(c -> res.header(COGNITO, c));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(inv.payload());
    }

    private void response(ServerRequest req, ServerResponse res) throws IOException {
        String id = req.path().pathParameters().get("id");
        byte[] body = readLimited(req.content().inputStream());
        RuntimeOutcome outcome = body == null ? new RuntimeOutcome.ResponseTooLarge(InvocationChannel.MAX_RESPONSE_BYTES)
                : new RuntimeOutcome.Response(body);
        if (!channel.complete(id, outcome)) {
            invalidTransition(res, id);
            return;
        }
        if (body == null) {
            problem(res, Status.REQUEST_ENTITY_TOO_LARGE_413, "RequestEntityTooLarge",
                    "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
            return;
        }
        accepted(res);
    }

    private void error(ServerRequest req, ServerResponse res) throws IOException {
        String id = req.path().pathParameters().get("id");
        RuntimeOutcome.Error err = readError(req);
        if (!channel.complete(id, err)) {
            invalidTransition(res, id);
            return;
        }
        accepted(res);
    }

    private void initError(ServerRequest req, ServerResponse res) throws IOException {
        channel.reportInitError(readError(req));
        accepted(res);
    }

    private void restoreError(ServerRequest req, ServerResponse res) throws IOException {
        channel.reportRestoreError(readError(req));
        accepted(res);
    }

    private void checkpoint(ServerRequest req, ServerResponse res) throws IOException {
        req.content().inputStream().readAllBytes();
        channel.requestCheckpoint();
        res.header(HeaderNames.CONNECTION, "close");
        accepted(res);
    }

    private static RuntimeOutcome.Error readError(ServerRequest req) throws IOException {
        String type = req.headers().first(ERROR_TYPE).orElse("Runtime.Unknown");
        byte[] body = readLimited(req.content().inputStream());
        return new RuntimeOutcome.Error(type, body == null ? new byte[0] : body);
    }

    /** Reads a body of at most 6 MB; null when it is larger (the rest is drained). */
    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] body = in.readNBytes((int) InvocationChannel.MAX_RESPONSE_BYTES + 1);
        if (body.length > InvocationChannel.MAX_RESPONSE_BYTES) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return null;
        }
        return body;
    }

    private static void accepted(ServerResponse res) {
        res.status(Status.ACCEPTED_202);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send("{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static void invalidTransition(ServerResponse res, String id) {
        problem(res, Status.FORBIDDEN_403, "InvalidStateTransition",
                "Invalid state transition: request " + id + " is not the invocation in flight");
    }

    private static void problem(ServerResponse res, Status status, String type, String message) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(ErrorBody.of(type, message));
    }

    @Override
    public void close() {
        server.stop();
    }
}
