package dev.thaw.runtime;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Runtime API on a random local port for tests: records every request, answers {@code /invocation/next}
 * with the events the test queues (blocking until one is queued, like the real long poll) and every other
 * call with 202.
 */
public final class FakeRuntimeApi implements AutoCloseable {

    public static final String NEXT = "/2018-06-01/runtime/invocation/next";
    public static final String WARMUP = "/2018-06-01/runtime/thaw/warmup";

    /** A request the runtime made. */
    public record Request(String method, String path, Headers headers, byte[] body) {
        public String header(String name) {
            return headers.getFirst(name);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return method + " " + path + " " + bodyText();
        }
    }

    /** What the next {@code /invocation/next} returns. */
    public record Event(int status, String requestId, String payload, Map<String, String> headers) {
        public static Event of(String requestId, String payload) {
            return new Event(200, requestId, payload, Map.of());
        }

        public static Event withHeaders(String requestId, String payload, Map<String, String> headers) {
            return new Event(200, requestId, payload, headers);
        }

        /** A Runtime API failure; 500 tells the runtime to exit. */
        public static Event failure(int status) {
            return new Event(status, null, "", Map.of());
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final BlockingQueue<Request> received = new LinkedBlockingQueue<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    public FakeRuntimeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-runtime-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public void enqueue(Event event) {
        events.add(event);
    }

    /** The next request the runtime made, waiting up to {@code timeout}. */
    public Request take(Duration timeout) throws InterruptedException {
        Request request = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (request == null) {
            throw new AssertionError("no request reached " + address() + " within " + timeout);
        }
        return request;
    }

    public Request take() throws InterruptedException {
        return take(Duration.ofSeconds(10));
    }

    /** Requests received and not yet taken. */
    public int pending() {
        return received.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            received.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders(), body));
            if (path.equals(WARMUP) && exchange.getRequestMethod().equals("GET")) {
                // As the platform answers it: like next, with no invocation behind it.
                exchange.getResponseHeaders().set("Lambda-Runtime-Aws-Request-Id", "warmup");
                byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, empty.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(empty);
                }
                return;
            }
            if (!path.equals(NEXT)) {
                exchange.sendResponseHeaders(202, -1);
                return;
            }
            Event event;
            try {
                event = events.take();
            } catch (InterruptedException e) {
                return; // closing
            }
            if (event.status() != 200) {
                exchange.sendResponseHeaders(event.status(), -1);
                return;
            }
            byte[] payload = event.payload().getBytes(StandardCharsets.UTF_8);
            Headers headers = exchange.getResponseHeaders();
            headers.set("Lambda-Runtime-Aws-Request-Id", event.requestId());
            headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 30_000));
            headers.set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:fn");
            event.headers().forEach(headers::set);
            exchange.sendResponseHeaders(200, payload.length == 0 ? -1 : payload.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(payload);
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
