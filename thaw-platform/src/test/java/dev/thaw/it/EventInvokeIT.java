package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.FunctionEventInvokeConfig;
import software.amazon.awssdk.services.lambda.model.ListFunctionEventInvokeConfigsResponse;
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.util.ArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event (asynchronous) invocations: 202 at once, durable delivery, retries, failed events, and the limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
@ThawServerExtension.Arguments({"--event-retry-delay", "1"})
class EventInvokeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void deployFunctions() {
        Fixtures.deploy(lambda, "echo", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.memorySize(256).timeout(10));
        Fixtures.deploy(lambda, "thrower", "test-functions", Fixtures.fixtureHandler("Thrower"), b -> b.memorySize(256).timeout(10));
    }



    private static InvokeResponse sendEvent(LambdaClient lambda, String name, String payload) {
        return lambda.invoke(b -> b.functionName(name).invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String(payload)));
    }

    private static List<String> logMessages(ThawServerProcess server, String function) throws Exception {
        JsonNode out = JSON.readTree(server.http("GET", "/thaw/v1/logs/" + function + "?Limit=100000", null).body());
        List<String> messages = new ArrayList<>();
        out.path("Events").forEach(e -> messages.add(e.path("Message").asText()));
        return messages;
    }

    private static void await(String what, long timeoutMillis, BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static BooleanSupplier unchecked(java.util.concurrent.Callable<Boolean> check) {
        return () -> {
            try {
                return check.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void eventIsAcceptedAtOnceAndDelivered() throws Exception {
        InvokeResponse r = sendEvent(lambda, "echo", "{\"marker\":\"async-hello\"}");
        assertEquals(202, r.statusCode());
        assertEquals(0, r.payload().asByteArray().length);
        await("the event's echo-log line", 60_000, unchecked(() -> logMessages(server, "echo").stream()
                .anyMatch(m -> m.contains("echo-log {marker=async-hello}"))));
    }

    @Test
    void failingEventIsRetriedThenKeptAsFailed() throws Exception {
        PutFunctionEventInvokeConfigResponse put = lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("thrower").maximumRetryAttempts(2).maximumEventAgeInSeconds(600));
        assertEquals(2, put.maximumRetryAttempts());
        assertTrue(put.functionArn().endsWith(":function:thrower:$LATEST"), put.functionArn());
        assertTrue(put.lastModified().getEpochSecond() > 1_600_000_000L);
        GetFunctionEventInvokeConfigResponse got = lambda.getFunctionEventInvokeConfig(b -> b.functionName("thrower"));
        assertEquals(600, got.maximumEventAgeInSeconds());

        assertEquals(202, sendEvent(lambda, "thrower", "{\"msg\":\"doomed\"}").statusCode());
        await("the failed event", 60_000, unchecked(() -> JSON.readTree(server.http("GET",
                "/thaw/v1/failed-events?FunctionName=thrower", null).body()).path("FailedEvents").size() == 1));
        JsonNode failed = JSON.readTree(server.http("GET", "/thaw/v1/failed-events?FunctionName=thrower", null)
                .body()).path("FailedEvents").get(0);
        assertEquals("thrower", failed.path("FunctionName").asText());
        assertEquals("$LATEST", failed.path("Version").asText());
        assertEquals("{\"msg\":\"doomed\"}", failed.path("Payload").asText());
        assertEquals(3, failed.path("Attempts").asInt());
        assertTrue(failed.path("LastError").asText().contains("boom: doomed"), failed.toString());
        assertTrue(failed.path("AcceptedAt").asLong() > 0);
        long attempts = logMessages(server, "thrower").stream().filter(m -> m.contains("about to throw")).count();
        assertEquals(3, attempts, "one attempt and MaximumRetryAttempts=2 retries");
    }

    @Test
    void eventInvokeConfigLimitsAreValidated() {
        assertThrows(InvalidParameterValueException.class, () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("echo").maximumRetryAttempts(3)));
        assertThrows(InvalidParameterValueException.class, () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("echo").maximumEventAgeInSeconds(59)));
        assertThrows(InvalidParameterValueException.class, () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("echo").maximumEventAgeInSeconds(21601)));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunctionEventInvokeConfig(b -> b
                .functionName("echo")));
        assertThrows(ResourceNotFoundException.class, () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("no-such-function").maximumRetryAttempts(1)));
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("echo").maximumRetryAttempts(0));
        lambda.deleteFunctionEventInvokeConfig(b -> b.functionName("echo"));
        assertThrows(ResourceNotFoundException.class, () -> lambda.getFunctionEventInvokeConfig(b -> b
                .functionName("echo")));
    }

    private static final String ARN = "arn:aws:lambda:us-east-1:000000000000:function:";

    /** A function with a published version 1 and an alias {@code live} pointing at it. */
    private void deployWithVersionAndAlias(String name, String handler) {
        Fixtures.deploy(lambda, name, "test-functions", Fixtures.fixtureHandler(handler),
                b -> b.memorySize(256).timeout(10));
        assertEquals("1", lambda.publishVersion(b -> b.functionName(name)).version());
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName(name).qualifier("1"));
        lambda.createAlias(b -> b.functionName(name).name("live").functionVersion("1"));
    }

    private static Map<String, FunctionEventInvokeConfig> byArn(List<FunctionEventInvokeConfig> configs) {
        return configs.stream().collect(Collectors.toMap(FunctionEventInvokeConfig::functionArn,
                Function.identity()));
    }

    @Test
    void configsOfEachQualifierAreKeptApartListedTogetherAndLeaveWithTheirVersionOrAlias() {
        deployWithVersionAndAlias("per-qualifier", "Echo");
        var latest = lambda.putFunctionEventInvokeConfig(b -> b.functionName("per-qualifier")
                .maximumRetryAttempts(0));
        var version = lambda.putFunctionEventInvokeConfig(b -> b.functionName("per-qualifier").qualifier("1")
                .maximumRetryAttempts(1).maximumEventAgeInSeconds(300));
        var alias = lambda.putFunctionEventInvokeConfig(b -> b.functionName(ARN + "per-qualifier:live")
                .maximumEventAgeInSeconds(120));
        assertEquals(ARN + "per-qualifier:$LATEST", latest.functionArn(), "no qualifier is the $LATEST config");
        assertEquals(ARN + "per-qualifier:1", version.functionArn());
        assertEquals(ARN + "per-qualifier:live", alias.functionArn(), "a qualified ARN names the alias");

        assertEquals(0, lambda.getFunctionEventInvokeConfig(b -> b.functionName("per-qualifier")
                .qualifier("$LATEST")).maximumRetryAttempts());
        var gotVersion = lambda.getFunctionEventInvokeConfig(b -> b.functionName("per-qualifier").qualifier("1"));
        assertEquals(1, gotVersion.maximumRetryAttempts());
        assertEquals(300, gotVersion.maximumEventAgeInSeconds());
        var gotAlias = lambda.getFunctionEventInvokeConfig(b -> b.functionName("per-qualifier:live"));
        assertEquals(120, gotAlias.maximumEventAgeInSeconds());
        assertEquals(null, gotAlias.maximumRetryAttempts(), "the alias's config holds only what was put on it");

        var updated = lambda.updateFunctionEventInvokeConfig(b -> b.functionName("per-qualifier").qualifier("live")
                .maximumRetryAttempts(2));
        assertEquals(2, updated.maximumRetryAttempts());
        assertEquals(120, updated.maximumEventAgeInSeconds(), "an update keeps what it does not name");
        assertEquals(1, lambda.getFunctionEventInvokeConfig(b -> b.functionName("per-qualifier").qualifier("1"))
                .maximumRetryAttempts(), "updating the alias leaves the version it points to alone");

        Map<String, FunctionEventInvokeConfig> listed = byArn(lambda.listFunctionEventInvokeConfigs(b -> b
                .functionName("per-qualifier")).functionEventInvokeConfigs());
        assertEquals(Set.of(ARN + "per-qualifier:$LATEST", ARN + "per-qualifier:1", ARN + "per-qualifier:live"),
                listed.keySet());
        assertEquals(0, listed.get(ARN + "per-qualifier:$LATEST").maximumRetryAttempts());
        assertEquals(2, listed.get(ARN + "per-qualifier:live").maximumRetryAttempts());

        Map<String, FunctionEventInvokeConfig> paged = new HashMap<>();
        String marker = null;
        int pages = 0;
        do {
            String from = marker;
            ListFunctionEventInvokeConfigsResponse page = lambda.listFunctionEventInvokeConfigs(b -> b
                    .functionName("per-qualifier").maxItems(1).marker(from));
            assertEquals(1, page.functionEventInvokeConfigs().size());
            paged.putAll(byArn(page.functionEventInvokeConfigs()));
            marker = page.nextMarker();
            pages++;
        } while (marker != null);
        assertEquals(3, pages);
        assertEquals(listed.keySet(), paged.keySet(), "pages of one hold every config once");

        lambda.deleteAlias(b -> b.functionName("per-qualifier").name("live"));
        lambda.deleteFunction(b -> b.functionName("per-qualifier").qualifier("1"));
        assertEquals(Set.of(ARN + "per-qualifier:$LATEST"), byArn(lambda.listFunctionEventInvokeConfigs(b -> b
                .functionName("per-qualifier")).functionEventInvokeConfigs()).keySet(),
                "deleting the alias and the version deleted their configs");
        lambda.deleteFunctionEventInvokeConfig(b -> b.functionName("per-qualifier").qualifier("$LATEST"));
        assertTrue(lambda.listFunctionEventInvokeConfigs(b -> b.functionName("per-qualifier"))
                .functionEventInvokeConfigs().isEmpty());
        lambda.deleteFunction(b -> b.functionName("per-qualifier"));
    }

    private static void assertNotFound(String message, org.junit.jupiter.api.function.Executable call) {
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class, call);
        assertEquals(404, e.statusCode());
        assertEquals("ResourceNotFoundException", e.awsErrorDetails().errorCode());
        assertEquals(message, e.awsErrorDetails().errorMessage());
    }

    @Test
    void unknownQualifiersAndMissingConfigsAreNotFoundAsLambdaWordsThem() {
        deployWithVersionAndAlias("strict", "Echo");
        assertNotFound("The function doesn't exist.", () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("strict").qualifier("nope").maximumRetryAttempts(1)));
        assertNotFound("The function doesn't exist.", () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("strict").qualifier("7").maximumRetryAttempts(1)));
        assertNotFound("The function doesn't exist.", () -> lambda.updateFunctionEventInvokeConfig(b -> b
                .functionName("strict:nope").maximumRetryAttempts(1)));
        assertNotFound("The function doesn't exist.", () -> lambda.putFunctionEventInvokeConfig(b -> b
                .functionName("no-such-function").maximumRetryAttempts(1)));
        assertNotFound("The function " + ARN + "strict:nope doesn't have an EventInvokeConfig",
                () -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("strict").qualifier("nope")));
        assertNotFound("The function " + ARN + "strict:1 doesn't have an EventInvokeConfig",
                () -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("strict").qualifier("1")));
        assertNotFound("The function " + ARN + "strict:live doesn't have an EventInvokeConfig",
                () -> lambda.updateFunctionEventInvokeConfig(b -> b.functionName("strict").qualifier("live")
                        .maximumRetryAttempts(1)));
        assertNotFound("The function " + ARN + "strict:$LATEST doesn't have an EventInvokeConfig",
                () -> lambda.deleteFunctionEventInvokeConfig(b -> b.functionName("strict")));
        assertNotFound("The function doesn't exist.", () -> lambda.listFunctionEventInvokeConfigs(b -> b
                .functionName("no-such-function")));

        lambda.putFunctionEventInvokeConfig(b -> b.functionName("strict").qualifier("live").maximumRetryAttempts(0));
        assertNotFound("The function " + ARN + "strict:$LATEST doesn't have an EventInvokeConfig",
                () -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("strict")));
        InvalidParameterValueException mismatch = assertThrows(InvalidParameterValueException.class,
                () -> lambda.getFunctionEventInvokeConfig(b -> b.functionName("strict:live").qualifier("1")));
        assertEquals("The derived qualifier from the function name does not match the specified qualifier.",
                mismatch.awsErrorDetails().errorMessage());
        InvalidParameterValueException nothing = assertThrows(InvalidParameterValueException.class,
                () -> lambda.putFunctionEventInvokeConfig(b -> b.functionName("strict").qualifier("live")));
        assertEquals("You must specify at least one of error handling or destination setting.",
                nothing.awsErrorDetails().errorMessage());
        lambda.deleteFunction(b -> b.functionName("strict"));
    }

    private JsonNode failedEvents(String function) throws Exception {
        return JSON.readTree(server.http("GET", "/thaw/v1/failed-events?FunctionName=" + function, null).body())
                .path("FailedEvents");
    }

    @Test
    void theDispatcherRetriesAnEventByTheConfigOfTheQualifierItsInvokeNamed() throws Exception {
        deployWithVersionAndAlias("picky", "Thrower");
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("picky").maximumRetryAttempts(0));
        lambda.putFunctionEventInvokeConfig(b -> b.functionName("picky").qualifier("live").maximumRetryAttempts(1));
        // Version 1 has no config of its own: its events get Lambda's default (2 retries), not $LATEST's 0.
        Map<String, String> sent = Map.of("via-latest", "", "via-alias", "live", "via-version", "1");
        sent.forEach((msg, qualifier) -> assertEquals(202, lambda.invoke(b -> b.functionName("picky")
                .qualifier(qualifier.isEmpty() ? null : qualifier).invocationType(InvocationType.EVENT)
                .payload(SdkBytes.fromUtf8String("{\"msg\":\"" + msg + "\"}"))).statusCode()));

        await("three failed events", 90_000, unchecked(() -> failedEvents("picky").size() == 3));
        Map<String, Integer> attempts = new HashMap<>();
        Map<String, String> qualifiers = new HashMap<>();
        Map<String, String> versions = new HashMap<>();
        for (JsonNode e : failedEvents("picky")) {
            String msg = JSON.readTree(e.path("Payload").asText()).path("msg").asText();
            attempts.put(msg, e.path("Attempts").asInt());
            qualifiers.put(msg, e.path("Qualifier").asText());
            versions.put(msg, e.path("Version").asText());
        }
        assertEquals(Map.of("via-latest", 1, "via-alias", 2, "via-version", 3), attempts,
                "$LATEST's config allows no retry, the alias's one, and the version without a config Lambda's two");
        assertEquals(Map.of("via-latest", "$LATEST", "via-alias", "live", "via-version", "1"), qualifiers);
        assertEquals(Map.of("via-latest", "$LATEST", "via-alias", "1", "via-version", "1"), versions,
                "the alias's event ran its version");
        await("every attempt the dispatcher counted in the function's log", 30_000, unchecked(() ->
                logMessages(server, "picky").stream().filter(m -> m.contains("about to throw")).count() == 6));
        lambda.deleteAlias(b -> b.functionName("picky").name("live"));
        lambda.deleteFunction(b -> b.functionName("picky"));
    }

    @Test
    void theAwsCliPutsGetsListsAndDeletesConfigsPerQualifier() throws Exception {
        deployWithVersionAndAlias("cli-qualified", "Echo");
        JsonNode put = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "put-function-event-invoke-config",
                "--function-name", "cli-qualified", "--qualifier", "live", "--maximum-retry-attempts", "1"));
        assertEquals(ARN + "cli-qualified:live", put.path("FunctionArn").asText());
        assertEquals(1, put.path("MaximumRetryAttempts").asInt());
        AwsCli.lambdaOk(server.endpoint(), "put-function-event-invoke-config", "--function-name", "cli-qualified",
                "--maximum-event-age-in-seconds", "600");
        JsonNode updated = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "update-function-event-invoke-config",
                "--function-name", "cli-qualified", "--qualifier", "live", "--maximum-event-age-in-seconds", "900"));
        assertEquals(1, updated.path("MaximumRetryAttempts").asInt());
        assertEquals(900, updated.path("MaximumEventAgeInSeconds").asInt());
        JsonNode got = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "get-function-event-invoke-config",
                "--function-name", "cli-qualified", "--qualifier", "live"));
        assertEquals(900, got.path("MaximumEventAgeInSeconds").asInt());

        JsonNode listed = JSON.readTree(AwsCli.lambdaOk(server.endpoint(), "list-function-event-invoke-configs",
                "--function-name", "cli-qualified", "--page-size", "1"));
        Set<String> arns = new HashSet<>();
        listed.path("FunctionEventInvokeConfigs").forEach(c -> arns.add(c.path("FunctionArn").asText()));
        assertEquals(Set.of(ARN + "cli-qualified:$LATEST", ARN + "cli-qualified:live"), arns,
                "the CLI follows NextMarker across pages of one");

        AwsCli.Result unknown = AwsCli.lambda(server.endpoint(), "put-function-event-invoke-config",
                "--function-name", "cli-qualified", "--qualifier", "nope", "--maximum-retry-attempts", "1");
        assertEquals(254, unknown.exit(), unknown.err());
        assertTrue(unknown.err().contains("ResourceNotFoundException") && unknown.err().contains(
                "The function doesn't exist."), unknown.err());

        AwsCli.lambdaOk(server.endpoint(), "delete-function-event-invoke-config", "--function-name",
                "cli-qualified", "--qualifier", "live");
        AwsCli.Result gone = AwsCli.lambda(server.endpoint(), "get-function-event-invoke-config",
                "--function-name", "cli-qualified", "--qualifier", "live");
        assertFalse(gone.exit() == 0);
        assertTrue(gone.err().contains("The function " + ARN + "cli-qualified:live doesn't have an "
                + "EventInvokeConfig"), gone.err());
        lambda.deleteFunction(b -> b.functionName("cli-qualified"));
    }

    @Test
    void eventPayloadOverOneMegabyteIsRefused() {
        String big = "{\"x\":\"" + "a".repeat(1024 * 1024) + "\"}";
        assertThrows(RequestTooLargeException.class, () -> sendEvent(lambda, "echo", big));
        assertThrows(ResourceNotFoundException.class, () -> sendEvent(lambda, "no-such-function", "{}"));
    }

    @Test
    void acceptedEventsSurviveKillOfThePlatform() throws Exception {
        int count = 500;
        ThawServerProcess first = ThawServerProcess.start("--event-retry-delay", "1");
        ThawServerProcess second = null;
        try {
            try (LambdaClient client = first.lambda()) {
                Fixtures.deploy(client, "many", "test-functions", Fixtures.fixtureHandler("Echo"),
                        b -> b.memorySize(256).timeout(10));
                for (int i = 0; i < count; i++) {
                    assertEquals(202, sendEvent(client, "many", "{\"n\":" + i + "}").statusCode());
                }
            }
            first.kill();
            second = ThawServerProcess.start(first.home(), "--event-retry-delay", "1");
            ThawServerProcess restarted = second;
            Pattern marker = Pattern.compile("echo-log \\{n=(\\d+)}");
            Set<Integer> delivered = new HashSet<>();
            await("all " + count + " events delivered after the restart", 180_000, unchecked(() -> {
                for (String m : logMessages(restarted, "many")) {
                    Matcher matcher = marker.matcher(m);
                    if (matcher.find()) {
                        delivered.add(Integer.parseInt(matcher.group(1)));
                    }
                }
                return delivered.size() == count;
            }));
        } finally {
            if (second != null) {
                second.close();
            }
            first.close();
        }
    }
}
