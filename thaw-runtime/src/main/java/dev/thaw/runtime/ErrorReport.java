package dev.thaw.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The error body of {@code /invocation/{id}/error}, {@code /init/error} and {@code /restore/error}, shaped
 * like AWS's Java runtime: {@code {"errorMessage", "errorType", "stackTrace": ["pkg.Class.method(File.java:1)"],
 * "cause": {...}}}. Stack entries are {@link StackTraceElement#toString()} without "at ", as AWS sends them.
 */
record ErrorReport(String errorMessage, String errorType, List<String> stackTrace, ErrorReport cause) {

    private static final int MAX_CAUSE_DEPTH = 16;
    private static final String RUNTIME_PACKAGE = "dev.thaw.runtime.";
    private static final String SHADED_PACKAGE = "dev.thaw.runtime.shaded.";

    static ErrorReport of(Throwable t) {
        return of(t, null);
    }

    /** @param message replaces the throwable's own message at the top level, when not null */
    static ErrorReport of(Throwable t, String message) {
        return build(t, message, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
    }

    private static ErrorReport build(Throwable t, String messageOverride, Set<Throwable> seen, int depth) {
        seen.add(t);
        Throwable[] suppressed = t.getSuppressed();
        // Hook failures arrive as suppressed exceptions of one aggregate with no cause; show the first as cause.
        Throwable next = t.getCause() != null ? t.getCause() : suppressed.length > 0 ? suppressed[0] : null;
        ErrorReport cause = next == null || seen.contains(next) || depth >= MAX_CAUSE_DEPTH
                ? null : build(next, null, seen, depth + 1);
        String message = messageOverride != null ? messageOverride : messageOf(t, suppressed);
        return new ErrorReport(message, t.getClass().getName(), userFrames(t.getStackTrace()), cause);
    }

    private static String messageOf(Throwable t, Throwable[] suppressed) {
        String own = t.getLocalizedMessage();
        if (suppressed.length == 0) {
            return own != null ? own : t.getClass().getName();
        }
        StringBuilder summary = new StringBuilder(suppressed.length + " suppressed: ");
        for (int i = 0; i < suppressed.length; i++) {
            summary.append(i == 0 ? "" : "; ").append(suppressed[i]);
        }
        return own != null ? own + " (" + summary + ")" : summary.toString();
    }

    /** Drops the runtime's own frames at the bottom of the stack, and the reflection frames that lead to them. */
    static List<String> userFrames(StackTraceElement[] trace) {
        int end = trace.length;
        for (int i = 0; i < trace.length; i++) {
            String cls = trace[i].getClassName();
            if (cls.startsWith(RUNTIME_PACKAGE) && !cls.startsWith(SHADED_PACKAGE)) {
                end = i;
                break;
            }
        }
        while (end > 0 && end < trace.length && isReflection(trace[end - 1].getClassName())) {
            end--;
        }
        List<String> frames = new ArrayList<>(end);
        for (int i = 0; i < end; i++) {
            frames.add(trace[i].toString());
        }
        return frames;
    }

    private static boolean isReflection(String className) {
        return className.startsWith("jdk.internal.reflect.")
                || className.startsWith("java.lang.reflect.")
                || className.startsWith("java.lang.invoke.");
    }
}
