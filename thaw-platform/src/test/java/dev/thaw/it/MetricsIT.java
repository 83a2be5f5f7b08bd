package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /metrics after a known mix of invocations: warm and cold successes, function errors, a throttle, a SnapStart
 * restore and Event invocations with a retry and a failure. The exposition is checked sample by sample, by
 * Prometheus's own parser ({@code promtool check metrics}), and by a real Prometheus server that scrapes the
 * separate metrics listener and answers queries.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
@ThawServerExtension.Arguments({"--metrics-port", "0", "--event-retry-delay", "1"})
class MetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXTURES = "dev.thaw.examples.fixtures.";
    private static final Pattern METRICS_LISTENER = Pattern.compile("thaw: metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    /** One sample line of the text format: series (name and labels as written), then the value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*\\})?) (\\S+)$");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final HttpClient http = HttpClient.newHttpClient();
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    /** The Runtime API's error type for an exception thrown by a handler, as Lambda's Java runtime reports it. */
    private static final String USER_EXCEPTION = "Runtime.UserException";

    @BeforeAll
    void invokeAKnownMix() throws Exception {
        Fixtures.deploy(lambda, "echo", "test-functions", FIXTURES + "Echo", b -> b.memorySize(256).timeout(10));
        Fixtures.deploy(lambda, "thrower", "test-functions", FIXTURES + "Thrower", b -> b.memorySize(256).timeout(10));
        Fixtures.deploy(lambda, "throttled", "test-functions", FIXTURES + "Echo", b -> b.memorySize(256).timeout(10));
        for (int i = 0; i < 3; i++) {
            assertEquals(200, invoke("echo", null).statusCode());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals("Unhandled", invoke("thrower", null).functionError());
        }
        lambda.putFunctionConcurrency(b -> b.functionName("throttled").reservedConcurrentExecutions(0));
        assertThrows(TooManyRequestsException.class, () -> invoke("throttled", null));
        if (ROOT) {
            Fixtures.deploy(lambda, "snappy", "hello", "dev.thaw.examples.hello.Hello", b -> b.timeout(30)
                    .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS)));
            lambda.waiter().waitUntilFunctionActiveV2(b -> b.functionName("snappy"));
            String v = lambda.publishVersion(b -> b.functionName("snappy")).version();
            lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("snappy").qualifier(v));
            assertEquals(200, invoke("snappy", v).statusCode());
        }
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("thrower").maximumRetryAttempts(1));
        lambda.invoke(b -> b.functionName("echo").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"later\":true}")));
        lambda.invoke(b -> b.functionName("thrower").invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"msg\":\"event\"}")));
        awaitScrape("the Event invocations' outcomes", 60, s ->
                Double.valueOf(1).equals(s.get("thaw_events_delivered_total{function=\"echo\"}"))
                        && Double.valueOf(1).equals(s.get("thaw_events_failed_total{function=\"thrower\"}")));
    }

    private software.amazon.awssdk.services.lambda.model.InvokeResponse invoke(String function, String qualifier) {
        return lambda.invoke(b -> b.functionName(function).qualifier(qualifier)
                .payload(SdkBytes.fromUtf8String("{\"msg\":\"hi\"}")));
    }

    @Test
    void countsEveryOutcomeExactlyInTheTextFormat() throws Exception {
        HttpResponse<String> response = server.http("GET", "/metrics", null);
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                response.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Double> s = parse(response.body());

        assertEquals(4.0, s.get("thaw_invocations_total{function=\"echo\",version=\"$LATEST\"}"));
        assertEquals(4.0, s.get("thaw_invocation_duration_seconds_count{function=\"echo\",version=\"$LATEST\"}"));
        assertEquals(4.0, s.get("thaw_invocation_duration_seconds_bucket{function=\"echo\",version=\"$LATEST\",le=\"+Inf\"}"));
        assertEquals(1.0, s.get("thaw_cold_starts_total{function=\"echo\",kind=\"init\",version=\"$LATEST\"}"));
        assertEquals(1.0, s.get("thaw_init_duration_seconds_count{function=\"echo\",version=\"$LATEST\"}"));
        assertNull(s.get("thaw_invocation_errors_total{error_type=\"" + USER_EXCEPTION
                + "\",function=\"echo\",version=\"$LATEST\"}"));

        assertEquals(4.0, s.get("thaw_invocations_total{function=\"thrower\",version=\"$LATEST\"}"));
        assertEquals(4.0, s.get("thaw_invocation_errors_total{error_type=\"" + USER_EXCEPTION
                + "\",function=\"thrower\",version=\"$LATEST\"}"), response.body().lines()
                .filter(l -> l.startsWith("thaw_invocation_errors_total")).toList().toString());

        assertEquals(1.0, s.get("thaw_throttles_total{function=\"throttled\","
                + "reason=\"ReservedFunctionConcurrentInvocationLimitExceeded\",version=\"$LATEST\"}"));
        assertNull(s.get("thaw_invocations_total{function=\"throttled\",version=\"$LATEST\"}"));

        assertEquals(1.0, s.get("thaw_events_accepted_total{function=\"echo\"}"));
        assertEquals(1.0, s.get("thaw_events_delivered_total{function=\"echo\"}"));
        assertEquals(1.0, s.get("thaw_events_accepted_total{function=\"thrower\"}"));
        assertEquals(1.0, s.get("thaw_event_retries_total{function=\"thrower\"}"));
        assertEquals(1.0, s.get("thaw_events_failed_total{function=\"thrower\"}"));
        assertEquals(0.0, s.get("thaw_event_queue_depth"));
        assertEquals(0.0, s.get("thaw_event_queue_oldest_age_seconds"));

        double echoWaiting = s.get("thaw_environments{function=\"echo\",state=\"idle\",version=\"$LATEST\"}")
                + s.get("thaw_environments{function=\"echo\",state=\"frozen\",version=\"$LATEST\"}");
        assertEquals(1.0, echoWaiting);
        assertEquals(0.0, s.get("thaw_environments{function=\"echo\",state=\"busy\",version=\"$LATEST\"}"));
        assertEquals(0.0, s.get("thaw_environments{function=\"echo\",state=\"starting\",version=\"$LATEST\"}"));
        assertTrue(s.get("thaw_environment_memory_bytes{function=\"echo\",version=\"$LATEST\"}") > 1_000_000);
        assertEquals(0.0, s.get("thaw_account_concurrent_executions"));
        assertTrue(s.get("jvm_memory_used_bytes{area=\"heap\"}") > 0);
        assertTrue(s.get("jvm_threads_current") > 0);

        if (ROOT) {
            assertEquals(1.0, s.get("thaw_invocations_total{function=\"snappy\",version=\"1\"}"));
            assertEquals(1.0, s.get("thaw_cold_starts_total{function=\"snappy\",kind=\"restore\",version=\"1\"}"));
            assertNull(s.get("thaw_cold_starts_total{function=\"snappy\",kind=\"init\",version=\"1\"}"));
            assertEquals(1.0, s.get("thaw_restore_duration_seconds_count{function=\"snappy\",version=\"1\"}"));
            assertEquals(1.0, s.get("thaw_snapshot_restores_total{function=\"snappy\",result=\"success\",version=\"1\"}"));
            assertNull(s.get("thaw_snapshot_integrity_failures_total{function=\"snappy\",version=\"1\"}"));
            assertTrue(s.get("thaw_snapshot_bytes{function=\"snappy\",version=\"1\"}") > 1_000_000);
        }
        assertFalse(response.body().contains("request"), "no request ids in labels");
        promtoolAccepts(response.body());
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> response = server.http("GET", "/metrics", null,
                "Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
        assertEquals(200, response.statusCode());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8",
                response.headers().firstValue("Content-Type").orElseThrow());
        String body = response.body();
        assertTrue(body.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(body.contains("# TYPE thaw_invocations counter\n"), body);
        assertTrue(body.contains("\nthaw_invocations_total{function=\"echo\",version=\"$LATEST\"} 4.0\n"), body);
        assertTrue(body.contains("# UNIT thaw_invocation_duration_seconds seconds\n"), body);
        assertFalse(server.http("GET", "/metrics", null).body().contains("# EOF"), "text format by default");
    }

    @Test
    void aDeletedFunctionsSeriesAreRemoved() throws Exception {
        Fixtures.deploy(lambda, "doomed", "test-functions", FIXTURES + "Echo", b -> b.memorySize(256).timeout(10));
        assertEquals(200, invoke("doomed", null).statusCode());
        String series = "thaw_invocations_total{function=\"doomed\",version=\"$LATEST\"}";
        assertEquals(1.0, parse(server.http("GET", "/metrics", null).body()).get(series));
        lambda.deleteFunction(b -> b.functionName("doomed"));
        String after = server.http("GET", "/metrics", null).body();
        assertFalse(after.contains("function=\"doomed\""), after);
    }

    @Test
    void aRealPrometheusScrapesTheMetricsListenerAndAnswersQueries() throws Exception {
        int metricsPort = metricsListenerPort();
        HttpResponse<String> direct = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(4.0, parse(direct.body()).get("thaw_invocations_total{function=\"echo\",version=\"$LATEST\"}"));

        Path dir = Files.createTempDirectory("thaw-prometheus-");
        int webPort = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: thaw
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(metricsPort));
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String base = "http://127.0.0.1:" + webPort + "/api/v1/query?query=";
            JsonNode echo = awaitQuery(base, "thaw_invocations_total{function=\"echo\",version=\"$LATEST\"}", dir);
            assertEquals("thaw", echo.path("metric").path("job").asText());
            assertEquals(4.0, Double.parseDouble(echo.path("value").get(1).asText()));
            JsonNode errors = awaitQuery(base, "sum(thaw_invocation_errors_total{function=\"thrower\"})", dir);
            assertEquals(4.0, Double.parseDouble(errors.path("value").get(1).asText()));
            JsonNode throttles = awaitQuery(base, "thaw_throttles_total{function=\"throttled\"}", dir);
            assertEquals(1.0, Double.parseDouble(throttles.path("value").get(1).asText()));
            if (ROOT) {
                JsonNode restores = awaitQuery(base, "thaw_cold_starts_total{function=\"snappy\",kind=\"restore\"}", dir);
                assertEquals(1.0, Double.parseDouble(restores.path("value").get(1).asText()));
            }
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
            deleteTree(dir);
        }
    }

    /** Asks Prometheus until the query has a result (its first scrapes take a second or two), for up to 60 s. */
    private JsonNode awaitQuery(String base, String query, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base
                        + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
                last = r.body();
                JsonNode result = JSON.readTree(last).path("data").path("result");
                if (r.statusCode() == 200 && result.size() == 1) {
                    return result.get(0);
                }
            } catch (IOException notYetListening) {
                last = notYetListening.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never answered " + query + ": " + last + "\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }

    /** Prometheus's own parser and linter accept the exposition. */
    private static void promtoolAccepts(String exposition) throws Exception {
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool check metrics: " + out);
    }

    private int metricsListenerPort() {
        Matcher m = METRICS_LISTENER.matcher(server.output());
        assertTrue(m.find(), "the server names its metrics listener:\n" + server.output());
        return Integer.parseInt(m.group(1));
    }

    private void awaitScrape(String what, int seconds, Predicate<Map<String, Double>> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Map<String, Double> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = parse(server.http("GET", "/metrics", null).body());
            if (done.test(last)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + ": " + last);
    }

    /**
     * The samples of a text-format exposition by series, exactly as written (labels in the order the client writes
     * them, alphabetical); every line that is not a comment must be a sample and no series may repeat.
     */
    static Map<String, Double> parse(String exposition) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            Double previous = samples.put(m.group(1), Double.parseDouble(m.group(2)));
            assertNull(previous, "series written twice: " + m.group(1));
        }
        return samples;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
