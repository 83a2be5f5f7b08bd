package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.runtime.FakeRuntimeApi.Event;
import dev.thaw.runtime.FakeRuntimeApi.Request;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import thawtest.fn.ProbeHandler;
import thawtest.fnlib.Greeter;

/**
 * Runs target/thaw-runtime.jar as the platform does, in a child JVM ({@code -Dthaw.test.jvm} picks the JDK),
 * against fake Runtime APIs, with a function laid out like an unpacked Lambda zip: classes at the task root,
 * jars (its own Jackson among them) under lib/.
 */
class BootstrapIT {

    private static final Path RUNTIME_JAR = Path.of(System.getProperty("thaw.runtime.jar", "target/thaw-runtime.jar"));
    private static final String JAVA = System.getProperty("thaw.test.jvm",
            Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private static final String HANDLER = ProbeHandler.class.getName();

    @TempDir
    static Path taskRoot;

    @TempDir
    Path logs;

    private final ObjectMapper json = new ObjectMapper();
    private final List<FakeRuntimeApi> apis = new ArrayList<>();
    private Process process;

    @BeforeAll
    static void layOutTheFunction() throws Exception {
        Path classes = codeSource(ProbeHandler.class);
        Path fnClasses = taskRoot.resolve("thawtest/fn");
        Files.createDirectories(fnClasses);
        try (Stream<Path> files = Files.list(classes.resolve("thawtest/fn"))) {
            for (Path file : files.toList()) {
                Files.copy(file, fnClasses.resolve(file.getFileName()));
            }
        }
        Path lib = Files.createDirectories(taskRoot.resolve("lib"));
        String greeter = Greeter.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(lib.resolve("greeter.jar")))) {
            jar.putNextEntry(new JarEntry(greeter));
            jar.write(Files.readAllBytes(classes.resolve(greeter)));
        }
        for (Class<?> jacksonClass : List.of(ObjectMapper.class, JsonFactory.class, JsonProperty.class)) {
            Path jar = codeSource(jacksonClass);
            Files.copy(jar, lib.resolve(jar.getFileName()));
        }
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        apis.forEach(FakeRuntimeApi::close);
    }

    @Test
    void anOnDemandEnvironmentServesEventsReportsErrorsAndExitsWhenTheRuntimeApiFails() throws Exception {
        FakeRuntimeApi api = api();
        start(api, "on-demand", HANDLER);

        assertEquals(FakeRuntimeApi.NEXT, api.take().path());
        api.enqueue(Event.of("req-1", "{\"name\":\"Ada\"}"));
        Request response = api.take();
        assertEquals("/2018-06-01/runtime/invocation/req-1/response", response.path());
        JsonNode body = json.readTree(response.body());
        assertEquals("req-1", body.get("requestId").asText());
        assertEquals("hello Ada from lib", body.get("greeting").asText());
        for (String check : List.of("contextLoaderIsFunctionLoader", "functionLoaderIsChildOfSystem",
                "contextApiFromSystemLoader", "cracFromSystemLoader", "ownJacksonFromLib")) {
            assertTrue(body.get(check).asBoolean(), check + " in " + body);
        }

        assertEquals(FakeRuntimeApi.NEXT, api.take().path());
        api.enqueue(Event.of("req-2", "{\"fail\":true}"));
        Request error = api.take();
        assertEquals("/2018-06-01/runtime/invocation/req-2/error", error.path());
        assertEquals("Runtime.UserException", error.header("Lambda-Runtime-Function-Error-Type"));
        JsonNode report = json.readTree(error.body());
        assertEquals("asked to fail", report.get("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", report.get("errorType").asText());
        assertTrue(report.get("stackTrace").get(0).asText().startsWith(HANDLER + ".handleRequest(ProbeHandler.java:"),
                report.toString());
        assertEquals("java.io.IOException", report.get("cause").get("errorType").asText());

        assertEquals(FakeRuntimeApi.NEXT, api.take().path());
        api.enqueue(Event.failure(500));
        assertExitStatus(1);
        assertTrue(stdout().contains("probe handled req-1\n"), stdout());
    }

    @Test
    void aMissingHandlerClassIsReportedAsAnInitErrorAndEndsTheProcess() throws Exception {
        FakeRuntimeApi api = api();
        start(api, "on-demand", "thawtest.fn.Missing");

        Request error = api.take();
        assertEquals("/2018-06-01/runtime/init/error", error.path());
        assertEquals("Runtime.BadFunctionCode", error.header("Lambda-Runtime-Function-Error-Type"));
        JsonNode report = json.readTree(error.body());
        assertEquals("java.lang.ClassNotFoundException", report.get("errorType").asText());
        assertEquals("Class not found: thawtest.fn.Missing", report.get("errorMessage").asText());
        assertExitStatus(1);
        assertTrue(stderr().contains("Class not found: thawtest.fn.Missing"), stderr());
    }

    @Test
    void aSnapStartEnvironmentCheckpointsWithoutSocketsAndServesFromItsRestoredAddress() throws Exception {
        FakeRuntimeApi publishing = api();
        FakeRuntimeApi restored = api();
        start(publishing, "snap-start", HANDLER);

        // Class priming asks for its list first (this fake has none to give), then the HTTP path is warmed up
        // often enough to be compiled.
        assertEquals("GET /2018-06-01/runtime/thaw/classes-to-prime", publishing.take().toString().trim());
        for (int i = 0; i < 2 * SnapStartLifecycle.PRIMING_ROUNDS; i++) {
            assertEquals("/2018-06-01/runtime/thaw/warmup", publishing.take().path());
        }
        Request checkpoint = publishing.take();
        assertEquals("POST /2018-06-01/runtime/thaw/checkpoint", checkpoint.method() + " " + checkpoint.path());
        assertEquals("close", checkpoint.header("Connection"));

        writeStdin("{\"runtimeApi\":\"" + restored.address() + "\",\"environmentId\":\"env-abc\"}\n");
        assertEquals(FakeRuntimeApi.NEXT, restored.take().path());
        restored.enqueue(Event.of("req-r", "{\"name\":\"Grace\"}"));
        JsonNode body = json.readTree(restored.take().body());
        assertEquals(List.of("beforeCheckpoint", "afterRestore"),
                json.convertValue(body.get("hookCalls"), List.class));
        assertEquals(0, publishing.pending(), "the snapshot's own Runtime API is never called again");

        restored.take();
        restored.enqueue(Event.failure(500));
        assertExitStatus(1);
        assertFalse(stderr().contains("sockets still open"), stderr());
        assertFalse(stderr().contains("re-seed"), "every re-seed step must work: " + stderr());
    }

    @Test
    void aSnapStartCopyExitsCleanlyWhenThePlatformAbortsIt() throws Exception {
        FakeRuntimeApi publishing = api();
        start(publishing, "snap-start", HANDLER);
        publishing.take();

        writeStdin("{\"abort\":true}\n");

        assertExitStatus(0);
    }

    private FakeRuntimeApi api() throws IOException {
        FakeRuntimeApi api = new FakeRuntimeApi();
        apis.add(api);
        return api;
    }

    private void start(FakeRuntimeApi api, String initializationType, String handler) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(JAVA);
        command.addAll(List.of(System.getProperty("thaw.add-opens", "").trim().split("\\s+")));
        command.addAll(List.of("-Dorg.crac.Core.Compat=dev.thaw.runtime.crac", "-cp", RUNTIME_JAR.toString(),
                "dev.thaw.runtime.Bootstrap"));
        ProcessBuilder builder = new ProcessBuilder(command.stream().filter(s -> !s.isEmpty()).toList())
                .redirectOutput(logs.resolve("stdout").toFile())
                .redirectError(logs.resolve("stderr").toFile());
        Map<String, String> env = builder.environment();
        env.put("_HANDLER", handler);
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initializationType);
        env.put("AWS_LAMBDA_FUNCTION_NAME", "probe");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/probe");
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", "2024/01/01/[1]abc");
        process = builder.start();
    }

    private void writeStdin(String line) throws IOException {
        OutputStream stdin = process.getOutputStream();
        stdin.write(line.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private void assertExitStatus(int expected) throws Exception {
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the runtime did not exit; stderr: " + stderr());
        assertEquals(expected, process.exitValue(), "stderr: " + stderr());
    }

    private String stdout() throws IOException {
        return Files.readString(logs.resolve("stdout"));
    }

    private String stderr() throws IOException {
        return Files.readString(logs.resolve("stderr"));
    }

    private static Path codeSource(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
