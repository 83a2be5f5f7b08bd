package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code thaw bench}: cold starts (plain INIT against snapshot restore) for the hello and Spring examples, and warm
 * invoke latency and throughput for hello with 1 and 4 concurrent callers, all against a platform it starts itself.
 * Prints a Markdown table and, with {@code --out}, writes it and the raw numbers as JSON.
 */
@Command(name = "bench", description = "Measure cold starts (plain vs snapshot) and warm invokes.")
final class BenchCommand implements Callable<Integer> {
    private static final String SPRING_EVENT = "{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"resource\":\"/{proxy+}\","
            + "\"headers\":{\"Accept\":\"application/json\"},\"requestContext\":{\"stage\":\"bench\",\"identity\":{}},"
            + "\"isBase64Encoded\":false}";

    @Option(names = "--cold", defaultValue = "20", description = "Cold starts per mode (default: 20).")
    int coldRuns;

    @Option(names = "--warm", defaultValue = "2000", description = "Warm invokes per caller count (default: 2000).")
    int warmRuns;

    @Option(names = "--burst", defaultValue = "32", description = "Simultaneous cold invokes of spring (default: 32).")
    int burst;

    @Option(names = "--quick", description = "A smoke run for CI: 3 cold starts per mode, 300 warm invokes, a burst of 4.")
    boolean quick;

    @Option(names = "--out", description = "Directory for results.md, results.json and the PNG charts.")
    Path out;

    /** A workload deployed twice: on java17 with SnapStart (version 1) and on java25 without. */
    private record Workload(String name, String module, String handler, String event) {
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            coldRuns = 3;
            warmRuns = 300;
            burst = 4;
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        ObjectNode results = ApiClient.JSON.createObjectNode();
        results.set("machine", MachineInfo.describe());
        StringBuilder md = new StringBuilder();
        md.append(MachineInfo.markdown(results.path("machine"))).append('\n');
        List<Workload> workloads = List.of(
                new Workload("hello", "hello", "dev.thaw.examples.hello.Hello", "{\"name\":\"bench\"}"),
                new Workload("spring", "spring", "dev.thaw.examples.spring.StreamLambdaHandler", SPRING_EVENT));
        Map<String, List<Double>> chartP50 = new java.util.LinkedHashMap<>();
        try (LocalPlatform platform = new LocalPlatform()) {
            md.append("| workload | mode | p50 ms | p90 ms | p99 ms | mean Init/Restore ms | n |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|\n");
            ArrayNode cold = results.putArray("coldStarts");
            for (Workload w : workloads) {
                progress("deploying " + w.name() + " (java17 with SnapStart, java25 without)");
                var v = platform.deploy(w.name(), w.module(), w.handler(), "java17", 1024, true, Map.of());
                platform.deploy(w.name() + "-j25", w.module(), w.handler(), "java25", 1024, false, Map.of());
                Map<String, List<Double>> client = new java.util.LinkedHashMap<>();
                Map<String, List<Double>> reported = new java.util.LinkedHashMap<>();
                String[][] modes = {
                        {"plain cold start, java17 (INIT)", w.name(), "$LATEST"},
                        {"plain cold start, java25 (INIT)", w.name() + "-j25", "$LATEST"},
                        {"snapshot restore, java17 (SnapStart)", w.name(), "1"}};
                for (int i = 0; i < coldRuns; i++) {
                    progress(w.name() + " cold starts " + (i + 1) + "/" + coldRuns);
                    for (String[] m : modes) {
                        platform.evict();
                        LocalPlatform.Timed t = platform.invoke(m[1], m[2], w.event());
                        client.computeIfAbsent(m[0], k -> new ArrayList<>()).add(t.clientMillis());
                        reported.computeIfAbsent(m[0], k -> new ArrayList<>())
                                .add(m[2].equals("1") ? t.restoreMillis() : t.initMillis());
                    }
                }
                platform.evict();
                for (String[] m : modes) {
                    row(md, cold, w.name(), m[0], client.get(m[0]), reported.get(m[0]));
                    chartP50.computeIfAbsent(m[0], k -> new ArrayList<>()).add(percentile(client.get(m[0]), 50));
                }
                double ratio = percentile(client.get(modes[0][0]), 50) / percentile(client.get(modes[2][0]), 50);
                results.with("ratios").put(w.name() + "SnapshotVsPlainP50", ratio);
                results.with("publish").put(w.name() + "PublishMillis", v.path("PublishMillis").asDouble());
                md.append(String.format(Locale.ROOT, "| %s | **snapshot vs plain java17, p50** | **%.1fx** | | | | |%n",
                        w.name(), ratio));
            }
            md.append("\nWarm invokes of hello (client-side round trip through the Invoke API):\n\n");
            md.append("| callers | p50 ms | p99 ms | invokes/s | n |\n|---:|---:|---:|---:|---:|\n");
            ArrayNode warm = results.putArray("warm");
            List<Double> warmP50 = new ArrayList<>();
            List<Double> warmP99 = new ArrayList<>();
            for (int callers : List.of(1, 4, 16)) {
                progress("warm invokes with " + callers + " caller(s)");
                warmRun(platform, callers, Math.max(100, warmRuns / 10));
                long start = System.nanoTime();
                List<Double> lat = warmRun(platform, callers, warmRuns);
                double seconds = (System.nanoTime() - start) / 1e9;
                double tput = lat.size() / seconds;
                ObjectNode o = warm.addObject();
                o.put("callers", callers);
                o.put("p50", percentile(lat, 50));
                o.put("p99", percentile(lat, 99));
                o.put("throughput", tput);
                o.put("n", lat.size());
                warmP50.add(percentile(lat, 50));
                warmP99.add(percentile(lat, 99));
                md.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.0f | %d |%n", callers,
                        percentile(lat, 50), percentile(lat, 99), tput, lat.size()));
            }
            double helloSnapshot = chartP50.get("snapshot restore, java17 (SnapStart)").getFirst();
            results.with("ratios").put("helloSnapshotVsWarmP50", helloSnapshot / warmP50.getFirst());
            md.append(String.format(Locale.ROOT, "%nhello: a snapshot cold start (p50) costs %.0fx a warm invoke.%n",
                    helloSnapshot / warmP50.getFirst()));

