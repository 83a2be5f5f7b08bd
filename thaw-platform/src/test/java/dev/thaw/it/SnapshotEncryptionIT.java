package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.server.Thaw;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Snapshots encrypted at rest, with real CRIU: nothing of INIT's memory is readable in the home, and an image that
 * was tampered with or sealed under another key is never restored: the invoke runs INIT and the snapshot is
 * re-created under the key in force.
 */
class SnapshotEncryptionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTION = "sealed";
    /** The first bytes of every CRIU image file (IMG_COMMON_MAGIC, little-endian). */
    private static final byte[] CRIU_MAGIC = {0x19, 0x43, 0x56, 0x54};

    @TempDir
    Path keys;

    @BeforeEach
    void needsRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "SnapStart needs root for CRIU");
    }

    @Test
    void theHomeHoldsNoPlainImageBytesWhileRestoresServe() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start(); LambdaClient lambda = server.lambda()) {
            publish(lambda);
            InvokeResponse first = invoke(lambda);
            assertTrue(tail(first).contains("Restore Duration"), tail(first));
            // Echo draws this id in its static initialiser, during INIT: it lives only in the snapshot's memory.
            String secret = JSON.readTree(first.payload().asByteArray()).path("instance").asText();
            assertEquals(36, secret.length());
            server.evictIdle();
            InvokeResponse second = invoke(lambda);
            assertTrue(tail(second).contains("Restore Duration"), "a later restore uses the plain copy in memory");
            assertEquals(secret, JSON.readTree(second.payload().asByteArray()).path("instance").asText());

            Path plain = Thaw.plainImagesMount(server.home());
            assertTrue(Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + plain + " "),
                    "the plain images live in a tmpfs of their own");
            assertEquals("tmpfs", Files.getFileStore(plain).type());
            // The search works: the plain images in memory hold the id, the class names and CRIU's magic.
            assertTrue(anyFileContains(plain, secret.getBytes(StandardCharsets.ISO_8859_1)));
            assertTrue(anyFileContains(plain, "dev/thaw/examples/fixtures/Echo".getBytes(StandardCharsets.UTF_8)));
            assertTrue(filesStartingWith(plain, CRIU_MAGIC) > 0);

            Path images = server.home().resolve("snapshots/" + FUNCTION + "/1/images");
            assertTrue(Files.list(images).count() > 3);
            assertEquals(0, filesStartingWith(images, CRIU_MAGIC), "no image in the home is a plain CRIU image");
            assertEquals(Files.list(images).count(), filesStartingWith(images,
                    "THAWSEAL".getBytes(StandardCharsets.US_ASCII)), "every image in the home is sealed");
            assertTrue(!anyFileContains(server.home(), secret.getBytes(StandardCharsets.ISO_8859_1)),
                    "INIT's secret is nowhere in the home");
            assertTrue(!anyFileContains(server.home().resolve("snapshots"),
                    "dev/thaw/examples/fixtures/Echo".getBytes(StandardCharsets.UTF_8)),
                    "the handler's class name is nowhere in the snapshots");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    server.home().resolve("snapshot.key"))), "the master key made at first start");
            JsonNode manifest = JSON.readTree(server.home().resolve("snapshots/" + FUNCTION + "/1/manifest.json")
                    .toFile());
            assertEquals(16, manifest.path("sealing").path("keyId").asText().length());
        }
    }

    @Test
    void aTamperedImageIsNeverRestoredAndTheSnapshotIsRecreated() throws Exception {
        ThawServerProcess server = ThawServerProcess.start();
        try (LambdaClient lambda = server.lambda()) {
            publish(lambda);
        }
        Path pages;
        try (var files = Files.list(server.home().resolve("snapshots/" + FUNCTION + "/1/images"))) {
            pages = files.filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst().orElseThrow();
        }
        server.kill();
        // Inside the first chunk's ciphertext: past the header (13 bytes) and the chunk's flag, length and IV.
        flipByteUnnoticed(pages, 13 + 1 + 4 + 12 + 1000);
        expectInitThenRecreatedSnapshot(ThawServerProcess.start(server.home()), server,
                "chunk 0 fails authentication");
    }

    @Test
    void aSnapshotSealedUnderAnotherKeyIsNeverRestoredAndIsRecreatedUnderTheNewOne() throws Exception {
        Path firstKey = keys.resolve("first.key");
        Path secondKey = keys.resolve("second.key");
        ThawServerProcess server = ThawServerProcess.start("--snapshot-key-file", firstKey.toString());
        try (LambdaClient lambda = server.lambda()) {
            publish(lambda);
        }
        server.kill();
        assertTrue(Files.exists(firstKey) && !Files.exists(secondKey));
        ThawServerProcess restarted = ThawServerProcess.start(server.home(), "--snapshot-key-file",
                secondKey.toString());
        assertTrue(Files.exists(secondKey), "a missing key file is created at start");
        expectInitThenRecreatedSnapshot(restarted, server, "the snapshot was sealed with key");
    }

    /** On a restarted platform: the first invoke runs INIT and says why; the re-created snapshot then restores. */
    private static void expectInitThenRecreatedSnapshot(ThawServerProcess restarted, ThawServerProcess killed,
                                                        String why) throws Exception {
        try (restarted; killed; LambdaClient lambda = restarted.lambda()) {
            String createdBefore = manifestCreatedAt(restarted.home());
            InvokeResponse r = invoke(lambda);
            assertNull(r.functionError(), r.payload().asUtf8String());
            assertTrue(tail(r).contains("Init Duration"), "served by an ordinary INIT: " + tail(r));
            String warning = logLines(restarted).stream().filter(l -> l.contains("SNAPSTART_WARNING snapshot not"))
                    .findFirst().orElse("");
            assertTrue(warning.contains(why), warning);
            long deadline = System.currentTimeMillis() + 120_000;
            // Empty while the snapshot is being taken again: the old one is deleted first.
            String created = manifestCreatedAt(restarted.home());
            while ((created.isEmpty() || created.equals(createdBefore)) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                created = manifestCreatedAt(restarted.home());
            }
            assertTrue(!created.isEmpty() && !created.equals(createdBefore), "the snapshot was re-created");
            restarted.evictIdle();
            InvokeResponse again = invoke(lambda);
            assertTrue(tail(again).contains("Restore Duration"), "the re-created snapshot is restored: "
                    + tail(again));
            assertNull(again.functionError());
        }
    }

    private static String manifestCreatedAt(Path home) {
        Path manifest = home.resolve("snapshots/" + FUNCTION + "/1/manifest.json");
        try {
            return Files.exists(manifest) ? JSON.readTree(manifest.toFile()).path("createdAt").asText() : "";
        } catch (IOException e) {
            return "";  // being replaced
        }
    }

    private static void publish(LambdaClient lambda) {
        lambda.createFunction(b -> b.functionName(FUNCTION).runtime("java17").handler(Fixtures.fixtureHandler("Echo"))
                .role("r").memorySize(256).timeout(30).snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
        lambda.publishVersion(b -> b.functionName(FUNCTION));
        lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName(FUNCTION).qualifier("1"));
    }

    private static InvokeResponse invoke(LambdaClient lambda) {
        return lambda.invoke(b -> b.functionName(FUNCTION).qualifier("1").logType(LogType.TAIL)
                .payload(SdkBytes.fromUtf8String("{}")));
    }

    private static String tail(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    private static List<String> logLines(ThawServerProcess server) throws IOException {
        List<String> lines = new ArrayList<>();
        JSON.readTree(server.http("GET", "/thaw/v1/logs/" + FUNCTION, null).body()).path("Events")
                .forEach(e -> lines.add(e.path("Message").asText()));
        return lines;
    }

    /** Overwrites one byte in place, keeping the file's size, inode and modification time. */
    private static void flipByteUnnoticed(Path file, long offset) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x40);
        }
        Files.setLastModifiedTime(file, mtime);
    }

    private static long filesStartingWith(Path dir, byte[] prefix) throws IOException {
        long n = 0;
        for (Path f : regularFiles(dir)) {
            try (var in = Files.newInputStream(f)) {
                if (java.util.Arrays.equals(in.readNBytes(prefix.length), prefix)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean anyFileContains(Path dir, byte[] needle) throws IOException {
        String text = new String(needle, StandardCharsets.ISO_8859_1);
        for (Path f : regularFiles(dir)) {
            try {
                if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(text)) {
                    return true;
                }
            } catch (java.nio.file.NoSuchFileException gone) {
                // a restore's work directory, removed meanwhile
            }
        }
        return false;
    }

    /** Every regular file under {@code dir}, skipping what disappears during the walk. */
    private static List<Path> regularFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    files.add(file);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return files;
    }
}
