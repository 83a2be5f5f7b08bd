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
 * A cluster on one machine: PostgreSQL, two API instances ({@code thaw server --workers remote}) and three workers
 * ({@code thaw worker}), each worker in a network namespace of its own with its own address, home and cgroup
 * subtree. Invocations are placed on workers (warm on the environment already there, cold spread out), reserved
 * concurrency holds across API instances, a worker killed mid-burst fails only what it had started, and Events
 * accepted by an API instance that is killed are delivered by the other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Pattern STARTED = Pattern.compile("sleeper-start \\{id=([0-9a-f-]+)");
    private static final Pattern DONE = Pattern.compile("sleeper-done \\{id=([0-9a-f-]+)");

    private PostgresCluster postgres;
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
        apiA = ThawServerProcess.start("--database", database, "--workers", "remote", "--cluster-token-file",
                tokenFile.toString(), "--event-lease", "3", "--event-retry-delay", "1");
        for (ClusterWorker w : workers) {
            w.start(database, tokenFile, 2048);
        }
        apiB = ThawServerProcess.start("--database", database, "--workers", "remote", "--cluster-token-file",
                tokenFile.toString(), "--event-lease", "3", "--event-retry-delay", "1");
        Fixtures.deploy(apiA.lambda(), "echo", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.timeout(30));
        Fixtures.deploy(apiA.lambda(), "sleeper", "test-functions", Fixtures.fixtureHandler("Sleeper"),
                b -> b.timeout(60));
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
        if (tokenFile != null) {
            Files.deleteIfExists(tokenFile);
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
        assertEquals(startedOnVictim, failed, "exactly the invocations the killed worker had started failed");
        waitFor(() -> liveWorkers().size() == 2, 10_000, "the killed worker left the rotation");
        burst(apiA, 4, 100).values().forEach(r -> assertEquals(200, r.statusCode(), r.body()));

        victim.start(database, tokenFile, 2048);
        waitFor(() -> liveWorkers().size() == 3, 10_000, "the worker rejoined");
        assertTrue(victim.output().contains("registered at " + victim.advertised()), victim.output());
    }

    @Test
    @Order(7)
    void workersMakeTheirOwnSnapshotOfAVersionAndTheListingShowsThemPerFingerprint() throws Exception {
        Fixtures.deploy(apiA.lambda(), "snappy", "test-functions", Fixtures.fixtureHandler("Sleeper"),
                b -> b.timeout(30).snapStart(s -> s.applyOn(software.amazon.awssdk.services.lambda.model.SnapStartApplyOn.PUBLISHED_VERSIONS)));
        apiA.lambda().waiter().waitUntilFunctionActiveV2(b -> b.functionName("snappy"));
        apiA.lambda().publishVersion(b -> b.functionName("snappy"));
        apiA.lambda().waiter().waitUntilPublishedVersionActive(b -> b.functionName("snappy").qualifier("1"));
        List<Future<HttpResponse<String>>> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(callers.submit(() -> apiA.http("POST",
                    "/2015-03-31/functions/snappy/invocations?Qualifier=1", "{\"ms\":1500}")));
        }
        for (Future<HttpResponse<String>> f : first) {
            assertEquals(200, f.get().statusCode(), f.get().body());
        }
        waitFor(() -> {
            String listing = apiA.http("GET", "/thaw/v1/functions/snappy/versions/1/snapshot", null).body();
            return workers.stream().allMatch(w -> listing.contains(workerId(w)));
        }, 180_000, "every worker that served version 1 holds its own snapshot");
        String listing = apiA.http("GET", "/thaw/v1/functions/snappy/versions/1/snapshot", null).body();
        assertEquals(1, listing.split("\"Fingerprint\"", -1).length - 1, "one host, one fingerprint: " + listing);
        List<Future<HttpResponse<String>>> cold = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cold.add(callers.submit(() -> apiA.http("POST",
                    "/2015-03-31/functions/snappy/invocations?Qualifier=1", "{\"ms\":1500}")));
        }
        for (Future<HttpResponse<String>> f : cold) {
            assertEquals(200, f.get().statusCode(), f.get().body());
        }
        assertTrue(workers.stream().anyMatch(w -> w.functionLogs("snappy").contains("Restore Duration")),
                "a later cold start on a worker restored its snapshot");
    }

    @Test
    @Order(8)
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
        waitFor(() -> {
            Set<String> done = new HashSet<>();
            workers.forEach(w -> done.addAll(ids(DONE, w.functionLogs("sleeper"))));
            return done.containsAll(ids);
        }, 60_000, "every accepted Event was delivered");
        assertEquals(200, invoke(apiA, "echo", "{}").statusCode());
    }

    /** The id a worker registered under (its row's address is the one it advertised). */
    private String workerId(ClusterWorker w) {
        try (Connection c = postgres.connect(database);
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT id FROM workers WHERE address = ?")) {
            ps.setString(1, w.advertised());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "(not registered)";
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, HttpResponse<String>> burst(ThawServerProcess via, int n, int millis) throws Exception {
        Map<String, Future<HttpResponse<String>>> calls = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            calls.put(id, callers.submit(() -> invoke(via, "sleeper", "{\"id\":\"" + id + "\",\"ms\":" + millis
                    + "}")));
        }
        Map<String, HttpResponse<String>> results = new HashMap<>();
        for (Map.Entry<String, Future<HttpResponse<String>>> e : calls.entrySet()) {
            results.put(e.getKey(), e.getValue().get());
        }
        return results;
    }

    private static HttpResponse<String> invoke(ThawServerProcess via, String function, String payload) {
        return via.http("POST", "/2015-03-31/functions/" + function + "/invocations", payload);
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
