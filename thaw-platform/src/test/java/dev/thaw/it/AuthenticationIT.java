package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LambdaException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code thaw server --access-keys FILE}: the AWS CLI, the SDK for Java v2 and the {@code thaw} CLI work with a
 * right key; a wrong secret, an unknown key id, an unsigned request and an expired signature each get AWS's error
 * type and status, and the server serves on after every one; a presigned GET works, GetFunction's Code.Location
 * downloads as it is given. And the safe default: a server without keys refuses to listen beyond loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticationIT {
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY_ID = "AKIDTHAWAUTHIT";
    private static final String SECRET = "auth/it+Secret0";
    private static final Path HELLO = ThawServerProcess.REPO.resolve("examples/hello/target/hello.zip");

    private Path work;
    private ThawServerProcess server;
    private LambdaClient lambda;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws IOException {
        work = Files.createTempDirectory("thaw-auth-");
        Path keys = Files.writeString(work.resolve("access-keys"), """
                [ci]
                aws_access_key_id = %s
                aws_secret_access_key = %s

                [other]
                aws_access_key_id = AKIDSECONDKEY
                aws_secret_access_key = second-secret
                """.formatted(KEY_ID, SECRET));
        server = ThawServerProcess.startWithAccessKeys(keys, KEY_ID, SECRET);
        lambda = server.lambda();
        Fixtures.createHello(lambda, "hello", Map.of());
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

    private LambdaClient client(String id, String secret) {
        return LambdaClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.retryStrategy(
                        software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    private static void assertAwsError(int status, String type, LambdaException e) {
        assertEquals(status, e.statusCode(), e.getMessage());
        assertEquals(type, e.awsErrorDetails().errorCode(), e.getMessage());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAwsError(int status, String type, HttpResponse<String> response) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(type, response.headers().firstValue("x-amzn-ErrorType").orElse(null), response.body());
        assertEquals(type, JSON.readTree(response.body()).path("__type").asText(), response.body());
    }

    @Test
    void theJavaSdkWorksWithARightKeyAndGetsAwsErrorsWithAWrongOne() {
        Fixtures.createHello(lambda, "sdk-signed", Map.of());
        String answer = lambda.invoke(b -> b.functionName("sdk-signed").payload(SdkBytes.fromUtf8String(
                "{\"name\":\"signed\"}"))).payload().asUtf8String();
        assertEquals("{\"message\":\"Hello, signed!\"}", answer);
        assertTrue(lambda.listFunctions().functions().stream().anyMatch(f -> f.functionName().equals("sdk-signed")));

        try (LambdaClient wrongSecret = client(KEY_ID, "not-the-secret");
             LambdaClient unknownKey = client("AKIDNOBODY", SECRET)) {
            LambdaException badSignature = assertThrows(LambdaException.class, wrongSecret::listFunctions);
            assertAwsError(403, "InvalidSignatureException", badSignature);
            assertTrue(badSignature.awsErrorDetails().errorMessage().startsWith(
                    "The request signature we calculated does not match the signature you provided."),
                    badSignature.getMessage());
            assertAwsError(403, "InvalidSignatureException", assertThrows(LambdaException.class,
                    () -> wrongSecret.invoke(b -> b.functionName("sdk-signed"))));
            LambdaException unknown = assertThrows(LambdaException.class, unknownKey::listFunctions);
            assertAwsError(403, "UnrecognizedClientException", unknown);
            assertEquals("The security token included in the request is invalid.",
                    unknown.awsErrorDetails().errorMessage());
        }
        // The second key of the file works as well, and the server serves on after the refusals.
        try (LambdaClient second = client("AKIDSECONDKEY", "second-secret")) {
            assertEquals("sdk-signed", second.getFunction(b -> b.functionName("sdk-signed")).configuration()
                    .functionName());
        }
    }

    @Test
    void anUnsignedRequestIsRefusedWithMissingAuthenticationTokenAndHealthStaysOpen() throws Exception {
        URI base = server.endpoint();
        assertAwsError(403, "MissingAuthenticationTokenException",
                send(HttpRequest.newBuilder(base.resolve("/2015-03-31/functions"))));
        HttpResponse<String> invoke = send(HttpRequest.newBuilder(base.resolve(
                "/2015-03-31/functions/hello/invocations")).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertAwsError(403, "MissingAuthenticationTokenException", invoke);
        assertEquals("Missing Authentication Token", JSON.readTree(invoke.body()).path("message").asText());
        assertAwsError(403, "MissingAuthenticationTokenException",
                send(HttpRequest.newBuilder(base.resolve("/thaw/v1/environments"))));
        assertAwsError(403, "MissingAuthenticationTokenException",
                send(HttpRequest.newBuilder(base.resolve("/thaw/v1/evict")).POST(HttpRequest.BodyPublishers.noBody())));
        assertAwsError(400, "IncompleteSignatureException", send(HttpRequest.newBuilder(
                base.resolve("/2015-03-31/functions")).header("Authorization", "Bearer something")));

        assertEquals(200, send(HttpRequest.newBuilder(base.resolve("/thaw/v1/health"))).statusCode());
        assertEquals(200, server.http("GET", "/thaw/v1/environments", null).statusCode());
    }

    @Test
    void aSignatureTwentyMinutesOldIsRefusedAsExpired() throws Exception {
        URI uri = server.endpoint().resolve("/2015-03-31/functions/hello/invocations");
        byte[] body = "{\"name\":\"late\"}".getBytes(StandardCharsets.UTF_8);
        Clock twentyMinutesBack = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20));
        HttpRequest.Builder late = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        ThawServerProcess.sign("POST", uri, Map.of("Content-Type", "application/json"), body,
                AwsBasicCredentials.create(KEY_ID, SECRET), twentyMinutesBack).forEach(late::header);
        late.header("Content-Type", "application/json");
        HttpResponse<String> refused = send(late);
        assertAwsError(403, "InvalidSignatureException", refused);
        assertTrue(JSON.readTree(refused.body()).path("message").asText().startsWith("Signature expired: "),
                refused.body());

        // The same request signed now goes through.
        HttpRequest.Builder onTime = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        ThawServerProcess.sign("POST", uri, Map.of("Content-Type", "application/json"), body,
                AwsBasicCredentials.create(KEY_ID, SECRET), Clock.systemUTC()).forEach(onTime::header);
        HttpResponse<String> answered = send(onTime);
        assertEquals(200, answered.statusCode(), answered.body());
        assertEquals("{\"message\":\"Hello, late!\"}", answered.body());
    }

    private URI presign(URI uri, Instant at, Duration validFor) {
        SdkHttpRequest get = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(uri)
                .putHeader("Host", uri.getHost() + ":" + uri.getPort()).build();
        return AwsV4HttpSigner.create().sign(SignRequest.builder(AwsBasicCredentials.create(KEY_ID, SECRET))
                .request(get)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4HttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, validFor)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))
                .build()).request().getUri();
    }

    @Test
    void aPresignedGetWorksUntilItExpiresAndCodeLocationDownloadsAsGiven() throws Exception {
        URI function = server.endpoint().resolve("/2015-03-31/functions/hello");
        HttpResponse<String> got = send(HttpRequest.newBuilder(presign(function, Instant.now(),
                Duration.ofMinutes(5))));
        assertEquals(200, got.statusCode(), got.body());
        assertEquals("hello", JSON.readTree(got.body()).path("Configuration").path("FunctionName").asText());

        HttpResponse<String> expired = send(HttpRequest.newBuilder(presign(function,
                Instant.now().minus(Duration.ofMinutes(20)), Duration.ofMinutes(5))));
        assertAwsError(403, "InvalidSignatureException", expired);
        assertTrue(JSON.readTree(expired.body()).path("message").asText().startsWith("Signature expired"),
                expired.body());

        // As on AWS, Code.Location is a presigned URL that downloads the package without credentials.
        String location = lambda.getFunction(b -> b.functionName("hello")).code().location();
        assertTrue(location.contains("X-Amz-Signature="), location);
        HttpResponse<byte[]> zip = http.send(HttpRequest.newBuilder(URI.create(location)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, zip.statusCode());
        assertArrayEquals(Files.readAllBytes(HELLO), zip.body());
        HttpResponse<String> bare = send(HttpRequest.newBuilder(URI.create(location.substring(0,
                location.indexOf('?')))));
        assertAwsError(403, "MissingAuthenticationTokenException", bare);
    }

    record Result(int exit, String out, String err) {
    }

    /** The AWS CLI with exactly these credentials, no configuration files, against the server. */
    private Result aws(String id, String secret, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(AWS.toString(), "lambda"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--endpoint-url", server.endpoint().toString(), "--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        pb.environment().putAll(Map.of("AWS_ACCESS_KEY_ID", id, "AWS_SECRET_ACCESS_KEY", secret,
                "AWS_DEFAULT_REGION", "us-east-1", "AWS_PAGER", "",
                "AWS_CONFIG_FILE", work.resolve("none").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString(),
                "AWS_MAX_ATTEMPTS", "1"));
        Path out = work.resolve("aws.out");
        Path err = work.resolve("aws.err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theAwsCliWorksWithARightKeyAndNamesEachRefusal() throws Exception {
        assertTrue(Files.isExecutable(AWS), "the AWS CLI v2 is missing: scripts/setup.sh installs Debian's awscli");
        Result created = aws(KEY_ID, SECRET, "create-function", "--function-name", "cli-signed", "--runtime",
                "java17", "--handler", "dev.thaw.examples.hello.Hello", "--role", Fixtures.ROLE,
                "--zip-file", "fileb://" + HELLO);
        assertEquals(0, created.exit(), created.err());
        Result invoked = aws(KEY_ID, SECRET, "invoke", "--function-name", "cli-signed", "--cli-binary-format",
                "raw-in-base64-out", "--payload", "{\"name\":\"aws\"}", work.resolve("answer.json").toString());
        assertEquals(0, invoked.exit(), invoked.err());
        assertEquals("{\"message\":\"Hello, aws!\"}", Files.readString(work.resolve("answer.json")));
        Result listed = aws(KEY_ID, SECRET, "list-functions");
        assertEquals(0, listed.exit(), listed.err());
        JsonNode functions = JSON.readTree(listed.out()).path("Functions");
        assertTrue(functions.findValuesAsText("FunctionName").contains("cli-signed"), listed.out());

        Result wrongSecret = aws(KEY_ID, "not-the-secret", "list-functions");
        assertNotEquals(0, wrongSecret.exit());
        assertTrue(wrongSecret.err().contains("(InvalidSignatureException)"), wrongSecret.err());
        Result unknownKey = aws("AKIDNOBODY", SECRET, "get-function", "--function-name", "cli-signed");
        assertNotEquals(0, unknownKey.exit());
        assertTrue(unknownKey.err().contains("(UnrecognizedClientException)"), unknownKey.err());
        assertEquals(0, aws(KEY_ID, SECRET, "delete-function", "--function-name", "cli-signed").exit());
    }

    /** The {@code thaw} CLI with exactly these AWS variables (none when empty), against the server. */
    private ThawCliIT.Run thaw(Map<String, String> aws, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint-url", server.endpoint().toString()));
        java.util.Map<String, String> env = new java.util.HashMap<>(aws);
        env.put("AWS_CONFIG_FILE", work.resolve("none").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString());
        try (LocalCommand command = new LocalCommand("thaw-auth-" + args[0])) {
            int exit = command.runJarWithAwsEnvironment(2, env, all.toArray(String[]::new));
            return new ThawCliIT.Run(exit, command.output());
        }
    }

    @Test
    void thawDeployAndInvokeSignWithTheCredentialsOfTheEnvironment() throws Exception {
        Map<String, String> credentials = Map.of("AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", SECRET);
        ThawCliIT.Run deployed = thaw(credentials, "deploy", "thaw-signed", "--code", HELLO.toString(),
                "--handler", "dev.thaw.examples.hello.Hello");
        assertEquals(0, deployed.exit(), deployed.output());
        assertTrue(deployed.output().contains("created thaw-signed"), deployed.output());
        ThawCliIT.Run invoked = thaw(credentials, "invoke", "thaw-signed", "{\"name\":\"thaw\"}");
        assertEquals(0, invoked.exit(), invoked.output());
        assertTrue(invoked.output().contains("{\"message\":\"Hello, thaw!\"}"), invoked.output());

        ThawCliIT.Run unsigned = thaw(Map.of(), "invoke", "thaw-signed");
        assertEquals(1, unsigned.exit(), unsigned.output());
        assertTrue(unsigned.output().contains("thaw: MissingAuthenticationTokenException"), unsigned.output());
        ThawCliIT.Run wrong = thaw(Map.of("AWS_ACCESS_KEY_ID", KEY_ID, "AWS_SECRET_ACCESS_KEY", "wrong"),
                "invoke", "thaw-signed");
        assertEquals(1, wrong.exit(), wrong.output());
        assertTrue(wrong.output().contains("thaw: InvalidSignatureException"), wrong.output());
    }

    @Test
    void theServerSaysOnceThatItChecksSignaturesAndWarnsOfAKeysFileOthersCanRead() {
        String output = server.output();
        assertEquals(1, output.split("thaw: every request must carry a SigV4 signature", -1).length - 1, output);
        assertTrue(output.contains("by one of the 2 access keys"), output);
        assertTrue(output.contains("holds secrets and other users can read it"), output);  // written 0644 above
    }

    @Test
    void aServerWithoutKeysRefusesToListenBeyondLoopback() throws Exception {
        try (LocalCommand command = new LocalCommand("thaw-auth-open-host")) {
            int exit = command.runJar(1, "server", "--home", command.directory().resolve("home").toString(),
                    "--port", "0", "--host", "0.0.0.0");
            assertEquals(2, exit, command.output());
            assertTrue(command.output().contains("thaw: refusing to listen on 0.0.0.0 without access keys"),
                    command.output());
            assertTrue(command.output().contains("--access-keys"), command.output());
        }
    }
}
