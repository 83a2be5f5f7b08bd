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
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigResponse;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
