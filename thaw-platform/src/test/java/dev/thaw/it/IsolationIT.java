package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile code is contained, in a plain environment ($LATEST) and in one restored from a snapshot (version 1): it
 * cannot read another function's code, the metadata database, snapshots or the platform's files, cannot write its
 * own code, cannot signal processes outside its environment, runs unprivileged, and a fork bomb or a full /tmp stays
 * inside its limits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class IsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    private String victimCodeHex;

    @BeforeAll
    void deployFunctions() {
        lambda.createFunction(b -> b.functionName("hostile").runtime(Runtime.JAVA17)
                .handler("dev.thaw.examples.fixtures.Hostile").role("r").memorySize(2048).timeout(60)
                .ephemeralStorage(e -> e.size(512))
                .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
        String version = lambda.publishVersion(b -> b.functionName("hostile")).version();
        assertEquals("1", version);
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("hostile").qualifier(version));
        String sha = lambda.createFunction(b -> b.functionName("victim").runtime(Runtime.JAVA17)
                .handler("dev.thaw.examples.hello.Hello").role("r")
                .code(c -> c.zipFile(ThawServerProcess.example("hello")))).codeSha256();
        victimCodeHex = HexFormat.of().formatHex(Base64.getDecoder().decode(sha));
    }


    private JsonNode attempt(String qualifier, String payload) throws Exception {
        InvokeResponse r = lambda.invoke(b -> b.functionName("hostile").qualifier(qualifier)
                .payload(SdkBytes.fromUtf8String(payload)));
        assertNull(r.functionError(), r.payload().asUtf8String());
        return JSON.readTree(r.payload().asByteArray());
    }

    private JsonNode read(String qualifier, Path path) throws Exception {
        return attempt(qualifier, JSON.createObjectNode().put("action", "read").put("path", path.toString())
                .toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void anotherFunctionsCodeTheDatabaseSnapshotsAndPlatformFilesAreOutOfReach(String qualifier) throws Exception {
        Path home = server.home();
        assertTrue(Files.isDirectory(home.resolve("code").resolve(victimCodeHex)), "the victim's code is on disk");
        assertTrue(Files.isRegularFile(home.resolve("metadata.db")));
        assertTrue(Files.isDirectory(home.resolve("snapshots")));
        for (Path target : List.of(home.resolve("code").resolve(victimCodeHex), home.resolve("metadata.db"),
                home.resolve("snapshots"), home, Path.of("/run/thaw"),
                Path.of("/proc", Long.toString(server.pid()), "root"), Path.of("/root"))) {
            JsonNode r = read(qualifier, target);
            assertFalse(r.path("ok").asBoolean(), target + " must be out of reach, got " + r);
        }
        JsonNode own = read(qualifier, Path.of("/var/task/dev/thaw/examples/fixtures/Hostile.class"));
        assertTrue(own.path("ok").asBoolean(), "its own code is readable at /var/task: " + own);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void itsOwnCodeIsReadOnly(String qualifier) throws Exception {
        JsonNode r = attempt(qualifier, "{\"action\":\"write\",\"path\":\"/var/task/owned.txt\"}");
        assertFalse(r.path("ok").asBoolean(), r.toString());
        assertTrue(r.path("error").asText().contains("Read-only file system"), r.toString());
        JsonNode overwrite = attempt(qualifier,
                "{\"action\":\"write\",\"path\":\"/var/task/dev/thaw/examples/fixtures/Echo.class\"}");
        assertFalse(overwrite.path("ok").asBoolean(), overwrite.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void theRuntimesOwnLibrariesAreInvisibleToTheFunction(String qualifier) throws Exception {
        // The runtime's Jackson is shaded under dev.thaw.runtime.shaded: under its own names it does not exist for
        // a function that does not bring it, and one that does gets its own version (BootstrapIT).
        for (String name : List.of("com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.core.JsonFactory", "com.fasterxml.jackson.datatype.joda.JodaModule")) {
            JsonNode r = attempt(qualifier, "{\"action\":\"load\",\"class\":\"" + name + "\"}");
            assertFalse(r.path("ok").asBoolean(), name + " must not be loadable by a function without it: " + r);
            assertTrue(r.path("error").asText().startsWith("java.lang.ClassNotFoundException"), r.toString());
        }
        JsonNode own = attempt(qualifier,
                "{\"action\":\"load\",\"class\":\"com.amazonaws.services.lambda.runtime.Context\"}");
        assertTrue(own.path("ok").asBoolean(), "its own lib/ jars are: " + own);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void devHoldsOnlyTheStandardDevicesAndCannotBeWritten(String qualifier) throws Exception {
        JsonNode dev = read(qualifier, Path.of("/dev"));
        List<String> entries = new ArrayList<>();
        dev.path("entries").forEach(e -> entries.add(e.asText()));
        assertTrue(entries.containsAll(List.of("null", "zero", "full", "random", "urandom", "shm", "fd")), dev.toString());
        assertTrue(attempt(qualifier, "{\"action\":\"write\",\"path\":\"/dev/null\"}").path("ok").asBoolean());
        JsonNode create = attempt(qualifier, "{\"action\":\"write\",\"path\":\"/dev/owned\"}");
        assertFalse(create.path("ok").asBoolean(), "/dev is not writable: " + create);
        JsonNode shm = attempt(qualifier, "{\"action\":\"write\",\"path\":\"/dev/shm/segment\"}");
        assertTrue(shm.path("ok").asBoolean(), "/dev/shm is writable (it is /tmp): " + shm);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void processesOutsideItsEnvironmentCannotBeSignalled(String qualifier) throws Exception {
        long self = ProcessHandle.current().pid();
        for (long pid : List.of(self, server.pid())) {
            // kill reads the number in the environment's own pid namespace: where one of its own processes or
            // threads has it (after the fork bomb, thousands have come and gone), it would signal that one, which
            // is not what this checks, so only free numbers are tried.
            if (read(qualifier, Path.of("/proc", Long.toString(pid))).path("ok").asBoolean()) {
                continue;
            }
            JsonNode r = attempt(qualifier, "{\"action\":\"kill\",\"pid\":" + pid + "}");
            assertFalse(r.path("ok").asBoolean(), "kill " + pid + ": " + r);
        }
        assertTrue(ProcessHandle.of(server.pid()).map(ProcessHandle::isAlive).orElse(false), "the server lives");
        JsonNode who = attempt(qualifier, "{\"action\":\"whoami\"}");
        assertTrue(who.path("visiblePids").asInt() < 5, "it sees only its own pid namespace: " + who);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void itIsRootInsideAndAnUnprivilegedUidOnTheHost(String qualifier) throws Exception {
        JsonNode who = attempt(qualifier, "{\"action\":\"whoami\"}");
        assertTrue(who.path("status").toString().contains("Uid:\\t0\\t0"), who.toString());
        for (long pid : server.environmentPids("hostile")) {
            String uidLine = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
            int hostUid = Integer.parseInt(uidLine.split("\\s+")[1]);
            assertTrue(hostUid >= 100_000, "environment " + pid + " runs as host uid " + hostUid);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void aForkBombStopsAtThePidsLimitAndThePlatformCarriesOn(String qualifier) throws Exception {
        JsonNode r = attempt(qualifier, "{\"action\":\"forkbomb\"}");
        assertFalse(r.path("ok").asBoolean(), "the kernel refused more processes: " + r);
        assertTrue(r.path("started").asInt() < 1024, r.toString());
        lambda.invoke(b -> b.functionName("victim").payload(SdkBytes.fromUtf8String("{}")));
        JsonNode after = attempt(qualifier, "{\"action\":\"whoami\"}");
        assertTrue(after.path("ok").asBoolean(), after.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void tmpIsWritableAndBoundedByEphemeralStorage(String qualifier) throws Exception {
        JsonNode r = attempt(qualifier, "{\"action\":\"fill\",\"path\":\"/tmp/fill\"}");
        assertFalse(r.path("ok").asBoolean(), r.toString());
        assertTrue(r.path("error").asText().contains("No space left on device"), r.toString());
        int mb = r.path("writtenMb").asInt();
        assertTrue(mb >= 500 && mb <= 512, "EphemeralStorage 512 MB, wrote " + mb + " MB");
    }
}
