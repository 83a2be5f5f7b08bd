package dev.thaw.environments;

import dev.thaw.priming.PrimingSummary;

import java.util.Locale;

/**
 * The lines the platform writes into an environment's log, in Lambda's formats (INIT_START, INIT_REPORT, START,
 * END, REPORT) and Thaw's own (RESTORE_REPORT, SNAPSHOT_REPORT, SNAPSTART_WARNING). Log readers and tests parse
 * them, so every one is formatted here and nowhere else.
 */
public final class PlatformRecords {
    private PlatformRecords() {
    }

    static String initStart(String runtime, String initializationType) {
        return "INIT_START Runtime Version: " + runtime + " Initialization Type: " + initializationType;
    }

    /** INIT's end; {@code status} is success, error or timeout. */
    public static String initReport(double initMillis, String status) {
        return String.format(Locale.ROOT, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s", initMillis,
                status);
    }

    static String start(String requestId, String version) {
        return "START RequestId: " + requestId + " Version: " + version;
    }

    static String end(String requestId) {
        return "END RequestId: " + requestId;
    }

    /**
     * REPORT; {@code coldStart} is the first invocation's Init or Restore Duration (empty after it), {@code status}
     * the timeout or error fields (empty on success).
     */
    static String report(String requestId, double durationMillis, int memorySizeMb, long maxMemoryUsedMb,
                         String coldStart, String status) {
        return String.format(Locale.ROOT, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\t"
                        + "Memory Size: %d MB\tMax Memory Used: %d MB\t%s%s", requestId, durationMillis,
                (long) Math.ceil(durationMillis), memorySizeMb, maxMemoryUsedMb, coldStart, status);
    }

    static String initDuration(double initMillis) {
        return String.format(Locale.ROOT, "Init Duration: %.2f ms\t", initMillis);
    }

    static String restoreDuration(double restoreMillis) {
        return String.format(Locale.ROOT, "Restore Duration: %.2f ms\tBilled Restore Duration: %d ms\t",
                restoreMillis, (long) Math.ceil(restoreMillis));
    }

    public static String restoreReport(double criuMillis, double hooksMillis) {
        return String.format(Locale.ROOT, "RESTORE_REPORT CRIU restore: %.2f ms\tafterRestore and first poll: %.2f ms",
                criuMillis, hooksMillis);
    }

    public static String restoreFailed(String status) {
        return "RESTORE_REPORT Status: " + status;
    }

    /**
     * The snapshot's size and dump time, and what was primed before it: {@code Primed Classes} is off when the
     * function turned class priming off; the sample events appear when the package has any.
     */
    public static String snapshotReport(long imageBytes, long rssBytes, double dumpMillis, PrimingSummary priming) {
        String classes = priming.classPriming()
                ? "Primed Classes: " + priming.primedClasses() + "\tUnloadable Classes: " + priming.unloadableClasses()
                : "Primed Classes: off";
        String events = priming.primingEvents() == 0 ? ""
                : "\tPriming Events: " + priming.primingEvents() + "\tFailed Priming Events: "
                + priming.failedPrimingEvents();
        return String.format(Locale.ROOT, "SNAPSHOT_REPORT Image Size: %.1f MB\tRSS At Checkpoint: %.1f MB\t"
                + "Dump Duration: %.2f ms\t%s%s", imageBytes / 1048576.0, rssBytes / 1048576.0, dumpMillis, classes,
                events);
    }

    public static String snapStartWarning(String warning) {
        return "SNAPSTART_WARNING " + warning;
    }
}
