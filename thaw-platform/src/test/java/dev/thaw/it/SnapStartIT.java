package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.SnapStartException;
import software.amazon.awssdk.services.lambda.model.SnapStartOptimizationStatus;
import software.amazon.awssdk.services.lambda.model.State;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** SnapStart with real CRIU: publish takes a snapshot, cold starts restore it, and the three hazards are handled. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnapStartIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ThawServerProcess server;
    private LambdaClient lambda;
    /** The socket example's echo server, on a network outside the host, as a function's database would be. */
    private OutsideNetwork outside;

    @BeforeAll
    void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "SnapStart needs root for CRIU");
        server = ThawServerProcess.startWithEnvironment(Map.of("AWS_ACCESS_KEY_ID", "AKIATHAWTEST",
                "AWS_SECRET_ACCESS_KEY", "secret-for-tests"));
        lambda = server.lambda();
        outside = OutsideNetwork.create();
    }

    @AfterAll
    void stop() throws Exception {
        if (server == null) {
            return;
        }
        outside.close();
        lambda.close();
        Path home = server.home();
        server.close();
        // A spare slot's paused CRIU and the root task it made go with the server.
        List<String> left = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> p.info().arguments().ifPresent(args -> {
            if (String.join(" ", args).contains(home.toString())) {
                left.add(p.pid() + " " + p.info().commandLine().orElse(""));
            }
        }));
        assertEquals(List.of(), left, "processes of the stopped server's home");
    }

    private GetFunctionConfigurationResponse publishSnapStart(String name, String handler, Map<String, String> env) {
        return publishSnapStart(name, handler, env, "java17");
    }

    private GetFunctionConfigurationResponse publishSnapStart(String name, String handler, Map<String, String> env,
                                                              String runtime) {
        lambda.createFunction(b -> b.functionName(name).runtime(runtime).handler(handler).role("r")
                .memorySize(256).timeout(15).environment(e -> e.variables(env))
                .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
        var published = lambda.publishVersion(b -> b.functionName(name));
        assertEquals(State.PENDING, published.state(), "PublishVersion returns at once, Pending");
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName(name).qualifier(published.version()));
        return config(name, published.version());
    }

    private GetFunctionConfigurationResponse config(String name, String version) {
        return lambda.getFunctionConfiguration(b -> b.functionName(name).qualifier(version));
    }

    private static String tail(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    private InvokeResponse invoke(String name, String qualifier, String payload) {
        return lambda.invoke(b -> b.functionName(name).qualifier(qualifier).logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void publishGoesPendingToActiveAndTheFirstInvokeRestoresWithHooksInOrder() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("hooks", Fixtures.fixtureHandler("Hooks"), Map.of());
        assertEquals(State.ACTIVE, v.state());
        assertEquals(SnapStartOptimizationStatus.ON, v.snapStart().optimizationStatus());

        InvokeResponse r = invoke("hooks", v.version(), "{}");
        JsonNode out = JSON.readTree(r.payload().asByteArray());
        assertEquals(List.of("before:B", "before:A", "after:A", "after:B"),
                JSON.convertValue(out.path("events"), List.class), "CRaC order: reverse before, forward after");
        assertEquals("snap-start", out.path("initType").asText());
        // /tmp was empty at the checkpoint (restored without tar); the restored copy can write there.
        List<String> tmp = new ArrayList<>();
        out.path("tmp").fieldNames().forEachRemaining(tmp::add);
        assertTrue(tmp.size() == 1 && tmp.getFirst().startsWith("handler-"), out.toString());
        String log = tail(r);
        assertTrue(log.matches("(?s).*REPORT .*Restore Duration: [\\d.]+ ms\tBilled Restore Duration: \\d+ ms\t.*"), log);
        assertTrue(!log.contains("Init Duration"), log);
        // The dump waits until the runtime is blocked on its restore line, so a copy resumes there and not in the
        // middle of the runtime's last steps before it (such as scanning /proc/self/net for open sockets).
        for (long pid : server.environmentPids("hooks")) {
            try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                List<String> procFiles = fds.map(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString();
                    } catch (IOException gone) {
                        return "";
                    }
                }).filter(target -> target.startsWith("/proc/")).toList();
                assertEquals(List.of(), procFiles, "files of /proc the restored copy holds open");
            }
        }

        InvokeResponse latest = invoke("hooks", "$LATEST", "{}");
        assertEquals("on-demand", JSON.readTree(latest.payload().asByteArray()).path("initType").asText(),
                "$LATEST never uses snapshots");
        assertTrue(tail(latest).contains("Init Duration"), tail(latest));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"java17", "java25"})
    void eightConcurrentColdStartsRestoreEightUniqueCopies(String runtime) throws Exception {
        String fn = "unique-" + runtime;
        GetFunctionConfigurationResponse v = publishSnapStart(fn, Fixtures.fixtureHandler("Uniqueness"), Map.of(), runtime);
        List<JsonNode> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<InvokeResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(pool.submit(() -> invoke(fn, v.version(), "{}")));
            }
            for (Future<InvokeResponse> f : calls) {
                InvokeResponse r = f.get();
                assertEquals(null, r.functionError(), r.payload().asUtf8String());
                assertTrue(tail(r).contains("Restore Duration"), tail(r));
                answers.add(JSON.readTree(r.payload().asByteArray()));
            }
        }
        long environments = server.environmentPids(fn).size();
        assertEquals(8, environments, "eight independent restored copies");
        for (String field : List.of("mathRandom", "uuid", "threadLocalRandom", "secureRandom", "random")) {
            Set<String> values = new HashSet<>();
            answers.forEach(a -> values.add(a.path(field).asText()));
            assertEquals(8, values.size(), field + " must differ across restored copies: " + values);
        }
        // Each copy's CRIU work directory (where CRIU mounts its cgroup yard) goes once its copy has stopped. What
        // stays are the spare slots' directories: a CRIU paused before it restored anything (no pid file).
        server.evictIdle();
        Path work = server.home().resolve("restore-work");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (restoredCopiesWork(work) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, restoredCopiesWork(work), "restore work directories left after the copies stopped");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(work.toString()),
                "a mount under " + work + " outlived its copy");
    }

    @Test
    void restoredCopiesThatFreeAndRetakeMuchMemoryKeepTheirInitDataAndGetZeroedPages() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("churn", Fixtures.fixtureHandler("MemoryChurn"), Map.of());
        List<JsonNode> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<InvokeResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(pool.submit(() -> invoke("churn", v.version(), "{}")));
            }
            for (Future<InvokeResponse> f : calls) {
                InvokeResponse r = f.get();
                assertEquals(null, r.functionError(), r.payload().asUtf8String());
                assertTrue(tail(r).contains("Restore Duration"), tail(r));
                answers.add(JSON.readTree(r.payload().asByteArray()));
            }
        }
        // A second round in the same copies: memory the first round gave back is taken again.
        for (int i = 0; i < 4; i++) {
            answers.add(JSON.readTree(invoke("churn", v.version(), "{}").payload().asByteArray()));
        }
        assertEquals(4, server.environmentPids("churn").size(), "four restored copies");
        for (JsonNode a : answers) {
            assertTrue(a.path("initDataIntact").asBoolean(),
                    "INIT's heap and native patterns survive the restore and the churn: " + a);
            assertEquals(0, a.path("nonZeroFreshBytes").asLong(), "fresh arrays read as zeros: " + a);
            assertTrue(a.path("maxCommittedMb").asLong() - a.path("minCommittedMb").asLong() >= 32,
                    "the heap gave memory back to the kernel and took it again: " + a);
        }
    }

    /** Work directories of copies CRIU restored (they have a pid file; a spare slot's paused CRIU has none). */
    private static long restoredCopiesWork(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var entries = Files.list(dir)) {
            return entries.filter(d -> Files.exists(d.resolve("pid"))).count();
        }
    }

    /** A spare slot of {@code function}'s snapshot: CRIU paused after the namespaces, before restoring anything. */
    private static boolean spareSlotPaused(Path work, String function) throws IOException {
        if (!Files.isDirectory(work)) {
            return false;
        }
        try (var entries = Files.list(work)) {
            for (Path d : entries.toList()) {
                try {
                    if (Files.exists(d.resolve("paused")) && !Files.exists(d.resolve("pid"))
                            && Files.readString(d.resolve("criu.args")).matches(
                                    "(?s).*/(dump|copy)-" + function + "-\\d+-.*")) {
                        return true;
                    }
                } catch (IOException gone) {
                    // a slot taken or discarded meanwhile
                }
            }
        }
        return false;
    }

    @Test
    void aColdStartAfterTheFirstRestoresFromASlotWhoseNamespacesWerePreparedAhead() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("ahead", Fixtures.fixtureHandler("Uniqueness"), Map.of());
        assertEquals(null, invoke("ahead", v.version(), "{}").functionError());
        server.evictIdle();
        Path work = server.home().resolve("restore-work");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!spareSlotPaused(work, "ahead") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(spareSlotPaused(work, "ahead"), "a spare slot for the snapshot, paused after its namespaces");
        InvokeResponse r = invoke("ahead", v.version(), "{}");
        assertEquals(null, r.functionError(), r.payload().asUtf8String());
        assertTrue(tail(r).contains("Restore Duration"), tail(r));
        List<String> reports = new ArrayList<>();
        JSON.readTree(server.http("GET", "/thaw/v1/logs/ahead", null).body()).path("Events").forEach(e -> {
            if (e.path("Message").asText().startsWith("RESTORE_REPORT")) {
                reports.add(e.path("Message").asText());
            }
        });
        assertEquals(2, reports.size(), reports.toString());
        assertTrue(reports.get(0).contains("(on the restore's path)"), reports.get(0));
        assertTrue(reports.get(1).contains("(prepared ahead)"), reports.get(1));
    }

    @Test
    void whatInitWroteToTmpIsInEveryRestoredCopy() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("hooks-tmp", Fixtures.fixtureHandler("Hooks"),
                Map.of("WRITE_TMP_AT_INIT", "true"));
        for (int copy = 0; copy < 2; copy++) {
            server.evictIdle();
            JsonNode out = JSON.readTree(invoke("hooks-tmp", v.version(), "{}").payload().asByteArray());
            assertEquals("written during INIT", out.path("tmp").path("from-init").asText(), out.toString());
            assertEquals(2, out.path("tmp").size(), "INIT's file and this copy's own, not an earlier copy's: " + out);
        }
    }

    @Test
    void aSocketExampleReconnectsInAfterRestore() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("socket", Fixtures.fixtureHandler("SocketHolder"),
                Map.of("ECHO_HOST", outside.address(), "ECHO_PORT", Integer.toString(outside.echoPort())));
        assertEquals(State.ACTIVE, v.state(), v.stateReason());
        InvokeResponse r = invoke("socket", v.version(), "{\"line\":\"ping\"}");
        assertEquals(null, r.functionError(), r.payload().asUtf8String() + "\n" + tail(r));
        JsonNode out = JSON.readTree(r.payload().asByteArray());
        assertEquals("ping", out.path("echo").asText());
        assertEquals(1, out.path("reconnects").asInt());
    }

    @Test
    void anOpenUserSocketFailsThePublishNamingTheEndpoint() {
        lambda.createFunction(b -> b.functionName("leaky").runtime("java17").handler(Fixtures.fixtureHandler("SocketHolder"))
                .role("r").environment(e -> e.variables(Map.of("ECHO_HOST", outside.address(), "ECHO_PORT",
                        Integer.toString(outside.echoPort()), "SOCKET_NO_HOOK", "true")))
                .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
        String version = lambda.publishVersion(b -> b.functionName("leaky")).version();
        GetFunctionConfigurationResponse failed = awaitSettled("leaky", version);
        assertEquals(State.FAILED, failed.state());
        assertTrue(failed.stateReason().contains(outside.address() + ":" + outside.echoPort()), failed.stateReason());
        assertTrue(failed.stateReason().contains("org.crac"), failed.stateReason());
        assertThrows(SnapStartException.class, () -> invoke("leaky", version, "{}"));
    }

    @Test
    void aTokenExampleGetsFreshCredentialsAfterRestore() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("token", Fixtures.fixtureHandler("TokenRefresher"), Map.of());
        long before = System.currentTimeMillis();
        JsonNode out = JSON.readTree(invoke("token", v.version(), "{}").payload().asByteArray());
        assertEquals("AKIATHAWTEST", out.path("accessKeyId").asText());
        assertEquals(1, out.path("refreshes").asInt());
        assertTrue(out.path("tokenIssuedAt").asLong() >= before, "the token was refreshed after the restore");
        assertTrue(java.time.Instant.parse(out.path("expiration").asText()).toEpochMilli() > before);
    }

    @Test
    void aFailingAfterRestoreHookIsSnapStartException() {
        GetFunctionConfigurationResponse v = publishSnapStart("after-fails", Fixtures.fixtureHandler("Hooks"),
                Map.of("FAIL_AFTER_RESTORE", "true"));
        SnapStartException e = assertThrows(SnapStartException.class, () -> invoke("after-fails", v.version(), "{}"));
        assertTrue(e.getMessage().contains("afterRestore"), e.getMessage());
        assertTrue(String.join("\n", logLines("after-fails")).contains("after restore failed on purpose"));
    }

    @Test
    void aFailingBeforeCheckpointHookFailsThePublish() {
        lambda.createFunction(b -> b.functionName("before-fails").runtime("java17").handler(Fixtures.fixtureHandler("Hooks"))
                .role("r").environment(e -> e.variables(Map.of("FAIL_BEFORE_CHECKPOINT", "true")))
                .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
        String version = lambda.publishVersion(b -> b.functionName("before-fails")).version();
        GetFunctionConfigurationResponse failed = awaitSettled("before-fails", version);
        assertEquals(State.FAILED, failed.state());
        assertNotNull(failed.stateReasonCodeAsString());
        assertThrows(SnapStartException.class, () -> invoke("before-fails", version, "{}"));
    }

    @Test
    void aCorruptedSnapshotIsNeverRestoredAndIsRecreated() throws Exception {
        GetFunctionConfigurationResponse v = publishSnapStart("corrupt", Fixtures.fixtureHandler("Echo"), Map.of());
        Path images = server.home().resolve("snapshots/corrupt/" + v.version() + "/images");
        Path pages;
        try (var files = Files.list(images)) {
            pages = files.filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst().orElseThrow();
        }
        Files.write(pages, new byte[] {1, 2, 3, 4}, StandardOpenOption.WRITE);
        InvokeResponse r = invoke("corrupt", v.version(), "{}");
        assertEquals(null, r.functionError(), r.payload().asUtf8String());
        assertTrue(tail(r).contains("Init Duration"), "served by an ordinary INIT: " + tail(r));
        assertTrue(String.join("\n", logLines("corrupt")).contains("SNAPSTART_WARNING snapshot not restored"));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!String.join("\n", logLines("corrupt")).matches("(?s).*SNAPSHOT_REPORT.*SNAPSHOT_REPORT.*")
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        server.evictIdle();
        assertTrue(tail(invoke("corrupt", v.version(), "{}")).contains("Restore Duration"),
                "the re-created snapshot is restored");
    }

    @Test
    void snapStartOnACustomRuntimeIsInvalidParameter() {
        assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b.functionName("custom")
                .runtime("provided.al2023").handler("bootstrap").role("r")
                .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions")))));
    }

    private GetFunctionConfigurationResponse awaitSettled(String name, String version) {
        long deadline = System.currentTimeMillis() + 120_000;
        GetFunctionConfigurationResponse c = config(name, version);
        while (c.state() == State.PENDING && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            c = config(name, version);
        }
        return c;
    }

    private List<String> logLines(String function) {
        String body = server.http("GET", "/thaw/v1/logs/" + function, null).body();
        try {
            List<String> lines = new ArrayList<>();
            JSON.readTree(body).path("Events").forEach(e -> lines.add(e.path("Message").asText()));
            return lines;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
