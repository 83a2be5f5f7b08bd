package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.server.Thaw;
import dev.thaw.server.ThawConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A platform started in this process on a temporary home and a free port, driven through its HTTP API: what
 * {@code thaw demo} and {@code thaw bench} measure against.
 */
final class LocalPlatform implements AutoCloseable {
    private static final Pattern INIT = Pattern.compile("Init Duration: ([\\d.]+) ms");
    private static final Pattern RESTORE = Pattern.compile("Restore Duration: ([\\d.]+) ms");
    /** REPORT's own Duration: the invocation's, after a tab (Init, Restore and Billed Duration follow a space). */
    private static final Pattern DURATION = Pattern.compile("\tDuration: ([\\d.]+) ms");
    private static final Pattern PRIMED = Pattern.compile("SNAPSHOT_REPORT .*\tPrimed Classes: (\\w+)");

    final ApiClient api;
    private final Thaw thaw;
    private final Path home;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Stops the platform and deletes its home when the JVM is asked to exit (SIGINT, SIGTERM) before close(). */
    private final Thread shutdownHook = new Thread(this::shutDown, "thaw-local-shutdown");

    LocalPlatform() throws IOException {
        this(ThawConfig.WARM_MEMORY_AUTO);
    }

    /** {@code warmMemoryMb}: as {@code thaw server --warm-memory}, or {@link ThawConfig#WARM_MEMORY_AUTO}. */
    LocalPlatform(int warmMemoryMb) throws IOException {
        home = Files.createTempDirectory("thaw-local-");
        try {
            // Its own SQLite in the temporary home even when THAW_DATABASE is set: a throwaway platform never writes
            // into a shared database.
            thaw = new Thaw(ThawConfig.defaults().toBuilder().home(home).port(0).urlPort(0).database("")
                    .warmMemoryMb(warmMemoryMb).build())
                    .start();
        } catch (RuntimeException e) {
            deleteHome();
            throw e;
        }
        api = new ApiClient("http://127.0.0.1:" + thaw.port());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static Path examples() {
        String repo = System.getenv("THAW_REPO");
        return Path.of(repo != null ? repo : ".").resolve("examples");
    }

    static byte[] example(String module) throws IOException {
        return example(examples(), module);
    }

    /** The built package of one example module under {@code examples}. */
    static byte[] example(Path examples, String module) throws IOException {
        Path zip = examples.resolve(module).resolve("target").resolve(module + ".zip");
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("example " + module + " is not built (" + zip + "); run ./thaw to build");
        }
        return Files.readAllBytes(zip);
    }

    /**
     * Creates a function, publishes version 1 (with a snapshot when {@code snapStart}) and waits until it is Active.
     * The returned configuration carries {@code PublishMillis}: from the PublishVersion request to the version being
     * Active (polled every 20 ms).
     */
    JsonNode deploy(String name, String module, String handler, String runtime, int memory, boolean snapStart,
                    Map<String, String> env) throws IOException, InterruptedException {
        return deploy(name, module, handler, runtime, memory, snapStart, env, 0, "{}");
    }

    /**
     * As {@link #deploy(String, String, String, String, int, boolean, Map)}, with {@code latestRequests} invokes of
     * {@code $LATEST} with {@code event} before the publish, so the platform records what they load (class priming).
     */
    JsonNode deploy(String name, String module, String handler, String runtime, int memory, boolean snapStart,
                    Map<String, String> env, int latestRequests, String event) throws IOException, InterruptedException {
        createFunction(api, name, example(module), handler, runtime, memory, snapStart, env);
        for (int i = 0; i < latestRequests; i++) {
            invoke(name, "$LATEST", event);
        }
        // The runtime reports what a request loaded before it takes the next one; one more makes the last count.
        if (latestRequests > 0) {
            invoke(name, "$LATEST", event);
            evict();
        }
        long started = System.nanoTime();
        JsonNode v = api.json("POST", "/2015-03-31/functions/" + name + "/versions", ApiClient.JSON.createObjectNode());
        while ("Pending".equals(v.path("State").asText())) {
            Thread.sleep(20);
            v = api.json("GET", "/2015-03-31/functions/" + name + "/configuration?Qualifier="
                    + v.path("Version").asText(), null);
        }
        if (!"Active".equals(v.path("State").asText())) {
            throw new IllegalStateException(name + " version " + v.path("Version").asText() + " is "
                    + v.path("State").asText() + ": " + v.path("StateReason").asText());
        }
        ((ObjectNode) v).put("PublishMillis", (System.nanoTime() - started) / 1e6);
        return v;
    }

