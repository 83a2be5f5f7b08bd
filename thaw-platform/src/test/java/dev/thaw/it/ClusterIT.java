package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster on one machine: PostgreSQL, S3Proxy as the object store, two API instances ({@code thaw server --workers
 * remote}) and three workers ({@code thaw worker}), each worker in a network namespace of its own with its own
 * address, home and cgroup subtree. Invocations are placed on workers (warm on the environment already there, cold
 * spread out), reserved concurrency holds across API instances, a worker killed mid-burst fails only what it had
 * started, a SnapStart version is checkpointed once per host fingerprint and restored by every worker, and Events
 * accepted by an API instance that is killed are delivered by the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Pattern STARTED = Pattern.compile("sleeper-start \\{id=([0-9a-f-]+)");
    private static final Pattern DONE = Pattern.compile("sleeper-done \\{id=([0-9a-f-]+)");

    private static final Pattern UPLOADED = Pattern.compile("uploaded the snapshot of (\\S+) for fingerprint");

    private PostgresCluster postgres;
    private S3ProxyServer s3;
    private String bucket;
    private List<String> objectStore;
    private Path criuWrapperDir;
    private String database;
    private Path tokenFile;
    private final List<ClusterWorker> workers = new ArrayList<>();
    private ThawServerProcess apiA;
    private ThawServerProcess apiB;
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    void startCluster() throws Exception {
        postgres = PostgresCluster.create();
        database = postgres.createDatabase();
        tokenFile = Files.createTempFile("thaw-cluster-token", "");
        Files.writeString(tokenFile, UUID.randomUUID() + "\n");
        for (int i = 0; i < 3; i++) {
            workers.add(ClusterWorker.prepare(i));
        }
        postgres.alsoServe(workers.stream().map(ClusterWorker::hostAddress).toList(), "10.251.0.0/16");
        // On the host's end of the first worker's link, which every worker's namespace routes to.
        s3 = S3ProxyServer.start(workers.getFirst().hostAddress());
        bucket = s3.createBucket();
        objectStore = s3.serverArguments(bucket, "cluster");
        apiA = startApi();
        for (ClusterWorker w : workers) {
            startWorker(w, Map.of());
        }
        apiB = startApi();
        Fixtures.deploy(apiA.lambda(), "echo", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.timeout(30));
        Fixtures.deploy(apiA.lambda(), "sleeper", "test-functions", Fixtures.fixtureHandler("Sleeper"),
                b -> b.timeout(60));
    }

    private ThawServerProcess startApi() {
        List<String> args = new ArrayList<>(List.of("--database", database, "--workers", "remote",
                "--cluster-token-file", tokenFile.toString(), "--event-lease", "3", "--event-retry-delay", "1"));
        args.addAll(objectStore);
        return ThawServerProcess.start(args.toArray(String[]::new));
    }

    /** Every worker shares the object store, and the master key that seals snapshots (the token file's folder). */
    private void startWorker(ClusterWorker w, Map<String, String> environment) {
        List<String> args = new ArrayList<>(objectStore);
        args.addAll(List.of("--snapshot-key-file", tokenFile + ".snapshot-key"));
        w.start(database, tokenFile, 2048, args, environment);
    }

    @AfterAll
    void stopCluster() throws Exception {
        callers.shutdownNow();
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable part : List.<AutoCloseable>of(() -> close(apiA), () -> close(apiB))) {
            try {
                part.close();
            } catch (Exception | AssertionError e) {
                failures.add(new Exception(e));
            }
        }
        for (ClusterWorker w : workers) {
            try {
                w.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (postgres != null) {
            postgres.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (tokenFile != null) {
            Files.deleteIfExists(tokenFile);
            Files.deleteIfExists(Path.of(tokenFile + ".snapshot-key"));
        }
        if (criuWrapperDir != null) {
            dev.thaw.io.FileTrees.delete(criuWrapperDir);
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    private static void close(ThawServerProcess server) {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void everyWorkerRegistersAndHeartbeatsItsCapacity() throws Exception {
        Map<String, Long> live = liveWorkers();
        assertEquals(3, live.size(), "live workers: " + live);
        Set<String> addresses = new HashSet<>();
        try (Connection c = postgres.connect(database);
             ResultSet rs = c.createStatement().executeQuery("SELECT address, memory_mib, fingerprint FROM workers")) {
            while (rs.next()) {
                addresses.add(rs.getString(1));
                assertEquals(2048, rs.getLong(2));
                assertTrue(rs.getString(3).matches("[0-9a-f]{16}"), rs.getString(3));
            }
        }
        assertEquals(workers.stream().map(ClusterWorker::advertised).collect(java.util.stream.Collectors.toSet()),
                addresses);
    }

    private static int connectFrom(String namespace, String script) throws Exception {
        Process p = new ProcessBuilder("nsenter", "--net=/run/netns/" + namespace, "--", "timeout", "3", "bash", "-c",
                script).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    @Order(2)
    void repeatedInvokesOfOneVersionReuseOneWorkersEnvironment() throws Exception {
        Set<String> instances = new HashSet<>();
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = invoke(apiA, "echo", "{\"n\":" + i + "}");
            assertEquals(200, r.statusCode(), r.body());
            Matcher m = Pattern.compile("\"instance\":\"([^\"]+)\"").matcher(r.body());
            assertTrue(m.find(), r.body());
            instances.add(m.group(1));
        }
        assertEquals(1, instances.size(), "one environment served every warm invoke: " + instances);
        long[] nanos = new long[50];
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            assertEquals(200, invoke(apiA, "echo", "{}").statusCode());
            nanos[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("cluster warm invoke through an API instance and a worker: p50 %.2f ms, p90 %.2f ms%n",
                nanos[25] / 1e6, nanos[45] / 1e6);
        int holding = 0;
        for (ClusterWorker w : workers) {
            holding += w.functionLogs("echo").contains("echo-log") ? 1 : 0;
        }
        assertEquals(1, holding, "exactly one worker ran the echo function");
    }

    @Test
    @Order(3)
    void aBurstOfColdInvokesSpreadsOverTheWorkers() throws Exception {
        Map<String, HttpResponse<String>> results = burst(apiA, 6, 1500);
        results.values().forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        for (ClusterWorker w : workers) {
            Set<String> ran = ids(STARTED, w.functionLogs("sleeper"));
            ran.retainAll(results.keySet());
            assertTrue(!ran.isEmpty(), "worker " + w.advertised() + " ran none of the burst");
        }
    }

    @Test
    @Order(4)
    void aFunctionCannotReachItsWorkersInternalApi() throws Exception {
        ClusterWorker worker = workers.getFirst();
        String group = dev.thaw.server.Thaw.groupName(worker.home()) + "-";
        String environmentNamespace;
        try (var names = Files.list(Path.of("/run/netns"))) {
            // after the burst every worker has environments, and spare namespaces for the next ones
            environmentNamespace = names.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(group))
                    .findFirst().orElseThrow(() -> new AssertionError("the worker made no environment namespace"));
        }
        String[] hostPort = worker.advertised().split(":");
        String probe = "exec 3<>/dev/tcp/" + hostPort[0] + "/" + hostPort[1];
        assertEquals(0, connectFrom(worker.namespace(), probe), "the worker's own namespace reaches its API");
        assertTrue(connectFrom(environmentNamespace, probe) != 0, "an environment reached its worker's API");
    }

    @Test
    @Order(5)
    void reservedConcurrencyHoldsAcrossApiInstances() throws Exception {
        Fixtures.deploy(apiA.lambda(), "reserved", "test-functions", Fixtures.fixtureHandler("Sleeper"),
                b -> b.timeout(60));
        assertEquals(200, invoke(apiA, "reserved", "{\"ms\":0}").statusCode());
        apiA.lambda().putFunctionConcurrency(b -> b.functionName("reserved").reservedConcurrentExecutions(2));
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ThawServerProcess via = i % 2 == 0 ? apiA : apiB;
            calls.add(callers.submit(() -> invoke(via, "reserved", "{\"ms\":12000}")));
        }
        int served = 0;
        int throttled = 0;
        for (Future<HttpResponse<String>> f : calls) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                served++;
            } else {
                assertEquals(429, r.statusCode(), r.body());
                assertTrue(r.body().contains("ReservedFunctionConcurrentInvocationLimitExceeded"), r.body());
                throttled++;
            }
        }
        assertEquals(2, served, "two of six ran, whichever instance took them");
        assertEquals(4, throttled);
    }

    @Test
    @Order(6)
    void aWorkerKilledMidBurstFailsOnlyWhatItHadStartedAndTheRestIsServed() throws Exception {
        burst(apiA, 6, 200).values().forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        ClusterWorker victim = workers.get(2);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String id = UUID.randomUUID().toString();
            events.add(id);
            HttpResponse<String> r = apiA.http("POST", "/2015-03-31/functions/sleeper/invocations",
                    "{\"id\":\"" + id + "\",\"ms\":3000}", "X-Amz-Invocation-Type", "Event");
            assertEquals(202, r.statusCode(), r.body());
        }
        Map<String, Future<HttpResponse<String>>> calls = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            String id = UUID.randomUUID().toString();
            calls.put(id, callers.submit(() -> invoke(apiA, "sleeper", "{\"id\":\"" + id + "\",\"ms\":5000}")));
        }
        waitFor(() -> !ids(STARTED, victim.functionLogs("sleeper")).stream().filter(calls::containsKey).toList()
                .isEmpty(), 20_000, "the victim started none of the burst");
        Thread.sleep(500);
        victim.kill();
        Set<String> startedOnVictim = ids(STARTED, victim.functionLogs("sleeper"));
        startedOnVictim.retainAll(calls.keySet());
        Set<String> failed = new HashSet<>();
        for (Map.Entry<String, Future<HttpResponse<String>>> e : calls.entrySet()) {
            HttpResponse<String> r = e.getValue().get();
            if (r.statusCode() != 200) {
                assertEquals(500, r.statusCode(), r.body());
                assertEquals("ServiceException", r.headers().firstValue("x-amzn-ErrorType").orElse(""), r.body());
                failed.add(e.getKey());
            }
        }
        // What the victim had begun failed. So may an invocation it had accepted and was still cold-starting for:
        // the router cannot tell whether it ran. Every other one was served elsewhere.
        assertTrue(failed.containsAll(startedOnVictim), "every invocation the killed worker had started failed: "
                + startedOnVictim + " " + failed);
        Set<String> doneElsewhere = new HashSet<>();
        workers.stream().filter(w -> w != victim)
                .forEach(w -> doneElsewhere.addAll(ids(DONE, w.functionLogs("sleeper"))));
        for (String id : calls.keySet()) {
            assertTrue(failed.contains(id) || doneElsewhere.contains(id), "served by another worker: " + id);
        }
        waitFor(() -> liveWorkers().size() == 2, 10_000, "the killed worker left the rotation");
        burst(apiA, 4, 100).values().forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        waitFor(() -> {
            Set<String> done = new HashSet<>();
            workers.forEach(w -> done.addAll(ids(DONE, w.functionLogs("sleeper"))));
            return done.containsAll(events);
        }, 90_000, "every Event was delivered, those the killed worker was running included");

        startWorker(victim, Map.of());
        waitFor(() -> liveWorkers().size() == 3, 10_000, "the worker rejoined");
        assertTrue(victim.output().contains("registered at " + victim.advertised()), victim.output());
    }

    @Test
    @Order(7)
    void aSnapStartVersionIsCheckpointedOnceAndEveryWorkerRestoresTheSharedSnapshot() throws Exception {
        publishSnapStartVersion("snappy");
        List<String> fingerprints = sharedFingerprints("snappy", "1");
        assertEquals(1, fingerprints.size(), "one snapshot in the object store: " + fingerprints);

        Map<String, HttpResponse<String>> results = burst(apiA, "snappy:1", 24, 1500);
        results.values().forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        int restores = 0;
        for (ClusterWorker w : workers) {
            String logs = w.functionLogs("snappy");
            int restored = count(logs, "MB\tRestore Duration");
            assertTrue(restored > 0, "worker " + w.advertised() + " restored no copy of the shared snapshot");
            assertEquals(0, count(logs, "MB\tInit Duration"), "a cold start ran INIT: " + logs);
            restores += restored;
        }
        System.out.println("24 cold invokes of a SnapStart version: " + restores + " restores on 3 workers");
        Map<String, Integer> uploads = uploads();
        assertEquals(1, uploads.getOrDefault("snappy:1", 0), "one worker checkpointed the version: " + uploads);
        assertEquals(2, workers.stream().filter(w -> w.output().contains("fetched the snapshot of snappy:1")).count(),
                "the two other workers fetched it from the object store");
        assertEquals(fingerprints, sharedFingerprints("snappy", "1"), "no worker made a second snapshot");

        waitFor(() -> snapshotListing("snappy").path("Fingerprints").size() == 1
                && snapshotListing("snappy").path("Fingerprints").get(0).path("Workers").size() == 3,
                10_000, "the listing shows the three workers holding it under one fingerprint: "
                        + snapshotListing("snappy"));
        com.fasterxml.jackson.databind.JsonNode shared = snapshotListing("snappy").path("SharedSnapshots");
        assertEquals(1, shared.size(), shared.toString());
        assertEquals(fingerprints.getFirst(), shared.get(0).path("SnapshotFingerprint").asText());
    }

    @Test
    @Order(8)
    void aWorkerWithAnotherFingerprintMakesItsOwnSnapshotAndTheOthersShareOne() throws Exception {
        ClusterWorker odd = workers.get(1);
        odd.stop();
        startWorker(odd, Map.of("THAW_CRIU", criuReportingAnotherVersion().toString()));
        waitFor(() -> liveWorkers().size() == 3, 10_000, "the worker rejoined");
        assertEquals(2, workerFingerprints().size(), "its CRIU makes its fingerprint differ: "
                + workerFingerprints());

        publishSnapStartVersion("oddsnap");
        burst(apiA, "oddsnap:1", 6, 3000).values().forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        waitFor(() -> sharedFingerprints("oddsnap", "1").size() == 2, 120_000,
                "a snapshot per fingerprint in the object store");
        assertEquals(1, count(odd.output(), "uploaded the snapshot of oddsnap:1"),
                "the worker of the other fingerprint made its own");
        assertEquals(2, uploads().getOrDefault("oddsnap:1", 0), "one snapshot per fingerprint: " + uploads());
        com.fasterxml.jackson.databind.JsonNode shared = snapshotListing("oddsnap").path("SharedSnapshots");
        assertEquals(2, shared.size(), shared.toString());
        assertTrue(shared.toString().contains("+other-build"), shared.toString());
        waitFor(() -> snapshotListing("oddsnap").path("Fingerprints").size() == 2, 10_000,
                "the listing groups the holders by fingerprint: " + snapshotListing("oddsnap"));

        // A burst gives the odd worker a cold start only when its idle copies from the first burst are all busy, which
        // depends on how the router spread the burst: up to three bursts, each of more simultaneous invokes.
        for (int round = 1; round <= 3 && !odd.functionLogs("oddsnap").contains("Restore Duration"); round++) {
            burst(apiA, "oddsnap:1", 12 * round, 1000).values()
                    .forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        }
        assertTrue(odd.functionLogs("oddsnap").contains("Restore Duration"),
                "a later cold start on the odd worker restored its own snapshot: " + odd.functionLogs("oddsnap"));
    }

    /** Deploys a SnapStart function and publishes version 1, which a worker checkpoints. */
    private void publishSnapStartVersion(String name) {
        Fixtures.deploy(apiA.lambda(), name, "test-functions", Fixtures.fixtureHandler("Sleeper"),
                b -> b.timeout(30).snapStart(s -> s.applyOn(
                        software.amazon.awssdk.services.lambda.model.SnapStartApplyOn.PUBLISHED_VERSIONS)));
        apiA.lambda().waiter().waitUntilFunctionActiveV2(b -> b.functionName(name));
        apiA.lambda().publishVersion(b -> b.functionName(name));
        apiA.lambda().waiter().waitUntilPublishedVersionActive(b -> b.functionName(name).qualifier("1"));
    }

    /**
     * A CRIU that names another version for {@code criu --version} and is the real one for everything else: a host
     * whose CRIU build differs, so its snapshots must not be restored by the others nor theirs by it.
     */
    private Path criuReportingAnotherVersion() throws Exception {
        Path installed = Path.of("/usr/local/lib/thaw/criu/criu");
        String real = System.getenv("THAW_CRIU") != null ? System.getenv("THAW_CRIU")
                : Files.isExecutable(installed) ? installed.toString() : "criu";
        criuWrapperDir = Files.createTempDirectory("thaw-it-criu-");
        Path wrapper = criuWrapperDir.resolve("criu");
        Files.writeString(wrapper, String.join("\n", "#!/bin/sh",
                "if [ \"$1\" = --version ]; then",
                "  '" + real + "' --version | sed 's/^Version: \\(.*\\)$/Version: \\1+other-build/'",
                "  exit 0",
                "fi",
                "exec '" + real + "' \"$@\"", ""));
        Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(criuWrapperDir,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return wrapper;
    }

    /** The fingerprints whose snapshot of a version the object store holds (each under its own folder). */
    private List<String> sharedFingerprints(String function, String version) {
        String prefix = "cluster/snapshots/" + function + "/" + version + "/";
        Set<String> found = new java.util.TreeSet<>();
        try (software.amazon.awssdk.services.s3.S3Client client = s3.client()) {
            client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().forEach(o -> {
                String rest = o.key().substring(prefix.length());
                if (rest.matches("[0-9a-f]{16}/manifest\\.json")) {
                    found.add(rest.substring(0, 16));
                }
            });
        }
        return new ArrayList<>(found);
    }

    /** Snapshot uploads by function:version, from every worker's output. */
    private Map<String, Integer> uploads() {
        Map<String, Integer> uploads = new java.util.TreeMap<>();
        for (ClusterWorker w : workers) {
            Matcher m = UPLOADED.matcher(w.allOutput());
            while (m.find()) {
                uploads.merge(m.group(1), 1, Integer::sum);
            }
        }
        return uploads;
    }

    private com.fasterxml.jackson.databind.JsonNode snapshotListing(String function) {
        HttpResponse<String> r = apiA.http("GET", "/thaw/v1/functions/" + function + "/versions/1/snapshot", null);
        assertEquals(200, r.statusCode(), r.body());
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Set<String> workerFingerprints() {
        Set<String> fingerprints = new HashSet<>();
        try (Connection c = postgres.connect(database);
             ResultSet rs = c.createStatement().executeQuery("SELECT fingerprint FROM workers")) {
            while (rs.next()) {
                fingerprints.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return fingerprints;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    @Order(9)
    void eventsAcceptedByAKilledApiInstanceAreDeliveredByTheOther() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            HttpResponse<String> r = apiB.http("POST", "/2015-03-31/functions/sleeper/invocations",
                    "{\"id\":\"" + id + "\",\"ms\":300}", "X-Amz-Invocation-Type", "Event");
            assertEquals(202, r.statusCode(), r.body());
        }
        apiB.kill();
        long deadline = System.currentTimeMillis() + 60_000;
        Set<String> missing = new HashSet<>(ids);
        while (!missing.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            workers.forEach(w -> missing.removeAll(ids(DONE, w.functionLogs("sleeper"))));
        }
        assertEquals(Set.of(), missing, "accepted Events never delivered; the other instance's log:\n"
                + String.join("\n", lastLines(apiA.output(), 60)));
        assertEquals(200, invoke(apiA, "echo", "{}").statusCode());
    }

    private Map<String, HttpResponse<String>> burst(ThawServerProcess via, int n, int millis) throws Exception {
        return burst(via, "sleeper", n, millis);
    }

    /** {@code n} invocations of {@code target} (a function, or function:version) at once. */
    private Map<String, HttpResponse<String>> burst(ThawServerProcess via, String target, int n, int millis)
            throws Exception {
        Map<String, Future<HttpResponse<String>>> calls = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            calls.put(id, callers.submit(() -> invoke(via, target, "{\"id\":\"" + id + "\",\"ms\":" + millis
                    + "}")));
        }
        Map<String, HttpResponse<String>> results = new HashMap<>();
        for (Map.Entry<String, Future<HttpResponse<String>>> e : calls.entrySet()) {
            results.put(e.getKey(), e.getValue().get());
        }
        return results;
    }

    private static HttpResponse<String> invoke(ThawServerProcess via, String target, String payload) {
        String[] qualified = target.split(":", 2);
        return via.http("POST", "/2015-03-31/functions/" + qualified[0] + "/invocations"
                + (qualified.length > 1 ? "?Qualifier=" + qualified[1] : ""), payload);
    }

    private static List<String> lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    private static Set<String> ids(Pattern line, String logs) {
        Set<String> ids = new HashSet<>();
        Matcher m = line.matcher(logs);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** Workers whose heartbeat is recent, by id, with their start time. */
    private Map<String, Long> liveWorkers() {
        Map<String, Long> live = new HashMap<>();
        try (Connection c = postgres.connect(database);
             ResultSet rs = c.createStatement().executeQuery("SELECT id, started_at FROM workers WHERE heartbeat_at > "
                     + (System.currentTimeMillis() - 5000))) {
            while (rs.next()) {
                live.put(rs.getString(1), rs.getLong(2));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return live;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, long millis, String what)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            Thread.sleep(100);
        }
    }
}
