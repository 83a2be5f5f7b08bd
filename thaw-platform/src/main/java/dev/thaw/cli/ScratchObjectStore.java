package dev.thaw.cli;

import dev.thaw.io.FileTrees;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway S3-compatible store for {@code thaw bench --cluster}: S3Proxy with its filesystem backend in a directory
 * of its own, on a free loopback port, SigV4 with a random key pair, and one bucket. Its jar is the one the build
 * copies beside the platform jar ({@code thaw-platform/target/s3proxy/s3proxy.jar}, from thaw-platform/pom.xml's
 * dependency plugin), so {@code ./thaw}'s own build provides it. {@link #close} stops it and deletes the directory.
 */
final class ScratchObjectStore implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final String bucket;

    private ScratchObjectStore(Path dir, Process process, int port, String accessKey, String secretKey,
                               String bucket) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.bucket = bucket;
    }

    /** S3Proxy's jar as the build leaves it beside the platform jar that runs this code. */
    static Path jar() {
        try {
            Path platformJar = Path.of(ScratchObjectStore.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
            return platformJar.resolveSibling("s3proxy").resolve("s3proxy.jar");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ScratchObjectStore start(Path parent) throws IOException {
        Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy is missing at " + jar + "; the build copies it there "
                    + "(./thaw builds, or mvn -B -DskipTests package)");
        }
        Path dir = Files.createTempDirectory(parent, "s3proxy-");
        Process process = null;
        try {
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = freePort();
            String id = "bench" + UUID.randomUUID().toString().substring(0, 8);
            String secret = UUID.randomUUID().toString();
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + id,
                    "s3proxy.credential=" + secret,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data, ""));
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar.toString(), "--properties", properties.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
            awaitListening(process, port, dir.resolve("s3proxy.log"));
            ScratchObjectStore store = new ScratchObjectStore(dir, process, port, id, secret,
                    "thaw-bench-" + UUID.randomUUID().toString().substring(0, 8));
            store.createBucket();
            return store;
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                stop(process);
            }
            FileTrees.delete(dir);
            throw e;
        }
    }

    private void createBucket() {
        // As the platform's own client: Netty's plain path, without the JDK's warnings about sun.misc.Unsafe.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
        try (S3AsyncClient s3 = S3AsyncClient.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey,
                        secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()).build()) {
            s3.createBucket(b -> b.bucket(bucket)).join();
        }
    }

    private static void awaitListening(Process process, int port, Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited: " + Files.readString(log));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("S3Proxy did not listen within 60 s: " + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code thaw server} and {@code thaw worker} options that keep code and snapshots in this store. */
    List<String> platformArguments() {
        return List.of("--object-store", "s3://" + bucket + "/bench", "--object-store-endpoint", endpoint(),
                "--object-store-access-key", accessKey, "--object-store-secret-key", secretKey);
    }

    @Override
    public void close() throws IOException {
        stop(process);
        FileTrees.delete(dir);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