            md.append("\nBurst: " + burst + " simultaneous cold invokes of spring (time until the last response):\n\n");
            md.append("| mode | last response ms | failed |\n|---|---:|---:|\n");
            for (String[] m : new String[][] {{"snapshot restore (SnapStart)", "1"}, {"plain cold start (INIT)", "$LATEST"}}) {
                progress("burst of " + burst + ": " + m[0]);
                platform.evict();
                long start = System.nanoTime();
                int failed = burst(platform, m[1], burst);
                double ms = (System.nanoTime() - start) / 1e6;
                results.with("burst").put(m[0], ms);
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %d |%n", m[0], ms, failed));
                platform.evict();
            }
        }
        System.out.println();
        System.out.println(md);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("results.md"), md.toString());
            ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("results.json").toFile(), results);
            BenchCharts.coldStarts(out.resolve("cold-starts.png"), workloads.stream().map(Workload::name).toList(),
                    chartP50);
            List<Double> p50 = new ArrayList<>();
            List<Double> p99 = new ArrayList<>();
            results.path("warm").forEach(w -> {
                p50.add(w.path("p50").asDouble());
                p99.add(w.path("p99").asDouble());
            });
            BenchCharts.warm(out.resolve("warm.png"), List.of("1", "4", "16"), p50, p99);
            System.out.println("written to " + out);
        }
        return 0;
    }

    /** Fires {@code n} invokes at once (after evicting everything) and returns how many failed. */
    private static int burst(LocalPlatform platform, String qualifier, int n) throws Exception {
        int failed = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                calls.add(pool.submit(() -> platform.invoke("spring", qualifier, SPRING_EVENT)));
            }
            for (Future<?> f : calls) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed++;
                }
            }
        }
        return failed;
    }

    private static List<Double> warmRun(LocalPlatform platform, int callers, int total) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < total / callers; i++) {
                        latencies.add(platform.invoke("hello", "$LATEST", "{\"name\":\"warm\"}").clientMillis());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return latencies;
    }

    private static void row(StringBuilder md, ArrayNode json, String workload, String mode, List<Double> client,
                            List<Double> reported) {
        double meanReported = reported.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).average()
                .orElse(Double.NaN);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %d |%n", workload, mode,
                percentile(client, 50), percentile(client, 90), percentile(client, 99), meanReported, client.size()));
        ObjectNode o = json.addObject();
        o.put("workload", workload);
        o.put("mode", mode);
        o.put("p50", percentile(client, 50));
        o.put("p90", percentile(client, 90));
        o.put("p99", percentile(client, 99));
        o.put("meanReportedMillis", meanReported);
        ArrayNode raw = o.putArray("clientMillis");
        client.forEach(raw::add);
    }

    static double percentile(List<Double> values, double pct) {
        List<Double> sorted = values.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(pct / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    private static void progress(String what) {
        System.err.println("thaw bench: " + what);
    }

    /** Facts about the host, for reading the numbers. */
    static final class MachineInfo {
        private MachineInfo() {
        }

        static ObjectNode describe() throws IOException {
            ObjectNode m = ApiClient.JSON.createObjectNode();
            m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown"));
            m.put("cores", Runtime.getRuntime().availableProcessors());
            m.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).getFirst().replaceAll("\\s+", " "));
            m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
            m.put("platformJdk", System.getProperty("java.vm.version"));
            m.put("date", java.time.Instant.now().toString());
            return m;
        }

        static String markdown(com.fasterxml.jackson.databind.JsonNode m) {
            return "Machine: " + m.path("cpu").asText() + ", " + m.path("cores").asInt() + " cores, "
                    + m.path("memory").asText() + ", kernel " + m.path("kernel").asText() + ", platform JDK "
                    + m.path("platformJdk").asText() + ", functions on java17; " + m.path("date").asText() + "\n";
        }
    }
}
