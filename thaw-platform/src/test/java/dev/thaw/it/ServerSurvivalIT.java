package dev.thaw.it;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server survives a hostile or long life: connections that never finish their request, running out of file
 * descriptors, a launch that fails on every invoke, and many environments started and evicted. Each test checks
 * what it leaves behind, not only that the server answers.
 */
class ServerSurvivalIT {
    /** Runtime API endpoints (each with its namespace) the platform keeps ready for the next cold starts. */
    private static final int SPARE_ENDPOINTS = 2;
    private static final String HALF_SENT = "POST /2015-03-31/functions/hello/invocations HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":1";

    @Test
    void aRequestWhoseBodyStopsArrivingIsDroppedAfterTheReadTimeout() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start("--read-timeout", "2")) {
            assertTheServerClosesEach(server, HALF_SENT, 15);
        }
    }

    @Test
    void aConnectionStuckInItsHeadersIsClosed() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start("--read-timeout", "2", "--idle-timeout", "2")) {
            assertTheServerClosesEach(server, "GET /thaw/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: a", 20);
        }
    }

    /**
     * Opens 20 connections that each send {@code stalled} and nothing more, and asserts that the server closes
     * every one within {@code seconds}, gives their descriptors back, and still serves.
     */
    private static void assertTheServerClosesEach(ThawServerProcess server, String stalled, int seconds)
            throws Exception {
        int baseline = server.openFileDescriptors();
        List<Socket> clients = openStalled(server, stalled, 20);
        try {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            for (Socket c : clients) {
                c.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                assertTrue(closedByServer(c), "a stalled connection was still open after " + seconds + " s");
            }
            awaitAtMost(server, baseline + 5);
        } finally {
            closeAll(clients);
        }
        assertEquals(200, server.http("GET", "/thaw/v1/health", null).statusCode());
    }

    @Test
    void theListenerListensAgainAfterRunningOutOfFileDescriptors() throws Exception {
        // More connections allowed than descriptors exist: accept fails with EMFILE, which ends Helidon's listener.
        try (ThawServerProcess server = ThawServerProcess.startWithOpenFileLimit(400,
                "--max-connections", "5000", "--read-timeout", "3")) {
            List<Socket> clients = openHalfSent(server, 500);
            closeAll(clients);
            awaitHealthy(server, 30);
            assertTrue(server.output().contains("listens again"), server.output());
            try (LambdaClient lambda = server.lambda()) {
                lambda.listFunctions();
            }
        }
    }

    @Test
    void withTheDefaultConnectionCapTheListenerNeverRunsOutOfFileDescriptors() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.startWithOpenFileLimit(400, "--read-timeout", "3")) {
            List<Socket> clients = openHalfSent(server, 500);
            try {
                assertTrue(server.openFileDescriptors() < 400, "the server used every descriptor");
            } finally {
                closeAll(clients);
            }
            awaitHealthy(server, 30);
            assertTrue(!server.output().contains("terminating now"), server.output());
        }
    }

    @Test
    void aVersionThatCannotLaunchReleasesWhatEachAttemptTookAndOthersStillStart() throws Exception {
        ThawServerProcess first = ThawServerProcess.start();
        Path home = first.home();
        try (LambdaClient lambda = first.lambda()) {
            Fixtures.createHello(lambda, "legacy", Map.of("NV", "ab"));
        }
        first.kill();
        // A home from before NUL characters were refused at CreateFunction: such a value cannot reach a process.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("metadata.db"))) {
            int changed = db.createStatement().executeUpdate(
                    "UPDATE versions SET document = replace(document, '\"NV\":\"ab\"', '\"NV\":\"a\\u0000b\"') "
                            + "WHERE function_name = 'legacy'");
            assertEquals(1, changed);
        }
        try (ThawServerProcess server = ThawServerProcess.start(home);
             LambdaClient lambda = server.lambda()) {
            int threadsBefore = -1;
            for (int i = 0; i < 30; i++) {
                InvokeResponse r = lambda.invoke(b -> b.functionName("legacy").payload(SdkBytes.fromUtf8String("{}")));
                assertTrue(r.functionError() != null || r.statusCode() >= 400, "legacy ran: " + r);
                if (i == 4) {
                    threadsBefore = (int) server.threads();
                }
            }
            assertTrue(server.threads() <= threadsBefore + 3, "failed launches left threads behind");
            assertTrue(networkNamespaces(server).size() <= SPARE_ENDPOINTS, "failed launches left network "
                    + "namespaces behind: " + networkNamespaces(server));
            Fixtures.createHello(lambda, "healthy", Map.of());
            InvokeResponse ok = lambda.invoke(b -> b.functionName("healthy").payload(SdkBytes.fromUtf8String("{}")));
            assertNull(ok.functionError(), ok.payload().asUtf8String());
        } finally {
            first.close();
        }
    }

    @Test
    void coldStartsAndEvictionsLeaveNoThreadsOrEndpointsBehind() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start();
             LambdaClient lambda = server.lambda()) {
            Fixtures.createHello(lambda, "cycled", Map.of());
            long threadsAfterFirst = 0;
            int fdsAfterFirst = 0;
            for (int i = 0; i < 40; i++) {
                InvokeResponse r = lambda.invoke(b -> b.functionName("cycled").payload(SdkBytes.fromUtf8String("{}")));
                assertNull(r.functionError(), r.payload().asUtf8String());
                assertEquals(1, server.evictIdle());
                if (i == 2) {
                    threadsAfterFirst = server.threads();
                    fdsAfterFirst = server.openFileDescriptors();
                }
            }
            long threads = server.threads();
            int fds = server.openFileDescriptors();
            assertTrue(threads <= threadsAfterFirst + 4, "threads went from " + threadsAfterFirst + " to " + threads);
            assertTrue(fds <= fdsAfterFirst + 8, "descriptors went from " + fdsAfterFirst + " to " + fds);
            assertTrue(networkNamespaces(server).size() <= SPARE_ENDPOINTS, "evicted environments left network "
                    + "namespaces behind: " + networkNamespaces(server));
        }
    }

    @Test
    void aKilledPlatformLeavesNoMountsCgroupsNamespacesOrEnvironmentsBehind() throws Exception {
        ThawServerProcess server = ThawServerProcess.start("--freeze-after", "50");
        try {
            try (LambdaClient lambda = server.lambda()) {
                Fixtures.createHello(lambda, "left", Map.of());
                lambda.invoke(b -> b.functionName("left").payload(SdkBytes.fromUtf8String("{}")));
            }
            List<Long> environments = server.environmentPids();
            assertEquals(1, environments.size());
            Thread.sleep(300);  // long enough to be frozen, which a SIGKILL alone cannot end
            String group = dev.thaw.server.Thaw.groupName(server.home());
            Path run = dev.thaw.server.Thaw.environmentRootBase(server.home());
            assertTrue(!cgroupsNamed(group).isEmpty() && Files.exists(run));
            assertTrue(!networkNamespaces(server).isEmpty() && nftablesTables().contains(firewallTable(group)));
            server.kill();
            long deadline = System.nanoTime() + 15_000_000_000L;
            while ((Files.exists(run) || !cgroupsNamed(group).isEmpty()
                    || !networkNamespaces(server).isEmpty() || nftablesTables().contains(firewallTable(group)))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(!Files.exists(run), run + " outlived the platform");
            assertEquals(List.of(), cgroupsNamed(group));
            assertEquals(List.of(), networkNamespaces(server));
            assertFalse(nftablesTables().contains(firewallTable(group)), nftablesTables());
            assertEquals(List.of(), ProcessLeaks.survivors(environments.stream()
                    .flatMap(pid -> ProcessHandle.of(pid).stream()).toList()));
        } finally {
            server.close();
        }
    }

    /** The network namespaces of a platform's environments and spare endpoints, as {@code ip netns} lists them. */
    private static List<String> networkNamespaces(ThawServerProcess server) throws IOException {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        String prefix = dev.thaw.server.Thaw.groupName(server.home()) + "-";
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        }
    }

    private static String firewallTable(String group) {
        return "table inet " + group.replace('-', '_');
    }

    private static String nftablesTables() throws IOException {
        Process nft = new ProcessBuilder("nft", "list", "tables").redirectErrorStream(true).start();
        return new String(nft.getInputStream().readAllBytes());
    }

    /**
     * The platform's parent cgroups in every mounted hierarchy (none once it and its guard are done). Other
     * platforms' cgroups may vanish during the walk (an earlier test's guard still cleaning up): those are skipped.
     */
    private static List<Path> cgroupsNamed(String group) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(Path.of("/sys/fs/cgroup"), Set.of(), 6,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir,
                            BasicFileAttributes attrs) {
                        if (dir.getFileName() != null && dir.getFileName().toString().equals(group)) {
                            found.add(dir);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file,
                            BasicFileAttributes attrs) {
                        return attrs.isDirectory() ? preVisitDirectory(file, attrs) // at the depth limit
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                        return visitFileFailed(dir, e);
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e == null || e instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
        return found;
    }

    private static List<Socket> openHalfSent(ThawServerProcess server, int count) {
        return openStalled(server, HALF_SENT, count);
    }

    /** Connections that each sent {@code stalled}; as many of {@code count} as the server's backlog took. */
    private static List<Socket> openStalled(ThawServerProcess server, String stalled, int count) {
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            try {
                Socket s = new Socket("127.0.0.1", server.endpoint().getPort());
                clients.add(s);
                OutputStream out = s.getOutputStream();
                out.write(stalled.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException refusedOrReset) {
                // a full backlog: what was opened is enough
            }
        }
        return clients;
    }

    /** Whether the server closed the connection (an answer may come first), rather than the read timing out. */
    private static boolean closedByServer(Socket c) throws IOException {
        InputStream in = c.getInputStream();
        try {
            while (in.read() >= 0) {
                // an error answer before the close
            }
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static void closeAll(List<Socket> clients) {
        for (Socket c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private static void awaitAtMost(ThawServerProcess server, int fds) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (server.openFileDescriptors() > fds && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(server.openFileDescriptors() <= fds, "descriptors: " + server.openFileDescriptors()
                + ", expected at most " + fds);
    }

    private static void awaitHealthy(ThawServerProcess server, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (server.http("GET", "/thaw/v1/health", null).statusCode() == 200) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // refused or reset while the listener is down
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the server did not answer within " + seconds + " s:\n" + server.output());
    }
}
