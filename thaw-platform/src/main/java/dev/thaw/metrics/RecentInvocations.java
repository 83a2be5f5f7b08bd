package dev.thaw.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last {@link #CAPACITY} invocations in a ring, for the dashboard: each with how its environment came to be,
 * and per-interval latency percentiles and cold-start counts computed from them.
 */
public final class RecentInvocations {
    public static final int CAPACITY = 2000;

    /** One finished invocation; {@code errorType} is empty on success. */
    public record Record(long endedAtMillis, String function, String version, PlatformMetrics.Start start,
                         double durationMillis, String errorType) {
    }

    /** One interval: invocations, p50 and p99 latency (0 without invocations), cold starts by kind, errors. */
    public record Interval(long startMillis, int invocations, double p50Millis, double p99Millis, int inits,
                           int restores, int errors) {
    }

    private final Record[] ring;
    private int next;
    private int size;

    RecentInvocations(int capacity) {
        ring = new Record[capacity];
    }

    synchronized void add(String function, String version, PlatformMetrics.Start start, double seconds,
                          String errorType) {
        ring[next] = new Record(System.currentTimeMillis(), function, version, start, seconds * 1000, errorType);
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    synchronized void forget(String function) {
        List<Record> kept = new ArrayList<>();
        for (Record r : last(size)) {
            if (!r.function().equals(function)) {
                kept.add(r);
            }
        }
        Arrays.fill(ring, null);
        next = 0;
        size = 0;
        for (Record r : kept) {
            ring[next++] = r;
            size++;
        }
        next %= ring.length;
    }

    /** The newest {@code n} records, oldest first. */
    public synchronized List<Record> last(int n) {
        int count = Math.min(n, size);
        List<Record> out = new ArrayList<>(count);
        for (int i = count; i > 0; i--) {
            out.add(ring[Math.floorMod(next - i, ring.length)]);
        }
        return out;
    }

    /** {@code intervals} intervals of {@code intervalMillis} ending now, oldest first. */
    public List<Interval> intervals(long nowMillis, long intervalMillis, int intervals) {
        long first = nowMillis - intervalMillis * intervals;
        List<List<Record>> buckets = new ArrayList<>();
        for (int i = 0; i < intervals; i++) {
            buckets.add(new ArrayList<>());
        }
        for (Record r : last(size)) {
            int i = (int) Math.floorDiv(r.endedAtMillis() - first, intervalMillis);
            if (i >= 0 && i < intervals) {
                buckets.get(i).add(r);
            }
        }
        List<Interval> out = new ArrayList<>();
        for (int i = 0; i < intervals; i++) {
            List<Record> b = buckets.get(i);
            double[] d = b.stream().mapToDouble(Record::durationMillis).sorted().toArray();
            out.add(new Interval(first + i * intervalMillis, d.length, percentile(d, 0.50), percentile(d, 0.99),
                    (int) b.stream().filter(r -> r.start() == PlatformMetrics.Start.INIT).count(),
                    (int) b.stream().filter(r -> r.start() == PlatformMetrics.Start.RESTORE).count(),
                    (int) b.stream().filter(r -> !r.errorType().isEmpty()).count()));
        }
        return out;
    }

    /** Nearest-rank percentile of sorted values; 0 for none. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
