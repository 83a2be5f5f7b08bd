package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The AWS CLI v2 as a user runs it against a Thaw server: dummy credentials, region us-east-1, no pager and no
 * configuration files of the machine's, output captured to files (a pipe the CLI fills could block it).
 */
final class AwsCli {
    static final Path AWS = Path.of("/usr/bin/aws");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LIMIT_SECONDS = 150;

    private AwsCli() {
    }

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    /** {@code aws lambda ARGS --endpoint-url ENDPOINT --output json}, in a temporary directory of its own. */
    static Result lambda(URI endpoint, String... args) throws Exception {
        Path work = Files.createTempDirectory("thaw-aws-cli-");
        try {
            return run(work, lambdaCommand(endpoint, args), Map.of());
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(work);
        }
    }

    /** As {@link #lambda}, for a command that must succeed; its standard output. */
    static String lambdaOk(URI endpoint, String... args) throws Exception {
        Result r = lambda(endpoint, args);
        assertEquals(0, r.exit(), "aws lambda " + String.join(" ", args) + "\n" + r.err());
        return r.out();
    }

    static List<String> lambdaCommand(URI endpoint, String... args) {
        List<String> cmd = new ArrayList<>(List.of(AWS.toString(), "lambda"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--endpoint-url", endpoint.toString(), "--output", "json"));
        return cmd;
    }

    /** Runs {@code cmd} in {@code work} with the CLI's environment and {@code env} on top; its output goes there. */
    static Result run(Path work, List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("AWS_ACCESS_KEY_ID", "test");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "test");
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_PAGER", "");
        pb.environment().put("AWS_CONFIG_FILE", work.resolve("none").toString());
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString());
        pb.environment().putAll(env);
        Path out = work.resolve("stdout");
        Path err = work.resolve("stderr");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
