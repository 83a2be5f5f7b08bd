package dev.thaw.api;

import dev.thaw.cluster.ClusterToken;
import dev.thaw.cluster.WorkerNode;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;
import dev.thaw.invoke.InvokeService;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code thaw worker}'s internal API, through which API instances hand it invocations, code packages and layers.
 * It listens only on {@code --listen}, and every request must bear the cluster token (compared in constant time);
 * environments never reach it (the worker's egress rules drop whatever they send to the host). Errors keep AWS's
 * shape, so a router passes a worker's refusal on as it came.
 */
public final class WorkerApiServer implements AutoCloseable {
    private static final String BASE = "/thaw/internal/v1";
    /** A code package may be as large as CreateFunction accepts. */
    private static final int MAX_CODE_BYTES = 70 * 1024 * 1024;

    private final String host;
    private final int port;
    private final ClusterToken token;
    private final WorkerNode worker;
    private WebServer server;

    public WorkerApiServer(String host, int port, ClusterToken token, WorkerNode worker) {
        this.host = host;
        this.port = port;
        this.token = token;
        this.worker = worker;
    }

    public WorkerApiServer start() {
        server = WebServer.builder()
                .host(host)
                .port(port)
                .maxPayloadSize(MAX_CODE_BYTES)
                .idleConnectionTimeout(Duration.ofSeconds(60))
                // Answers go out at once, not held back until the router acknowledges an earlier segment.
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .shutdownGracePeriod(Duration.ofSeconds(1))
                .directHandlers(TransportErrors.handlers())
                .routing(r -> {
                    r.any((req, res) -> {
                        if (!token.matches(req.headers().first(HeaderNames.create(ClusterToken.HEADER))
                                .orElse(null))) {
                            throw new ThawException(ErrorCode.UNRECOGNIZED_CLIENT,
                                    "The cluster token is missing or wrong.");
                        }
                        res.next();
                    });
                    r.post(BASE + "/invoke/{name}/{version}", this::invoke);
                    r.put(BASE + "/code/{sha256}", this::storeCode);
                    r.get(BASE + "/code/{sha256}", this::readCode);
                    r.put(BASE + "/layers/{sha256}", this::storeLayer);
                    r.get(BASE + "/layers/{sha256}", this::readLayer);
                    r.any((req, res) -> AwsErrors.send(req, res, AwsErrors.unknownOperation(req)));
                    r.error(Throwable.class, AwsErrors::send);
                })
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("the worker API could not listen on " + host + ":" + port);
        }
        return this;
    }

    public int port() {
        return server.port();
    }

    private void invoke(ServerRequest req, ServerResponse res) {
        byte[] payload = req.content().as(byte[].class);
        if (payload.length > InvokeService.MAX_SYNC_PAYLOAD) {
            throw ThawException.tooLarge("Request must be smaller than " + InvokeService.MAX_SYNC_PAYLOAD
                    + " bytes for the InvokeFunction operation");
        }
        Optional<String> clientContext = Http.header(req, "X-Amz-Client-Context")
                .map(c -> new String(Base64.getDecoder().decode(c), StandardCharsets.UTF_8));
        InvokeRequest request = new InvokeRequest(Http.pathParam(req, "name"),
                Optional.of(Http.pathParam(req, "version")), InvokeRequest.InvocationType.REQUEST_RESPONSE,
                Http.header(req, "X-Amz-Log-Type").map("Tail"::equals).orElse(false), clientContext, payload,
                Http.header(req, "X-Thaw-Request-Id"), Http.header(req, "X-Amzn-Trace-Id"));
        String sha = Http.header(req, "X-Thaw-Code-Sha256")
                .orElseThrow(() -> ThawException.invalidParameter("X-Thaw-Code-Sha256 is required"));
        java.util.List<String> layers = Http.header(req, "X-Thaw-Layer-Sha256s").filter(h -> !h.isBlank())
                .map(h -> java.util.List.of(h.split(","))).orElse(java.util.List.of());
        InvokeResponse out = worker.invoke(request, sha, layers);
        res.status(Status.create(out.statusCode()));
        res.header(HeaderNames.create("X-Amz-Executed-Version"), out.executedVersion());
        out.functionError().ifPresent(e -> res.header(HeaderNames.create("X-Amz-Function-Error"), e));
        out.logTail().ifPresent(t -> res.header(HeaderNames.create("X-Amz-Log-Result"), t));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.payload());
    }

    private void storeCode(ServerRequest req, ServerResponse res) {
        worker.storeCode(Http.pathParam(req, "sha256"), req.content().as(byte[].class));
        Http.noContent(res);
    }

    private void readCode(ServerRequest req, ServerResponse res) {
        byte[] zip = worker.codePackage(Http.pathParam(req, "sha256")).orElseThrow(() -> ThawException.notFound(
                "This worker does not hold code package " + Http.pathParam(req, "sha256")));
        res.header(HeaderNames.CONTENT_TYPE, "application/zip");
        res.send(zip);
    }

    private void storeLayer(ServerRequest req, ServerResponse res) {
        worker.storeLayer(Http.pathParam(req, "sha256"), req.content().as(byte[].class));
        Http.noContent(res);
    }

    private void readLayer(ServerRequest req, ServerResponse res) {
        byte[] zip = worker.layerArchive(Http.pathParam(req, "sha256")).orElseThrow(() -> ThawException.notFound(
                "This worker does not hold layer archive " + Http.pathParam(req, "sha256")));
        res.header(HeaderNames.CONTENT_TYPE, "application/zip");
        res.send(zip);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
