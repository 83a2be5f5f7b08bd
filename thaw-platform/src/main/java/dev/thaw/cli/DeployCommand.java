package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code thaw deploy}: create or update a function from a zip or jar, optionally publishing a version. */
@Command(name = "deploy", description = "Create or update a function; with --publish, publish a version and wait.")
final class DeployCommand implements Callable<Integer> {
    @Mixin
    EndpointOption endpoint;

    @Parameters(index = "0", description = "Function name.")
    String name;

    @Option(names = "--code", required = true, description = "Zip (classes + lib/*.jar) or jar.")
    Path code;

    @Option(names = "--handler", required = true, description = "pkg.Class or pkg.Class::method.")
    String handler;

    @Option(names = "--runtime", defaultValue = "java17", description = "java17, java21, java25 or provided.al2023.")
    String runtime;

    @Option(names = "--memory", defaultValue = "512", description = "Memory size in MB.")
    int memory;

    @Option(names = "--timeout", defaultValue = "30", description = "Timeout in seconds.")
    int timeout;

    @Option(names = "--env", description = "Environment variable KEY=VALUE (repeatable).")
    Map<String, String> env = new LinkedHashMap<>();

    @Option(names = "--snapstart", description = "Enable SnapStart for published versions.")
    boolean snapStart;

    @Option(names = "--aot-cache", description = "java25 without CRIU: published versions start with a JDK AOT "
            + "cache trained at publish (sets THAW_AOT_CACHE=on).")
    boolean aotCache;

    @Option(names = "--publish", description = "Publish a version and wait until it is Active.")
    boolean publish;

    @Override
    public Integer call() throws Exception {
        ApiClient api = endpoint.client();
        String zip = Base64.getEncoder().encodeToString(Files.readAllBytes(code));
        ObjectNode config = ApiClient.JSON.createObjectNode();
        config.put("Runtime", runtime);
        config.put("Handler", handler);
        config.put("MemorySize", memory);
        config.put("Timeout", timeout);
        ObjectNode vars = config.putObject("Environment").putObject("Variables");
        env.forEach(vars::put);
        if (aotCache) {
            vars.put("THAW_AOT_CACHE", "on");
        }
        config.putObject("SnapStart").put("ApplyOn", snapStart ? "PublishedVersions" : "None");
        String path = "/2015-03-31/functions/" + ApiClient.encode(name);
        JsonNode result;
        boolean exists;
        try {
            api.json("GET", path + "/configuration", null);
            exists = true;
        } catch (ApiClient.ApiError e) {
            if (!"ResourceNotFoundException".equals(e.type)) {
                throw e;
            }
            exists = false;
        }
        if (exists) {
            api.json("PUT", path + "/configuration", config);
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("ZipFile", zip);
            result = api.json("PUT", path + "/code", body);
            System.out.println("updated " + name + " (CodeSha256 " + result.path("CodeSha256").asText() + ")");
        } else {
            config.put("FunctionName", name);
            config.put("Role", "arn:aws:iam::000000000000:role/thaw");
            config.putObject("Code").put("ZipFile", zip);
            result = api.json("POST", "/2015-03-31/functions", config);
            System.out.println("created " + name + " (CodeSha256 " + result.path("CodeSha256").asText() + ")");
        }
        if (!publish) {
            return 0;
        }
        JsonNode version = api.json("POST", path + "/versions", ApiClient.JSON.createObjectNode());
        String number = version.path("Version").asText();
        System.out.print("published version " + number + ": " + version.path("State").asText());
        long deadline = System.currentTimeMillis() + 300_000;
        while ("Pending".equals(version.path("State").asText()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
            System.out.print(".");
            System.out.flush();
            version = api.json("GET", path + "/configuration?Qualifier=" + number, null);
        }
        System.out.println(" " + version.path("State").asText()
                + (version.has("StateReason") ? " (" + version.path("StateReason").asText() + ")" : "")
                + ", SnapStart " + version.path("SnapStart").path("OptimizationStatus").asText());
        if ("On".equals(version.path("SnapStart").path("OptimizationStatus").asText())) {
            JsonNode snapshot = api.json("GET", "/thaw/v1/functions/" + ApiClient.encode(name) + "/versions/" + number
                    + "/snapshot", null);
            System.out.printf(java.util.Locale.ROOT, "snapshot: %.1f MB image, INIT %.0f ms, dump %.0f ms%n",
                    snapshot.path("ImageBytes").asLong() / 1048576.0, snapshot.path("InitMillis").asDouble(),
                    snapshot.path("DumpMillis").asDouble());
            for (JsonNode w : snapshot.path("Warnings")) {
                System.out.println("snapshot-safety warning: " + w.asText());
            }
        }
        return "Active".equals(version.path("State").asText()) ? 0 : 1;
    }
}
