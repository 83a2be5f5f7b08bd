package dev.thaw.it;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK AOT-cache mode: PublishVersion trains a cache, and the version's cold starts map it. */
class AotCacheIT {

    @Test
    void publishTrainsACacheThatTheVersionsEnvironmentsStartWith() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start(); LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("aot-hello").runtime(Runtime.JAVA25)
                    .handler("dev.thaw.examples.hello.Hello").role("r")
                    .environment(e -> e.variables(Map.of("THAW_AOT_CACHE", "on")))
                    .code(c -> c.zipFile(ThawServerProcess.example("hello"))));
            var published = lambda.publishVersion(b -> b.functionName("aot-hello"));
            assertEquals(State.PENDING, published.state(), "PublishVersion returns at once, Pending");
            lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("aot-hello")
                    .qualifier(published.version()));
            Path cache = server.home().resolve("aot/aot-hello/" + published.version() + "/app.aot");
            assertTrue(Files.size(cache) > 1_000_000, "a trained cache of " + Files.size(cache) + " bytes");

            InvokeResponse r = lambda.invoke(b -> b.functionName("aot-hello").qualifier(published.version())
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"aot\"}")));
            assertNull(r.functionError(), r.payload().asUtf8String());
            assertTrue(r.payload().asUtf8String().contains("Hello, aot!"), r.payload().asUtf8String());
            long pid = server.environmentPids("aot-hello").getFirst();
            assertTrue(Files.readString(Path.of("/proc/" + pid + "/maps")).contains("/var/aot/app.aot"),
                    "the environment's JVM maps the AOT cache");

            lambda.deleteFunction(b -> b.functionName("aot-hello"));
            assertTrue(Files.notExists(cache), "the cache is deleted with its function");
        }
    }

    @Test
    void theAotCacheNeedsJava25AndExcludesSnapStart() {
        try (ThawServerProcess server = ThawServerProcess.start(); LambdaClient lambda = server.lambda()) {
            InvalidParameterValueException e = assertThrows(InvalidParameterValueException.class, () ->
                    lambda.createFunction(b -> b.functionName("aot-17").runtime(Runtime.JAVA17)
                            .handler("dev.thaw.examples.hello.Hello").role("r")
                            .environment(v -> v.variables(Map.of("THAW_AOT_CACHE", "on")))
                            .code(c -> c.zipFile(ThawServerProcess.example("hello")))));
            assertTrue(e.getMessage().contains("java25"), e.getMessage());
        }
    }
}
