package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Automatic class priming and opt-in invoke priming, with real CRIU: classes that {@code $LATEST}'s requests
 * loaded are loaded into the snapshot of a version published later, so its restored copies' first request does not
 * load them; {@code THAW_CLASS_PRIMING=off} turns that off; sample events in the package run before the checkpoint.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class ClassPrimingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HANDLER = "dev.thaw.examples.fixtures.LazyLibrary";
    private static final Pattern PRIMED = Pattern.compile("SNAPSHOT_REPORT .*\tPrimed Classes: (\\w+)");

    private ThawServerProcess server;
    private LambdaClient lambda;

    @BeforeAll
    void needsRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "SnapStart needs root for CRIU");
    }

    private void create(String name, SdkBytes zip, Map<String, String> env) {
        lambda.createFunction(b -> b.functionName(name).runtime("java17").handler(HANDLER).role(Fixtures.ROLE)
                .memorySize(512).timeout(30).environment(e -> e.variables(env))
                .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS)).code(c -> c.zipFile(zip)));
    }

    private String publish(String name) {
        String version = lambda.publishVersion(b -> b.functionName(name)).version();
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName(name).qualifier(version));
        return version;
    }

    private JsonNode invoke(String name, String qualifier, String payload, String expectedColdStart)
            throws IOException {
        InvokeResponse r = lambda.invoke(b -> b.functionName(name).qualifier(qualifier).logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String(payload)));
        String tail = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
        assertEquals(null, r.functionError(), r.payload().asUtf8String() + "\n" + tail);
        if (expectedColdStart != null) {
            assertTrue(tail.contains(expectedColdStart), tail);
        }
        return JSON.readTree(r.payload().asByteArray());
    }

    /**
     * Two requests of {@code $LATEST}: the runtime reports what the first loaded before it takes the second, so
     * after the second the platform holds the list. Returns what the first request loaded.
     */
    private long warmUpLatest(String name) throws IOException {
        long loaded = invoke(name, "$LATEST", "{}", "Init Duration").path("loadedClasses").asLong();
        invoke(name, "$LATEST", "{}", null);
        return loaded;
    }

    @Test
    void classesLatestLoadedArePrimedSoARestoredCopysFirstRequestLoadsFewAndTheSwitchTurnsItOff() throws Exception {
        create("lazy", ThawServerProcess.example("test-functions"), Map.of());
        create("lazy-off", ThawServerProcess.example("test-functions"), Map.of("THAW_CLASS_PRIMING", "off"));
        long latestFirst = warmUpLatest("lazy");
        assertTrue(latestFirst > 200, "the library's first use loads a few hundred classes: " + latestFirst);
        warmUpLatest("lazy-off");

        String primedVersion = publish("lazy");
        String unprimedVersion = publish("lazy-off");

        String primedLog = String.join("\n", logLines("lazy"));
        String primedCount = snapshotReportField(primedLog);
        assertTrue(Integer.parseInt(primedCount) > 200, "SNAPSHOT_REPORT names the primed classes: " + primedLog);
        assertTrue(primedLog.contains("thaw-runtime: class priming: " + primedCount + " classes loaded and linked"),
                "the INIT's own log says it too: " + primedLog);
        String unprimedLog = String.join("\n", logLines("lazy-off"));
        assertEquals("off", snapshotReportField(unprimedLog), unprimedLog);
        assertTrue(unprimedLog.contains("thaw-runtime: class priming is off (THAW_CLASS_PRIMING=off)"), unprimedLog);

        JsonNode primed = invoke("lazy", primedVersion, "{}", "Restore Duration");
        JsonNode unprimed = invoke("lazy-off", unprimedVersion, "{}", "Restore Duration");
        assertEquals("2 lines", primed.path("roundTrip").asText(), "the restored copy works: " + primed);
        assertEquals("snap-start", primed.path("initType").asText());
        long primedLoads = primed.path("loadedClasses").asLong();
        long unprimedLoads = unprimed.path("loadedClasses").asLong();
        assertTrue(unprimedLoads > 200, "without priming the restored copy loads the library itself: " + unprimed);
        assertTrue(primedLoads * 4 < unprimedLoads, "a primed copy's first request loads " + primedLoads
                + " classes, an unprimed one's " + unprimedLoads);

        server.evictIdle();
        assertEquals("2 lines", invoke("lazy", primedVersion, "{}", "Restore Duration").path("roundTrip").asText(),
                "a second restored copy works too");
    }

    @Test
    void sampleEventsInThePackageRunThroughTheHandlerBeforeTheCheckpointOnly() throws Exception {
        SdkBytes zip = SdkBytes.fromByteArray(withSampleEvents(ThawServerProcess.example("test-functions").asByteArray(),
                Map.of("thaw-priming/01-first.json", "{\"sample\":\"first\"}",
                        "thaw-priming/02-second.json", "{\"sample\":\"second\"}",
                        "thaw-priming/README.txt", "not an event")));
        create("sampled", zip, Map.of());
        String version = publish("sampled");

        String log = String.join("\n", logLines("sampled"));
        assertTrue(log.contains("\tPriming Events: 2\tFailed Priming Events: 0"), log);
        JsonNode restored = invoke("sampled", version, "{\"sample\":\"real\"}", "Restore Duration");
        assertEquals(List.of("first", "second", "real"), JSON.convertValue(restored.path("samples"), List.class),
                "the copy was checkpointed after handling both sample events: " + restored);
        assertEquals(3, restored.path("invocations").asInt());
        assertTrue(restored.path("loadedClasses").asLong() < 50,
                "the sample events loaded the library before the checkpoint: " + restored);

        JsonNode latest = invoke("sampled", "$LATEST", "{}", "Init Duration");
        assertEquals(List.of(), JSON.convertValue(latest.path("samples"), List.class),
                "sample events run only before a checkpoint: " + latest);
    }

    private static String snapshotReportField(String log) {
        Matcher m = PRIMED.matcher(log);
        assertTrue(m.find(), "no SNAPSHOT_REPORT with Primed Classes in: " + log);
        return m.group(1);
    }

    /** The package with {@code files} added. */
    private static byte[] withSampleEvents(byte[] zip, Map<String, String> files) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
             ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                z.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(z);
                z.closeEntry();
            }
            for (var f : files.entrySet()) {
                z.putNextEntry(new ZipEntry(f.getKey()));
                z.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private List<String> logLines(String function) throws IOException {
        List<String> lines = new ArrayList<>();
        JSON.readTree(server.http("GET", "/thaw/v1/logs/" + function, null).body()).path("Events")
                .forEach(e -> lines.add(e.path("Message").asText()));
        return lines;
    }
}
