package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ListProvisionedConcurrencyConfigsResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.PutProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Provisioned concurrency through the SDK and the AWS CLI against a real server: configurations on versions and
 * aliases, copies made ahead of time that serve invokes (REPORT says so, without Init or Restore Duration), spill-over
 * on demand, replacement of a lost copy, Lambda's errors and limits, and release of the copies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProvisionedConcurrencyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long READY_WITHIN_MILLIS = 120_000;
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void start() {
        assumeTrue("root".equals(System.getProperty("user.name")), "environments need root");
        server = ThawServerProcess.start("--concurrency", "20");
        lambda = server.lambda();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            lambda.close();
            server.close();
        }
    }

    private String publish(String name, String handler, boolean snapStart) {
        Fixtures.deploy(lambda, name, "test-functions", Fixtures.fixtureHandler(handler), b -> {
            b.memorySize(256).timeout(15);
            if (snapStart) {
                b.snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS));
            }
        });
        String version = lambda.publishVersion(b -> b.functionName(name)).version();
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName(name).qualifier(version));
        return version;
    }

    private GetProvisionedConcurrencyConfigResponse get(String name, String qualifier) {
        return lambda.getProvisionedConcurrencyConfig(b -> b.functionName(name).qualifier(qualifier));
    }

    private GetProvisionedConcurrencyConfigResponse awaitStatus(String name, String qualifier,
                                                                ProvisionedConcurrencyStatusEnum status) {
        long deadline = System.currentTimeMillis() + READY_WITHIN_MILLIS;
        GetProvisionedConcurrencyConfigResponse r = get(name, qualifier);
        while (r.status() != status && System.currentTimeMillis() < deadline) {
            sleep(200);
            r = get(name, qualifier);
        }
        assertEquals(status, r.status(), r.toString());
        return r;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + READY_WITHIN_MILLIS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "timed out waiting until " + what);
            sleep(200);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The environments of a function, as {@code GET /thaw/v1/environments} lists them. */
    private List<JsonNode> environments(String function) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode env : JSON.readTree(server.http("GET", "/thaw/v1/environments", null).body())
                .path("Environments")) {
            if (function.equals(env.path("FunctionName").asText())) {
                out.add(env);
            }
        }
        server.environmentPids(function);
        return out;
    }

    private List<Long> provisionedPids(String function) throws Exception {
        return environments(function).stream().filter(e -> e.path("Provisioned").asBoolean())
                .map(e -> e.path("Pid").asLong()).toList();
    }

    private InvokeResponse invoke(String name, String qualifier, String payload) {
        return lambda.invoke(b -> b.functionName(name).qualifier(qualifier).logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String(payload)));
    }

    private static String report(InvokeResponse r) {
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        return log.lines().filter(l -> l.startsWith("REPORT ")).findFirst().orElseThrow(() -> new AssertionError(log));
    }

    private static boolean gone(long pid) {
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Test
    void aVersionWithoutSnapStartKeepsInitialisedCopiesThatServeInvokesUntilTheConfigurationIsDeleted() throws Exception {
        String version = publish("pc-plain", "Hooks", false);
        int unreservedBefore = lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions();

        PutProvisionedConcurrencyConfigResponse put = lambda.putProvisionedConcurrencyConfig(b -> b
                .functionName("pc-plain").qualifier(version).provisionedConcurrentExecutions(2));
        assertEquals(2, put.requestedProvisionedConcurrentExecutions());
        assertEquals(ProvisionedConcurrencyStatusEnum.IN_PROGRESS, put.status(), "nothing is allocated at once");
        assertFalse(put.lastModified().isEmpty());

        GetProvisionedConcurrencyConfigResponse ready = awaitStatus("pc-plain", version,
                ProvisionedConcurrencyStatusEnum.READY);
        assertEquals(2, ready.allocatedProvisionedConcurrentExecutions());
        assertEquals(2, ready.availableProvisionedConcurrentExecutions());
        assertEquals(2, ready.requestedProvisionedConcurrentExecutions());
        assertEquals(unreservedBefore - 2,
                lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions(),
                "provisioned concurrency of a function without a reservation leaves the unreserved pool");
        List<Long> copies = provisionedPids("pc-plain");
        assertEquals(2, copies.size());

        InvokeResponse r = invoke("pc-plain", version, "{}");
        assertEquals("provisioned-concurrency", JSON.readTree(r.payload().asByteArray()).path("initType").asText(),
                "the copy's runtime was told its initialization type");
        String report = report(r);
        assertTrue(report.contains("Init Type: provisioned-concurrency"), report);
        assertFalse(report.contains("Init Duration"), report);
        assertFalse(report.contains("Restore Duration"), report);
        assertEquals(copies.size(), provisionedPids("pc-plain").size(), "served by a copy, not a new environment");
        String metrics = server.http("GET", "/metrics", null).body();
        assertTrue(metrics.contains("thaw_provisioned_invocations_total{function=\"pc-plain\",version=\"" + version
                + "\"} 1"), metrics);

        server.evictIdle();
        assertEquals(copies, provisionedPids("pc-plain"), "idle eviction leaves provisioned copies alone");

        List<Long> before = provisionedPids("pc-plain");
        assertEquals(copies, before);
        lambda.deleteProvisionedConcurrencyConfig(b -> b.functionName("pc-plain").qualifier(version));
        awaitTrue("the copies' processes end", () -> before.stream().allMatch(ProvisionedConcurrencyIT::gone));
        assertThrows(ProvisionedConcurrencyConfigNotFoundException.class, () -> get("pc-plain", version));
        // Deleting again is not an error, as on Lambda.
        lambda.deleteProvisionedConcurrencyConfig(b -> b.functionName("pc-plain").qualifier(version));
        assertEquals(unreservedBefore, lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions());
        lambda.deleteFunction(b -> b.functionName("pc-plain"));
    }

    @Test
    void aCopyWhoseProcessDiesIsReplaced() throws Exception {
        String version = publish("pc-crash", "Exiter", false);
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-crash").qualifier(version)
                .provisionedConcurrentExecutions(1));
        awaitStatus("pc-crash", version, ProvisionedConcurrencyStatusEnum.READY);
        List<Long> first = provisionedPids("pc-crash");
        assertEquals(1, first.size());

        InvokeResponse crashed = invoke("pc-crash", version, "{}");
        assertEquals("Unhandled", crashed.functionError());
        assertTrue(report(crashed).contains("Init Type: provisioned-concurrency"), report(crashed));
        awaitTrue("the lost copy is replaced", () -> {
            try {
                List<Long> now = provisionedPids("pc-crash");
                return now.size() == 1 && !now.contains(first.getFirst());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(gone(first.getFirst()));
        GetProvisionedConcurrencyConfigResponse ready = awaitStatus("pc-crash", version,
                ProvisionedConcurrencyStatusEnum.READY);
        assertEquals(1, ready.allocatedProvisionedConcurrentExecutions());
        List<Long> replacement = provisionedPids("pc-crash");
        lambda.deleteFunction(b -> b.functionName("pc-crash"));
        awaitTrue("deleting the function releases its copies", () -> replacement.stream()
                .allMatch(ProvisionedConcurrencyIT::gone));
    }

    @Test
    void invokesBeyondTheProvisionedCopiesSpillOverOnDemand() throws Exception {
        String version = publish("pc-spill", "Sleeper", false);
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-spill").qualifier(version)
                .provisionedConcurrentExecutions(1));
        awaitStatus("pc-spill", version, ProvisionedConcurrencyStatusEnum.READY);

        List<String> reports = new ArrayList<>();
        try (ExecutorService callers = Executors.newFixedThreadPool(2)) {
            List<Future<InvokeResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(callers.submit(() -> invoke("pc-spill", version, "{\"ms\":2500}")));
            }
            for (Future<InvokeResponse> call : calls) {
                InvokeResponse r = call.get();
                assertEquals(null, r.functionError(), r.payload().asUtf8String());
                reports.add(report(r));
            }
        }
        assertEquals(1, reports.stream().filter(r -> r.contains("Init Type: provisioned-concurrency")).count(),
                reports.toString());
        assertEquals(1, reports.stream().filter(r -> r.contains("Init Duration")).count(),
                "the second caller got an on-demand cold start: " + reports);
        List<Long> copies = provisionedPids("pc-spill");
        lambda.deleteFunction(b -> b.functionName("pc-spill"));
        awaitTrue("deleting the function releases its copies", () -> copies.stream()
                .allMatch(ProvisionedConcurrencyIT::gone));
    }

    @Test
    void aSnapStartAliasKeepsRestoredFrozenCopiesReleasedWithTheAlias() throws Exception {
        String version = publish("pc-snap", "Hooks", true);
        lambda.createAlias(b -> b.functionName("pc-snap").name("live").functionVersion(version));
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-snap").qualifier("live")
                .provisionedConcurrentExecutions(1));
        GetProvisionedConcurrencyConfigResponse ready = awaitStatus("pc-snap", "live",
                ProvisionedConcurrencyStatusEnum.READY);
        assertEquals(1, ready.allocatedProvisionedConcurrentExecutions());
        awaitTrue("the restored copy is frozen while it waits", () -> {
            try {
                return environments("pc-snap").stream().anyMatch(e -> e.path("Provisioned").asBoolean()
                        && e.path("Frozen").asBoolean());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        ResourceConflictException conflict = assertThrows(ResourceConflictException.class, () ->
                lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-snap").qualifier(version)
                        .provisionedConcurrentExecutions(1)));
        assertEquals("Version is pointed by a Provisioned Concurrency alias", conflict.awsErrorDetails().errorMessage());
        ListProvisionedConcurrencyConfigsResponse list = lambda.listProvisionedConcurrencyConfigs(b -> b
                .functionName("pc-snap"));
        assertEquals(1, list.provisionedConcurrencyConfigs().size());
        assertTrue(list.provisionedConcurrencyConfigs().getFirst().functionArn().endsWith(":function:pc-snap:live"),
                list.toString());
        assertEquals(ProvisionedConcurrencyStatusEnum.READY, list.provisionedConcurrencyConfigs().getFirst().status());

        InvokeResponse r = invoke("pc-snap", "live", "{}");
        assertEquals(null, r.functionError(), r.payload().asUtf8String());
        JsonNode out = JSON.readTree(r.payload().asByteArray());
        assertTrue(out.path("events").toString().contains("after:A"), "restored with its afterRestore hooks: " + out);
        String report = report(r);
        assertTrue(report.contains("Init Type: provisioned-concurrency"), report);
        assertFalse(report.contains("Restore Duration"), report);
        assertFalse(report.contains("Init Duration"), report);
        // The version itself is served by the alias's copies too, as on Lambda.
        assertTrue(report(invoke("pc-snap", version, "{}")).contains("Init Type: provisioned-concurrency"));
        String log = server.http("GET", "/thaw/v1/logs/pc-snap?Limit=10000", null).body();
        java.util.regex.Matcher touched = java.util.regex.Pattern
                .compile("read (\\d+) resident pages ahead of the first invoke").matcher(log);
        assertTrue(touched.find() && Long.parseLong(touched.group(1)) > 1000,
                "the copy read its restored memory before it was ready: " + log);
        assertFalse(log.contains("sun.misc.Unsafe"), "no JDK warning about how it read it: " + log);

        List<Long> copies = provisionedPids("pc-snap");
        assertEquals(1, copies.size());
        lambda.deleteAlias(b -> b.functionName("pc-snap").name("live"));
        awaitTrue("deleting the alias releases its copy", () -> copies.stream()
                .allMatch(ProvisionedConcurrencyIT::gone));
        assertThrows(ResourceNotFoundException.class, () -> get("pc-snap", "live"));
        assertEquals(0, lambda.listProvisionedConcurrencyConfigs(b -> b.functionName("pc-snap"))
                .provisionedConcurrencyConfigs().size());
        lambda.deleteFunction(b -> b.functionName("pc-snap"));
    }

    @Test
    void copiesThatCannotBeMadeLeaveTheConfigurationFailedWithTheReason() {
        String version = publish("pc-fails", "InitFails", false);
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-fails").qualifier(version)
                .provisionedConcurrentExecutions(1));
        GetProvisionedConcurrencyConfigResponse failed = awaitStatus("pc-fails", version,
                ProvisionedConcurrencyStatusEnum.FAILED);
        assertEquals(0, failed.allocatedProvisionedConcurrentExecutions());
        assertTrue(failed.statusReason().contains("FUNCTION_ERROR_INIT_FAILURE"), failed.statusReason());
        lambda.deleteFunction(b -> b.functionName("pc-fails"));
    }

    @Test
    void lambdasErrorsAndLimits() {
        String version = publish("pc-errors", "Echo", false);
        lambda.createAlias(b -> b.functionName("pc-errors").name("latest").functionVersion("$LATEST"));

        InvalidParameterValueException latest = assertThrows(InvalidParameterValueException.class, () ->
                lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-errors").qualifier("$LATEST")
                        .provisionedConcurrentExecutions(1)));
        assertEquals("Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
                latest.awsErrorDetails().errorMessage());
        assertThrows(InvalidParameterValueException.class, () -> lambda.putProvisionedConcurrencyConfig(b -> b
                .functionName("pc-errors").qualifier("latest").provisionedConcurrentExecutions(1)),
                "an alias of $LATEST is unpublished too");
        assertEquals("The function resource provided must be an alias or a published version.",
                assertThrows(InvalidParameterValueException.class, () -> get("pc-errors", "$LATEST"))
                        .awsErrorDetails().errorMessage());
        assertTrue(assertThrows(ResourceNotFoundException.class, () -> get("pc-nothing", "1"))
                .awsErrorDetails().errorMessage().startsWith("Function not found: "));
        assertTrue(assertThrows(ResourceNotFoundException.class, () -> get("pc-errors", "noalias"))
                .awsErrorDetails().errorMessage().startsWith("Cannot find alias arn: "));
        assertTrue(assertThrows(ResourceNotFoundException.class, () -> get("pc-errors", "10"))
                .awsErrorDetails().errorMessage().endsWith(":function:pc-errors:10"));
        assertEquals("No Provisioned Concurrency Config found for this function",
                assertThrows(ProvisionedConcurrencyConfigNotFoundException.class, () -> get("pc-errors", version))
                        .awsErrorDetails().errorMessage());
        LambdaException zero = assertThrows(LambdaException.class, () -> lambda.putProvisionedConcurrencyConfig(b -> b
                .functionName("pc-errors").qualifier(version).provisionedConcurrentExecutions(0)));
        assertEquals(400, zero.statusCode());

        int account = lambda.getAccountSettings().accountLimit().concurrentExecutions();
        int unreserved = lambda.getAccountSettings().accountLimit().unreservedConcurrentExecutions();
        assertEquals("Specified ConcurrentExecutions for function is greater than account's unreserved concurrency ["
                        + unreserved + "].",
                assertThrows(InvalidParameterValueException.class, () -> lambda.putProvisionedConcurrencyConfig(b -> b
                        .functionName("pc-errors").qualifier(version).provisionedConcurrentExecutions(account + 1)))
                        .awsErrorDetails().errorMessage());
        assertTrue(assertThrows(InvalidParameterValueException.class, () -> lambda.putProvisionedConcurrencyConfig(
                b -> b.functionName("pc-errors").qualifier(version).provisionedConcurrentExecutions(unreserved)))
                .awsErrorDetails().errorMessage().startsWith("Specified ConcurrentExecutions for function decreases "
                        + "account's UnreservedConcurrentExecution below its minimum value of ["));

        lambda.putFunctionConcurrency(b -> b.functionName("pc-errors").reservedConcurrentExecutions(1));
        assertEquals("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution "
                        + "for function", assertThrows(InvalidParameterValueException.class, () ->
                lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-errors").qualifier(version)
                        .provisionedConcurrentExecutions(2))).awsErrorDetails().errorMessage());
        lambda.putFunctionConcurrency(b -> b.functionName("pc-errors").reservedConcurrentExecutions(2));
        lambda.putProvisionedConcurrencyConfig(b -> b.functionName("pc-errors").qualifier(version)
                .provisionedConcurrentExecutions(2));
        assertThrows(InvalidParameterValueException.class, () -> lambda.putFunctionConcurrency(b -> b
                .functionName("pc-errors").reservedConcurrentExecutions(1)),
                "a reservation below the function's provisioned concurrency is refused");
        lambda.createAlias(b -> b.functionName("pc-errors").name("live").functionVersion(version));
        assertEquals("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
                assertThrows(ResourceConflictException.class, () -> lambda.putProvisionedConcurrencyConfig(b -> b
                        .functionName("pc-errors").qualifier("live").provisionedConcurrentExecutions(1)))
                        .awsErrorDetails().errorMessage());
        List<Long> copies = new ArrayList<>();
        awaitTrue("the copies exist", () -> {
            try {
                copies.clear();
                copies.addAll(provisionedPids("pc-errors"));
                return copies.size() == 2;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThrows(ResourceConflictException.class, () -> lambda.deleteFunction(b -> b.functionName("pc-errors")
                .qualifier(version)), "a version an alias points to is not deleted");
        lambda.deleteAlias(b -> b.functionName("pc-errors").name("live"));
        lambda.deleteFunction(b -> b.functionName("pc-errors").qualifier(version));
        awaitTrue("deleting the version releases its copies", () -> copies.stream()
                .allMatch(ProvisionedConcurrencyIT::gone));
        lambda.deleteFunction(b -> b.functionName("pc-errors"));
    }

    @Test
    void everyCallWorksThroughTheAwsCli() throws Exception {
        String version = publish("pc-cli", "Echo", false);
        JsonNode put = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "put-provisioned-concurrency-config",
                "--function-name", "pc-cli", "--qualifier", version, "--provisioned-concurrent-executions", "1"));
        assertEquals(1, put.path("RequestedProvisionedConcurrentExecutions").asInt());
        assertEquals("IN_PROGRESS", put.path("Status").asText());

        awaitStatus("pc-cli", version, ProvisionedConcurrencyStatusEnum.READY);
        JsonNode got = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "get-provisioned-concurrency-config",
                "--function-name", "pc-cli", "--qualifier", version));
        assertEquals("READY", got.path("Status").asText());
        assertEquals(1, got.path("AllocatedProvisionedConcurrentExecutions").asInt());
        assertEquals(1, got.path("AvailableProvisionedConcurrentExecutions").asInt());

        JsonNode list = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "list-provisioned-concurrency-configs",
                "--function-name", "pc-cli"));
        assertEquals(1, list.path("ProvisionedConcurrencyConfigs").size());
        assertTrue(list.path("ProvisionedConcurrencyConfigs").get(0).path("FunctionArn").asText()
                .endsWith(":function:pc-cli:" + version));

        List<Long> copies = provisionedPids("pc-cli");
        AwsCli.lambdaOk(server.endpoint(), "delete-provisioned-concurrency-config", "--function-name", "pc-cli",
                "--qualifier", version);
        awaitTrue("the copy ends", () -> copies.stream().allMatch(ProvisionedConcurrencyIT::gone));
        AwsCli.Result missing = AwsCli.lambda(server.endpoint(), "get-provisioned-concurrency-config",
                "--function-name", "pc-cli", "--qualifier", version);
        assertEquals(254, missing.exit());
        assertTrue(missing.err().contains("ProvisionedConcurrencyConfigNotFoundException"), missing.err());
        AwsCli.Result latest = AwsCli.lambda(server.endpoint(), "put-provisioned-concurrency-config",
                "--function-name", "pc-cli", "--qualifier", "$LATEST", "--provisioned-concurrent-executions", "1");
        assertEquals(254, latest.exit());
        assertTrue(latest.err().contains("InvalidParameterValueException"), latest.err());
        assertNotEquals("", server.http("GET", "/thaw/v1/health", null).body(), "the server keeps serving");
        lambda.deleteFunction(b -> b.functionName("pc-cli"));
    }
}
