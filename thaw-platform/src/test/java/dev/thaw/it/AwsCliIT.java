package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real AWS CLI v2 (Debian's awscli, installed by scripts/setup.sh) against a live server: the commands of the
 * README's "Using Thaw with the AWS CLI" section, their exit codes and outputs, the waiters and the error names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsCliIT {
    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final ObjectMapper JSON = new ObjectMapper();
    private ThawServerProcess server;
    private Path work;

    @BeforeAll
    void start() throws IOException {
        assertTrue(Files.isExecutable(AWS), "the AWS CLI v2 is missing: scripts/setup.sh installs Debian's awscli");
        server = ThawServerProcess.start();
        work = Files.createTempDirectory("thaw-cli-");
    }

    @AfterAll
    void stop() throws IOException {
        server.close();
        try (var files = Files.list(work)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(work);
    }

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    private Result aws(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(AWS.toString(), "lambda"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--endpoint-url", server.endpoint().toString(), "--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", "test");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_PAGER", "");
        pb.environment().put("AWS_CONFIG_FILE", work.resolve("none").toString());
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString());
        Path out = work.resolve("stdout");
        Path err = work.resolve("stderr");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Result ok(String... args) throws Exception {
        Result r = aws(args);
        assertEquals(0, r.exit(), "aws " + String.join(" ", args) + "\n" + r.err());
        return r;
    }

    private static String zip(String module) {
        return "fileb://" + ThawServerProcess.REPO.resolve("examples/" + module + "/target/" + module + ".zip");
    }

    @Test
    void theReadmesCliSessionWorksEndToEnd() throws Exception {
        JsonNode created = ok("create-function", "--function-name", "hello", "--runtime", "java17",
                "--role", "arn:aws:iam::000000000000:role/x", "--handler", "dev.thaw.examples.hello.Hello",
                "--zip-file", zip("hello")).json();
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:hello", created.path("FunctionArn").asText());
        ok("wait", "function-active-v2", "--function-name", "hello");
        assertEquals("hello", ok("get-function", "--function-name", "hello").json()
                .path("Configuration").path("FunctionName").asText());
        assertEquals("dev.thaw.examples.hello.Hello", ok("get-function-configuration", "--function-name", "hello")
                .json().path("Handler").asText());

        JsonNode invoked = ok("invoke", "--function-name", "hello", "--cli-binary-format", "raw-in-base64-out",
                "--payload", "{\"name\":\"CLI\"}", "--log-type", "Tail", "out.json").json();
        assertEquals(200, invoked.path("StatusCode").asInt());
        assertEquals("$LATEST", invoked.path("ExecutedVersion").asText());
        String tail = new String(Base64.getDecoder().decode(invoked.path("LogResult").asText()), StandardCharsets.UTF_8);
        assertTrue(tail.contains("REPORT RequestId:"), tail);
        assertEquals("{\"message\":\"Hello, CLI!\"}", Files.readString(work.resolve("out.json")));

        assertEquals(202, ok("invoke", "--function-name", "hello", "--invocation-type", "Event",
                "--cli-binary-format", "raw-in-base64-out", "--payload", "{\"name\":\"later\"}", "out.json")
                .json().path("StatusCode").asInt());
        assertEquals(204, ok("invoke", "--function-name", "hello", "--invocation-type", "DryRun", "out.json")
                .json().path("StatusCode").asInt());

        assertEquals(512, ok("update-function-configuration", "--function-name", "hello", "--memory-size", "512")
                .json().path("MemorySize").asInt());
        ok("wait", "function-updated-v2", "--function-name", "hello");
        String newSha = ok("update-function-code", "--function-name", "hello", "--zip-file", zip("hello"))
                .json().path("CodeSha256").asText();
        assertEquals(created.path("CodeSha256").asText(), newSha, "same bytes, same CodeSha256");
        ok("wait", "function-updated-v2", "--function-name", "hello");

        assertEquals("1", ok("publish-version", "--function-name", "hello").json().path("Version").asText());
        ok("wait", "published-version-active", "--function-name", "hello", "--qualifier", "1");
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:hello:live", ok("create-alias",
                "--function-name", "hello", "--name", "live", "--function-version", "1").json()
                .path("AliasArn").asText());
        assertEquals("1", ok("invoke", "--function-name", "hello", "--qualifier", "live", "--cli-binary-format",
                "raw-in-base64-out", "--payload", "{}", "out.json").json().path("ExecutedVersion").asText());
        assertEquals(5, ok("put-function-concurrency", "--function-name", "hello",
                "--reserved-concurrent-executions", "5").json().path("ReservedConcurrentExecutions").asInt());
        ok("delete-function", "--function-name", "hello");
        Result gone = aws("get-function", "--function-name", "hello");
        assertNotEquals(0, gone.exit());
        assertTrue(gone.err().contains("ResourceNotFoundException"), gone.err());
    }

    @Test
    void listFunctionsPaginatesWithMaxItems() throws Exception {
        for (int i = 0; i < 3; i++) {
            ok("create-function", "--function-name", "page" + i, "--runtime", "java17", "--role", "r",
                    "--handler", "dev.thaw.examples.hello.Hello", "--zip-file", zip("hello"));
        }
        JsonNode first = ok("list-functions", "--max-items", "2").json();
        assertEquals(2, first.path("Functions").size());
        String token = first.path("NextToken").asText();
        assertTrue(!token.isEmpty(), first.toString());
        JsonNode rest = ok("list-functions", "--max-items", "50", "--starting-token", token).json();
        assertTrue(rest.path("Functions").size() >= 1, rest.toString());
    }

    @Test
    void theCliPrintsAwsErrorNames() throws Exception {
        Result missing = aws("get-function", "--function-name", "does-not-exist");
        assertEquals(254, missing.exit(), missing.err());
        assertTrue(missing.err().contains("(ResourceNotFoundException)"), missing.err());

        Result invalid = aws("create-function", "--function-name", "tiny", "--runtime", "java17", "--role", "r",
                "--handler", "dev.thaw.examples.hello.Hello", "--timeout", "901", "--zip-file", zip("hello"));
        assertNotEquals(0, invalid.exit());
        assertTrue(invalid.err().contains("InvalidParameterValueException"), invalid.err());

        ok("create-function", "--function-name", "closed", "--runtime", "java17", "--role", "r",
                "--handler", "dev.thaw.examples.hello.Hello", "--zip-file", zip("hello"));
        ok("put-function-concurrency", "--function-name", "closed", "--reserved-concurrent-executions", "0");
        Result throttled = aws("invoke", "--function-name", "closed", "--cli-read-timeout", "10", "out.json");
        assertNotEquals(0, throttled.exit());
        assertTrue(throttled.err().contains("TooManyRequestsException"), throttled.err());
    }
}
