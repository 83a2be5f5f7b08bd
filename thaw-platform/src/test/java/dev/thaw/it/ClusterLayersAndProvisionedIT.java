package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.PutProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layers and provisioned concurrency on a cluster of three workers and two API instances: a function's layers reach
 * each worker that runs it (handed over by an API instance, or fetched from the worker that has them), and a
 * provisioned concurrency configuration put through one API instance keeps exactly the requested copies across the
 * workers, serves invokes on them, replaces a killed worker's copies on the others and trims them when it returns,
 * and stops them all when deleted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterLayersAndProvisionedIT {
    private static final long WORKER_MEMORY_MIB = 2048;
    private static final long WITHIN_MILLIS = 120_000;
    private static final String GREETING = "\"Hello, Thaw! (from the greeting layer)\"";

    private TestCluster cluster;
    private LambdaClient viaA;
    private LambdaClient viaB;
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    void startCluster() throws Exception {
        cluster = TestCluster.start(3, WORKER_MEMORY_MIB, 2);
        viaA = cluster.api(0).lambda();
        viaB = cluster.api(1).lambda();
    }

    @AfterAll
    void stopCluster() throws Exception {
        callers.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aFunctionsLayerReachesEveryWorkerThatRunsIt() throws Exception {
        SdkBytes library = example("layer");
        SdkBytes user = example("layer-user");
        String layer = viaA.publishLayerVersion(b -> b.layerName("greeting").compatibleRuntimes(Runtime.JAVA17)
                .content(c -> c.zipFile(library))).layerVersionArn();
        viaA.createFunction(b -> b.functionName("greeter").runtime(Runtime.JAVA17)
                .handler("dev.thaw.examples.layers.LayerUser").role(Fixtures.ROLE).timeout(30).layers(layer)
                .code(c -> c.zipFile(user)));
        assertEquals(GREETING, greet(viaA).payload().asUtf8String(), "the instance that holds the layer hands it over");
        // Concurrent invokes through the other instance, which holds neither the package nor the layer: the one
        // worker with an idle environment takes one, the others start cold and get both from that worker.
        List<Future<InvokeResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            calls.add(callers.submit(() -> greet(viaB)));
            Thread.sleep(150);
        }
        for (Future<InvokeResponse> call : calls) {
            assertEquals(GREETING, call.get().payload().asUtf8String());
        }
        long ran = cluster.workers().stream().filter(w -> w.functionLogs("greeter").contains("START RequestId"))
                .count();
        assertTrue(ran >= 2, "the function ran on " + ran + " worker(s), each with the layer under /opt");
    }

    @Test
    @Order(2)
    void provisionedCopiesPutThroughOneInstanceAreKeptAcrossTheWorkersAndServeInvokes() throws Exception {
        Fixtures.deploy(viaA, "kept", "test-functions", Fixtures.fixtureHandler("Sleeper"),
                b -> b.memorySize(256).timeout(30));
        String version = viaA.publishVersion(b -> b.functionName("kept")).version();
        viaA.waiter().waitUntilPublishedVersionActive(b -> b.functionName("kept").qualifier(version));
        PutProvisionedConcurrencyConfigResponse put = viaB.putProvisionedConcurrencyConfig(b -> b
                .functionName("kept").qualifier(version).provisionedConcurrentExecutions(3));
        assertEquals(3, put.requestedProvisionedConcurrentExecutions());
        assertEquals(ProvisionedConcurrencyStatusEnum.IN_PROGRESS, put.status());

        GetProvisionedConcurrencyConfigResponse ready = awaitReady(viaA, version);
        assertEquals(3, ready.allocatedProvisionedConcurrentExecutions());
        assertEquals(3, ready.availableProvisionedConcurrentExecutions());
        for (ClusterWorker w : cluster.workers()) {
            assertEquals(1, copies(w, "kept"), "worker " + w.advertised() + " keeps one of the three copies");
        }

        // Overlapping invokes, each sent once the previous one is running: each goes to an idle copy.
        List<String> ids = new ArrayList<>();
        List<Future<InvokeResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            calls.add(callers.submit(() -> viaA.invoke(b -> b.functionName("kept").qualifier(version)
                    .logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{\"id\":\"" + id + "\",\"ms\":3000}")))));
            Thread.sleep(400);
        }
        for (Future<InvokeResponse> call : calls) {
            String report = report(call.get());
            assertTrue(report.contains("Init Type: provisioned-concurrency"), report);
            assertTrue(!report.contains("Init Duration") && !report.contains("Restore Duration"), report);
        }
        Set<String> servedBy = new HashSet<>();
        for (ClusterWorker w : cluster.workers()) {
            String logs = w.functionLogs("kept");
            ids.stream().filter(logs::contains).forEach(id -> servedBy.add(w.advertised()));
        }
        assertEquals(3, servedBy.size(), "each of the three workers' copy took one of the overlapping invokes");
    }

    @Test
    @Order(3)
    void aKilledWorkersCopiesAreReplacedOnTheOthersAndTrimmedWhenItReturns() throws Exception {
        ClusterWorker victim = cluster.worker(2);
        victim.kill();
        TestCluster.waitFor(() -> copies(cluster.worker(0), "kept") + copies(cluster.worker(1), "kept") == 3,
                WITHIN_MILLIS, "the two live workers keep all three copies");
        GetProvisionedConcurrencyConfigResponse ready = awaitReady(viaB, "1");
        assertEquals(3, ready.allocatedProvisionedConcurrentExecutions());

        cluster.restart(victim, WORKER_MEMORY_MIB);
        TestCluster.waitFor(() -> cluster.workers().stream().allMatch(w -> copies(w, "kept") == 1), WITHIN_MILLIS,
                "one copy on each worker again once the killed one is back");
        assertEquals(3, awaitReady(viaA, "1").allocatedProvisionedConcurrentExecutions());
    }

    @Test
    @Order(4)
    void deletingTheConfigurationStopsEveryCopyOnEveryWorker() throws Exception {
        viaA.deleteProvisionedConcurrencyConfig(b -> b.functionName("kept").qualifier("1"));
        TestCluster.waitFor(() -> cluster.workers().stream().allMatch(w -> copies(w, "kept") == 0), WITHIN_MILLIS,
                "no copy left on any worker");
        assertThrows(ProvisionedConcurrencyConfigNotFoundException.class,
                () -> viaB.getProvisionedConcurrencyConfig(b -> b.functionName("kept").qualifier("1")));
        InvokeResponse onDemand = viaB.invoke(b -> b.functionName("kept").qualifier("1").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{}")));
        assertTrue(!report(onDemand).contains("provisioned-concurrency"), report(onDemand));
    }

    private GetProvisionedConcurrencyConfigResponse awaitReady(LambdaClient via, String version)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + WITHIN_MILLIS;
        GetProvisionedConcurrencyConfigResponse r = via.getProvisionedConcurrencyConfig(b -> b.functionName("kept")
                .qualifier(version));
        while (r.status() != ProvisionedConcurrencyStatusEnum.READY && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            r = via.getProvisionedConcurrencyConfig(b -> b.functionName("kept").qualifier(version));
        }
        assertEquals(ProvisionedConcurrencyStatusEnum.READY, r.status(), r.toString());
        return r;
    }

    /**
     * The provisioned copies of {@code function} a worker runs now: the environment JVMs among its process's
     * descendants that were started for provisioned concurrency.
     */
    private static long copies(ClusterWorker worker, String function) {
        return ProcessHandle.of(worker.pid()).filter(ProcessHandle::isAlive)
                .map(h -> h.descendants().filter(p -> isProvisionedCopy(p.pid(), function)).count()).orElse(0L);
    }

    private static boolean isProvisionedCopy(long pid, String function) {
        try {
            if (!Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals("java")) {
                return false;
            }
            List<String> environment = Arrays.asList(new String(Files.readAllBytes(Path.of("/proc",
                    Long.toString(pid), "environ")), StandardCharsets.ISO_8859_1).split("\0"));
            return environment.contains("AWS_LAMBDA_FUNCTION_NAME=" + function)
                    && environment.contains("AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency");
        } catch (IOException gone) {
            return false;
        }
    }

    private static InvokeResponse greet(LambdaClient via) {
        return via.invoke(b -> b.functionName("greeter").payload(SdkBytes.fromUtf8String("{\"name\":\"Thaw\"}")));
    }

    private static String report(InvokeResponse r) {
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        return log.lines().filter(l -> l.startsWith("REPORT ")).findFirst().orElseThrow(() -> new AssertionError(log))
                .strip();
    }

    private static SdkBytes example(String name) throws IOException {
        return SdkBytes.fromByteArray(Files.readAllBytes(ThawServerProcess.REPO.resolve("examples/layers/target/"
                + name + ".zip")));
    }
}
