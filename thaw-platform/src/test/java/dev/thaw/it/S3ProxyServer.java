package dev.thaw.it;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * An S3-compatible server for tests: S3Proxy (copied into {@code target/s3proxy} by the build) with its filesystem
 * backend in a temporary directory, on a free loopback port, SigV4 with a random key pair. {@link #close} stops it
 * and deletes the directory.
 */
final class S3ProxyServer implements AutoCloseable {
    static final Path JAR = ThawServerProcess.REPO.resolve("thaw-platform/target/s3proxy/s3proxy.jar");

    private final Path dir;
    private final Process process;
    private final String address;
    private final int port;
    final String accessKey;
    final String secretKey;

    private S3ProxyServer(Path dir, Process process, String address, int port, String accessKey, String secretKey) {
        this.dir = dir;
        this.address = address;
        this.process = process;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    static S3ProxyServer start() {
        return start("127.0.0.1");
    }

    /**
     * On {@code address} instead of loopback: an address of this host that a test's network namespaces reach (the
     * host end of a link the test made), for platforms running inside them.
     */
    static S3ProxyServer start(String address) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("S3Proxy is missing at " + JAR + "; the build copies it (mvn package)");
        }
        Path dir = null;
        Process process = null;
        try {
            dir = Files.createTempDirectory("thaw-s3proxy-");
            Path data = Files.createDirectories(dir.resolve("data"));
            int port = freePort(address);
            String id = "it" + UUID.randomUUID().toString().substring(0, 8);
            String secret = UUID.randomUUID().toString();
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://" + address + ":" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + id,
                    "s3proxy.credential=" + secret,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data, ""));
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                    "--properties", properties.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
            awaitListening(process, address, port, dir.resolve("s3proxy.log"));
            return new S3ProxyServer(dir, process, address, port, id, secret);
        } catch (IOException | RuntimeException e) {
            if (process != null) {
                stop(process);
            }
            if (dir != null) {
                deleteTree(dir);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static void awaitListening(Process process, String address, int port, Path log) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited: " + Files.readString(log));
            }
            try (Socket s = new Socket(java.net.InetAddress.getByName(address), port)) {
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

    private static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    String endpoint() {
        return "http://" + address + ":" + port;
    }

    /** An S3 client of this server, path-style. */
    S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey,
                        secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** Makes a bucket and returns its name. */
    String createBucket() {
        String bucket = "thaw-it-" + UUID.randomUUID().toString().substring(0, 8);
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
        return bucket;
    }

    /** The file that holds an object in the filesystem backend, for tests that tamper with stored bytes. */
    Path objectFile(String bucket, String key) {
        return dir.resolve("data").resolve(bucket).resolve(key);
    }

    /** {@code thaw server} arguments that put code and snapshots in {@code s3://bucket/prefix} on this server. */
    List<String> serverArguments(String bucket, String prefix) {
        return new ArrayList<>(List.of("--object-store", "s3://" + bucket + "/" + prefix,
                "--object-store-endpoint", endpoint(), "--object-store-access-key", accessKey,
                "--object-store-secret-key", secretKey));
    }

    @Override
    public void close() {
        stop(process);
        deleteTree(dir);
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

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
