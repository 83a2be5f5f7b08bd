package dev.thaw.api;

import dev.thaw.metrics.PrometheusMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper's Accept header asks for it. */
final class MetricsApi {
    static final String PATH = "/metrics";

    private final PrometheusMetrics metrics;

    MetricsApi(PrometheusMetrics metrics) {
        this.metrics = metrics;
    }

    void routes(HttpRouting.Builder r) {
        r.get(PATH, this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        PrometheusMetrics.Exposition exposition = metrics.scrape(
                req.headers().first(HeaderNames.ACCEPT).orElse(""));
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, exposition.contentType());
        res.send(exposition.body());
    }
}
