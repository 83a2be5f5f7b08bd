package dev.thaw.environments;

import dev.thaw.priming.PrimingSummary;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The platform's log lines keep Lambda's formats, which log readers and the tests parse. */
class PlatformRecordsTest {
    @Test
    void reportHasLambdaFieldsWithTheBilledDurationRoundedUp() {
        assertEquals("REPORT RequestId: r1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\t"
                        + "Max Memory Used: 40 MB\tRestore Duration: 50.10 ms\tBilled Restore Duration: 51 ms\t",
                PlatformRecords.report("r1", 12.34, 512, 40, PlatformRecords.restoreDuration(50.1), ""));
    }

    @Test
    void initLinesNameTheRuntimeTheTypeAndTheStatus() {
        assertEquals("INIT_START Runtime Version: java17 Initialization Type: snap-start",
                PlatformRecords.initStart("java17", new LaunchMode.InitForCheckpoint(1).initializationType()));
        assertEquals("INIT_REPORT Init Duration: 5.00 ms\tPhase: init\tStatus: timeout",
                PlatformRecords.initReport(5, "timeout"));
    }

    @Test
    void snapshotReportSaysWhatWasPrimedOrThatClassPrimingWasOff() {
        assertEquals("SNAPSHOT_REPORT Image Size: 2.0 MB\tRSS At Checkpoint: 1.0 MB\tDump Duration: 70.00 ms\t"
                        + "Primed Classes: 412\tUnloadable Classes: 3",
                PlatformRecords.snapshotReport(2 << 20, 1 << 20, 70, new PrimingSummary(true, 412, 3, 0, 0)));
        assertEquals("SNAPSHOT_REPORT Image Size: 2.0 MB\tRSS At Checkpoint: 1.0 MB\tDump Duration: 70.00 ms\t"
                        + "Primed Classes: off\tPriming Events: 2\tFailed Priming Events: 1",
                PlatformRecords.snapshotReport(2 << 20, 1 << 20, 70, new PrimingSummary(false, 0, 0, 2, 1)));
    }

    @Test
    void jsonRecordsHaveTheTelemetryShapesOfPlatformStartRuntimeDoneAndReport() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.time.Instant t = java.time.Instant.parse("2026-12-06T10:00:00.123456Z");
        assertEquals("{\"time\":\"2026-12-06T10:00:00.123Z\",\"type\":\"platform.start\",\"record\":"
                + "{\"requestId\":\"r1\",\"version\":\"$LATEST\"}}", PlatformRecords.platformStart(t, "r1", "$LATEST"));

        var done = json.readTree(PlatformRecords.platformRuntimeDone(t, "r1",
                new PlatformRecords.Outcome("error", "Runtime.ExitError"), 12.3456, 42));
        assertEquals("platform.runtimeDone", done.get("type").asText());
        assertEquals("error", done.at("/record/status").asText());
        assertEquals("Runtime.ExitError", done.at("/record/errorType").asText());
        assertEquals(12.346, done.at("/record/metrics/durationMs").asDouble());
        assertEquals(42, done.at("/record/metrics/producedBytes").asLong());

        var cold = json.readTree(PlatformRecords.platformReport(t, "r1", PlatformRecords.Outcome.SUCCESS, 12.34, 512,
                40, 0, 50.1));
        assertEquals("{\"durationMs\":12.34,\"billedDurationMs\":13,\"memorySizeMB\":512,\"maxMemoryUsedMB\":40,"
                + "\"restoreDurationMs\":50.1,\"billedRestoreDurationMs\":51}", cold.at("/record/metrics").toString());
        assertEquals("success", cold.at("/record/status").asText());
        assertEquals(false, cold.at("/record").has("errorType"));
        var init = json.readTree(PlatformRecords.platformReport(t, "r1", PlatformRecords.Outcome.SUCCESS, 1, 128, 10,
                300.5, 0));
        assertEquals(300.5, init.at("/record/metrics/initDurationMs").asDouble());
    }
}
