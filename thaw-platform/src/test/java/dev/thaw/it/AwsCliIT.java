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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real AWS CLI v2 (Debian's awscli, installed by scripts/setup.sh) against a live server: the README's "Using
 * Thaw with the AWS CLI" block run as written, each command's exit code and output, the waiters (one of them on a
 * SnapStart version that is still Pending), pagination and the error names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AwsCliIT {
    private static final Path AWS = AwsCli.AWS;
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

    private AwsCli.Result aws(String... args) throws Exception {
        return run(AwsCli.lambdaCommand(server.endpoint(), args), java.util.Map.of());
    }

    /** Runs a command in the work directory with dummy credentials and no AWS configuration files. */
    private AwsCli.Result run(List<String> cmd, java.util.Map<String, String> env) throws Exception {
        return AwsCli.run(work, cmd, env);
    }

    private AwsCli.Result ok(String... args) throws Exception {
        AwsCli.Result r = aws(args);
        assertEquals(0, r.exit(), "aws " + String.join(" ", args) + "\n" + r.err());
        return r;
    }

    private static String zip(String module) {
        return "fileb://" + ThawServerProcess.REPO.resolve("examples/" + module + "/target/" + module + ".zip");
    }

    /** One command of the README's block, its result and what out.json held right after it. */
    record Step(String command, AwsCli.Result result, String outFile) {
        JsonNode json() throws IOException {
            return result.json();
        }
    }

    /**
     * The README's "Using Thaw with the AWS CLI" block, run as it stands: each {@code aws lambda} command (its
     * continuation lines joined) goes to bash with {@code $E} pointing at the test server, in a directory where
     * {@code examples/} is the repository's.
     */
    private List<Step> runReadmeBlock() throws Exception {
        String readme = Files.readString(ThawServerProcess.REPO.resolve("README.md"));
        int section = readme.indexOf("## Using Thaw with the AWS CLI");
        assertTrue(section >= 0, "the README has a section on the AWS CLI");
        int open = readme.indexOf("```sh\n", section) + "```sh\n".length();
        String block = readme.substring(open, readme.indexOf("```", open));
        assertTrue(block.contains("E=\"--endpoint-url http://127.0.0.1:9000\""), block);
        Files.createSymbolicLink(work.resolve("examples"), ThawServerProcess.REPO.resolve("examples"));
        List<Step> steps = new ArrayList<>();
        StringBuilder command = new StringBuilder();
        for (String line : block.split("\n")) {
            if (line.endsWith("\\")) {
                command.append(line, 0, line.length() - 1);
                continue;
            }
            command.append(line);
            String text = command.toString().trim();
            command.setLength(0);
            if (text.startsWith("aws ")) {
                // The CLI the test checks for comes first on PATH (a host may have another `aws` ahead of it).
                AwsCli.Result r = run(List.of("/bin/bash", "-c", text), java.util.Map.of(
                        "E", "--endpoint-url " + server.endpoint() + " --output json",
                        "PATH", AWS.getParent() + ":" + System.getenv("PATH")));
                Path out = work.resolve("out.json");
                steps.add(new Step(text, r, Files.exists(out) ? Files.readString(out) : null));
            }
        }
        return steps;
    }

    private static Step step(List<Step> steps, String prefix, String containing) {
        return steps.stream().filter(s -> s.command().startsWith("aws lambda " + prefix)
                        && s.command().contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("the README runs no 'aws lambda " + prefix + "' with "
                        + containing));
    }

    @Test
    void theReadmesCliBlockRunsAsWritten() throws Exception {
        List<Step> steps = runReadmeBlock();
        Step last = steps.get(steps.size() - 1);
        for (Step s : steps.subList(0, steps.size() - 1)) {
            assertEquals(0, s.result().exit(), s.command() + "\n" + s.result().err());
        }
        assertTrue(last.command().startsWith("aws lambda get-function "), last.command());
        assertEquals(254, last.result().exit(), "a deleted function: " + last.result().err());
        assertTrue(last.result().err().contains("(ResourceNotFoundException)"), last.result().err());

        JsonNode created = step(steps, "create-function", "").json();
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:hello", created.path("FunctionArn").asText());
        assertEquals("PublishedVersions", created.path("SnapStart").path("ApplyOn").asText());
        JsonNode function = step(steps, "get-function ", "").json();
        assertEquals("hello", function.path("Configuration").path("FunctionName").asText());
        assertTrue(function.path("Code").path("Location").asText().startsWith(server.endpoint().toString()),
                function.toString());
        JsonNode config = step(steps, "get-function-configuration", "").json();
        assertEquals("dev.thaw.examples.hello.Hello", config.path("Handler").asText());
        assertEquals("Successful", config.path("LastUpdateStatus").asText());

        Step tail = step(steps, "invoke", "--log-type Tail out.json");
        assertEquals(200, tail.json().path("StatusCode").asInt());
        assertEquals("$LATEST", tail.json().path("ExecutedVersion").asText());
        String log = new String(Base64.getDecoder().decode(tail.json().path("LogResult").asText()),
                StandardCharsets.UTF_8);
        assertTrue(log.contains("hello: greeting CLI") && log.contains("REPORT RequestId:"), log);
        assertEquals("{\"message\":\"Hello, CLI!\"}", tail.outFile());
        assertEquals(202, step(steps, "invoke", "Event").json().path("StatusCode").asInt());
        assertEquals(204, step(steps, "invoke", "DryRun").json().path("StatusCode").asInt());

        assertEquals(512, step(steps, "update-function-configuration", "").json().path("MemorySize").asInt());
        assertEquals(created.path("CodeSha256").asText(),
                step(steps, "update-function-code", "").json().path("CodeSha256").asText(), "same bytes, same hash");
        JsonNode published = step(steps, "publish-version", "").json();
        assertEquals("1", published.path("Version").asText());
        assertEquals("Pending", published.path("State").asText(), "the waiter below has a snapshot to wait for");
        JsonNode version = step(steps, "get-function-configuration", "--qualifier 1").json();
        assertEquals("Active", version.path("State").asText());
        assertEquals("On", version.path("SnapStart").path("OptimizationStatus").asText());
        assertEquals("arn:aws:lambda:us-east-1:000000000000:function:hello:live",
                step(steps, "create-alias", "").json().path("AliasArn").asText());
        Step restored = step(steps, "invoke", "--qualifier live");
        assertEquals("1", restored.json().path("ExecutedVersion").asText());
        String restoreLog = new String(Base64.getDecoder().decode(restored.json().path("LogResult").asText()),
                StandardCharsets.UTF_8);
        assertTrue(restoreLog.contains("Restore Duration:"), restoreLog);

        assertEquals(1, step(steps, "put-function-event-invoke-config", "").json()
                .path("MaximumRetryAttempts").asInt());
        assertEquals(5, step(steps, "put-function-concurrency", "").json()
                .path("ReservedConcurrentExecutions").asInt());
        int listed = step(steps, "list-functions", "--max-items 2").json().path("Functions").size();
        assertTrue(listed >= 1 && listed <= 2, "list-functions --max-items 2 listed " + listed);
    }

    @Test
    void getFunctionsCodeLocationDownloadsThePackageByteForByte() throws Exception {
        ok("create-function", "--function-name", "download", "--runtime", "java17", "--role", "r",
                "--handler", "dev.thaw.examples.hello.Hello", "--zip-file", zip("hello"));
        String location = ok("get-function", "--function-name", "download").json().path("Code").path("Location")
                .asText();
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(location)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), location);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(ThawServerProcess.REPO.resolve(
                "examples/hello/target/hello.zip")), response.body()), "Code.Location serves the package as deployed");
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
        AwsCli.Result missing = aws("get-function", "--function-name", "does-not-exist");
        assertEquals(254, missing.exit(), missing.err());
        assertTrue(missing.err().contains("(ResourceNotFoundException)"), missing.err());

        AwsCli.Result invalid = aws("create-function", "--function-name", "tiny", "--runtime", "java17", "--role", "r",
                "--handler", "dev.thaw.examples.hello.Hello", "--timeout", "901", "--zip-file", zip("hello"));
        assertEquals(254, invalid.exit(), invalid.err());
        assertTrue(invalid.err().contains("(InvalidParameterValueException)"), invalid.err());

        ok("create-function", "--function-name", "closed", "--runtime", "java17", "--role", "r",
                "--handler", "dev.thaw.examples.hello.Hello", "--zip-file", zip("hello"));
        ok("put-function-concurrency", "--function-name", "closed", "--reserved-concurrent-executions", "0");
        AwsCli.Result throttled = aws("invoke", "--function-name", "closed", "--cli-read-timeout", "10", "out.json");
        assertEquals(254, throttled.exit(), throttled.err());
        assertTrue(throttled.err().contains("(TooManyRequestsException)"), throttled.err());
    }
}