    /** CreateFunction through the Lambda API: {@code $LATEST} of {@code name}, Active once the call returns. */
    static JsonNode createFunction(ApiClient api, String name, byte[] zip, String handler, String runtime, int memory,
                                   boolean snapStart, Map<String, String> env) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.put("FunctionName", name);
        body.put("Runtime", runtime);
        body.put("Handler", handler);
        body.put("Role", "arn:aws:iam::000000000000:role/thaw");
        body.put("MemorySize", memory);
        body.put("Timeout", 120);
        ObjectNode vars = body.putObject("Environment").putObject("Variables");
        env.forEach(vars::put);
        body.putObject("SnapStart").put("ApplyOn", snapStart ? "PublishedVersions" : "None");
        body.putObject("Code").put("ZipFile", Base64.getEncoder().encodeToString(zip));
        return api.json("POST", "/2015-03-31/functions", body);
    }

    /** One timed invoke: client-side milliseconds, and the Init or Restore Duration and the Duration from REPORT. */
    record Timed(double clientMillis, double initMillis, double restoreMillis, double durationMillis, String body) {
    }

    Timed invoke(String name, String qualifier, String payload) {
        long start = System.nanoTime();
        ApiClient.Response r = api.send("POST", "/2015-03-31/functions/" + name + "/invocations?Qualifier="
                + ApiClient.encode(qualifier), payload.getBytes(StandardCharsets.UTF_8), Map.of("X-Amz-Log-Type", "Tail"));
        double ms = (System.nanoTime() - start) / 1e6;
        String tail = r.header("X-Amz-Log-Result");
        String log = tail == null ? "" : new String(Base64.getDecoder().decode(tail), StandardCharsets.UTF_8);
        if (r.header("X-Amz-Function-Error") != null) {
            throw new IllegalStateException(name + ":" + qualifier + " failed: " + new String(r.body(),
                    StandardCharsets.UTF_8) + "\nlog tail:\n" + log);
        }
        return new Timed(ms, number(INIT, log), number(RESTORE, log), number(DURATION, log),
                new String(r.body(), StandardCharsets.UTF_8));
    }

    /**
     * One timed invoke of a provisioned concurrency copy, made for it: puts a configuration of one copy on
     * {@code function}'s {@code version}, waits until it is READY and its copy frozen, invokes, reads the copy's RSS,
     * then deletes the configuration and waits until the copy is gone, so that the next call gets a new one.
     */
    ProvisionedTimed provisionedInvoke(String function, String version, String payload) throws InterruptedException {
        String path = "/2019-09-30/functions/" + function + "/provisioned-concurrency?Qualifier="
                + ApiClient.encode(version);
        ObjectNode body = ApiClient.JSON.createObjectNode().put("ProvisionedConcurrentExecutions", 1);
        api.json("PUT", path, body);
        awaitProvisioned(function, version, true);
        Timed t = invoke(function, version, payload);
        double rss = rssMb(function, version);
        api.send("DELETE", path, new byte[0], Map.of());
        awaitProvisioned(function, version, false);
        return new ProvisionedTimed(t, rss);
    }

    record ProvisionedTimed(Timed timed, double rssMb) {
    }

    /** Waits until a frozen provisioned copy of the version exists ({@code present}), or until none does. */
    private void awaitProvisioned(String function, String version, boolean present) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            boolean found = false;
            for (JsonNode e : api.json("GET", "/thaw/v1/environments", null).path("Environments")) {
                if (function.equals(e.path("FunctionName").asText()) && version.equals(e.path("Version").asText())
                        && e.path("Provisioned").asBoolean() && !"DEAD".equals(e.path("State").asText())
                        && (!present || e.path("Frozen").asBoolean())) {
                    found = true;
                }
            }
            if (found == present) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the provisioned copy of " + function + ":" + version + " did not "
                + (present ? "become ready and frozen" : "go away") + " within 2 minutes");
    }

    /**
     * The Primed Classes of {@code function}'s last SNAPSHOT_REPORT: a number, "off", or "n/a" without one. The whole
     * log is read: the report comes from the publish, before the thousands of lines of the warm series.
     */
    String primedClasses(String function) {
        String primed = "n/a";
        for (JsonNode e : api.json("GET", "/thaw/v1/logs/" + ApiClient.encode(function)
                + "?Limit=" + Integer.MAX_VALUE, null).path("Events")) {
            Matcher m = PRIMED.matcher(e.path("Message").asText());
            if (m.find()) {
                primed = m.group(1);
            }
        }
        return primed;
    }

    void evict() {
        api.evictIdle();
    }

    /** The memory held for restores, from the platform's {@code /metrics}: held now and the target it fills to. */
    record WarmMemory(long heldBytes, long targetBytes) {
    }

    WarmMemory warmMemory() {
        String metrics = metrics();
        return new WarmMemory(gauge(metrics, "thaw_warm_memory_bytes"),
                gauge(metrics, "thaw_warm_memory_target_bytes"));
    }

    /** One snapshot's spare restore slots, from the platform's {@code /metrics}: ready now and how many it keeps. */
    record RestoreSlots(int ready, int wanted) {
    }

    RestoreSlots restoreSlots(String function, String version) {
        String metrics = metrics();
        String labels = "{function=\"" + function + "\",version=\"" + version + "\"}";
        return new RestoreSlots((int) gauge(metrics, Pattern.quote("thaw_restore_slots_ready" + labels)),
                (int) gauge(metrics, Pattern.quote("thaw_restore_slots_wanted" + labels)));
    }

    /**
     * Waits until the snapshot of {@code function}'s {@code version} has all the spare restore slots it keeps;
     * returns them, or the state at {@code limit} if it did not get there.
     */
    RestoreSlots awaitRestoreSlots(String function, String version, Duration limit) throws InterruptedException {
        return await(() -> restoreSlots(function, version), s -> s.ready() >= s.wanted(), limit);
    }

    /** Reads {@code read} every 200 ms until {@code done} holds or {@code limit} has passed; returns the last one. */
    private static <T> T await(Supplier<T> read, Predicate<T> done, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T reading = read.get();
        while (!done.test(reading) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            reading = read.get();
        }
        return reading;
    }

    private String metrics() {
        return new String(api.send("GET", "/metrics", null, Map.of()).body(), StandardCharsets.UTF_8);
    }

    private static long gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in the platform's metrics");
        }
        return (long) Double.parseDouble(m.group(1));
    }

    /**
     * Waits until the memory held for restores has filled to its target; returns what it holds, or the state at
     * {@code limit} if it did not get there.
     */
    WarmMemory awaitWarmMemory(Duration limit) throws InterruptedException {
        return await(this::warmMemory, w -> w.heldBytes() >= w.targetBytes(), limit);
    }

    /** Pids of the running environments of one function version ({@code $LATEST} or a number), from the API. */
    java.util.List<Long> environmentPids(String function, String version) {
        java.util.List<Long> pids = new java.util.ArrayList<>();
        for (JsonNode e : api.json("GET", "/thaw/v1/environments", null).path("Environments")) {
            if (function.equals(e.path("FunctionName").asText()) && version.equals(e.path("Version").asText())) {
                pids.add(e.path("Pid").asLong());
            }
        }
        return pids;
    }

    /**
     * Resident memory of one function version's environment, in MB: VmRSS of its main process plus its
     * descendants, from /proc. NaN when no environment of that version runs; the largest when several do.
     */
    double rssMb(String function, String version) {
        return environmentPids(function, version).stream().mapToLong(LocalPlatform::treeRssKb).max()
                .stream().mapToDouble(kb -> kb / 1024.0).findFirst().orElse(Double.NaN);
    }

    /** A number the environments API reports for the (single) environment of {@code function}'s $LATEST. */
    double environmentTiming(String function, String field) {
        for (JsonNode e : api.json("GET", "/thaw/v1/environments", null).path("Environments")) {
            if (function.equals(e.path("FunctionName").asText()) && "$LATEST".equals(e.path("Version").asText())) {
                return e.path(field).asDouble();
            }
        }
        return Double.NaN;
    }

    /** Size of the JDK AOT cache of {@code function}'s {@code version} in this platform's home. */
    long aotCacheBytes(String function, String version) throws IOException {
        return Files.size(home.resolve("aot").resolve(function).resolve(version).resolve("app.aot"));
    }

    /** Bytes of all files under the snapshot of {@code function}'s {@code version} in this platform's home. */
    long snapshotBytes(String function, String version) throws IOException {
        Path dir = home.resolve("snapshots").resolve(function).resolve(version);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no snapshot directory at " + dir);
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    /** {@code pid} and its live descendants. */
    static java.util.List<Long> tree(long pid) {
        return ProcessHandle.of(pid)
                .map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants()))
                .orElseGet(java.util.stream.Stream::empty).map(ProcessHandle::pid).toList();
    }

    static long treeRssKb(long pid) {
        return ProcessHandle.of(pid)
                .map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants()))
                .orElseGet(java.util.stream.Stream::empty)
                .mapToLong(h -> ProcStats.rssKb(h.pid())).sum();
    }

    /** CPU time of a process and its descendants so far, in nanoseconds (see {@link ProcStats#cpuNanos}). */
    static long treeCpuNanos(long pid) {
        return ProcessHandle.of(pid)
                .map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants()))
                .orElseGet(java.util.stream.Stream::empty)
                .mapToLong(h -> ProcStats.cpuNanos(h.pid())).sum();
    }

    int port() {
        return thaw.port();
    }

    Path home() {
        return home;
    }

    private static double number(Pattern p, String log) {
        Matcher m = p.matcher(log);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Stops the platform (and with it every environment) and deletes its temporary home. Idempotent. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or has run
        }
        shutDown();
    }

    private void shutDown() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            thaw.close();
        } finally {
            deleteHome();
        }
    }

    private void deleteHome() {
        try {
            dev.thaw.io.FileTrees.delete(home);
        } catch (IOException e) {
            System.err.println("thaw: could not delete the platform home " + home + ": " + e.getMessage());
        }
    }
}
