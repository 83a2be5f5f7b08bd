package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What a soak measured: the platform's samples over time, its footprint at the baseline (after the warm-up and a
 * quiet period) and at the end (after the load and a quiet period), the largest figures since the baseline, the
 * delivery of the Event invokes, and what the load did. Renders itself as Markdown and JSON.
 *
 * @param loadSeconds  length of the measured load, after the warm-up
 * @param peak         each field the largest of the samples from the baseline to the end
 * @param threadGrowth threads per name (as {@code /proc} shows it) that were more at the end than at the baseline,
 *                     with how many more
 */
public record SoakReport(double loadSeconds, List<SoakSample> samples, SoakSample baseline, SoakSample end,
                         SoakSample peak, Events events, Load load, Map<String, Integer> threadGrowth) {

    /**
     * The Event invokes of the whole soak: how many the platform accepted (202) or not, and of the accepted ones how
     * many its log shows delivered at least once, more than once, or not at all.
     */
    public record Events(long accepted, long refused, long delivered, long duplicated, long missing) {
        /** Every accepted event was delivered, none twice. */
        public boolean exactlyOnce() {
            return delivered == accepted && duplicated == 0 && missing == 0;
        }
    }

    /**
     * What the load did: synchronous invokes of the healthy function (and how many failed), invokes of the failing
     * function answered with its function error (and how many were answered otherwise), evictions and the idle
     * environments they stopped, and the first error of any request.
     */
    public record Load(long synchronous, long synchronousFailed, long failedAsExpected, long failingOtherwise,
                       long evictions, long environmentsEvicted, String firstError) {
    }

    ObjectNode json() {
        return ApiClient.JSON.valueToTree(this);
    }

    /** The samples as a table, baseline against end, the events and the load, for a terminal or a file. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Soak: %.1f minutes of mixed load (%d callers of synchronous invokes, "
                        + "%d Event invokes/s, a failing function every %d ms, evictions every %d s), then a quiet "
                        + "period; figures of the platform process.%n%n", loadSeconds / 60, SoakLoad.CALLERS,
                SoakLoad.EVENTS_PER_SECOND, SoakLoad.FAILING_EVERY.toMillis(), SoakLoad.EVICT_EVERY.toSeconds()));
        md.append("| elapsed s | phase | threads | fds | RSS MB | environments | processes |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|\n");
        for (SoakSample s : samples) {
            md.append(String.format(Locale.ROOT, "| %.0f | %s | %d | %d | %.0f | %d | %d |%n", s.elapsedSeconds(),
                    s.phase(), s.threads(), s.fds(), s.rssMb(), s.environments(), s.processes()));
        }
        md.append("\nBaseline (after the warm-up and a quiet period) against the end (after the load and a quiet "
                + "period):\n\n| measure | baseline | end | end - baseline | peak since baseline |\n"
                + "|---|---:|---:|---:|---:|\n");
        row(md, "threads", SoakSample::threads);
        row(md, "open file descriptors", SoakSample::fds);
        row(md, "RSS MB", SoakSample::rssMb);
        row(md, "environments (API)", SoakSample::environments);
        row(md, "descendant processes", SoakSample::processes);
        if (!threadGrowth.isEmpty()) {
            md.append("\nThreads that grew in number (name as /proc shows it: how many more):");
            threadGrowth.forEach((name, more) -> md.append(' ').append(name).append(": +").append(more).append(';'));
            md.setLength(md.length() - 1);
            md.append('\n');
        }
        md.append(String.format(Locale.ROOT, "%nEvents (Event invokes, each with a unique id): %d accepted, %d refused; "
                        + "%d delivered, %d of them more than once, %d missing: %s.%n", events.accepted(),
                events.refused(), events.delivered(), events.duplicated(), events.missing(),
                events.exactlyOnce() ? "every accepted event delivered exactly once" : "NOT exactly once"));
        md.append(String.format(Locale.ROOT, "%nLoad: %d synchronous invokes (%d failed); %d invokes of the failing "
                        + "function answered with its error (%d otherwise); %d evictions stopped %d idle "
                        + "environments.%n", load.synchronous(), load.synchronousFailed(), load.failedAsExpected(),
                load.failingOtherwise(), load.evictions(), load.environmentsEvicted()));
        if (load.firstError() != null) {
            md.append("First error: ").append(load.firstError()).append('\n');
        }
        return md.toString();
    }

    private void row(StringBuilder md, String measure, ToDoubleFunction<SoakSample> field) {
        double b = field.applyAsDouble(baseline);
        double e = field.applyAsDouble(end);
        md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %+.0f | %.0f |%n", measure, b, e, e - b,
                field.applyAsDouble(peak)));
    }
}
