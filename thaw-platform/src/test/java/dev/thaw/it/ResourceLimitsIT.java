package dev.thaw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.Runtime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** MemorySize is enforced by the environment's memory cgroup, and Max Memory Used comes from that cgroup. */
class ResourceLimitsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void goingOverMemorySizeEndsTheInvocationWithOutOfMemoryAndTheNextInvokeWorks() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")) || Files.exists(Path.of(
                "/sys/fs/cgroup/cgroup.controllers")), "needs a memory cgroup");
        try (ThawServerProcess server = ThawServerProcess.start(); LambdaClient lambda = server.lambda()) {
            lambda.createFunction(b -> b.functionName("hog").runtime(Runtime.JAVA17)
                    .handler("dev.thaw.examples.fixtures.MemoryHog").role("r").memorySize(256).timeout(30)
                    .code(c -> c.zipFile(ThawServerProcess.example("test-functions"))));

            InvokeResponse small = lambda.invoke(b -> b.functionName("hog").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"heapMb\":40}")));
            assertNull(small.functionError(), small.payload().asUtf8String());
            String log = new String(Base64.getDecoder().decode(small.logResult()), StandardCharsets.UTF_8);
            Matcher used = Pattern.compile("Max Memory Used: (\\d+) MB").matcher(log);
            assertTrue(used.find(), log);
            int mb = Integer.parseInt(used.group(1));
            assertTrue(mb >= 40 && mb <= 256, "Max Memory Used from the cgroup: " + mb + " MB");

            // The same environment holds 60 MB more: the peak is read anew for every REPORT.
            InvokeResponse more = lambda.invoke(b -> b.functionName("hog").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"heapMb\":60}")));
            assertNull(more.functionError(), more.payload().asUtf8String());
            String moreLog = new String(Base64.getDecoder().decode(more.logResult()), StandardCharsets.UTF_8);
            assertFalse(moreLog.contains("Init Duration"), "a warm invoke of the same environment: " + moreLog);
            Matcher usedAfter = Pattern.compile("Max Memory Used: (\\d+) MB").matcher(moreLog);
            assertTrue(usedAfter.find(), moreLog);
            int mbAfter = Integer.parseInt(usedAfter.group(1));
            assertTrue(mbAfter >= 100 && mbAfter > mb, "the peak grew from " + mb + " to " + mbAfter + " MB");

            // Off-heap memory past MemorySize: the memory cgroup kills the environment.
            InvokeResponse big = lambda.invoke(b -> b.functionName("hog")
                    .payload(SdkBytes.fromUtf8String("{\"directMb\":230}")));
            assertEquals("Unhandled", big.functionError());
            JsonNode err = JSON.readTree(big.payload().asByteArray());
            assertEquals("Runtime.OutOfMemory", err.path("errorType").asText(), err.toString());

            // Heap past -Xmx: the JVM's OutOfMemoryError, surfaced as Runtime.OutOfMemory too.
            InvokeResponse heap = lambda.invoke(b -> b.functionName("hog")
                    .payload(SdkBytes.fromUtf8String("{\"heapMb\":400}")));
            assertEquals("Unhandled", heap.functionError());
            String heapError = heap.payload().asUtf8String();
            assertTrue(heapError.contains("Runtime.OutOfMemory") || heapError.contains("java.lang.OutOfMemoryError"),
                    heapError);

            InvokeResponse after = lambda.invoke(b -> b.functionName("hog")
                    .payload(SdkBytes.fromUtf8String("{\"heapMb\":1}")));
            assertNull(after.functionError(), "a fresh environment replaces the killed one");
        }
    }
}
