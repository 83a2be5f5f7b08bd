package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timeouts, crashes, throttling and idle reaping, through the SDK against real environments. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
@ThawServerExtension.Arguments({"--idle-ttl", "3"})
class EnvironmentLifecycleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    private InvokeResponse invoke(String name, String payload) {
        return lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
    }

    @Test
    void aTimeoutKillsTheEnvironmentAndTheNextInvokeGetsAFreshOne() throws Exception {
        Fixtures.deploy(lambda, "slow", "test-functions", Fixtures.fixtureHandler("Sleeper"), b -> b.timeout(1));
        InvokeResponse r = invoke("slow", "{\"ms\":5000}");
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertTrue(err.path("errorMessage").asText().matches(".*Task timed out after 1\\.00 seconds"),
                err.toString());
        InvokeResponse next = invoke("slow", "{\"ms\":10}");
        assertNull(next.functionError(), next.payload().asUtf8String());
        assertEquals(10, JSON.readTree(next.payload().asByteArray()).path("slept").asInt());
    }

    @Test
    void systemExitIsRuntimeExitErrorAndThePlatformCarriesOn() throws Exception {
        Fixtures.deploy(lambda, "quitter", "test-functions", Fixtures.fixtureHandler("Exiter"), b -> b.timeout(10));
        InvokeResponse r = invoke("quitter", "{\"code\":7}");
        assertEquals("Unhandled", r.functionError());
        JsonNode err = JSON.readTree(r.payload().asByteArray());
        assertEquals("Runtime.ExitError", err.path("errorType").asText());
        assertTrue(err.path("errorMessage").asText().contains("exit status 7"), err.toString());
        Fixtures.deploy(lambda, "after-quit", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.timeout(10));
        assertNull(invoke("after-quit", "{}").functionError());
    }

    @Test
    void reservedConcurrencyOfOneAdmitsOneOfTwoSimultaneousInvokes() throws Exception {
        Fixtures.deploy(lambda, "single", "test-functions", Fixtures.fixtureHandler("Sleeper"), b -> b.timeout(10));
        lambda.putFunctionConcurrency(b -> b.functionName("single").reservedConcurrentExecutions(1));
        invoke("single", "{\"ms\":1}");
        List<Object> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<Object>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(pool.submit(() -> {
                    try {
                        return invoke("single", "{\"ms\":1500}").statusCode();
                    } catch (TooManyRequestsException e) {
                        return e;
                    }
                }));
            }
            for (Future<Object> f : calls) {
                outcomes.add(f.get());
            }
        }
        assertTrue(outcomes.contains(200), outcomes.toString());
        TooManyRequestsException throttled = (TooManyRequestsException) outcomes.stream()
                .filter(o -> o instanceof TooManyRequestsException).findFirst().orElseThrow();
        assertEquals(429, throttled.statusCode());
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", throttled.reasonAsString());
        assertTrue(throttled.retryAfterSeconds() != null);

        lambda.putFunctionConcurrency(b -> b.functionName("single").reservedConcurrentExecutions(0));
        TooManyRequestsException zero = org.junit.jupiter.api.Assertions.assertThrows(
                TooManyRequestsException.class, () -> invoke("single", "{}"));
        assertEquals("ReservedFunctionConcurrentInvocationLimitExceeded", zero.reasonAsString());
    }

    @Test
    void idleEnvironmentsAreReapedAfterTheTtl() throws Exception {
        Fixtures.deploy(lambda, "idle", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.timeout(10));
        String first = JSON.readTree(invoke("idle", "{}").payload().asByteArray()).path("instance").asText();
        List<Long> pids = server.environmentPids("idle");
        assertEquals(1, pids.size());
        long deadline = System.currentTimeMillis() + 15_000;
        while (!server.environmentPids("idle").isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(server.environmentPids("idle").isEmpty(), "the idle environment was reaped");
        assertTrue(ProcessHandle.of(pids.getFirst()).map(h -> !h.isAlive()).orElse(true));
        String second = JSON.readTree(invoke("idle", "{}").payload().asByteArray()).path("instance").asText();
        assertNotEquals(first, second, "a reaped environment is replaced by a new one");
    }

    @Test
    void anInitPastTenSecondsIsRetriedWithinTheFunctionTimeoutOnTheFirstInvoke() throws Exception {
        lambda.createFunction(b -> b.functionName("slow-init").runtime(Runtime.JAVA17)
                .handler(Fixtures.fixtureHandler("SlowInit")).role("r").timeout(25)
                .environment(e -> e.variables(Map.of("INIT_SLEEP_MS", "10500")))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
        InvokeResponse r = invoke("slow-init", "{}");
        assertNull(r.functionError(), r.payload().asUtf8String());
        assertEquals(10500, JSON.readTree(r.payload().asByteArray()).path("initMs").asInt());
        StringBuilder log = new StringBuilder();
        JSON.readTree(server.http("GET", "/thaw/v1/logs/slow-init", null).body()).path("Events")
                .forEach(e -> log.append(e.path("Message").asText()).append('\n'));
        assertTrue(log.toString().matches("(?s).*INIT_REPORT Init Duration: 1\\d{4}\\.\\d{2} ms\tPhase: init\tStatus: timeout\n.*"),
                log.toString());
        assertEquals(2, log.toString().split("INIT_START", -1).length - 1, "INIT ran twice: " + log);
    }

    @Test
    void anIdleEnvironmentIsFrozenAndThawedForTheNextInvoke() throws Exception {
        Fixtures.deploy(lambda, "sleepy", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.timeout(10));
        String first = JSON.readTree(invoke("sleepy", "{}").payload().asByteArray()).path("instance").asText();
        long pid = server.environmentPids("sleepy").getFirst();
        long deadline = System.currentTimeMillis() + 5_000;
        while (!kernelSaysFrozen(pid) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(kernelSaysFrozen(pid), "the idle environment's cgroup is frozen");
        assertTrue(server.http("GET", "/thaw/v1/environments", null).body().contains("\"Frozen\":true"));

        InvokeResponse again = invoke("sleepy", "{}");
        assertNull(again.functionError());
        assertEquals(first, JSON.readTree(again.payload().asByteArray()).path("instance").asText(),
                "the same environment, thawed, served it");
        assertEquals(List.of(pid), server.environmentPids("sleepy"));
    }

    /** Reads the freezer state of the process's cgroup, v1 (freezer.state) or v2 (cgroup.events). */
    private static boolean kernelSaysFrozen(long pid) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f[1].equals("freezer")) {
                return java.nio.file.Files.readString(java.nio.file.Path.of("/sys/fs/cgroup/freezer" + f[2],
                        "freezer.state")).trim().equals("FROZEN");
            }
            if (f[1].isEmpty() && java.nio.file.Files.exists(java.nio.file.Path.of("/sys/fs/cgroup/cgroup.controllers"))
                    && !java.nio.file.Files.readString(java.nio.file.Path.of("/sys/fs/cgroup/cgroup.controllers"))
                    .isBlank()) {
                return java.nio.file.Files.readString(java.nio.file.Path.of("/sys/fs/cgroup" + f[2], "cgroup.events"))
                        .contains("frozen 1");
            }
        }
        return false;
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
