package dev.thaw.metrics;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusMetricsTest {
    private static final PlatformReadings READINGS = new PlatformReadings() {
        @Override
        public List<EnvironmentReading> environments() {
            return List.of(new EnvironmentReading("f", "1", EnvironmentPhase.BUSY, 100),
                    new EnvironmentReading("f", "1", EnvironmentPhase.FROZEN, 50),
                    new EnvironmentReading("f", "1", EnvironmentPhase.STARTING, -1));
        }

        @Override
        public Map<String, Integer> concurrentExecutions() {
            return Map.of("f", 1, "g", 2);
        }

        @Override
        public List<SnapshotReading> snapshots() {
            return List.of(new SnapshotReading("f", "1", 12345));
        }

        @Override
        public WarmMemoryReading warmMemory() {
            return new WarmMemoryReading(64L << 20, 256L << 20);
        }

        @Override
        public List<RestoreSlotsReading> restoreSlots() {
            return List.of(new RestoreSlotsReading("f", "1", 5, 32));
        }

        @Override
        public EventBacklog eventBacklog() {
            return new EventBacklog(3, System.currentTimeMillis() - 5000);
        }
    };

    private static String text(PrometheusMetrics metrics) {
        return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
    }

    @Test
    void gaugesReadThePlatformAtScrapeTime() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.watch(READINGS);
        String body = text(metrics);
        assertTrue(body.contains("thaw_environments{function=\"f\",state=\"busy\",version=\"1\"} 1.0\n"), body);
        assertTrue(body.contains("thaw_environments{function=\"f\",state=\"frozen\",version=\"1\"} 1.0\n"), body);
        assertTrue(body.contains("thaw_environments{function=\"f\",state=\"idle\",version=\"1\"} 0.0\n"), body);
        assertTrue(body.contains("thaw_environments{function=\"f\",state=\"starting\",version=\"1\"} 1.0\n"), body);
        assertTrue(body.contains("thaw_environment_memory_bytes{function=\"f\",version=\"1\"} 150.0\n"), body);
        assertTrue(body.contains("thaw_concurrent_executions{function=\"g\"} 2.0\n"), body);
        assertTrue(body.contains("thaw_account_concurrent_executions 3.0\n"), body);
        assertTrue(body.contains("thaw_snapshot_bytes{function=\"f\",version=\"1\"} 12345.0\n"), body);
        assertTrue(body.contains("thaw_event_queue_depth 3.0\n"), body);
        assertTrue(body.contains("thaw_warm_memory_bytes 6.7108864E7\n"), body);
        assertTrue(body.contains("thaw_warm_memory_target_bytes 2.68435456E8\n"), body);
        assertTrue(body.contains("thaw_restore_slots_ready{function=\"f\",version=\"1\"} 5.0\n"), body);
        assertTrue(body.contains("thaw_restore_slots_wanted{function=\"f\",version=\"1\"} 32.0\n"), body);
        assertTrue(body.matches("(?s).*\nthaw_event_queue_oldest_age_seconds [56]\\.\\d+\n.*"), body);
    }

    @Test
    void errorTypesPerFunctionAreBounded() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        for (int i = 0; i < PrometheusMetrics.MAX_ERROR_TYPES + 5; i++) {
            metrics.invocationFailed("f", "$LATEST", PlatformMetrics.Start.WARM, "Type" + i, 0.01);
        }
        metrics.invocationFailed("f", "$LATEST", PlatformMetrics.Start.WARM, "Type0", 0.01);
        String body = text(metrics);
        long series = body.lines().filter(l -> l.startsWith("thaw_invocation_errors_total{")).count();
        assertEquals(PrometheusMetrics.MAX_ERROR_TYPES + 1, series, body);
        assertTrue(body.contains("thaw_invocation_errors_total{error_type=\"Other\",function=\"f\",version=\"$LATEST\"} 5.0"),
                body);
        assertTrue(body.contains("thaw_invocation_errors_total{error_type=\"Type0\",function=\"f\",version=\"$LATEST\"} 2.0"),
                body);
        assertTrue(body.contains("thaw_invocations_total{function=\"f\",version=\"$LATEST\"} 26.0"), body);
    }

    @Test
    void aDeletedFunctionLeavesNoSeriesAndOthersKeepTheirs() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.invocationSucceeded("gone", "$LATEST", PlatformMetrics.Start.WARM, 0.002);
        metrics.coldStarted("gone", "$LATEST", PlatformMetrics.ColdStartKind.INIT, 0.4);
        metrics.eventAccepted("gone");
        metrics.invocationSucceeded("kept", "$LATEST", PlatformMetrics.Start.WARM, 0.002);
        metrics.functionDeleted("gone");
        String body = text(metrics);
        assertFalse(body.contains("\"gone\""), body);
        assertTrue(body.contains("thaw_invocations_total{function=\"kept\",version=\"$LATEST\"} 1.0"), body);
    }

    @Test
    void restoresAndInitsGoToTheirOwnHistograms() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.coldStarted("f", "1", PlatformMetrics.ColdStartKind.RESTORE, 0.08);
        metrics.coldStarted("f", "$LATEST", PlatformMetrics.ColdStartKind.INIT, 1.5);
        String body = text(metrics);
        assertTrue(body.contains("thaw_restore_duration_seconds_bucket{function=\"f\",version=\"1\",le=\"0.1\"} 1\n"),
                body);
        assertTrue(body.contains("thaw_restore_duration_seconds_bucket{function=\"f\",version=\"1\",le=\"0.075\"} 0\n"),
                body);
        assertTrue(body.contains("thaw_init_duration_seconds_sum{function=\"f\",version=\"$LATEST\"} 1.5\n"), body);
        assertTrue(body.contains("thaw_cold_starts_total{function=\"f\",kind=\"restore\",version=\"1\"} 1.0\n"), body);
    }

    @Test
    void openMetricsOnlyWhenAsked() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.scrape("").contentType());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.scrape("*/*").contentType());
        PrometheusMetrics.Exposition om = metrics.scrape("application/openmetrics-text; version=1.0.0");
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", om.contentType());
        assertTrue(new String(om.body(), StandardCharsets.UTF_8).endsWith("# EOF\n"));
    }
}
