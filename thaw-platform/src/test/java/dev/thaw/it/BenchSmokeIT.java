package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code thaw bench --quick} as CI runs it: the built platform jar in its own JVM, starting its own platform on a
 * temporary home. Checks that every workload × mode produced finite positive numbers and that the charts were
 * drawn, and that nothing outlives the run: no process the bench started, no platform home. It asserts no timings.
 */
class BenchSmokeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WORKLOADS = List.of("hello", "sdk-init", "spring");
    private static final List<String> MODES = List.of("plain-java17", "plain-java25", "aot-java25", "snapshot-java17", "provisioned-java17",
            "warm-java17");
    /** The priming comparisons, measured as snapshot restores and warm invokes only. */
    private static final List<String> PRIMING_WORKLOADS = List.of("sdk-init-auto", "spring-hook", "spring-unprimed",
            "spring-auto");
    private static final List<String> PRIMING_MODES = List.of("snapshot-java17", "warm-java17");
    private static final List<String> CHARTS = List.of("cold-starts.png", "memory.png", "warm.png");
    /**
     * A hang guard, not a timing assertion: a quick run takes a few minutes on an idle machine, and over 15 on one
     * whose 2 cores are shared with other builds.
     */
    private static final long LIMIT_MINUTES = 30;

    @Test
    void quickBenchMeasuresEveryWorkloadAndModeAndLeavesNothingBehind() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "the bench takes snapshots: CRIU needs root");
        try (LocalCommand bench = new LocalCommand("bench-smoke")) {
            Path out = bench.directory().resolve("out");
            assertEquals(0, bench.runJar(LIMIT_MINUTES, "bench", "--quick", "--out", out.toString()),
                    () -> "thaw bench --quick failed:\n" + bench.tail());
            bench.assertNothingLeft();

            checkResults(JSON.readTree(out.resolve("results.json").toFile()));
            String md = Files.readString(out.resolve("results.md"));
            for (String w : WORKLOADS) {
                assertTrue(md.contains("| " + w + " |"), "results.md has no row for " + w);
            }
            for (String w : PRIMING_WORKLOADS) {
                assertTrue(md.contains("| " + w + " |"), "results.md has no row for " + w);
            }
            for (String chart : CHARTS) {
                Path png = out.resolve(chart);
                assertTrue(Files.isRegularFile(png) && Files.size(png) > 0, chart + " is missing or empty");
                byte[] head = new byte[8];
                try (var in = Files.newInputStream(png)) {
                    assertEquals(8, in.readNBytes(head, 0, 8));
                }
                assertEquals("PNG", new String(head, 1, 3, StandardCharsets.US_ASCII), chart + " is not a PNG");
            }
        }
    }

    private static void checkResults(JsonNode results) {
        JsonNode workloads = results.path("workloads");
        assertEquals(WORKLOADS.size() + PRIMING_WORKLOADS.size(), workloads.size(), "workloads in results.json");
        for (String name : PRIMING_WORKLOADS) {
            JsonNode w = find(workloads, "workload", name);
            assertEquals(PRIMING_MODES.size(), w.path("modes").size(), name + ": modes");
            for (String key : PRIMING_MODES) {
                for (String field : new String[] {"p50", "n", "rssMb"}) {
                    positive(find(w.path("modes"), "mode", key), field, name + " / " + key);
                }
            }
        }
        JsonNode priming = results.path("priming");
        for (String name : List.of("hello", "sdk-init", "spring", "sdk-init-auto", "spring-hook", "spring-unprimed",
                "spring-auto")) {
            JsonNode p = find(priming, "workload", name);
            for (String field : new String[] {"snapshotP50", "meanRestoreMillis", "meanFirstInvokeDurationMillis"}) {
                positive(p, field, "priming / " + name);
            }
        }
        assertEquals("off", find(priming, "workload", "spring-unprimed").path("primedClasses").asText());
        for (String auto : List.of("sdk-init-auto", "spring-auto")) {
            String primed = find(priming, "workload", auto).path("primedClasses").asText();
            assertTrue(primed.matches("\\d+") && Integer.parseInt(primed) > 0,
                    auto + ": classes its $LATEST requests loaded are primed at publish: " + primed);
        }
        for (String name : WORKLOADS) {
            JsonNode w = find(workloads, "workload", name);
            for (String key : MODES) {
                JsonNode m = find(w.path("modes"), "mode", key);
                String where = name + " / " + key;
                for (String field : new String[] {"p50", "p90", "p99", "n", "rssMb"}) {
                    positive(m, field, where);
                }
                assertEquals(m.path("n").asInt(), m.path("clientMillis").size(), where + ": n");
                String kind = m.path("kind").asText();
                if ("provisioned".equals(kind)) {
                    assertTrue(m.path("meanReportedMillis").isNull(), where + ": a provisioned copy's invoke "
                            + "reports no Init or Restore Duration");
                } else if (!"warm".equals(kind)) {
                    positive(m, "meanReportedMillis", where); // Init or Restore Duration from REPORT
                }
                if ("snapshot".equals(kind) || "aot".equals(kind)) {
                    positive(m, "snapshotMb", where); // the snapshot, or the AOT cache file
                    positive(m, "publishMillis", where);
                } else {
                    assertTrue(m.path("snapshotMb").isNull() && m.path("publishMillis").isNull(),
                            where + ": snapshot size and publish time only apply to the snapshot and AOT modes");
                }
            }
            JsonNode ratios = w.path("ratios");
            positive(ratios, "plainJava17OverSnapshot", name + " ratios");
            positive(ratios, "snapshotOverWarm", name + " ratios");
            positive(ratios, "aotOverSnapshot", name + " ratios");
        }
        positive(results, "warmDirectCallP50", "the in-process baseline of warm invokes");
        JsonNode warm = results.path("warm");
        List<Integer> callers = new ArrayList<>();
        for (JsonNode c : warm) {
            callers.add(c.path("callers").asInt());
            String where = "warm, " + c.path("callers").asInt() + " callers";
            for (String field : new String[] {"p50", "addedP50", "p99", "throughput", "n", "environments",
                    "warmUpInvokes", "warmUpSeconds"}) {
                positive(c, field, where);
            }
        }
        assertEquals(List.of(1, 4, 16), callers, "warm caller counts");
        for (String mode : new String[] {"snapshot", "plain"}) {
            positive(results.path("burst").path(mode), "lastResponseMillis", "burst " + mode);
        }
        if (dev.thaw.io.HostMemory.freePageReporting()) {
            // Where the platform holds warm memory by default, the burst runs again once the reserve has grown.
            JsonNode again = results.path("burst").path("snapshotAgain");
            positive(again, "lastResponseMillis", "the second snapshot burst");
            positive(again, "warmMemoryHeldBytes", "the second snapshot burst");
            assertTrue(again.path("warmMemoryTargetBytes").asLong() > 256L << 20,
                    "the first burst grew the reserve beyond its base: " + again);
            assertTrue(again.path("restoreSlotsWanted").asInt() > 1,
                    "the first burst left more than one spare restore slot: " + again);
            assertEquals(again.path("restoreSlotsWanted").asInt(), again.path("restoreSlotsReady").asInt(),
                    "the second burst began with every spare made: " + again);
        }
        JsonNode memory = results.path("burst").path("memory");
        for (String field : new String[] {"copies", "oneCopyRssMb", "oneCopyPssMb", "copiesRssMb", "copiesPssMb",
                "copiesSharedMb", "copiesTimesOneCopyRssMb"}) {
            positive(memory, field, "memory of the burst's restored copies");
        }
        assertTrue(memory.path("copiesPssMb").asDouble() <= memory.path("copiesRssMb").asDouble(),
                "PSS never exceeds RSS: " + memory);
        JsonNode environments = results.path("environments");
        for (String field : new String[] {"scaleTo16Millis", "idleRssMbPerEnvironment", "freezeMicrosP50",
                "thawMicrosP50", "invokeAfterFreezeP50", "invokeBackToBackP50"}) {
            positive(environments, field, "environments");
        }
        assertEquals(16, environments.path("scaledEnvironments").asInt(), "16 simultaneous invokes, 16 environments");
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText())) {
                return n;
            }
        }
        return fail("no " + field + " " + value + " in " + array);
    }

    private static void positive(JsonNode o, String field, String where) {
        JsonNode v = o.path(field);
        assertNotNull(v, where + ": " + field);
        assertTrue(v.isNumber(), where + ": " + field + " is not a number: " + v);
        double d = v.asDouble();
        assertTrue(Double.isFinite(d) && d > 0, where + ": " + field + " is not finite and positive: " + d);
    }
}
