package dev.thaw.api;

import dev.thaw.metrics.PrometheusMetrics;
import io.helidon.webserver.WebServer;

import java.time.Duration;

/**
 * {@code thaw server --metrics-port}: {@code GET /metrics} on a listener of its own, apart from the API's, so that a
 * scraper needs none of the API's credentials and a busy API port never delays a scrape. Anything else gets AWS's
 * error shape, as on the API's port.
 */
public final class MetricsServer implements AutoCloseable {
    private final String host;
    private final int requestedPort;
    private final MetricsApi api;
    private WebServer server;

    public MetricsServer(String host, int port, PrometheusMetrics metrics) {
        this.host = host;
        this.requestedPort = port;
        this.api = new MetricsApi(metrics);
    }

    public MetricsServer start() {
        server = WebServer.builder()
                .host(host)
                .port(requestedPort)
                .maxTcpConnections(64)
                .idleConnectionTimeout(Duration.ofSeconds(60))
                .shutdownGracePeriod(Duration.ofSeconds(1))
                .directHandlers(TransportErrors.handlers())
                .routing(r -> {
                    api.routes(r);
                    r.any((req, res) -> AwsErrors.send(req, res, AwsErrors.unknownOperation(req)));
                    r.error(Throwable.class, AwsErrors::send);
                })
                .build()
                .start();
        if (!server.isRunning()) {
            throw new IllegalStateException("the metrics server could not listen on " + host + ":" + requestedPort);
        }
        return this;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
