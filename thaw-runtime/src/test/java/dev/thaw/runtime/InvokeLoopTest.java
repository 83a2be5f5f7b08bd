package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.runtime.FakeRuntimeApi.Event;
import dev.thaw.runtime.FakeRuntimeApi.Request;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import thawtest.handlers.Handlers;

class InvokeLoopTest {

    private final ObjectMapper json = new ObjectMapper();
    private final LazyJsonCodec codec = new LazyJsonCodec();
    private FakeRuntimeApi api;
    private CompletableFuture<Void> loop;

    @BeforeEach
    void startLoop() throws Exception {
        api = new FakeRuntimeApi();
        RuntimeEnvironment env = new RuntimeEnvironment("", api.address(), Path.of("."), "on-demand", "probe-fn", "7",
                256, "/aws/lambda/probe-fn", "stream-1");
        HandlerInvoker handler = new HandlerResolver(codec)
                .resolve(Handlers.class.getName() + "$ContextProbe", getClass().getClassLoader());
        loop = CompletableFuture.runAsync(() -> {
            try {
                new InvokeLoop(new RuntimeApiClient(api.address()), handler, env, codec).run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aResponseIsPostedWithTheContextTheHeadersDescribe() throws Exception {
        api.enqueue(Event.withHeaders("req-1", "{\"x\":1}", Map.of(
                "Lambda-Runtime-Trace-Id", "Root=1-abc",
                "Lambda-Runtime-Cognito-Identity", "{\"cognitoIdentityId\":\"id-1\",\"cognitoIdentityPoolId\":\"pool-1\"}",
                "Lambda-Runtime-Client-Context",
                "{\"client\":{\"app_title\":\"Shop\"},\"custom\":{\"k\":\"v\"},\"env\":{\"platform\":\"android\"}}")));

        api.take(); // next
        Request response = api.take();

        assertEquals("/2018-06-01/runtime/invocation/req-1/response", response.path());
        assertEquals(json.readTree("""
                {"requestId":"req-1","arn":"arn:aws:lambda:us-east-1:000000000000:function:fn","functionName":"probe-fn",
                 "memory":256,"remainingPositive":true,"trace":"Root=1-abc","identityPool":"pool-1","appTitle":"Shop",
                 "custom":{"k":"v"}}"""), json.readTree(response.body()));
    }

    @Test
    void aThrowingHandlerPostsAnAwsShapedErrorAndTheLoopGoesOn() throws Exception {
        api.enqueue(Event.of("req-2", "{\"fail\":true}"));
        api.take();
        Request error = api.take();

        assertEquals("/2018-06-01/runtime/invocation/req-2/error", error.path());
        assertEquals("Runtime.UserException", error.header("Lambda-Runtime-Function-Error-Type"));
        JsonNode body = json.readTree(error.body());
        assertEquals("asked to fail", body.get("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", body.get("errorType").asText());
        assertTrue(body.get("stackTrace").get(0).asText().startsWith(Handlers.ContextProbe.class.getName() + ".handleRequest("),
                body.toString());
        for (JsonNode frame : body.get("stackTrace")) {
            assertFalse(frame.asText().contains("dev.thaw.runtime") || frame.asText().contains("reflect"), frame.asText());
        }
        assertEquals("java.io.IOException", body.get("cause").get("errorType").asText());
        assertEquals("root cause", body.get("cause").get("errorMessage").asText());

        assertEquals(FakeRuntimeApi.NEXT, api.take().path(), "the loop asks for the next event");
    }

    @Test
    void aTraceIdDoesNotLeakIntoTheNextInvoke() throws Exception {
        api.enqueue(Event.withHeaders("req-3", "{}", Map.of("Lambda-Runtime-Trace-Id", "Root=1-first")));
        api.enqueue(Event.of("req-4", "{}"));
        api.take();
        api.take();
        api.take();

        assertTrue(json.readTree(api.take().body()).get("trace").isNull());
    }

    @Test
    void aServerErrorFromTheRuntimeApiEndsTheLoop() throws Exception {
        api.enqueue(Event.failure(500));

        Exception e = assertThrows(Exception.class, () -> loop.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof RuntimeApiException, e.toString());
    }
}
