package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.io.FileTrees;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code thaw bench --cluster}: what running on many hosts costs, measured on this machine with everything the bench
 * starts itself (a PostgreSQL cluster, S3Proxy, a single-process {@code thaw server}, an API instance
 * {@code thaw server --workers remote} and one {@code thaw worker}, each a process of its own on loopback), all
 * stopped and deleted afterwards.
 * <ol>
 *   <li>The warm-invoke overhead of routing: hello's warm series through the single-process platform and through the
 *   API instance and its worker, from the same blocking client, in alternating blocks so that a shared machine's
 *   drifts hit both alike; p50 and p99 of each and their differences, with the CPU each invoke costs in the
 *   platform's processes.</li>
 *   <li>A worker's first restore of a SnapStart version whose snapshot it does not hold (fetched from the object
 *   store, where another worker, the snapshot maker, uploaded it) against a restore of a snapshot it holds. Each
 *   sample publishes a new version while only the maker runs; then, with the maker stopped, the measured worker
 *   restores it, and once its restored copy has been idle past its idle TTL and stopped, restores it again from
 *   its cache.</li>
 * </ol>
 */
final class ClusterBench {
    private static final String HELLO = "dev.thaw.examples.hello.Hello";
    private static final String EVENT = "{\"name\":\"cluster\"}";
    private static final String SNAP_FUNCTION = "hello-snap";
    private static final Pattern INIT = Pattern.compile("Init Duration: ([\\d.]+) ms");
    private static final Pattern RESTORE = Pattern.compile("Restore Duration: ([\\d.]+) ms");
    private static final Pattern FETCHED = Pattern.compile("fetched the snapshot of " + SNAP_FUNCTION
            + ":(\\d+) for fingerprint \\S+ \\((\\d+) MB\\) from the object store in (\\d+) ms");
    /** Short, so that a restored copy is stopped soon after its invoke and the next invoke restores again. */
    private static final int WORKER_IDLE_TTL_SECONDS = 2;
    /** Blocks per side of the warm series; the sides alternate block by block. */
    private static final int ROUNDS = 10;

    /** How much to measure. */
    record Plan(int warmInvokes, int restoreSamples) {
    }

    /** One side of the warm series: latencies and the CPU time of the platform's processes per invoke. */
    record WarmSide(List<Double> millis, double cpuMsPerInvoke) {
    }

    /** One timed restore on the worker. */
    record RestoreSample(String version, double clientMillis, double restoreMillis, double fetchMillis,
                         boolean fetched, String servedBy) {
    }

    private final Plan plan;
    private final Consumer<String> progress;

    ClusterBench(Plan plan, Consumer<String> progress) {
        this.plan = plan;
        this.progress = progress;
    }

    /** Runs both measurements; fills {@code results} and returns their Markdown. */
    String run(ObjectNode results) throws Exception {
        String loadBefore = loadAverage();
        try (Teardown teardown = new Teardown()) {
            Path dir = Files.createTempDirectory("thaw-bench-cluster-");
            teardown.add(() -> FileTrees.delete(dir));
            // PostgreSQL runs as its own user and must pass through this directory to reach its own.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Path token = secretFile(dir.resolve("cluster-token"), UUID.randomUUID() + "-" + UUID.randomUUID());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Path snapshotKey = secretFile(dir.resolve("snapshot.key"), Base64.getEncoder().encodeToString(key));

            progress.accept("cluster: starting PostgreSQL, S3Proxy, a single-process platform, an API instance "
                    + "and a worker");
            PlatformProcess single = teardown.add(PlatformProcess.server("single", dir.resolve("single-home"),
                    List.of()));
            ScratchPostgres postgres = teardown.add(ScratchPostgres.start(dir));
            ScratchObjectStore objects = teardown.add(ScratchObjectStore.start(dir));
            List<String> shared = new ArrayList<>(List.of("--database", postgres.url(), "--cluster-token-file",
                    token.toString(), "--snapshot-key-file", snapshotKey.toString()));
            shared.addAll(objects.platformArguments());
            List<String> apiArgs = new ArrayList<>(List.of("--workers", "remote"));
            apiArgs.addAll(shared);
            PlatformProcess api = teardown.add(PlatformProcess.server("api", dir.resolve("api-home"), apiArgs));
            List<String> workerArgs = new ArrayList<>(List.of("--memory", "4096", "--idle-ttl",
                    Integer.toString(WORKER_IDLE_TTL_SECONDS)));
            workerArgs.addAll(shared);
            PlatformProcess worker = teardown.add(PlatformProcess.worker("worker", dir.resolve("worker-home"),
                    workerArgs));

            StringBuilder md = new StringBuilder();
            warmOverhead(single, api, worker, results.putObject("routing"), md);
            single.close();
            worker.close();
            firstRestores(api, () -> PlatformProcess.worker("snapshot-maker", dir.resolve("maker-home"), workerArgs),
                    () -> PlatformProcess.worker("worker", dir.resolve("worker-home"), workerArgs),
                    results.putObject("restore"), md);
            String loadAfter = loadAverage();
            results.put("loadAverageBefore", loadBefore);
            results.put("loadAverageAfter", loadAfter);
            md.append(String.format(Locale.ROOT, "%nLoad average (1, 5, 15 min) before the cluster bench: %s; "
                    + "after: %s.%n", loadBefore, loadAfter));
            progress.accept("cluster: stopping the worker, the API instance, S3Proxy and PostgreSQL");
            return md.toString();
        }
    }

