package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile code is contained, in a plain environment ($LATEST) and in one restored from a snapshot (version 1): it
 * cannot read another function's code, the metadata database, snapshots or the platform's files, cannot write its
 * own code or its layers, cannot signal processes outside its environment, runs unprivileged, and a fork bomb or a full /tmp stays
 * inside its limits. On the network it reaches its own Runtime API and credentials endpoint and the outside network
 * (a namespace this test makes), and nothing of the host's or of another environment's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class IsolationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    private String victimCodeHex;
    private OutsideNetwork outside;

    @BeforeAll
    void deployFunctions() throws Exception {
        outside = OutsideNetwork.create();
        SdkBytes layerZip = SdkBytes.fromByteArray(Files.readAllBytes(ThawServerProcess.REPO.resolve(
                "examples/layers/target/layer.zip")));
        String layer = lambda.publishLayerVersion(b -> b.layerName("hostile-layer")
                .content(c -> c.zipFile(layerZip))).layerVersionArn();
        lambda.createFunction(b -> b.functionName("hostile").runtime(Runtime.JAVA17).layers(layer)
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
        deployHostile(lambda, "neighbour");
    }

    @AfterAll
    void removeOutsideNetwork() throws Exception {
        if (outside != null) {
            outside.close();
        }
    }

    private static void deployHostile(LambdaClient lambda, String name) {
        lambda.createFunction(b -> b.functionName(name).runtime(Runtime.JAVA17)
                .handler("dev.thaw.examples.fixtures.Hostile").role("r").memorySize(512).timeout(60)
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
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
    void itsLayersAreReadableAndReadOnly(String qualifier) throws Exception {
        assertTrue(read(qualifier, Path.of("/opt/greeting.txt")).path("ok").asBoolean(), "its layer is at /opt");
        for (String path : List.of("/opt/owned.txt", "/opt/greeting.txt", "/opt/java/lib/greeting.jar")) {
            JsonNode r = attempt(qualifier, JSON.createObjectNode().put("action", "write").put("path", path)
                    .toString());
            assertFalse(r.path("ok").asBoolean(), path + ": " + r);
            assertTrue(r.path("error").asText().contains("Read-only file system"), path + ": " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void theRuntimesOwnLibrariesAreInvisibleToTheFunction(String qualifier) throws Exception {
        // The runtime's Jackson is shaded under dev.thaw.runtime.shaded: under its own names it does not exist for
        // a function that does not bring it, and one that does (this package carries Jackson's core and databind)
        // gets its own copy from its lib/ jars.
        for (String name : List.of("com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.core.JsonFactory")) {
            JsonNode r = attempt(qualifier, "{\"action\":\"load\",\"class\":\"" + name + "\"}");
            assertTrue(r.path("ok").asBoolean(), r.toString());
            assertTrue(r.path("origin").asText().startsWith("file:/var/task/lib/jackson-"),
                    name + " must come from the function's own jar: " + r);
        }
        JsonNode joda = attempt(qualifier,
                "{\"action\":\"load\",\"class\":\"com.fasterxml.jackson.datatype.joda.JodaModule\"}");
        assertFalse(joda.path("ok").asBoolean(), "a library the function does not bring is not loadable: " + joda);
        assertTrue(joda.path("error").asText().startsWith("java.lang.ClassNotFoundException"), joda.toString());
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
    void itIsRootInsideAndAnUnprivilegedUidOfItsFunctionsOwnOnTheHost(String qualifier) throws Exception {
        JsonNode who = attempt(qualifier, "{\"action\":\"whoami\"}");
        assertTrue(who.path("status").toString().contains("Uid:\\t0\\t0"), who.toString());
        lambda.invoke(b -> b.functionName("neighbour").payload(SdkBytes.fromUtf8String("{\"action\":\"whoami\"}")));
        List<Long> hostile = server.environmentPids("hostile");
        List<Long> neighbour = server.environmentPids("neighbour");
        assertFalse(hostile.isEmpty() || neighbour.isEmpty());
        java.util.Set<Integer> hostileRange = new java.util.HashSet<>();
        for (long pid : hostile) {
            hostileRange.add(uidMapStart(pid));
            int hostUid = hostUid(pid);
            assertTrue(hostUid >= 100_000, "environment " + pid + " runs as host uid " + hostUid);
            assertEquals(uidMapStart(pid), hostUid, "root inside is the first uid of the function's range");
        }
        assertEquals(1, hostileRange.size(), "every environment of a function, plain or restored, shares its range: "
                + hostileRange);
        for (long pid : neighbour) {
            int start = uidMapStart(pid);
            int mine = hostileRange.iterator().next();
            assertTrue(Math.abs(start - mine) >= 65_536, "another function's range starts at " + start
                    + ", overlapping " + mine);
        }
    }

    private static int hostUid(long pid) throws Exception {
        String uidLine = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        return Integer.parseInt(uidLine.split("\\s+")[1]);
    }

    /** The host uid that uid 0 of the process's user namespace maps to, and the length of the mapping. */
    private static int uidMapStart(long pid) throws Exception {
        String[] map = Files.readString(Path.of("/proc", Long.toString(pid), "uid_map")).trim().split("\\s+");
        assertEquals("0", map[0]);
        assertEquals("65536", map[2], "a range of 65,536 uids");
        return Integer.parseInt(map[1]);
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

    private JsonNode connect(String qualifier, String host, int port) throws Exception {
        return attempt(qualifier, JSON.createObjectNode().put("action", "connect").put("host", host)
                .put("port", port).put("timeoutMs", 1500).toString());
    }

    private JsonNode http(String qualifier, String url, boolean withToken, int timeoutMs) throws Exception {
        return attempt(qualifier, JSON.createObjectNode().put("action", "http").put("url", url)
                .put("withToken", withToken).put("timeoutMs", timeoutMs).toString());
    }

    /** The host's end of an environment's veth link: its gateway, .1 of the /30 whose .2 it is. */
    private static String gateway(JsonNode network) {
        String eth0 = addressOf(network, "eth0");
        int last = eth0.lastIndexOf('.');
        return eth0.substring(0, last + 1) + (Integer.parseInt(eth0.substring(last + 1)) - 1);
    }

    private static String addressOf(JsonNode network, String nic) {
        for (JsonNode a : network.path("addresses")) {
            if (a.asText().startsWith(nic + "=")) {
                return a.asText().substring(nic.length() + 1);
            }
        }
        throw new AssertionError("no " + nic + " address in " + network);
    }

    /** A host address that is not loopback and not on an environment's or this test's link. */
    private static List<String> hostAddresses() throws Exception {
        List<String> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                String text = a.getHostAddress();
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !text.startsWith("10.200.")
                        && !text.startsWith("10.250.")) {
                    found.add(text);
                }
            }
        }
        return found;
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void theControlApiAndEveryHostPortAreOutOfReach(String qualifier) throws Exception {
        int apiPort = server.endpoint().getPort();
        JsonNode network = attempt(qualifier, "{\"action\":\"network\"}");
        try (ServerSocket hostPort = new ServerSocket(0, 50)) {  // every host address
            try (Socket fromHost = new Socket(InetAddress.getLoopbackAddress(), hostPort.getLocalPort())) {
                assertTrue(fromHost.isConnected(), "the listener itself answers on the host");
            }
            List<String> targets = new ArrayList<>(List.of("127.0.0.1:" + apiPort,
                    gateway(network) + ":" + apiPort, "127.0.0.1:" + hostPort.getLocalPort(),
                    gateway(network) + ":" + hostPort.getLocalPort()));
            for (String address : hostAddresses()) {
                targets.add(address + ":" + apiPort);
                targets.add(address + ":" + hostPort.getLocalPort());
            }
            for (String target : targets) {
                int colon = target.lastIndexOf(':');
                JsonNode r = connect(qualifier, target.substring(0, colon),
                        Integer.parseInt(target.substring(colon + 1)));
                assertFalse(r.path("connected").asBoolean(true), target + " must be out of reach: " + r);
            }
        }
        JsonNode control = http(qualifier, "http://127.0.0.1:" + apiPort + "/2015-03-31/functions/", false, 1500);
        assertEquals(0, control.path("status").asInt(), "ListFunctions must not answer: " + control);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void itsRuntimeApiAndCredentialsEndpointAreOnItsOwnLoopback(String qualifier) throws Exception {
        JsonNode network = attempt(qualifier, "{\"action\":\"network\"}");
        assertEquals("127.0.0.1:9001", network.path("runtimeApi").asText(), network.toString());
        String credentials = network.path("credentialsUri").asText();
        assertEquals("http://127.0.0.1:9001/2021-04-23/credentials", credentials);
        JsonNode withToken = http(qualifier, credentials, true, 2000);
        assertTrue(withToken.path("status").asInt() == 200 || withToken.path("status").asInt() == 404,
                "the environment's own token is accepted: " + withToken);
        JsonNode forged = http(qualifier, credentials, false, 2000);
        assertEquals(403, forged.path("status").asInt(), forged.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void anotherEnvironmentAndItsEventsAreOutOfReach(String qualifier) throws Exception {
        InvokeResponse seen = lambda.invoke(b -> b.functionName("neighbour")
                .payload(SdkBytes.fromUtf8String("{\"action\":\"network\"}")));
        String neighbour = addressOf(JSON.readTree(seen.payload().asByteArray()), "eth0");
        for (int port : new int[] {9001, server.endpoint().getPort()}) {
            JsonNode r = connect(qualifier, neighbour, port);
            assertFalse(r.path("connected").asBoolean(true), neighbour + ":" + port + " must be out of reach: " + r);
        }
        // While the hostile function long-polls the only Runtime API it can reach, the neighbour's event is
        // delivered to the neighbour and to nobody else.
        var poll = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return http(qualifier, "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", false, 4000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        InvokeResponse victim = lambda.invoke(b -> b.functionName("neighbour")
                .payload(SdkBytes.fromUtf8String("{\"action\":\"whoami\",\"secret\":\"s3cr3t\"}")));
        assertNull(victim.functionError(), victim.payload().asUtf8String());
        assertTrue(JSON.readTree(victim.payload().asByteArray()).path("ok").asBoolean(), "the neighbour ran its event");
        JsonNode stolen = poll.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertFalse(stolen.toString().contains("s3cr3t"), "the neighbour's event leaked: " + stolen);
        server.evictIdle();  // the stray poll is the hostile environment's own business; later tests start afresh
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void theOutsideNetworkIsReachable(String qualifier) throws Exception {
        JsonNode r = attempt(qualifier, JSON.createObjectNode().put("action", "connect").put("host", outside.address())
                .put("port", outside.echoPort()).put("line", "over the wall").put("timeoutMs", 3000).toString());
        assertTrue(r.path("connected").asBoolean(), r.toString());
        assertEquals("over the wall", r.path("echo").asText(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"$LATEST", "1"})
    void withFunctionNetworkNoneOnlyLoopbackIsReachable(String qualifier) throws Exception {
        try (ThawServerProcess closed = ThawServerProcess.start("--function-network", "none");
             LambdaClient closedLambda = closed.lambda()) {
            closedLambda.createFunction(b -> b.functionName("walled").runtime(Runtime.JAVA17)
                    .handler("dev.thaw.examples.fixtures.Hostile").role("r").memorySize(512).timeout(60)
                    .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                    .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
            if (!qualifier.equals("$LATEST")) {
                closedLambda.publishVersion(b -> b.functionName("walled"));
                closedLambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("walled")
                        .qualifier(qualifier));
            }
            java.util.function.Function<String, JsonNode> walled = payload -> {
                InvokeResponse r = closedLambda.invoke(b -> b.functionName("walled").qualifier(qualifier)
                        .payload(SdkBytes.fromUtf8String(payload)));
                assertNull(r.functionError(), r.payload().asUtf8String());
                try {
                    return JSON.readTree(r.payload().asByteArray());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            JsonNode network = walled.apply("{\"action\":\"network\"}");
            assertEquals("[\"lo=127.0.0.1\"]", network.path("addresses").toString(), network.toString());
            JsonNode r = walled.apply(JSON.createObjectNode().put("action", "connect").put("host", outside.address())
                    .put("port", outside.echoPort()).put("timeoutMs", 1500).toString());
            assertFalse(r.path("connected").asBoolean(true), r.toString());
            assertTrue(r.path("error").asText().contains("unreachable"), r.toString());
        }
    }
}
