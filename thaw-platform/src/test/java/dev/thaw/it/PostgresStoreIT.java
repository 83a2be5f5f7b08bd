package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ServiceException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * thaw server on PostgreSQL ({@code --database}): the Lambda API with state outside the home, two instances sharing
 * functions and events, an instance killed while it holds events, and the database restarting under a server.
 * <p>
 * Until code packages live in a shared object store, each instance holds a package only once a function with it was
 * created through that instance; the tests create a twin function on the second instance for that.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresStoreIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIXTURES = "dev.thaw.examples.fixtures.";
    private PostgresCluster cluster;

    @BeforeAll
    void startPostgres() {
        cluster = PostgresCluster.create();
    }

    @AfterAll
    void stopPostgres() {
        cluster.close();
    }

    @Test
    void theLambdaApiKeepsItsStateInPostgresNotInTheHome() throws Exception {
        String url = cluster.createDatabase();
        try (ThawServerProcess server = ThawServerProcess.start("--database", url);
             LambdaClient lambda = server.lambda()) {
            Fixtures.deploy(lambda, "echo", "test-functions", FIXTURES + "Echo", b -> b.timeout(10));
            assertTrue(invoke(lambda, "echo", null, "{\"k\":\"sync\"}").contains("\"k\":\"sync\""));
            assertEquals("1", lambda.publishVersion(b -> b.functionName("echo")).version());
            lambda.createAlias(b -> b.functionName("echo").name("live").functionVersion("1"));
            assertTrue(invoke(lambda, "echo", "live", "{}").contains("\"functionVersion\":\"1\""));
            lambda.putFunctionConcurrency(b -> b.functionName("echo").reservedConcurrentExecutions(3));
            assertEquals(202, lambda.invoke(b -> b.functionName("echo").qualifier("live")
                    .invocationType(InvocationType.EVENT).payload(SdkBytes.fromUtf8String("{\"marker\":\"pg-1\"}")))
                    .statusCode());
            await("the event's delivery", 60_000, () -> logs(server, "echo").stream()
                    .anyMatch(m -> m.contains("echo-log {marker=pg-1}")));
            assertTrue(!Files.exists(server.home().resolve("metadata.db")), "no SQLite file beside PostgreSQL");
        }
        try (ThawServerProcess fresh = ThawServerProcess.start("--database", url);
             LambdaClient lambda = fresh.lambda()) {
            assertEquals(List.of("echo"), lambda.listFunctions().functions().stream()
                    .map(f -> f.functionName()).toList());
            assertEquals(List.of("$LATEST", "1"), lambda.listVersionsByFunction(b -> b.functionName("echo"))
                    .versions().stream().map(v -> v.version()).toList());
            assertEquals("1", lambda.getAlias(b -> b.functionName("echo").name("live")).functionVersion());
            assertEquals(3, lambda.getFunctionConcurrency(b -> b.functionName("echo")).reservedConcurrentExecutions());
        }
    }

    @Test
    void twoInstancesShareFunctionsAndDeliverEveryEventExactlyOnce() throws Exception {
        String url = cluster.createDatabase();
        try (ThawServerProcess a = ThawServerProcess.start("--database", url);
             ThawServerProcess b = ThawServerProcess.start("--database", url);
             LambdaClient viaA = a.lambda();
             LambdaClient viaB = b.lambda()) {
            Fixtures.deploy(viaA, "echo", "test-functions", FIXTURES + "Echo", x -> x.timeout(10));
            Fixtures.deploy(viaB, "echo-twin", "test-functions", FIXTURES + "Echo", x -> x.timeout(10));
            assertEquals(FIXTURES + "Echo", viaB.getFunction(x -> x.functionName("echo")).configuration().handler());
            assertEquals("1", viaA.publishVersion(x -> x.functionName("echo")).version());
            viaB.updateFunctionConfiguration(x -> x.functionName("echo").timeout(11));
            await("A to see B's change", 10_000, () ->
                    viaA.getFunction(x -> x.functionName("echo")).configuration().timeout() == 11);
            assertEquals("2", viaB.publishVersion(x -> x.functionName("echo")).version(),
                    "version numbers are shared");
            viaA.createAlias(x -> x.functionName("echo").name("live").functionVersion("1"));
            assertTrue(invoke(viaB, "echo", "live", "{}").contains("\"functionVersion\":\"1\""));
            viaB.updateAlias(x -> x.functionName("echo").name("live").functionVersion("2"));
            await("A to see the alias B moved", 10_000, () -> invoke(viaA, "echo", "live", "{}")
                    .contains("\"functionVersion\":\"2\""));

            List<String> markers = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String marker = String.format("two-%03d", i);
                markers.add(marker);
                LambdaClient via = i % 2 == 0 ? viaA : viaB;
                assertEquals(202, via.invoke(x -> x.functionName("echo").invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String("{\"marker\":\"" + marker + "\"}"))).statusCode());
            }
            Function<String, Long> deliveries = marker -> countLines(a, "echo", "echo-log {marker=" + marker + "}")
                    + countLines(b, "echo", "echo-log {marker=" + marker + "}");
            await("every event's delivery", 120_000, () -> markers.stream().allMatch(m -> deliveries.apply(m) > 0));
            Thread.sleep(1000);
            for (String marker : markers) {
                assertEquals(1L, deliveries.apply(marker), marker + " delivered once across both instances");
            }
            assertEquals(0, pendingEvents(url));
        }
    }

    @Test
    void eventsHeldByAKilledInstanceAreDeliveredByAnotherWhenTheirLeaseEnds() throws Exception {
        String url = cluster.createDatabase();
        ThawServerProcess a = ThawServerProcess.start("--database", url, "--event-lease", "3");
        try (ThawServerProcess b = ThawServerProcess.start("--database", url, "--event-lease", "3");
             LambdaClient viaA = a.lambda();
             LambdaClient viaB = b.lambda()) {
            Fixtures.deploy(viaA, "sleeper", "test-functions", FIXTURES + "Sleeper", x -> x.timeout(30));
            Fixtures.deploy(viaB, "sleeper-twin", "test-functions", FIXTURES + "Sleeper", x -> x.timeout(30));
            String instanceA = Files.readString(a.home().resolve("instance-id")).trim();
            List<String> markers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String marker = String.format("held-%03d", i);
                markers.add(marker);
                viaA.invoke(x -> x.functionName("sleeper").invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String("{\"ms\":4000,\"marker\":\"" + marker + "\"}")));
            }
            Set<String> heldByA = new HashSet<>();
            await("A to claim events", 60_000, () -> {
                heldByA.clear();
                heldByA.addAll(markersClaimedBy(url, instanceA));
                return !heldByA.isEmpty();
            });
            a.kill();
            await("every event's delivery", 120_000, () -> pendingEvents(url) == 0);
            for (String marker : heldByA) {
                assertTrue(countLines(b, "sleeper", "sleeper-done {ms=4000, marker=" + marker + "}") >= 1,
                        marker + " was held by the killed instance and must be finished by the other");
            }
            JsonNode failed = JSON.readTree(b.http("GET", "/thaw/v1/failed-events", null).body());
            assertEquals(0, failed.path("FailedEvents").size(), failed.toString());
        } finally {
            a.close();
        }
    }

    @Test
    void fiveHundredAcceptedEventsOfAKilledInstanceAreAllDeliveredByAnotherAndNoneTwiceInItsLog() throws Exception {
        String url = cluster.createDatabase();
        ThawServerProcess a = ThawServerProcess.start("--database", url, "--event-lease", "3");
        try (ThawServerProcess b = ThawServerProcess.start("--database", url, "--event-lease", "3");
             LambdaClient viaB = b.lambda()) {
            List<String> markers = new ArrayList<>();
            try (LambdaClient viaA = a.lambda()) {
                Fixtures.deploy(viaA, "sleeper", "test-functions", FIXTURES + "Sleeper", x -> x.timeout(30));
                // Without an object store each home keeps its own packages: the twin puts this one in B's.
                Fixtures.deploy(viaB, "sleeper-twin", "test-functions", FIXTURES + "Sleeper", x -> x.timeout(30));
                for (int i = 0; i < 500; i++) {
                    String marker = String.format("burst-%03d", i);
                    markers.add(marker);
                    assertEquals(202, viaA.invoke(x -> x.functionName("sleeper")
                            .invocationType(InvocationType.EVENT)
                            .payload(SdkBytes.fromUtf8String("{\"ms\":300,\"marker\":\"" + marker + "\"}")))
                            .statusCode());
                }
            } finally {
                a.kill();
            }
            Set<String> undoneAtKill = markersNotDone(url);
            assertFalse(undoneAtKill.isEmpty(), "events were left queued or held when the instance died");
            await("every event's delivery", 300_000, () -> pendingEvents(url) == 0);
            JsonNode failed = JSON.readTree(b.http("GET", "/thaw/v1/failed-events", null).body());
            assertEquals(0, failed.path("FailedEvents").size(), failed.toString());
            Map<String, Long> inB = new java.util.HashMap<>();
            String done = "sleeper-done {ms=300, marker=";
            for (String line : logs(b, "sleeper")) {
                int at = line.indexOf(done);
                if (at >= 0) {
                    inB.merge(line.substring(at + done.length(), line.indexOf('}', at)), 1L, Long::sum);
                }
            }
            for (String marker : undoneAtKill) {
                assertEquals(1L, inB.getOrDefault(marker, 0L), marker + " was left by the killed instance");
            }
            inB.forEach((marker, count) -> assertEquals(1L, count, marker + " delivered twice by the survivor"));
            assertTrue(markers.containsAll(inB.keySet()), inB.keySet().toString());
        } finally {
            a.close();
        }
    }

    /** Markers of events accepted and not yet done (queued, or running under some instance's lease). */
    private Set<String> markersNotDone(String url) throws Exception {
        try (Connection c = cluster.connect(url);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT payload FROM events WHERE state IN ('queued', 'running')")) {
            Set<String> markers = new HashSet<>();
            while (rs.next()) {
                Map<?, ?> payload = JSON.readValue(new String(rs.getBytes(1), StandardCharsets.UTF_8), Map.class);
                markers.add(String.valueOf(payload.get("marker")));
            }
            return markers;
        }
    }

    @Test
    void aPostgresRestartFailsRequestsFastWithServiceExceptionsThenServingResumes() throws Exception {
        String url = cluster.createDatabase();
        try (ThawServerProcess server = ThawServerProcess.start("--database", url);
             LambdaClient lambda = server.lambda()) {
            Fixtures.deploy(lambda, "echo", "test-functions", FIXTURES + "Echo", x -> x.timeout(10));
            assertTrue(invoke(lambda, "echo", null, "{}").contains("requestId"));
            cluster.stop();
            try {
                for (Callable<?> request : List.<Callable<?>>of(
                        () -> lambda.listFunctions(),
                        () -> lambda.getFunction(x -> x.functionName("echo")),
                        () -> lambda.invoke(x -> x.functionName("echo").payload(SdkBytes.fromUtf8String("{}"))),
                        () -> lambda.invoke(x -> x.functionName("echo").invocationType(InvocationType.EVENT)
                                .payload(SdkBytes.fromUtf8String("{}"))),
                        () -> lambda.publishVersion(x -> x.functionName("echo")))) {
                    long started = System.nanoTime();
                    ServiceException e = assertThrows(ServiceException.class, request::call);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    assertEquals(500, e.statusCode());
                    assertTrue(e.getMessage().contains("metadata store is unavailable"), e.getMessage());
                    assertTrue(millis < 8_000, "answered in " + millis + " ms, not left hanging");
                }
            } finally {
                cluster.start();
            }
            await("the server to serve again", 30_000, () -> {
                try {
                    return lambda.getFunction(x -> x.functionName("echo")).configuration() != null;
                } catch (ServiceException stillDown) {
                    return false;
                }
            });
            assertTrue(invoke(lambda, "echo", null, "{}").contains("requestId"));
            assertEquals("1", lambda.publishVersion(x -> x.functionName("echo")).version());
            lambda.invoke(x -> x.functionName("echo").invocationType(InvocationType.EVENT)
                    .payload(SdkBytes.fromUtf8String("{\"marker\":\"after-restart\"}")));
            await("an event after the restart", 60_000, () -> countLines(server, "echo",
                    "echo-log {marker=after-restart}") == 1);
        }
    }

    private static String invoke(LambdaClient lambda, String name, String qualifier, String payload) {
        InvokeResponse r = lambda.invoke(b -> b.functionName(name).qualifier(qualifier)
                .payload(SdkBytes.fromUtf8String(payload)));
        assertNull(r.functionError(), r.payload().asUtf8String());
        return r.payload().asUtf8String();
    }

    private static List<String> logs(ThawServerProcess server, String function) throws Exception {
        JsonNode out = JSON.readTree(server.http("GET", "/thaw/v1/logs/" + function + "?Limit=100000", null).body());
        List<String> messages = new ArrayList<>();
        out.path("Events").forEach(e -> messages.add(e.path("Message").asText()));
        return messages;
    }

    private static long countLines(ThawServerProcess server, String function, String text) {
        try {
            return logs(server, function).stream().filter(m -> m.contains(text)).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Events accepted and not yet delivered or failed. */
    private int pendingEvents(String url) throws Exception {
        try (Connection c = cluster.connect(url);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*) FROM events WHERE state IN ('queued', 'running')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private Set<String> markersClaimedBy(String url, String instance) throws Exception {
        try (Connection c = cluster.connect(url);
             var ps = c.prepareStatement("SELECT payload FROM events WHERE state = 'running' AND claimed_by = ?")) {
            ps.setString(1, instance);
            Set<String> markers = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<?, ?> payload = JSON.readValue(new String(rs.getBytes(1), StandardCharsets.UTF_8), Map.class);
                    markers.add(String.valueOf(payload.get("marker")));
                }
            }
            return markers;
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, long timeoutMillis, Check check) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!check.holds()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
