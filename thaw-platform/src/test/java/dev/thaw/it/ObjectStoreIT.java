package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Code packages and snapshot images in an S3-compatible store (S3Proxy on loopback): CreateFunction from
 * S3Bucket/S3Key through the SDK and the AWS CLI, and two instances with different homes sharing PostgreSQL and the
 * store, where the second restores the first's snapshot after fetching and checking it, and refuses a tampered one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectStoreIT {
    private S3ProxyServer s3;
    private PostgresCluster postgres;

    @BeforeAll
    void startServers() {
        s3 = S3ProxyServer.start();
        postgres = PostgresCluster.create();
    }

    @AfterAll
    void stopServers() {
        if (postgres != null) {
            postgres.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static String[] args(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String tail(InvokeResponse r) {
        return new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    }

    @Test
    void createFunctionReadsItsPackageFromS3BucketAndKeyAndKeepsItInTheStore() throws Exception {
        String bucket = s3.createBucket();
        byte[] hello = ThawServerProcess.example("hello").asByteArray();
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(bucket).key("packages/hello.zip"), RequestBody.fromBytes(hello));
        }
        try (ThawServerProcess server = ThawServerProcess.start(args(s3.serverArguments(bucket, "thaw")));
             LambdaClient lambda = server.lambda()) {
            var created = lambda.createFunction(b -> b.functionName("from-s3").runtime(Runtime.JAVA17)
                    .handler("dev.thaw.examples.hello.Hello").role(Fixtures.ROLE).timeout(30)
                    .code(c -> c.s3Bucket(bucket).s3Key("packages/hello.zip")));
            assertEquals(hello.length, created.codeSize());
            InvokeResponse r = lambda.invoke(b -> b.functionName("from-s3")
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"s3\"}")));
            assertEquals(null, r.functionError(), r.payload().asUtf8String());
            assertTrue(r.payload().asUtf8String().contains("s3"), r.payload().asUtf8String());
            String codeKey = "thaw/code/" + sha256(hello) + ".zip";
            try (S3Client client = s3.client()) {
                assertEquals(hello.length, client.headObject(b -> b.bucket(bucket).key(codeKey)).contentLength(),
                        "the package is kept in the object store by its SHA-256");
            }

            var missing = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b
                    .functionName("no-key").runtime(Runtime.JAVA17).handler("dev.thaw.examples.hello.Hello")
                    .role(Fixtures.ROLE).code(c -> c.s3Bucket(bucket).s3Key("packages/absent.zip"))));
            assertTrue(missing.getMessage().contains("Error occurred while GetObject. S3 Error Code: NoSuchKey."),
                    missing.getMessage());
            var noBucket = assertThrows(InvalidParameterValueException.class, () -> lambda.createFunction(b -> b
                    .functionName("no-bucket").runtime(Runtime.JAVA17).handler("dev.thaw.examples.hello.Hello")
                    .role(Fixtures.ROLE).code(c -> c.s3Bucket("thaw-absent-bucket").s3Key("x.zip"))));
            assertTrue(noBucket.getMessage().contains("S3 Error Code: NoSuchBucket."), noBucket.getMessage());

            byte[] echo = ThawServerProcess.example("test-functions").asByteArray();
            try (S3Client client = s3.client()) {
                client.putObject(b -> b.bucket(bucket).key("packages/echo.zip"), RequestBody.fromBytes(echo));
            }
            var updated = lambda.updateFunctionCode(b -> b.functionName("from-s3").s3Bucket(bucket)
                    .s3Key("packages/echo.zip"));
            assertEquals(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(echo)),
                    updated.codeSha256());
        }
    }

    @Test
    void theAwsCliCreatesAFunctionFromAnS3Object() throws Exception {
        assumeTrue(Files.isExecutable(AwsCli.AWS), "the AWS CLI is installed by scripts/setup.sh");
        String bucket = s3.createBucket();
        byte[] hello = ThawServerProcess.example("hello").asByteArray();
        try (S3Client client = s3.client()) {
            client.putObject(b -> b.bucket(bucket).key("hello.zip"), RequestBody.fromBytes(hello));
        }
        try (ThawServerProcess server = ThawServerProcess.start(args(s3.serverArguments(bucket, ""),
                "--cache-size", "64m"))) {
            String out = AwsCli.lambdaOk(server.endpoint(), "create-function", "--function-name", "cli-s3",
                    "--runtime", "java17", "--handler", "dev.thaw.examples.hello.Hello", "--role", Fixtures.ROLE,
                    "--code", "S3Bucket=" + bucket + ",S3Key=hello.zip");
            assertTrue(out.contains("\"CodeSize\": " + hello.length), out);
            AwsCli.Result missing = AwsCli.lambda(server.endpoint(), "create-function", "--function-name", "cli-x",
                    "--runtime", "java17", "--handler", "dev.thaw.examples.hello.Hello", "--role", Fixtures.ROLE,
                    "--code", "S3Bucket=" + bucket + ",S3Key=nothing.zip");
            assertEquals(254, missing.exit(), missing.err());
            assertTrue(missing.err().contains("InvalidParameterValueException")
                    && missing.err().contains("S3 Error Code: NoSuchKey"), missing.err());
        }
    }

    @Test
    void aSnapshotPublishedOnOneInstanceIsFetchedCheckedAndRestoredOnAnotherAndATamperedOneIsNot()
            throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "SnapStart needs root for CRIU");
        String bucket = s3.createBucket();
        String database = postgres.createDatabase();
        List<String> shared = s3.serverArguments(bucket, "team");
        // Instances that share snapshots share the master key that seals them.
        Path keyDir = Files.createTempDirectory("thaw-snapshot-key");
        String key = keyDir.resolve("snapshot.key").toString();
        try (ThawServerProcess a = ThawServerProcess.start(args(shared, "--database", database,
                "--snapshot-key-file", key));
             ThawServerProcess b = ThawServerProcess.start(args(shared, "--database", database,
                     "--snapshot-key-file", key));
             LambdaClient viaA = a.lambda();
             LambdaClient viaB = b.lambda()) {
            for (String name : List.of("snappy", "tampered")) {
                Fixtures.deploy(viaA, name, "test-functions", Fixtures.fixtureHandler("Echo"), x -> x.timeout(15)
                        .memorySize(256).snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS)));
                String version = viaA.publishVersion(x -> x.functionName(name)).version();
                viaA.waiter().waitUntilPublishedVersionActive(x -> x.functionName(name).qualifier(version));
            }
            Path snapshotsOfB = b.home().resolve("snapshots");
            assertFalse(Files.exists(snapshotsOfB.resolve("snappy")), "B has not seen the snapshot yet");

            long coldStart = System.nanoTime();
            InvokeResponse first = viaB.invoke(x -> x.functionName("snappy").qualifier("1").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"k\":\"b\"}")));
            long coldMillis = (System.nanoTime() - coldStart) / 1_000_000;
            assertEquals(null, first.functionError(), first.payload().asUtf8String());
            assertTrue(tail(first).contains("Restore Duration"), "B restored A's snapshot: " + tail(first));
            assertTrue(Files.exists(snapshotsOfB.resolve("snappy/1/manifest.json")), "B keeps it in its cache");
            assertTrue(b.output().contains("fetched the snapshot of snappy:1"), b.output());

            assertTrue(b.evictIdle() >= 1);
            long warmStart = System.nanoTime();
            InvokeResponse second = viaB.invoke(x -> x.functionName("snappy").qualifier("1").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{}")));
            long warmMillis = (System.nanoTime() - warmStart) / 1_000_000;
            assertTrue(tail(second).contains("Restore Duration"), tail(second));
            assertEquals(1, countOccurrences(b.output(), "fetched the snapshot of snappy:1"),
                    "the second restore uses the cache");
            System.out.printf("first restore on a host: cold cache %d ms, warm cache %d ms (loaded machine)%n",
                    coldMillis, warmMillis);

            Path pages;
            List<Path> fingerprints;
            try (var dirs = Files.list(s3.objectFile(bucket, "team/snapshots/tampered/1"))) {
                fingerprints = dirs.filter(Files::isDirectory).toList();
            }
            assertEquals(1, fingerprints.size(), "one snapshot, under its host's fingerprint: " + fingerprints);
            try (var files = Files.list(fingerprints.getFirst().resolve("images"))) {
                pages = files.filter(p -> p.getFileName().toString().startsWith("pages-")).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(pages);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(pages, bytes);
            InvokeResponse fallback = viaB.invoke(x -> x.functionName("tampered").qualifier("1")
                    .logType(LogType.TAIL).payload(SdkBytes.fromUtf8String("{}")));
            assertEquals(null, fallback.functionError(), fallback.payload().asUtf8String());
            assertTrue(tail(fallback).contains("Init Duration"), "served by INIT: " + tail(fallback));
            assertTrue(b.output().contains("fails authentication"), b.output());
        } finally {
            dev.thaw.io.FileTrees.delete(keyDir);
        }
    }

    private static int countOccurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
