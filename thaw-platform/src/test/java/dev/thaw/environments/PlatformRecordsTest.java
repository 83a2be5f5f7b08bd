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
}
