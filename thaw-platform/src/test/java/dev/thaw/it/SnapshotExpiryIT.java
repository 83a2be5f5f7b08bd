package dev.thaw.it;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;
import software.amazon.awssdk.services.lambda.model.SnapStartNotReadyException;
import software.amazon.awssdk.services.lambda.model.State;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** An unused snapshot expires: the version goes Inactive, invokes get SnapStartNotReadyException, and it comes back. */
class SnapshotExpiryIT {
    @Test
    void anUnusedSnapshotIsDeletedAndRecreatedOnTheNextInvoke() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "SnapStart needs root for CRIU");
        try (ThawServerProcess server = ThawServerProcess.start("--snapshot-expiry", "3s");
             LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("expiring").runtime("java17")
                    .handler("dev.thaw.examples.fixtures.Echo").role("r")
                    .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS))
                    .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));
            lambda.publishVersion(b -> b.functionName("expiring"));
            // Not the SDK waiter: it polls every 5 s, longer than this test's snapshot lives.
            assertEquals(State.ACTIVE, awaitState(lambda, State.ACTIVE));

            State state = awaitState(lambda, State.INACTIVE);
            assertEquals(State.INACTIVE, state);
            assertTrue(!server.home().resolve("snapshots/expiring/1/manifest.json").toFile().exists(),
                    "the expired snapshot is deleted");
            assertThrows(SnapStartNotReadyException.class, () -> lambda.invoke(b -> b.functionName("expiring")
                    .qualifier("1")));

            assertEquals(State.ACTIVE, awaitState(lambda, State.ACTIVE), "the first invoke re-created it");
            var r = lambda.invoke(b -> b.functionName("expiring").qualifier("1").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{}")));
            String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
            assertTrue(log.contains("Restore Duration"), log);
        }
    }

    private static State awaitState(LambdaClient lambda, State wanted) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        State s = null;
        while (System.currentTimeMillis() < deadline) {
            s = lambda.getFunctionConfiguration(b -> b.functionName("expiring").qualifier("1")).state();
            if (s == wanted) {
                return s;
            }
            Thread.sleep(200);
        }
        return s;
    }
}
