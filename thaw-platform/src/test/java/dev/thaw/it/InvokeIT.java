package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invoke through the AWS SDK against real environment JVMs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class InvokeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void deployFunctions() {
        Fixtures.deploy(lambda, "echo", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.memorySize(256).timeout(10)
                .environment(e -> e.variables(Map.of("COLOR", "blue"))));
        Fixtures.deploy(lambda, "thrower", "test-functions", Fixtures.fixtureHandler("Thrower"), b -> b.memorySize(256).timeout(10));
        Fixtures.deploy(lambda, "big", "test-functions", Fixtures.fixtureHandler("BigResponse"), b -> b.memorySize(256).timeout(10));
    }



    private InvokeResponse invoke(String name, String payload) {
        return lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
    }

    private static JsonNode json(InvokeResponse r) throws Exception {
        return JSON.readTree(r.payload().asByteArray());
    }

    @Test
    void helloExampleAnswersThroughTheSdk() throws Exception {
        Fixtures.deploy(lambda, "hello", "hello", "dev.thaw.examples.hello.Hello", b -> b.memorySize(256).timeout(10));
        InvokeResponse r = invoke("hello", "{\"name\":\"Thaw\"}");
        assertEquals(200, r.statusCode());
        assertNull(r.functionError());
        assertEquals("$LATEST", r.executedVersion());
        assertEquals("Hello, Thaw!", json(r).path("message").asText());
    }

    @Test
    void contextAndEnvironmentReachTheHandler() throws Exception {
        JsonNode out = json(invoke("echo", "{\"envNames\":[\"COLOR\",\"AWS_LAMBDA_FUNCTION_NAME\","
                + "\"AWS_LAMBDA_RUNTIME_API\",\"_HANDLER\",\"AWS_REGION\",\"TZ\"]}"));
        assertEquals("echo", out.path("functionName").asText());
        assertEquals("$LATEST", out.path("functionVersion").asText());
        assertEquals(256, out.path("memoryLimitInMB").asInt());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:echo", out.path("invokedFunctionArn").asText());
        long remaining = out.path("remainingTimeInMillis").asLong();
        assertTrue(remaining > 5_000 && remaining <= 10_000, "remaining " + remaining);
        assertTrue(out.path("requestId").asText().matches("[0-9a-f-]{36}"));
        JsonNode env = out.path("env");
        assertEquals("blue", env.path("COLOR").asText());
        assertEquals("echo", env.path("AWS_LAMBDA_FUNCTION_NAME").asText());
        assertTrue(env.path("AWS_LAMBDA_RUNTIME_API").asText().matches("127\\.0\\.0\\.1:\\d+"));
        assertEquals(Fixtures.fixtureHandler("Echo"), env.path("_HANDLER").asText());
        assertEquals("us-east-1", env.path("AWS_REGION").asText());
        assertEquals(":UTC", env.path("TZ").asText());
    }

    @Test
    void warmEnvironmentIsReusedAndRunsAsPidOneOfItsNamespace() throws Exception {
        JsonNode first = json(invoke("echo", "{}"));
        JsonNode second = json(invoke("echo", "{}"));
        assertEquals(first.path("instance").asText(), second.path("instance").asText(), "same environment");
        assertEquals(1, first.path("pid").asLong(), "the runtime is pid 1 of its own pid namespace");
    }

    @Test
    void functionErrorComesBackUnhandledWithItsType() throws Exception {
        InvokeResponse r = invoke("thrower", "{\"msg\":\"bad\"}");
        assertEquals(200, r.statusCode());
        assertEquals("Unhandled", r.functionError());
        JsonNode err = json(r);
        assertEquals("java.lang.IllegalStateException", err.path("errorType").asText());
        assertEquals("boom: bad", err.path("errorMessage").asText());
        assertTrue(err.path("stackTrace").isArray() && !err.path("stackTrace").isEmpty());
        assertEquals(200, invoke("echo", "{}").statusCode(), "the platform keeps serving");
    }

    @Test
    void logTailHoldsTheInvocationsLinesAndReport() throws Exception {
        InvokeResponse r = lambda.invoke(b -> b.functionName("echo").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{\"k\":\"tail-me\"}")));
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        assertTrue(log.contains("START RequestId: "), log);
        assertTrue(log.contains("echo-log {k=tail-me}"), "the function's System.out line: " + log);
        assertTrue(log.contains("echo-logger " + json(r).path("requestId").asText()),
                "the function's LambdaLogger line: " + log);
        assertTrue(log.contains("END RequestId: "), log);
        assertTrue(log.matches("(?s).*REPORT RequestId: [0-9a-f-]{36}\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\t"
                + "Memory Size: 256 MB\tMax Memory Used: \\d+ MB\t.*"), log);
    }

    @Test
    void firstInvokeOfANewEnvironmentReportsInitDuration() {
        Fixtures.deploy(lambda, "cold", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.memorySize(256).timeout(10));
        InvokeResponse r = lambda.invoke(b -> b.functionName("cold").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{}")));
        String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        assertTrue(log.matches("(?s).*REPORT .*Init Duration: [\\d.]+ ms\t.*"), log);
        InvokeResponse warm = lambda.invoke(b -> b.functionName("cold").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{}")));
        String warmLog = new String(Base64.getDecoder().decode(warm.logResult()), StandardCharsets.UTF_8);
        assertTrue(!warmLog.contains("Init Duration"), warmLog);
    }

    @Test
    void qualifiersSelectVersionsAndAliasesAndSetExecutedVersion() throws Exception {
        Fixtures.deploy(lambda, "qualified", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.memorySize(256).timeout(10)
                .environment(e -> e.variables(Map.of("STAGE", "one"))));
        lambda.publishVersion(b -> b.functionName("qualified"));
        lambda.updateFunctionConfiguration(b -> b.functionName("qualified")
                .environment(e -> e.variables(Map.of("STAGE", "two"))));
        lambda.createAlias(b -> b.functionName("qualified").name("prod").functionVersion("1"));
        String ask = "{\"envNames\":[\"STAGE\"]}";

        InvokeResponse latest = invoke("qualified", ask);
        assertEquals("$LATEST", latest.executedVersion());
        assertEquals("two", json(latest).path("env").path("STAGE").asText(), "an update gets a new environment");

        InvokeResponse v1 = lambda.invoke(b -> b.functionName("qualified").qualifier("1")
                .payload(SdkBytes.fromUtf8String(ask)));
        assertEquals("1", v1.executedVersion());
        assertEquals("one", json(v1).path("env").path("STAGE").asText());
        assertEquals("1", json(v1).path("functionVersion").asText());

        InvokeResponse viaAlias = lambda.invoke(b -> b.functionName("qualified").qualifier("prod")
                .payload(SdkBytes.fromUtf8String(ask)));
        assertEquals("1", viaAlias.executedVersion());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:qualified:prod",
                json(viaAlias).path("invokedFunctionArn").asText());

        InvokeResponse viaArn = lambda.invoke(b -> b.functionName(
                "arn:aws:lambda:us-east-1:000000000000:function:qualified:prod").payload(SdkBytes.fromUtf8String(ask)));
        assertEquals("1", viaArn.executedVersion());
        InvokeResponse viaPartial = lambda.invoke(b -> b.functionName("000000000000:function:qualified")
                .payload(SdkBytes.fromUtf8String(ask)));
        assertEquals("$LATEST", viaPartial.executedVersion());
    }

    @Test
    void updatedCodeNeverRunsInAnOldEnvironment() throws Exception {
        Fixtures.deploy(lambda, "updated", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.memorySize(256).timeout(10));
        String before = json(invoke("updated", "{}")).path("instance").asText();
        lambda.updateFunctionCode(b -> b.functionName("updated").zipFile(ThawServerProcess.example("test-functions")));
        lambda.updateFunctionConfiguration(b -> b.functionName("updated").description("touch"));
        String after = json(invoke("updated", "{}")).path("instance").asText();
        assertNotEquals(before, after);
    }

    @Test
    void dryRunChecksWithoutRunning() {
        Fixtures.deploy(lambda, "dry", "test-functions", Fixtures.fixtureHandler("Echo"), b -> b.memorySize(256).timeout(10));
        InvokeResponse r = lambda.invoke(b -> b.functionName("dry").invocationType(InvocationType.DRY_RUN));
        assertEquals(204, r.statusCode());
        assertEquals("$LATEST", r.executedVersion());
        assertTrue(server.environmentPids("dry").isEmpty(), "a dry run starts no environment");
        assertThrows(ResourceNotFoundException.class, () -> lambda.invoke(b -> b.functionName("no-such-function")
                .invocationType(InvocationType.DRY_RUN)));
    }

    @Test
    void payloadOverSixMegabytesIsRequestTooLarge() {
        byte[] big = new byte[6 * 1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) 'a');
        big[0] = '"';
        big[big.length - 1] = '"';
        assertThrows(RequestTooLargeException.class, () -> lambda.invoke(b -> b.functionName("echo")
                .payload(SdkBytes.fromByteArray(big))));
        assertEquals(200, invoke("echo", "{}").statusCode());
    }

    @Test
    void streamAndPlainMethodHandlersWork() throws Exception {
        Fixtures.deploy(lambda, "upper-stream", "stream", "dev.thaw.examples.stream.Upper",
                b -> b.memorySize(256).timeout(10));
        assertEquals("\"ABC\"", invoke("upper-stream", "\"abc\"").payload().asUtf8String());
        Fixtures.deploy(lambda, "method", "test-functions", Fixtures.fixtureHandler("Echo::handleMap"),
                b -> b.memorySize(256).timeout(10));
        assertEquals("method", json(invoke("method", "{\"a\":1}")).path("via").asText());
        Fixtures.deploy(lambda, "upper-method", "test-functions", Fixtures.fixtureHandler("Echo::upper"),
                b -> b.memorySize(256).timeout(10));
        assertEquals("\"HEY\"", invoke("upper-method", "\"hey\"").payload().asUtf8String());
    }

    @Test
    void apiGatewayProxyEventsRoundTrip() throws Exception {
        Fixtures.deploy(lambda, "apigw", "apigw", "dev.thaw.examples.apigw.ApiHandler",
                b -> b.memorySize(256).timeout(10));
        JsonNode out = json(invoke("apigw", "{\"httpMethod\":\"GET\",\"path\":\"/items\","
                + "\"queryStringParameters\":{\"q\":\"snow\"},\"headers\":{\"Accept\":\"*/*\"}}"));
        assertEquals(200, out.path("statusCode").asInt());
        JsonNode body = JSON.readTree(out.path("body").asText());
        assertEquals("GET", body.path("httpMethod").asText());
        assertEquals("/items", body.path("path").asText());
        assertEquals("snow", body.path("q").asText());
    }

    @Test
    void initFailureIsReportedAndRetried() throws Exception {
        Fixtures.deploy(lambda, "init-fails", "test-functions", Fixtures.fixtureHandler("InitFails"),
                b -> b.memorySize(256).timeout(10));
        for (int i = 0; i < 2; i++) {
            InvokeResponse r = invoke("init-fails", "{}");
            assertEquals("Unhandled", r.functionError());
            assertTrue(json(r).path("errorMessage").asText().contains("init boom")
                    || json(r).toString().contains("init boom"), json(r).toString());
        }
    }

    @Test
    void largeResponsesPassUpToTheLimit() {
        InvokeResponse r = lambda.invoke(b -> b.functionName("big").payload(SdkBytes.fromUtf8String(
                "{\"bytes\":1000000}")));
        assertEquals(1_000_002, r.payload().asByteArray().length);
    }

    @Test
    void aCallersTraceHeaderReachesTheFunctionAndOthersGetOneOfTheirOwn() throws Exception {
        String trace = "Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1";
        var given = server.http("POST", "/2015-03-31/functions/echo/invocations", "{}", "X-Amzn-Trace-Id", trace);
        assertEquals(200, given.statusCode(), given.body());
        assertEquals(trace, JSON.readTree(given.body()).path("traceHeader").asText());
        var none = server.http("POST", "/2015-03-31/functions/echo/invocations", "{}");
        String made = JSON.readTree(none.body()).path("traceHeader").asText();
        assertTrue(made.matches("Root=1-[0-9a-f]{8}-[0-9a-f]+;Sampled=0"), made);
        var garbage = server.http("POST", "/2015-03-31/functions/echo/invocations", "{}", "X-Amzn-Trace-Id",
                "not a trace");
        assertTrue(JSON.readTree(garbage.body()).path("traceHeader").asText().startsWith("Root=1-"),
                "a header without a root trace is ignored: " + garbage.body());
    }
}