    /** The same warm series of hello $LATEST through both paths, block by block. */
    private void warmOverhead(PlatformProcess single, PlatformProcess api, PlatformProcess worker, ObjectNode json,
                              StringBuilder md) throws Exception {
        byte[] zip = LocalPlatform.example("hello");
        ApiClient singleApi = new ApiClient("http://127.0.0.1:" + single.port());
        ApiClient routedApi = new ApiClient("http://127.0.0.1:" + api.port());
        LocalPlatform.createFunction(singleApi, "hello", zip, HELLO, "java17", 1024, false, Map.of());
        LocalPlatform.createFunction(routedApi, "hello", zip, HELLO, "java17", 1024, false, Map.of());
        WarmClient direct = new WarmClient(URI.create("http://127.0.0.1:" + single.port()), "hello", "$LATEST",
                EVENT);
        WarmClient routed = new WarmClient(URI.create("http://127.0.0.1:" + api.port()), "hello", "$LATEST", EVENT);
        awaitWorker(routed);
        int perBlock = Math.max(1, plan.warmInvokes() / ROUNDS);
        progress.accept("cluster: warming up both paths");
        for (int i = 0; i < Math.max(50, plan.warmInvokes() / 4); i++) {
            direct.invoke();
            routed.invoke();
        }
        List<Double> singleMillis = new ArrayList<>();
        List<Double> routedMillis = new ArrayList<>();
        long singleCpu = 0;
        long routedCpu = 0;
        for (int round = 0; round < ROUNDS; round++) {
            progress.accept("cluster: warm invokes of hello, block " + (round + 1) + "/" + ROUNDS + " of each path");
            for (int side = 0; side < 2; side++) {
                boolean singleSide = (round + side) % 2 == 0;
                WarmClient client = singleSide ? direct : routed;
                List<Long> pids = singleSide ? List.of(single.pid()) : List.of(api.pid(), worker.pid());
                // An environment idle while the other path ran has been frozen: this invoke thaws it.
                client.invoke();
                long cpu = cpuNanos(pids);
                List<Double> into = singleSide ? singleMillis : routedMillis;
                for (int i = 0; i < perBlock; i++) {
                    into.add(client.invoke());
                }
                if (singleSide) {
                    singleCpu += cpuNanos(pids) - cpu;
                } else {
                    routedCpu += cpuNanos(pids) - cpu;
                }
            }
        }
        WarmSide one = new WarmSide(singleMillis, singleCpu / 1e6 / singleMillis.size());
        WarmSide two = new WarmSide(routedMillis, routedCpu / 1e6 / routedMillis.size());
        double addedP50 = p(two.millis(), 50) - p(one.millis(), 50);
        double addedP99 = p(two.millis(), 99) - p(one.millis(), 99);
        side(json.putObject("singleProcess"), one);
        side(json.putObject("routed"), two);
        json.put("addedP50", addedP50);
        json.put("addedP99", addedP99);
        json.put("targetAddedP50", 0.3);
        md.append(String.format(Locale.ROOT, "Warm invokes of hello $LATEST, 1 caller, through the single-process "
                + "platform and through an API instance routing to one worker (each a process of its own on loopback; "
                + "the same blocking client, %d blocks of %d invokes per path, alternating; CPU: user and system time "
                + "per invoke of the platform's processes, environments excluded):%n%n", ROUNDS, perBlock));
        md.append("| path | p50 ms | p90 ms | p99 ms | platform CPU ms/invoke | n |\n|---|---:|---:|---:|---:|---:|\n");
        row(md, "single process (`thaw server`)", one);
        row(md, "API instance + worker (`thaw server --workers remote`, `thaw worker`)", two);
        md.append(String.format(Locale.ROOT, "| routing adds | %.3f | %.3f | %.3f | %.3f | |%n", addedP50,
                p(two.millis(), 90) - p(one.millis(), 90), addedP99, two.cpuMsPerInvoke() - one.cpuMsPerInvoke()));
        md.append(String.format(Locale.ROOT, "%nRouting adds %.3f ms p50 (target: at most 0.3 ms): **%s**.%n",
                addedP50, addedP50 <= 0.3 ? "met" : "not met"));
    }

