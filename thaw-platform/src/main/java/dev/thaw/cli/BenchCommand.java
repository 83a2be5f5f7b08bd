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

    @Option(names = "--cold", defaultValue = "10", description = "Cold starts per mode (default: 10).")
    int coldRuns;

    @Option(names = "--warm", defaultValue = "2000", description = "Warm invokes per caller count (default: 2000).")
    int warmRuns;

    @Option(names = "--out", description = "Directory for results.md and results.json.")
    Path out;

    @Override
    public Integer call() throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        ObjectNode results = ApiClient.JSON.createObjectNode();
        results.set("machine", MachineInfo.describe());
        StringBuilder md = new StringBuilder();
        md.append(MachineInfo.markdown(results.path("machine"))).append('\n');
        try (LocalPlatform platform = new LocalPlatform()) {
            md.append("| workload | mode | p50 ms | p90 ms | p99 ms | mean Init/Restore ms | n |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|\n");
            ArrayNode cold = results.putArray("coldStarts");
            for (String[] w : List.of(
                    new String[] {"hello", "hello", "dev.thaw.examples.hello.Hello", "{\"name\":\"bench\"}"},
                    new String[] {"spring", "spring", "dev.thaw.examples.spring.StreamLambdaHandler", SPRING_EVENT})) {
                progress("deploying " + w[0] + " with SnapStart");
                var v = platform.deploy(w[0], w[1], w[2], "java17", 1024, true, Map.of());
                List<Double> plain = new ArrayList<>();
                List<Double> plainInit = new ArrayList<>();
                List<Double> snap = new ArrayList<>();
                List<Double> snapRestore = new ArrayList<>();
                for (int i = 0; i < coldRuns; i++) {
                    progress(w[0] + " cold start " + (i + 1) + "/" + coldRuns);
                    platform.evict();
                    LocalPlatform.Timed p = platform.invoke(w[0], "$LATEST", w[3]);
                    plain.add(p.clientMillis());
                    plainInit.add(p.initMillis());
                    platform.evict();
                    LocalPlatform.Timed s = platform.invoke(w[0], "1", w[3]);
                    snap.add(s.clientMillis());
                    snapRestore.add(s.restoreMillis());
                }
                platform.evict();
                row(md, cold, w[0], "plain cold start (INIT)", plain, plainInit);
                row(md, cold, w[0], "snapshot restore (SnapStart)", snap, snapRestore);
                double ratio = percentile(plain, 50) / percentile(snap, 50);
                results.with("ratios").put(w[0] + "SnapshotVsPlainP50", ratio);
                results.with("publish").put(w[0] + "PublishMillis", v.path("PublishMillis").asDouble());
                md.append(String.format(Locale.ROOT, "| %s | **snapshot vs plain, p50** | **%.1fx** | | | | |%n", w[0],
                        ratio));
            }
            md.append("\nWarm invokes of hello (client-side round trip through the Invoke API):\n\n");
            md.append("| callers | p50 ms | p99 ms | invokes/s | n |\n|---:|---:|---:|---:|---:|\n");
            ArrayNode warm = results.putArray("warm");
            for (int callers : List.of(1, 4)) {
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
                md.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.0f | %d |%n", callers,
                        percentile(lat, 50), percentile(lat, 99), tput, lat.size()));
            }
        }
        System.out.println();
        System.out.println(md);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("results.md"), md.toString());
            ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("results.json").toFile(), results);
            System.out.println("written to " + out);
        }
        return 0;
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
