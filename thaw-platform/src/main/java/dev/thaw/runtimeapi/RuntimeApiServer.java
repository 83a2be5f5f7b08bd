package dev.thaw.runtimeapi;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.thaw.contract.RuntimeContract;
import dev.thaw.errors.RuntimeErrorType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code /2018-06-01/runtime/...} for one environment on {@value #ADDRESS}, inside the environment's network
 * namespace (so every environment has the same address, and only it can reach its own), translating each call into an
 * {@link InvocationChannel} operation. Thaw adds two calls of its own: {@code POST /runtime/thaw/checkpoint}, with
 * which the SnapStart runtime says it has run its beforeCheckpoint hooks and closed its sockets, and
 * {@code GET} and {@code POST /runtime/thaw/warmup}, which answer like {@code next} and {@code response} without
 * touching an invocation, so the runtime can run its HTTP path once before the checkpoint. For class priming,
 * {@code POST /runtime/thaw/loaded-classes} takes a {@code $LATEST} runtime's report of the classes it loaded and
 * {@code GET /runtime/thaw/classes-to-prime} gives a SnapStart runtime the classes to load before its checkpoint.
 *
 * The same server answers the environment's container credentials endpoint ({@link CredentialsEndpoint}).
 *
 * <p>Built on the JDK's HTTP server, whose {@link #close()} ends every thread the server started: a server lives
 * only as long as its environment, and environments come and go all day. {@link #bind} binds the socket in the
 * calling thread and starts no thread, so it can run on a thread that has entered the environment's namespace.
 *
 * <p>The invoke path's calls ({@code next}, {@code response}, {@code error}) run in the server's own dispatcher
 * thread, and a {@code next} that finds no invocation is answered by the thread that submits one
 * ({@link InvocationChannel.Poller}): a warm invoke crosses no executor. Every other call, which may block (the
 * credentials endpoint, INIT and checkpoint signals), runs on a virtual thread.
 */
public final class RuntimeApiServer implements AutoCloseable {
    private static final String BASE = RuntimeContract.RUNTIME_API_BASE;
    private static final String INVOCATION = BASE + "/invocation/";
    /** A larger event is written to the runtime by a virtual thread, so a runtime slow to read it delays no one. */
    private static final int INLINE_DELIVERY_BYTES = 64 * 1024;
    /** Runs the calls that may block, for every Runtime API server. */
    private static final ExecutorService HANDLERS = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("runtime-api-", 0).factory());

    /** Lambda's Runtime API port, in every environment. */
    public static final int PORT = 9001;
    /** The value of AWS_LAMBDA_RUNTIME_API in every environment. */
    public static final String ADDRESS = "127.0.0.1:9001";

    private final HttpServer server;
    private final InvocationChannel channel;
    private final CredentialsEndpoint credentials;

    private RuntimeApiServer(InvocationChannel channel, CredentialsEndpoint credentials, HttpServer server) {
        this.channel = channel;
        this.credentials = credentials;
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(null); // the dispatcher thread; handle() moves what may block to HANDLERS
    }

    /**
     * Binds a server for {@code channel} on {@value #ADDRESS} of the calling thread's network namespace, without
     * starting it.
     */
    public static RuntimeApiServer bind(InvocationChannel channel, CredentialsEndpoint credentials) {
        try {
            return new RuntimeApiServer(channel, credentials,
                    HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 64));
        } catch (IOException e) {
            throw new IllegalStateException("the Runtime API server could not listen on " + ADDRESS + ": "
                    + e.getMessage(), e);
        }
    }

    /** Starts serving; returns this server. */
    public RuntimeApiServer start() {
        server.start();
        return this;
    }

    /** The value of AWS_LAMBDA_RUNTIME_API for this environment. */
    public String address() {
        return ADDRESS;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        if (method.equals("GET") && path.equals(INVOCATION + "next")) {
            next(exchange);
        } else if (method.equals("POST") && path.startsWith(INVOCATION)) {
            try (exchange) {
                route(exchange, method, path);
            }
        } else {
            HANDLERS.execute(() -> {
                try (exchange) {
                    route(exchange, method, path);
                } catch (IOException | RuntimeException e) {
                    // The runtime went away mid-call; its connection is closed with the exchange.
                }
            });
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        if (get && path.equals(INVOCATION + "next")) {
            next(ex);
        } else if (post && path.startsWith(INVOCATION) && path.endsWith("/response")) {
            response(ex, requestId(path, "/response"));
        } else if (post && path.startsWith(INVOCATION) && path.endsWith("/error")) {
            error(ex, requestId(path, "/error"));
        } else if (post && path.equals(BASE + "/init/error")) {
            channel.reportInitError(readError(ex));
            accepted(ex);
        } else if (post && path.equals(BASE + "/restore/error")) {
            channel.reportRestoreError(readError(ex));
            accepted(ex);
        } else if (post && path.equals(BASE + RuntimeContract.CHECKPOINT)) {
            byte[] summary = readLimited(ex.getRequestBody());
            channel.requestCheckpoint(summary == null ? new byte[0] : summary);
            ex.getResponseHeaders().set("Connection", "close");
            accepted(ex);
        } else if (get && path.equals(CredentialsEndpoint.PATH)) {
            CredentialsEndpoint.Reply reply = credentials.answer(ex.getRequestHeaders().getFirst("Authorization"));
            send(ex, reply.status(), reply.body());
        } else if (post && path.equals(BASE + RuntimeContract.LOADED_CLASSES)) {
            byte[] names = readLimited(ex.getRequestBody());
            if (names == null) {
                problem(ex, 413, "RequestEntityTooLarge", "The list of loaded classes is too large.");
            } else if (!channel.reportLoadedClasses(names)) {
                problem(ex, 403, "NotRecording", "This environment's loaded classes are not recorded.");
            } else {
                accepted(ex);
            }
        } else if (get && path.equals(BASE + RuntimeContract.CLASSES_TO_PRIME)) {
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            byte[] names = channel.classesToPrime();
            ex.sendResponseHeaders(200, names.length == 0 ? -1 : names.length);
            if (names.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(names);
                }
            }
        } else if (get && path.equals(BASE + RuntimeContract.WARMUP)) {
            Headers h = ex.getResponseHeaders();
            h.set("Lambda-Runtime-Aws-Request-Id", "warmup");
            h.set("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis()));
            send(ex, 200, "{}".getBytes(StandardCharsets.UTF_8));
        } else if (post && path.equals(BASE + RuntimeContract.WARMUP)) {
            ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
            accepted(ex);
        } else {
            problem(ex, 404, "UnknownPath", "No such Runtime API call: " + method + " " + path);
        }
    }

    /** The {@code {id}} of {@code /invocation/{id}/<suffix>}; empty when the path has more segments. */
    private static String requestId(String path, String suffix) {
        String id = path.substring(INVOCATION.length(), path.length() - suffix.length());
        return id.indexOf('/') >= 0 ? "" : id;
    }

    /** Answers at once when an invocation is queued; otherwise the exchange waits, open, as a poller. */
    private void next(HttpExchange ex) throws IOException {
        PendingNext pending = new PendingNext(ex);
        Invocation inv;
        try {
            inv = channel.nextOrWait(pending);
        } catch (IllegalStateException closed) {
            pending.closed();
            return;
        }
        if (inv != null) {
            pending.write(inv);
        }
    }

    /** A runtime's {@code next} exchange, kept open until an invocation or the channel's close answers it. */
    private record PendingNext(HttpExchange ex) implements InvocationChannel.Poller {
        @Override
        public void deliver(Invocation invocation) {
            if (invocation.payload().length > INLINE_DELIVERY_BYTES) {
                HANDLERS.execute(() -> write(invocation));
            } else {
                write(invocation);
            }
        }

        void write(Invocation inv) {
            try (ex) {
                Headers h = ex.getResponseHeaders();
                h.set("Lambda-Runtime-Aws-Request-Id", inv.requestId());
                h.set("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineEpochMs()));
                h.set("Lambda-Runtime-Invoked-Function-Arn", inv.invokedFunctionArn());
                h.set("Lambda-Runtime-Trace-Id", inv.traceId());
                inv.clientContext().ifPresent(c -> h.set("Lambda-Runtime-Client-Context", c));
                inv.cognitoIdentity().ifPresent(c -> h.set("Lambda-Runtime-Cognito-Identity", c));
                send(ex, 200, inv.payload());
            } catch (IOException | RuntimeException gone) {
                // The runtime's connection is gone; its process's exit fails the invocation.
            }
        }

        @Override
        public void closed() {
            try (ex) {
                problem(ex, 500, "ServiceException", "environment is shutting down");
            } catch (IOException | RuntimeException gone) {
                // Nothing is listening any more.
            }
        }
    }

    private void response(HttpExchange ex, String id) throws IOException {
        byte[] body = readLimited(ex.getRequestBody());
        RuntimeOutcome outcome = body == null ? new RuntimeOutcome.ResponseTooLarge(InvocationChannel.MAX_RESPONSE_BYTES)
                : new RuntimeOutcome.Response(body);
        if (!channel.complete(id, outcome)) {
            invalidTransition(ex, id);
        } else if (body == null) {
            problem(ex, 413, "RequestEntityTooLarge",
                    "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
        } else {
            accepted(ex);
        }
    }

    private void error(HttpExchange ex, String id) throws IOException {
        if (!channel.complete(id, readError(ex))) {
            invalidTransition(ex, id);
        } else {
            accepted(ex);
        }
    }

    private static RuntimeOutcome.Error readError(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Lambda-Runtime-Function-Error-Type");
        byte[] body = readLimited(ex.getRequestBody());
        return new RuntimeOutcome.Error(type == null || type.isEmpty() ? RuntimeErrorType.UNKNOWN.type() : type,
                body == null ? new byte[0] : body);
    }

    /** Reads a body of at most 6 MB; null when it is larger (the rest is drained). */
    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] body = in.readNBytes((int) InvocationChannel.MAX_RESPONSE_BYTES + 1);
        if (body.length > InvocationChannel.MAX_RESPONSE_BYTES) {
            in.transferTo(OutputStream.nullOutputStream());
            return null;
        }
        return body;
    }

    private static void accepted(HttpExchange ex) throws IOException {
        send(ex, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static void invalidTransition(HttpExchange ex, String id) throws IOException {
        problem(ex, 403, "InvalidStateTransition",
                "Invalid state transition: request " + id + " is not the invocation in flight");
    }

    private static void problem(HttpExchange ex, int status, String type, String message) throws IOException {
        send(ex, status, ErrorBody.of(type, message));
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops listening, closes every connection and ends the server's threads. */
    @Override
    public void close() {
        server.stop(0);
    }
}
