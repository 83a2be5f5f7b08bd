package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code thaw bench --cluster --quick} as a user runs it: the built platform jar in its own JVM, starting its own
 * PostgreSQL, S3Proxy, single-process platform, API instance and worker. Checks that both warm series and both kinds
 * of restore produced finite positive numbers, that every cold-cache restore fetched its snapshot from the object store
 * and no cached one did, and that nothing outlives the run. It asserts no timings.
 */
class ClusterBenchIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A hang guard, not a timing assertion. */
    private static final long LIMIT_MINUTES = 15;

    @Test
    void quickClusterBenchMeasuresRoutingAndColdCacheRestoresAndLeavesNothingBehind() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the bench runs PostgreSQL through runuser and "
                + "takes snapshots: it needs root");
        try (LocalCommand bench = new LocalCommand("bench-cluster")) {
            // PostgreSQL runs as its own user and reaches the bench's temporary directory through this one.
            Files.setPosixFilePermissions(bench.directory(), PosixFilePermissions.fromString("rwx--x--x"));
            Path out = bench.directory().resolve("out");
            assertEquals(0, bench.runJar(LIMIT_MINUTES, "bench", "--cluster", "--quick", "--out", out.toString()),
                    () -> "thaw bench --cluster --quick failed:\n" + bench.tail());
            bench.assertNothingLeft();
            try (Stream<Path> left = Files.list(bench.directory().resolve("tmp"))) {
                List<String> names = left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("thaw-"))
                        .toList();
                assertTrue(names.isEmpty(), "the bench left its directories behind: " + names);
            }

            JsonNode cluster = JSON.readTree(out.resolve("results.json").toFile()).path("cluster");
            for (String side : List.of("singleProcess", "routed")) {
                JsonNode s = cluster.path("routing").path(side);
                for (String field : List.of("p50", "p90", "p99", "cpuMsPerInvoke")) {
                    positive(s, field, "routing / " + side);
                }
                assertEquals(300, s.path("n").asInt(), side + ": timed invokes");
            }
            assertTrue(Double.isFinite(cluster.path("routing").path("addedP50").asDouble(Double.NaN)),
                    "the p50 routing adds: " + cluster.path("routing"));
            for (String kind : List.of("coldCache", "cached")) {
                JsonNode r = cluster.path("restore").path(kind);
                assertEquals(2, r.path("n").asInt(), kind + ": samples");
                for (JsonNode sample : r.path("samples")) {
                    assertEquals("restore", sample.path("servedBy").asText(), kind + ": " + sample);
                    positive(sample, "clientMillis", kind);
                    positive(sample, "restoreMillis", kind);
                    assertEquals("coldCache".equals(kind), sample.path("fetched").asBoolean(),
                            kind + ": fetched from the object store: " + sample);
                }
            }
            for (JsonNode sample : cluster.path("restore").path("coldCache").path("samples")) {
                positive(sample, "fetchMillis", "coldCache");
            }
            String md = Files.readString(out.resolve("results.md"));
            assertTrue(md.contains("| routing adds |"), md);
            assertTrue(md.contains("| cold cache (snapshot fetched from the object store) |"), md);
        }
    }

    private static void positive(JsonNode node, String field, String where) {
        double v = node.path(field).asDouble(Double.NaN);
        assertTrue(Double.isFinite(v) && v > 0, where + ": " + field + " = " + node.path(field));
    }
}
