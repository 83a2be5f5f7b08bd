package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.CloudWatchLogsException;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With access keys: the CloudWatch Logs reads accept requests signed for service {@code logs} (as the SDK and CLI
 * sign them), {@code GET /metrics} on the API's port needs a signature like the rest, and the separate metrics
 * listener serves a scraper that has none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignedObservabilityIT {
    private static final String KEY_ID = "AKIDTHAWOBSERVE";
    private static final String SECRET = "observe/it+Secret0";
    private final HttpClient http = HttpClient.newHttpClient();
    private Path work;
    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void start() throws IOException {
        work = Files.createTempDirectory("thaw-signed-observability-");
        Path keys = Files.writeString(work.resolve("access-keys"), """
                [ci]
                aws_access_key_id = %s
                aws_secret_access_key = %s
                """.formatted(KEY_ID, SECRET));
        server = ThawServerProcess.startWithAccessKeys(keys, KEY_ID, SECRET, "--metrics-port", "0");
        lambda = server.lambda();
        Fixtures.createHello(lambda, "hello", Map.of());
        lambda.invoke(b -> b.functionName("hello").payload(SdkBytes.fromUtf8String("{\"name\":\"signed\"}")));
    }

    @AfterAll
    void stop() throws IOException {
        try {
            lambda.close();
            server.close();
        } finally {
            dev.thaw.io.FileTrees.delete(work);
        }
    }

    private CloudWatchLogsClient logs(String secret) {
        return CloudWatchLogsClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY_ID, secret)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    void logsAreReadWithASignatureForTheLogsServiceAndRefusedWithAWrongOne() {
        try (CloudWatchLogsClient logs = logs(SECRET)) {
            assertTrue(logs.filterLogEvents(b -> b.logGroupName("/aws/lambda/hello").filterPattern("greeting"))
                    .events().stream().anyMatch(e -> e.message().contains("greeting signed")));
        }
        try (CloudWatchLogsClient wrong = logs("not-the-secret")) {
            CloudWatchLogsException e = assertThrows(CloudWatchLogsException.class,
                    () -> wrong.describeLogGroups());
            assertEquals("InvalidSignatureException", e.awsErrorDetails().errorCode());
        }
    }

    @Test
    void metricsNeedASignatureOnTheApiPortButNotOnTheirOwnListener() throws Exception {
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(server.endpoint().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, unsigned.statusCode());
        assertEquals("MissingAuthenticationTokenException", unsigned.headers().firstValue("x-amzn-ErrorType")
                .orElseThrow());
        HttpResponse<String> signed = server.http("GET", "/metrics", null);
        assertEquals(200, signed.statusCode());

        Matcher m = Pattern.compile("thaw: metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(server.output());
        assertTrue(m.find(), server.output());
        HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + m.group(1) + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scraped.statusCode());
        assertTrue(scraped.body().contains("thaw_invocations_total{function=\"hello\",version=\"$LATEST\"} 1.0"),
                scraped.body());
    }
}
