package dev.thaw.it;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.Runtime;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting and stopping the platform: SIGTERM stops every environment and the process exits cleanly. */
class ServerLifecycleIT {
    @Test
    void regionAndAccountIdFromTheCommandLineNameEveryArnAndReachTheFunction() throws Exception {
        try (ThawServerProcess server = ThawServerProcess.start("--region", "eu-west-1",
                "--account-id", "123456789012")) {
            var created = server.http("POST", "/2015-03-31/functions", "{\"FunctionName\":\"where\","
                    + "\"Runtime\":\"java17\",\"Role\":\"r\",\"Handler\":\"dev.thaw.examples.fixtures.Echo\","
                    + "\"Environment\":{\"Variables\":{}},\"Code\":{\"ZipFile\":\""
                    + java.util.Base64.getEncoder().encodeToString(ThawServerProcess.example("test-functions")
                    .asByteArray()) + "\"}}");
            assertEquals(201, created.statusCode(), created.body());
            assertTrue(created.body().contains("\"FunctionArn\":\"arn:aws:lambda:eu-west-1:123456789012:function:where\""),
                    created.body());
            var invoked = server.http("POST", "/2015-03-31/functions/where/invocations",
                    "{\"envNames\":[\"AWS_REGION\"]}");
            assertEquals(200, invoked.statusCode(), invoked.body());
            assertTrue(invoked.body().contains("eu-west-1"), "the function sees the server's region: " + invoked.body());
            assertTrue(invoked.body().contains("arn:aws:lambda:eu-west-1:123456789012:function:where"),
                    invoked.body());
        }
    }

    @Test
    void sigtermStopsTheServerAndEveryEnvironment() throws Exception {
        ThawServerProcess server = ThawServerProcess.start();
        List<Long> pids;
        try (LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("sleeper").runtime(Runtime.JAVA17)
                    .handler("dev.thaw.examples.fixtures.Sleeper").role("r").timeout(30)
                    .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
            try (var pool = Executors.newFixedThreadPool(3)) {
                List<Future<Integer>> calls = List.of(
                        pool.submit(() -> lambda.invoke(b -> b.functionName("sleeper")
                                .payload(SdkBytes.fromUtf8String("{\"ms\":1500}"))).statusCode()),
                        pool.submit(() -> lambda.invoke(b -> b.functionName("sleeper")
                                .payload(SdkBytes.fromUtf8String("{\"ms\":1500}"))).statusCode()),
                        pool.submit(() -> lambda.invoke(b -> b.functionName("sleeper")
                                .payload(SdkBytes.fromUtf8String("{\"ms\":1500}"))).statusCode()));
                for (Future<Integer> f : calls) {
                    assertEquals(200, f.get());
                }
            }
            pids = server.environmentPids();
            assertEquals(3, pids.size(), "three concurrent invokes scale out to three environments");
        }
        server.close();
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);
        }
        assertTrue(server.output().contains("thaw: stopped"), server.output());
    }

    @Test
    void noEnvironmentOutlivesAKillMinusNineOfThePlatformRestoredCopiesIncluded() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")));
        ThawServerProcess server = ThawServerProcess.start();
        List<Long> pids;
        try (LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("orphan").runtime(Runtime.JAVA17)
                    .handler("dev.thaw.examples.fixtures.Echo").role("r")
                    .snapStart(s -> s.applyOn(software.amazon.awssdk.services.lambda.model.SnapStartApplyOn
                            .PUBLISHED_VERSIONS))
                    .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
            lambda.publishVersion(b -> b.functionName("orphan"));
            lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("orphan").qualifier("1"));
            assertEquals(200, lambda.invoke(b -> b.functionName("orphan").qualifier("1")).statusCode());
            assertEquals(200, lambda.invoke(b -> b.functionName("orphan")).statusCode());
            pids = server.environmentPids("orphan");
            assertEquals(2, pids.size(), "one restored copy and one plain environment");
        }
        server.kill();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && pids.stream().anyMatch(ServerLifecycleIT::alive)) {
            Thread.sleep(100);
        }
        List<Long> survivors = pids.stream().filter(ServerLifecycleIT::alive).toList();
        survivors.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        // The killed platform's guard removes its environment cgroups (the two environments' and the spare restore
        // slot's); a restart on the same home would sweep any it left.
        ThawServerProcess restarted = ThawServerProcess.start(server.home());
        String restartLog = restarted.output();
        restarted.close();
        server.close();
        assertTrue(survivors.isEmpty(), "environments survived kill -9 of the platform: " + survivors);
        assertTrue(!restartLog.contains("environment cgroups left by an earlier run"), restartLog);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
