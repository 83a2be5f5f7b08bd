package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.server.Thaw;
import dev.thaw.server.ThawConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A platform started in this process on a temporary home and a free port, driven through its HTTP API: what
 * {@code thaw demo} and {@code thaw bench} measure against.
 */
final class LocalPlatform implements AutoCloseable {
    private static final Pattern INIT = Pattern.compile("Init Duration: ([\\d.]+) ms");
    private static final Pattern RESTORE = Pattern.compile("Restore Duration: ([\\d.]+) ms");

    final ApiClient api;
    private final Thaw thaw;
    private final Path home;

    LocalPlatform() throws IOException {
        home = Files.createTempDirectory("thaw-local-");
        thaw = new Thaw(ThawConfig.defaults().withHome(home).withPort(0)).start();
        api = new ApiClient("http://127.0.0.1:" + thaw.port());
    }

    static Path examples() {
        String repo = System.getenv("THAW_REPO");
        return Path.of(repo != null ? repo : ".").resolve("examples");
    }

    static byte[] example(String module) throws IOException {
        Path zip = examples().resolve(module).resolve("target").resolve(module + ".zip");
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("example " + module + " is not built (" + zip + "); run ./thaw to build");
        }
        return Files.readAllBytes(zip);
    }

    /** Creates a function and, when {@code snapStart}, publishes version 1 and waits until it is Active. */
    JsonNode deploy(String name, String module, String handler, String runtime, int memory, boolean snapStart,
                    Map<String, String> env) throws IOException, InterruptedException {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        body.put("FunctionName", name);
        body.put("Runtime", runtime);
        body.put("Handler", handler);
        body.put("Role", "arn:aws:iam::000000000000:role/thaw");
        body.put("MemorySize", memory);
        body.put("Timeout", 120);
        ObjectNode vars = body.putObject("Environment").putObject("Variables");
        env.forEach(vars::put);
        body.putObject("SnapStart").put("ApplyOn", snapStart ? "PublishedVersions" : "None");
        body.putObject("Code").put("ZipFile", Base64.getEncoder().encodeToString(example(module)));
        api.json("POST", "/2015-03-31/functions", body);
        JsonNode v = api.json("POST", "/2015-03-31/functions/" + name + "/versions", ApiClient.JSON.createObjectNode());
        long started = System.nanoTime();
        while ("Pending".equals(v.path("State").asText())) {
            Thread.sleep(100);
            v = api.json("GET", "/2015-03-31/functions/" + name + "/configuration?Qualifier="
                    + v.path("Version").asText(), null);
        }
        if (!"Active".equals(v.path("State").asText())) {
            throw new IllegalStateException(name + " version " + v.path("Version").asText() + " is "
                    + v.path("State").asText() + ": " + v.path("StateReason").asText());
        }
        ((ObjectNode) v).put("PublishMillis", (System.nanoTime() - started) / 1e6);
        return v;
    }

    /** One timed invoke: client-side milliseconds and the Init or Restore Duration from REPORT. */
    record Timed(double clientMillis, double initMillis, double restoreMillis, String body) {
    }

    Timed invoke(String name, String qualifier, String payload) {
        long start = System.nanoTime();
        ApiClient.Response r = api.send("POST", "/2015-03-31/functions/" + name + "/invocations?Qualifier="
                + ApiClient.encode(qualifier), payload.getBytes(StandardCharsets.UTF_8), Map.of("X-Amz-Log-Type", "Tail"));
        double ms = (System.nanoTime() - start) / 1e6;
        if (r.header("X-Amz-Function-Error") != null) {
            throw new IllegalStateException(name + ":" + qualifier + " failed: " + new String(r.body(),
                    StandardCharsets.UTF_8));
        }
        String log = new String(Base64.getDecoder().decode(r.header("X-Amz-Log-Result")), StandardCharsets.UTF_8);
        return new Timed(ms, number(INIT, log), number(RESTORE, log), new String(r.body(), StandardCharsets.UTF_8));
    }

    void evict() {
        api.json("POST", "/thaw/v1/evict", ApiClient.JSON.createObjectNode());
    }

    int port() {
        return thaw.port();
    }

    Path home() {
        return home;
    }

    private static double number(Pattern p, String log) {
        Matcher m = p.matcher(log);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Override
    public void close() {
        thaw.close();
        try (var paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                p.toFile().setWritable(true);
                p.toFile().delete();
            });
        } catch (IOException ignored) {
            // best effort: a temporary directory
        }
    }
}
