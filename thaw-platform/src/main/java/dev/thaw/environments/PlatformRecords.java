package dev.thaw.environments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.priming.PrimingSummary;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The lines the platform writes into an environment's log, in Lambda's formats (INIT_START, INIT_REPORT, START,
 * END, REPORT) and Thaw's own (RESTORE_REPORT, SNAPSHOT_REPORT, SNAPSTART_WARNING). Log readers and tests parse
 * them, so every one is formatted here and nowhere else. Under {@code LogFormat: JSON} START, END and REPORT are
 * written instead as Lambda's JSON system-log records {@code platform.start}, {@code platform.runtimeDone} and
 * {@code platform.report}: one object per line, {@code {"time", "type", "record"}}, the record shaped as the
 * Telemetry API's.
 */
public final class PlatformRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private PlatformRecords() {
    }

    /** How an invocation ended, for the JSON records: success, error (with its type) or timeout. */
    record Outcome(String status, String errorType) {
        static final Outcome SUCCESS = new Outcome("success", null);
    }

    static String platformStart(Instant time, String requestId, String version) {
        ObjectNode o = envelope(time, "platform.start");
        o.putObject("record").put("requestId", requestId).put("version", version);
        return line(o);
    }

    static String platformRuntimeDone(Instant time, String requestId, Outcome outcome, double durationMillis,
                                      long producedBytes) {
        ObjectNode o = envelope(time, "platform.runtimeDone");
        ObjectNode r = o.putObject("record");
        r.put("requestId", requestId);
        r.put("status", outcome.status());
        if (outcome.errorType() != null) {
            r.put("errorType", outcome.errorType());
        }
        r.putObject("metrics").put("durationMs", millis(durationMillis)).put("producedBytes", producedBytes);
        return line(o);
    }

    /**
     * {@code initMillis} and {@code restoreMillis} are the first invocation's INIT or restore (0 when there was
     * none, as after the first invocation).
     */
    static String platformReport(Instant time, String requestId, Outcome outcome, double durationMillis,
                                 int memorySizeMb, long maxMemoryUsedMb, double initMillis, double restoreMillis) {
        ObjectNode o = envelope(time, "platform.report");
        ObjectNode r = o.putObject("record");
        r.put("requestId", requestId);
        ObjectNode m = r.putObject("metrics");
        m.put("durationMs", millis(durationMillis));
        m.put("billedDurationMs", (long) Math.ceil(durationMillis));
        m.put("memorySizeMB", memorySizeMb);
        m.put("maxMemoryUsedMB", maxMemoryUsedMb);
        if (initMillis > 0) {
            m.put("initDurationMs", millis(initMillis));
        }
        if (restoreMillis > 0) {
            m.put("restoreDurationMs", millis(restoreMillis));
            m.put("billedRestoreDurationMs", (long) Math.ceil(restoreMillis));
        }
        r.put("status", outcome.status());
        if (outcome.errorType() != null) {
            r.put("errorType", outcome.errorType());
        }
        return line(o);
    }

    private static ObjectNode envelope(Instant time, String type) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", TIME.format(time));
        o.put("type", type);
        return o;
    }

    private static double millis(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static String line(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
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

    /**
     * Thaw's field in the REPORT of an invoke served by a provisioned concurrency copy (Lambda's own REPORT has no
     * such field; its INIT_START has the type): which invokes the copies served, and which spilled over on-demand.
     */
    static String provisionedInitType() {
        return "Init Type: " + LaunchMode.PROVISIONED_CONCURRENCY + "\t";
    }

    /**
     * The phases of a restore. {@code slotMillis}: CRIU's start, namespaces and mounts, done before the restore
     * ({@code ahead}, by a spare slot) or on its path.
     */
    public static String restoreReport(double criuMillis, double hooksMillis, double slotMillis, boolean ahead) {
        return String.format(Locale.ROOT, "RESTORE_REPORT CRIU restore: %.2f ms\tafterRestore and first poll: %.2f ms"
                + "\tSlot and namespaces: %.2f ms (%s)", criuMillis, hooksMillis, slotMillis,
                ahead ? "prepared ahead" : "on the restore's path");
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
