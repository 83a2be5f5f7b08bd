package dev.thaw.metrics;

import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.VersionListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platform's meters in one Prometheus registry, with the JVM's. Counters and histograms are updated as the
 * platform reports events; gauges call back into {@link PlatformReadings} when scraped, so nothing is tracked twice.
 */
public final class PrometheusMetrics implements PlatformMetrics, VersionListener {
    /** Distinct error types kept per function; later ones are counted as {@link #OTHER_ERROR_TYPE}. */
    public static final int MAX_ERROR_TYPES = 20;
    static final String OTHER_ERROR_TYPE = "Other";
    private static final int MAX_ERROR_TYPE_CHARS = 100;
    private static final double[] INVOKE_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
        5, 10, 30, 60, 300, 900};
    private static final double[] INIT_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60};
    private static final double[] RESTORE_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Map<String, Set<String>> errorTypes = new ConcurrentHashMap<>();
    private final RecentInvocations recent = new RecentInvocations(RecentInvocations.CAPACITY);

    private final Counter invocations;
    private final Counter errors;
    private final Counter provisionedInvocations;
    private final Counter throttles;
    private final Histogram duration;
    private final Counter coldStarts;
    private final Histogram initDuration;
    private final Histogram restoreDuration;
    private final Counter restores;
    private final Counter integrityFailures;
    private final Counter recreations;
    private final Counter eventsAccepted;
    private final Counter eventsDelivered;
    private final Counter eventRetries;
    private final Counter eventsFailed;
    /** Meters labelled by function first and version second. */
    private final List<StatefulMetric<?, ?>> byVersion;
    /** Meters labelled by function only. */
    private final List<StatefulMetric<?, ?>> byFunction;

    public PrometheusMetrics() {
        invocations = counter("thaw_invocations", "Invocations that reached the invoke pipeline's environment step",
                "function", "version");
        provisionedInvocations = counter("thaw_provisioned_invocations", "Invocations served by a provisioned "
                + "concurrency copy (Init Type provisioned-concurrency)", "function", "version");
        errors = counter("thaw_invocation_errors", "Invocations that ended in a function or runtime error",
                "function", "version", "error_type");
        throttles = counter("thaw_throttles", "Invocations refused for concurrency (429)",
                "function", "version", "reason");
        duration = histogram("thaw_invocation_duration_seconds", "Time from leasing an environment to the "
                + "invocation's end, cold start included", INVOKE_BUCKETS);
        coldStarts = counter("thaw_cold_starts", "Environments made for an invocation, by kind (init or restore)",
                "function", "version", "kind");
        initDuration = histogram("thaw_init_duration_seconds", "INIT of a cold start (Init Duration)", INIT_BUCKETS);
        restoreDuration = histogram("thaw_restore_duration_seconds", "Snapshot restore of a cold start "
                + "(Restore Duration)", RESTORE_BUCKETS);
        restores = counter("thaw_snapshot_restores", "Snapshot restores tried, by result (success or failure)",
                "function", "version", "result");
        integrityFailures = counter("thaw_snapshot_integrity_failures", "Snapshots that failed their integrity "
                + "check and were not restored", "function", "version");
        recreations = counter("thaw_snapshot_recreations", "Snapshots taken again because they could not be used",
                "function", "version");
        eventsAccepted = counter("thaw_events_accepted", "Event invocations stored", "function");
        eventsDelivered = counter("thaw_events_delivered", "Event invocations delivered successfully", "function");
        eventRetries = counter("thaw_event_retries", "Event invocation attempts that failed and were scheduled again",
                "function");
        eventsFailed = counter("thaw_events_failed", "Event invocations that failed for good", "function");
        byVersion = List.of(invocations, provisionedInvocations, errors, throttles, duration, coldStarts, initDuration, restoreDuration,
                restores, integrityFailures, recreations);
        byFunction = List.of(eventsAccepted, eventsDelivered, eventRetries, eventsFailed);
        JvmMetrics.builder().register(registry);
    }

    /**
     * Registers the gauges that read the platform's state when scraped; called once, when the parts they read
     * exist (the meters above are needed to build those parts).
     */
    public void watch(PlatformReadings readings) {
        GaugeWithCallback.builder().name("thaw_environments").help("Live environments by state")
                .labelNames("function", "version", "state")
                .callback(cb -> environmentsByState(readings, cb)).register(registry);
        GaugeWithCallback.builder().name("thaw_environment_memory_bytes").unit(Unit.BYTES)
                .help("Memory in use by live environments (their cgroups' current use)")
                .labelNames("function", "version")
                .callback(cb -> environmentMemory(readings, cb)).register(registry);
        GaugeWithCallback.builder().name("thaw_concurrent_executions").help("Invocations running now, by function")
                .labelNames("function")
                .callback(cb -> readings.concurrentExecutions().forEach((function, running) -> {
                    if (running > 0) {
                        cb.call(running, function);
                    }
                })).register(registry);
        GaugeWithCallback.builder().name("thaw_account_concurrent_executions")
                .help("Invocations running now, all functions")
                .callback(cb -> cb.call(readings.concurrentExecutions().values().stream()
                        .mapToInt(Integer::intValue).sum())).register(registry);
        GaugeWithCallback.builder().name("thaw_snapshot_bytes").unit(Unit.BYTES)
                .help("Size of each snapshot's images on disk").labelNames("function", "version")
                .callback(cb -> readings.snapshots().forEach(s -> cb.call(s.bytes(), s.function(), s.version())))
                .register(registry);
        GaugeWithCallback.builder().name("thaw_warm_memory_bytes").unit(Unit.BYTES)
                .help("Memory held for snapshot restores, touched so that the host backs it")
                .callback(cb -> cb.call(readings.warmMemory().heldBytes())).register(registry);
        GaugeWithCallback.builder().name("thaw_warm_memory_target_bytes").unit(Unit.BYTES)
                .help("What the memory held for restores fills to: its base, or more for a while after a burst")
                .callback(cb -> cb.call(readings.warmMemory().targetBytes())).register(registry);
        GaugeWithCallback.builder().name("thaw_restore_slots_ready")
                .help("Restore slots made ahead for a snapshot: CRIU started and paused in a copy's namespaces")
                .labelNames("function", "version")
                .callback(cb -> readings.restoreSlots().forEach(s -> cb.call(s.ready(), s.function(), s.version())))
                .register(registry);
        GaugeWithCallback.builder().name("thaw_restore_slots_wanted")
                .help("Restore slots a snapshot keeps made ahead: one, or as many as a recent burst overlapped")
                .labelNames("function", "version")
                .callback(cb -> readings.restoreSlots().forEach(s -> cb.call(s.wanted(), s.function(), s.version())))
                .register(registry);
        GaugeWithCallback.builder().name("thaw_event_queue_depth")
                .help("Event invocations waiting for delivery or being delivered")
                .callback(cb -> cb.call(readings.eventBacklog().depth())).register(registry);
        GaugeWithCallback.builder().name("thaw_event_queue_oldest_age_seconds").unit(Unit.SECONDS)
                .help("Age of the oldest event waiting for delivery (0 when none)")
                .callback(cb -> {
                    long oldest = readings.eventBacklog().oldestAcceptedAtMillis();
                    cb.call(oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0);
                }).register(registry);
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).unit(Unit.SECONDS).labelNames("function", "version")
                .classicOnly().classicUpperBounds(buckets).withoutExemplars().register(registry);
    }

    private static void environmentsByState(PlatformReadings readings, GaugeWithCallback.Callback cb) {
        Map<List<String>, EnumMap<PlatformReadings.EnvironmentPhase, Integer>> counts = new HashMap<>();
        for (PlatformReadings.EnvironmentReading e : readings.environments()) {
            counts.computeIfAbsent(List.of(e.function(), e.version()),
                    k -> new EnumMap<>(PlatformReadings.EnvironmentPhase.class)).merge(e.phase(), 1, Integer::sum);
        }
        // Every state of a version with environments, zeros included, so that a state emptying reads 0, not a gap.
        counts.forEach((key, byPhase) -> {
            for (PlatformReadings.EnvironmentPhase phase : PlatformReadings.EnvironmentPhase.values()) {
                cb.call(byPhase.getOrDefault(phase, 0), key.get(0), key.get(1), phase.label());
            }
        });
    }

    private static void environmentMemory(PlatformReadings readings, GaugeWithCallback.Callback cb) {
        Map<List<String>, Long> bytes = new HashMap<>();
        for (PlatformReadings.EnvironmentReading e : readings.environments()) {
            if (e.memoryBytes() >= 0) {
                bytes.merge(List.of(e.function(), e.version()), e.memoryBytes(), Long::sum);
            }
        }
        bytes.forEach((key, total) -> cb.call(total, key.get(0), key.get(1)));
    }

    @Override
    public void invocationSucceeded(String function, String version, Start start, double seconds) {
        invocations.labelValues(function, version).inc();
        countProvisioned(function, version, start);
        duration.labelValues(function, version).observe(seconds);
        recent.add(function, version, start, seconds, "");
    }

    @Override
    public void invocationFailed(String function, String version, Start start, String errorType, double seconds) {
        String type = boundedErrorType(function, errorType);
        invocations.labelValues(function, version).inc();
        countProvisioned(function, version, start);
        errors.labelValues(function, version, type).inc();
        duration.labelValues(function, version).observe(seconds);
        recent.add(function, version, start, seconds, type);
    }

    private void countProvisioned(String function, String version, Start start) {
        if (start == Start.PROVISIONED) {
            provisionedInvocations.labelValues(function, version).inc();
        }
    }

    /** The last invocations, newest last, for the dashboard. */
    public RecentInvocations recent() {
        return recent;
    }

    /** Successful snapshot restores so far, by function and version ("function\u0000version"). */
    public Map<String, Double> restoreCounts() {
        Map<String, Double> out = new HashMap<>();
        for (var p : ((io.prometheus.metrics.model.snapshots.CounterSnapshot) restores.collect()).getDataPoints()) {
            if ("success".equals(p.getLabels().get("result"))) {
                out.put(p.getLabels().get("function") + "\u0000" + p.getLabels().get("version"), p.getValue());
            }
        }
        return out;
    }

    /** Error types come from function code, so each function keeps at most {@link #MAX_ERROR_TYPES} of them. */
    private String boundedErrorType(String function, String errorType) {
        String type = errorType == null || errorType.isEmpty() ? "Unknown"
                : errorType.length() > MAX_ERROR_TYPE_CHARS ? errorType.substring(0, MAX_ERROR_TYPE_CHARS) : errorType;
        Set<String> seen = errorTypes.computeIfAbsent(function, f -> ConcurrentHashMap.newKeySet());
        if (seen.contains(type)) {
            return type;
        }
        synchronized (seen) {
            if (seen.size() < MAX_ERROR_TYPES) {
                seen.add(type);
                return type;
            }
        }
        return OTHER_ERROR_TYPE;
    }

    @Override
    public void throttled(String function, String version, String reason) {
        throttles.labelValues(function, version, reason).inc();
    }

    @Override
    public void coldStarted(String function, String version, ColdStartKind kind, double seconds) {
        coldStarts.labelValues(function, version, kind.label()).inc();
        (kind == ColdStartKind.RESTORE ? restoreDuration : initDuration).labelValues(function, version)
                .observe(seconds);
    }

    @Override
    public void snapshotRestore(String function, String version, boolean succeeded) {
        restores.labelValues(function, version, succeeded ? "success" : "failure").inc();
    }

    @Override
    public void snapshotIntegrityFailed(String function, String version) {
        integrityFailures.labelValues(function, version).inc();
    }

    @Override
    public void snapshotRecreated(String function, String version) {
        recreations.labelValues(function, version).inc();
    }

    @Override
    public void eventAccepted(String function) {
        eventsAccepted.labelValues(function).inc();
    }

    @Override
    public void eventDelivered(String function) {
        eventsDelivered.labelValues(function).inc();
    }

    @Override
    public void eventRetried(String function) {
        eventRetries.labelValues(function).inc();
    }

    @Override
    public void eventFailed(String function) {
        eventsFailed.labelValues(function).inc();
    }

    /** A published version is retired only when it is deleted: its series go with it. */
    @Override
    public void versionRetired(FunctionVersion version) {
        if (!version.isLatest()) {
            String function = version.functionName();
            String v = version.version();
            byVersion.forEach(m -> m.removeIf(labels -> labels.get(0).equals(function) && labels.get(1).equals(v)));
        }
    }

    /** A deleted function's series are removed, so deleted functions do not grow the exposition for ever. */
    @Override
    public void functionDeleted(String functionName) {
        byVersion.forEach(m -> m.removeIf(labels -> labels.get(0).equals(functionName)));
        byFunction.forEach(m -> m.removeIf(labels -> labels.get(0).equals(functionName)));
        errorTypes.remove(functionName);
        recent.forget(functionName);
    }

    /** One scrape's body and its content type. */
    public record Exposition(String contentType, byte[] body) {
    }

    /** Scrapes every meter and writes them in the format the {@code Accept} header asks for (text by default). */
    public Exposition scrape(String acceptHeader) {
        ExpositionFormatWriter writer = formats.findWriter(acceptHeader == null ? "" : acceptHeader);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Exposition(writer.getContentType(), out.toByteArray());
    }
}