    /** The router reads the workers every half second: the first invokes may find none yet. */
    private static void awaitWorker(WarmClient routed) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                routed.invoke();
                return;
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).contains("No worker can take this invocation")
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Starts a worker process. */
    @FunctionalInterface
    private interface WorkerStart {
        PlatformProcess start() throws IOException;
    }

    /**
     * Per sample: a new version of hello-snap published through the API instance while only the snapshot maker runs
     * (so that worker checkpoints it and uploads it); then, with the maker stopped, the measured worker's first
     * invoke of the version, restored from the snapshot it fetches from the object store, and, once it has stopped
     * that copy, a restore from its cache.
     */
    private void firstRestores(PlatformProcess api, WorkerStart maker, WorkerStart measured, ObjectNode json,
                               StringBuilder md) throws Exception {
        ApiClient client = new ApiClient("http://127.0.0.1:" + api.port());
        LocalPlatform.createFunction(client, SNAP_FUNCTION, LocalPlatform.example("hello"), HELLO, "java17", 1024,
                true, Map.of("BENCH_SAMPLE", "1"));
        List<RestoreSample> cold = new ArrayList<>();
        List<RestoreSample> cached = new ArrayList<>();
        for (int i = 1; i <= plan.restoreSamples(); i++) {
            progress.accept("cluster: restore sample " + i + "/" + plan.restoreSamples() + ": publishing a version "
                    + "(snapshot taken by another worker and uploaded)");
            String version;
            try (PlatformProcess m = maker.start()) {
                version = publish(client, i);
            }
            try (PlatformProcess worker = measured.start()) {
                progress.accept("cluster: restore sample " + i + ": version " + version + " on the worker, cold "
                        + "cache");
                cold.add(restore(client, worker, version));
                progress.accept("cluster: restore sample " + i + ": version " + version + " again, from the "
                        + "worker's cache");
                cached.add(restoreAgain(client, worker, version));
            }
        }
        side(json.putObject("coldCache"), cold);
        side(json.putObject("cached"), cached);
        md.append(String.format(Locale.ROOT, "%nRestores of a SnapStart version of hello (java17) on the worker, "
                + "routed through the API instance: the first restore of each newly published version, whose "
                + "snapshot the worker fetches from the object store (S3Proxy on loopback), against a restore of the "
                + "same version once the worker holds it (after its idle TTL of %d s stopped the first copy). "
                + "Client: from the Invoke request to the response; fetch: the worker's own log of the download:"
                + "%n%n", WORKER_IDLE_TTL_SECONDS));
        md.append("| restore on the worker | client p50 ms | client max ms | mean Restore Duration ms "
                + "| mean fetch ms | fetched from the store | n |\n|---|---:|---:|---:|---:|---:|---:|\n");
        restoreRow(md, "cold cache (snapshot fetched from the object store)", cold);
        restoreRow(md, "cached on the worker", cached);
        List<String> notRestored = new ArrayList<>();
        for (RestoreSample s : concat(cold, cached)) {
            if (!"restore".equals(s.servedBy())) {
                notRestored.add("version " + s.version() + ": " + s.servedBy());
            }
        }
        if (!notRestored.isEmpty()) {
            md.append("\nNot restored from a snapshot: ").append(String.join("; ", notRestored)).append('\n');
        }
    }

    /** Publishes version {@code sample} (a configuration of its own, so each sample is a new snapshot). */
    private static String publish(ApiClient client, int sample) throws InterruptedException {
        if (sample > 1) {
            ObjectNode update = ApiClient.JSON.createObjectNode();
            update.putObject("Environment").putObject("Variables").put("BENCH_SAMPLE", Integer.toString(sample));
            client.json("PUT", "/2015-03-31/functions/" + SNAP_FUNCTION + "/configuration", update);
            awaitState(client, null, "LastUpdateStatus", "InProgress");
        }
        JsonNode v = client.json("POST", "/2015-03-31/functions/" + SNAP_FUNCTION + "/versions",
                ApiClient.JSON.createObjectNode());
        String version = v.path("Version").asText();
        JsonNode done = awaitState(client, version, "State", "Pending");
        if (!"Active".equals(done.path("State").asText())) {
            throw new IllegalStateException(SNAP_FUNCTION + ":" + version + " is " + done.path("State").asText()
                    + ": " + done.path("StateReason").asText());
        }
        return version;
    }

    /** Polls the configuration until {@code field} is no longer {@code whileValue}; returns it. */
    private static JsonNode awaitState(ApiClient client, String qualifier, String field, String whileValue)
            throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
        String path = "/2015-03-31/functions/" + SNAP_FUNCTION + "/configuration"
                + (qualifier == null ? "" : "?Qualifier=" + qualifier);
        while (true) {
            JsonNode c = client.json("GET", path, null);
            if (!whileValue.equals(c.path(field).asText())) {
                return c;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(SNAP_FUNCTION + " is still " + field + "=" + whileValue
                        + " after 5 minutes");
            }
            Thread.sleep(50);
        }
    }

    /** The first invoke of a version on the worker: a restore, after fetching the snapshot it lacks. */
    private static RestoreSample restore(ApiClient client, PlatformProcess worker, String version) {
        long fetchesBefore = fetches(worker, version).size();
        Timed t = invoke(client, version);
        List<Double> fetched = fetches(worker, version);
        boolean fetchedNow = fetched.size() > fetchesBefore;
        return new RestoreSample(version, t.clientMillis(), t.restoreMillis(),
                fetchedNow ? fetched.getLast() : Double.NaN, fetchedNow, t.servedBy());
    }

    /**
     * The version again, once the worker has stopped its idle copy: waits past the idle TTL and the reaper's period;
     * an invoke that still found the copy (a warm one) is not a sample, and the wait starts over.
     */
    private static RestoreSample restoreAgain(ApiClient client, PlatformProcess worker, String version)
            throws InterruptedException {
        for (int attempt = 0; attempt < 5; attempt++) {
            Thread.sleep(WORKER_IDLE_TTL_SECONDS * 1000L + 1500);
            long fetchesBefore = fetches(worker, version).size();
            Timed t = invoke(client, version);
            if (!"warm".equals(t.servedBy())) {
                boolean fetchedNow = fetches(worker, version).size() > fetchesBefore;
                return new RestoreSample(version, t.clientMillis(), t.restoreMillis(), Double.NaN, fetchedNow,
                        t.servedBy());
            }
        }
        throw new IllegalStateException("the worker kept its copy of " + SNAP_FUNCTION + ":" + version
                + " past its idle TTL in 5 attempts");
    }

    /** A timed invoke with the log tail, and what served it: a restore, an INIT or a warm environment. */
    record Timed(double clientMillis, double restoreMillis, String servedBy) {
    }

    private static Timed invoke(ApiClient client, String version) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long start = System.nanoTime();
            ApiClient.Response r;
            try {
                r = client.send("POST", "/2015-03-31/functions/" + SNAP_FUNCTION + "/invocations?Qualifier="
                        + version, EVENT.getBytes(StandardCharsets.UTF_8), Map.of("X-Amz-Log-Type", "Tail"));
            } catch (ApiClient.ApiError e) {
                // A worker just started is in the router's view within its next read of the workers (every 0.5 s).
                if (String.valueOf(e.getMessage()).contains("No worker can take this invocation")
                        && System.nanoTime() < deadline) {
                    sleepQuietly(200);
                    continue;
                }
                throw e;
            }
            double ms = (System.nanoTime() - start) / 1e6;
            return timed(r, ms, version);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Timed timed(ApiClient.Response r, double ms, String version) {
        String tail = r.header("X-Amz-Log-Result");
        String log = tail == null ? "" : new String(Base64.getDecoder().decode(tail), StandardCharsets.UTF_8);
        if (r.header("X-Amz-Function-Error") != null) {
            throw new IllegalStateException(SNAP_FUNCTION + ":" + version + " failed: "
                    + new String(r.body(), StandardCharsets.UTF_8) + "\nlog tail:\n" + log);
        }
        Matcher restore = RESTORE.matcher(log);
        if (restore.find()) {
            return new Timed(ms, Double.parseDouble(restore.group(1)), "restore");
        }
        return new Timed(ms, Double.NaN, INIT.matcher(log).find() ? "INIT" : "warm");
    }

    /** The worker's downloads of the version's snapshot so far, in milliseconds each. */
    private static List<Double> fetches(PlatformProcess worker, String version) {
        List<Double> ms = new ArrayList<>();
        Matcher m = FETCHED.matcher(worker.output());
        while (m.find()) {
            if (m.group(1).equals(version)) {
                ms.add(Double.parseDouble(m.group(3)));
            }
        }
        return ms;
    }

    private static void side(ObjectNode o, WarmSide s) {
        o.put("p50", p(s.millis(), 50));
        o.put("p90", p(s.millis(), 90));
        o.put("p99", p(s.millis(), 99));
        o.put("n", s.millis().size());
        number(o, "cpuMsPerInvoke", s.cpuMsPerInvoke());
        ArrayNode raw = o.putArray("clientMillis");
        s.millis().forEach(raw::add);
    }

    private static void side(ObjectNode o, List<RestoreSample> samples) {
        List<Double> client = samples.stream().map(RestoreSample::clientMillis).toList();
        o.put("p50", p(client, 50));
        o.put("max", p(client, 100));
        number(o, "meanRestoreMillis", mean(samples.stream().map(RestoreSample::restoreMillis).toList()));
        number(o, "meanFetchMillis", mean(samples.stream().map(RestoreSample::fetchMillis).toList()));
        o.put("fetchedFromStore", samples.stream().filter(RestoreSample::fetched).count());
        o.put("n", samples.size());
        ArrayNode raw = o.putArray("samples");
        for (RestoreSample s : samples) {
            ObjectNode x = raw.addObject();
            x.put("version", s.version());
            x.put("clientMillis", s.clientMillis());
            number(x, "restoreMillis", s.restoreMillis());
            number(x, "fetchMillis", s.fetchMillis());
            x.put("fetched", s.fetched());
            x.put("servedBy", s.servedBy());
        }
    }

    private static void row(StringBuilder md, String label, WarmSide s) {
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %d |%n", label, p(s.millis(), 50),
                p(s.millis(), 90), p(s.millis(), 99), s.cpuMsPerInvoke(), s.millis().size()));
    }

    private static void restoreRow(StringBuilder md, String label, List<RestoreSample> samples) {
        List<Double> client = samples.stream().map(RestoreSample::clientMillis).toList();
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %s | %d of %d | %d |%n", label,
                p(client, 50), p(client, 100), fmt(mean(samples.stream().map(RestoreSample::restoreMillis).toList())),
                fmt(mean(samples.stream().map(RestoreSample::fetchMillis).toList())),
                samples.stream().filter(RestoreSample::fetched).count(), samples.size(), samples.size()));
    }

    private static List<RestoreSample> concat(List<RestoreSample> a, List<RestoreSample> b) {
        List<RestoreSample> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static long cpuNanos(List<Long> pids) {
        return pids.stream().mapToLong(ProcStats::cpuNanos).sum();
    }

    private static double p(List<Double> values, double pct) {
        return BenchCommand.percentile(values, pct);
    }

    private static double mean(List<Double> values) {
        return values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void number(ObjectNode o, String name, double value) {
        if (Double.isFinite(value)) {
            o.put(name, value);
        } else {
            o.putNull(name);
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path secretFile(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content + "\n");
        return file;
    }

    /**
     * What the bench started, stopped in reverse order by {@link #close}, or by a shutdown hook when the JVM is
     * asked to exit (SIGINT, SIGTERM) before that.
     */
    private static final class Teardown implements AutoCloseable {
        private final Deque<AutoCloseable> parts = new ArrayDeque<>();
        private final Thread hook = new Thread(this::closeAll, "thaw-bench-cluster-teardown");
        private boolean closed;

        Teardown() {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        synchronized <T extends AutoCloseable> T add(T part) {
            parts.push(part);
            return part;
        }

        private synchronized void closeAll() {
            if (closed) {
                return;
            }
            closed = true;
            while (!parts.isEmpty()) {
                try {
                    parts.pop().close();
                } catch (Exception e) {
                    System.err.println("thaw bench: cleaning up: " + e);
                }
            }
        }

        @Override
        public void close() {
            closeAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // the hook runs or ran already
            }
        }
    }
}
