package dev.thaw.it;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The asynchronous SDK client (Netty) and its waiter work against Thaw as against AWS. */
class AsyncSdkIT {
    @Test
    void theAsyncClientCreatesWaitsAndInvokesConcurrently() {
        try (ThawServerProcess server = ThawServerProcess.start();
             LambdaAsyncClient lambda = LambdaAsyncClient.builder().endpointOverride(server.endpoint())
                     .region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                     .build()) {
            lambda.createFunction(b -> b.functionName("async").runtime(Runtime.JAVA17).role("r")
                    .handler("dev.thaw.examples.hello.Hello")
                    .code(c -> c.zipFile(ThawServerProcess.example("hello")))).join();
            assertEquals(State.ACTIVE, lambda.waiter().waitUntilFunctionActiveV2(b -> b.functionName("async"))
                    .join().matched().response().orElseThrow().configuration().state());
            List<CompletableFuture<InvokeResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                calls.add(lambda.invoke(b -> b.functionName("async")
                        .payload(SdkBytes.fromUtf8String("{\"name\":\"async-" + n + "\"}"))));
            }
            for (int i = 0; i < calls.size(); i++) {
                assertEquals("{\"message\":\"Hello, async-" + i + "!\"}", calls.get(i).join().payload().asUtf8String());
            }
            CompletionException e = assertThrows(CompletionException.class,
                    () -> lambda.getFunction(b -> b.functionName("missing")).join());
            assertInstanceOf(ResourceNotFoundException.class, e.getCause());
        }
    }
}
