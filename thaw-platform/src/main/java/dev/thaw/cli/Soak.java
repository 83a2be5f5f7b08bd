package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A soak of a running platform, given its endpoint and the pid of its process: deploys three functions through the
 * Lambda API, runs {@link SoakLoad} for a warm-up and then for the measured time, and samples the platform process
 * throughout ({@link SoakSample}). The baseline is taken after the warm-up and a quiet period, so threads and pools
 * the platform creates lazily are in it; the end after the load, the delivery of every event and another quiet
 * period. The echoing function's log then shows whether every accepted event was delivered exactly once. Owns the
 * phases, the sampling and that delivery check; deletes its functions when done.
 */
public final class Soak {
    private static final Pattern DELIVERED = Pattern.compile("echo-log \\{soak=([^}]+)}");
    private static final String RUNTIME = "java17";
    private static final int MEMORY_MB = 256;
    private static final Duration DELIVERY_POLL = Duration.ofSeconds(2);

    /**
     * How long each phase lasts.
     *
     * @param warmUp        load before the baseline
     * @param load          the measured load
     * @param quiet         before the baseline and before the end: no load and, for this long, no environment
     * @param sampleEvery   between two samples
     * @param deliveryLimit how long to wait for the events of a phase to be delivered before going on
     * @param examples      the repository's {@code examples} directory, with hello and test-functions built
     */
    public record Plan(Duration warmUp, Duration load, Duration quiet, Duration sampleEvery, Duration deliveryLimit,
                       Path examples) {
        /**
         * A plan around {@code load}: 30 s of warm-up; quiet periods that last 75 s after the last environment has
         * gone, well past the 60 s the JDK keeps an idle thread of its own pools (the process reapers that waited
         * for the environments' processes, the common pool), so that neither the baseline nor the end counts
         * threads the JDK was about to drop anyway; a sample every 5 s, or about 100 over a long load; and up to 5
         * minutes for the events to arrive.
         */
        public static Plan of(Duration load, Path examples) {
            Duration every = Duration.ofSeconds(Math.max(5, load.toSeconds() / 100));
            return new Plan(Duration.ofSeconds(30), load, Duration.ofSeconds(75), every, Duration.ofMinutes(5),
                    examples);
        }
    }

    private final ApiClient api;
    private final URI endpoint;
    private final long pid;
    private final Plan plan;
    private final Consumer<String> progress;
    private final List<SoakSample> samples = Collections.synchronizedList(new ArrayList<>());
    private final long started = System.nanoTime();
    private volatile String phase = "warm-up";

    private Soak(URI endpoint, long pid, Plan plan, Consumer<String> progress) {
        this.api = new ApiClient(endpoint.toString());
        this.endpoint = endpoint;
        this.pid = pid;
        this.plan = plan;
        this.progress = progress;
    }

    /**
     * Soaks the platform at {@code endpoint}, whose process is {@code platformPid} on this host, and reports each
     * sample and phase to {@code progress} as it goes.
     */
    public static SoakReport run(URI endpoint, long platformPid, Plan plan, Consumer<String> progress)
            throws IOException, InterruptedException {
        return new Soak(endpoint, platformPid, plan, progress).run();
    }

    private SoakReport run() throws IOException, InterruptedException {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String healthy = "soak-" + id + "-hello";
        String echo = "soak-" + id + "-echo";
        String failing = "soak-" + id + "-thrower";
        List<String> created = new ArrayList<>();
        try {
            deploy(created, healthy, "hello", "dev.thaw.examples.hello.Hello");
            deploy(created, echo, "test-functions", "dev.thaw.examples.fixtures.Echo");
            deploy(created, failing, "test-functions", "dev.thaw.examples.fixtures.Thrower");
            SoakLoad load = new SoakLoad(api, endpoint, healthy, echo, failing, id);
            try (ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("soak-sampler").factory())) {
                sampler.scheduleAtFixedRate(this::sampleNow, 0, plan.sampleEvery().toMillis(),
                        TimeUnit.MILLISECONDS);
                step("warm-up", plan.warmUp().toSeconds() + " s of load before the baseline");
                load.run(plan.warmUp());
                awaitDelivery(echo, load.acceptedEvents());
                quiet();
                SoakSample baseline = sample("baseline");
                Map<String, Integer> threadsBefore = ProcStats.threadNames(pid);
                step("load", plan.load().toSeconds() + " s");
                load.run(plan.load());
                awaitDelivery(echo, load.acceptedEvents());
                quiet();
                SoakSample end = sample("end");
                Map<String, Integer> threadsAfter = ProcStats.threadNames(pid);
                sampler.shutdown();
                List<SoakSample> all = List.copyOf(samples);
                // Read again after the quiet period: a duplicate delivered late is counted too.
                SoakReport.Events events = deliveries(echo, load.acceptedEvents(), load.refusedEvents());
                return new SoakReport(plan.load().toMillis() / 1000.0, all, baseline, end,
                        peak(all.stream().filter(x -> x.elapsedSeconds() >= baseline.elapsedSeconds()).toList()),
                        events, load.counts(), growth(threadsBefore, threadsAfter));
            }
        } finally {
            for (String f : created) {
                try {
                    api.send("DELETE", "/2015-03-31/functions/" + f, null, Map.of());
                } catch (RuntimeException e) {
                    progress.accept("could not delete " + f + ": " + e.getMessage());
                }
            }
        }
    }

    private void deploy(List<String> created, String name, String module, String handler) throws IOException {
        LocalPlatform.createFunction(api, name, LocalPlatform.example(plan.examples(), module), handler, RUNTIME,
                MEMORY_MB, false, Map.of());
        created.add(name);
    }

    private void step(String name, String what) {
        phase = name;
        progress.accept(name + ": " + what);
    }

    private SoakSample sample(String label) {
        SoakSample s = SoakSample.take(pid, api, (System.nanoTime() - started) / 1e9, label);
        samples.add(s);
        progress.accept(String.format(Locale.ROOT, "%4.0f s %-8s %4d threads, %4d fds, %5.0f MB RSS, "
                        + "%2d environments, %2d processes", s.elapsedSeconds(), s.phase(), s.threads(), s.fds(),
                s.rssMb(), s.environments(), s.processes()));
        return s;
    }

    /** The periodic sample, in the current phase; a scheduled task that throws would not be run again. */
    private void sampleNow() {
        try {
            sample(phase);
        } catch (RuntimeException e) {
            progress.accept("sample failed: " + e.getMessage());
        }
    }

    /** Waits until every accepted event shows in the echoing function's log, at most {@link Plan#deliveryLimit}. */
    private void awaitDelivery(String echo, Set<String> accepted) throws InterruptedException {
        step("delivery", "waiting up to " + plan.deliveryLimit().toSeconds() + " s for every event");
        long deadline = System.nanoTime() + plan.deliveryLimit().toNanos();
        SoakReport.Events e;
        while ((e = deliveries(echo, accepted, 0)).missing() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(DELIVERY_POLL.toMillis());
        }
        progress.accept(e.delivered() + " of " + accepted.size() + " events delivered");
    }

    /**
     * No load, idle environments evicted at the load's cadence until none is left (busy ones finish first), then
     * {@link Plan#quiet} with none. Gives up waiting for the last environments after three times that: the end
     * sample then shows what stayed.
     */
    private void quiet() throws InterruptedException {
        step("quiet", "no load, evicting idle environments, then " + plan.quiet().toSeconds() + " s without any");
        long now = System.nanoTime();
        long giveUp = now + 3 * plan.quiet().toNanos();
        long settled = now + plan.quiet().toNanos();
        while (now < settled && now < giveUp) {
            if (api.evictIdle() > 0 || api.environmentCount() > 0) {
                settled = System.nanoTime() + plan.quiet().toNanos();
            }
            Thread.sleep(Math.min(SoakLoad.EVICT_EVERY.toMillis(),
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(settled - System.nanoTime()))));
            now = System.nanoTime();
        }
    }

    /** Counts each accepted event's id in the echoing function's log. */
    private SoakReport.Events deliveries(String echo, Set<String> accepted, long refused) {
        Map<String, Integer> seen = new HashMap<>();
        // The log group keeps every line of a soak: it holds 256 MB, hours of these events.
        JsonNode lines = api.json("GET", "/thaw/v1/logs/" + echo + "?Limit=" + Integer.MAX_VALUE, null)
                .path("Events");
        for (JsonNode line : lines) {
            Matcher m = DELIVERED.matcher(line.path("Message").asText());
            if (m.find()) {
                seen.merge(m.group(1), 1, Integer::sum);
            }
        }
        long delivered = accepted.stream().filter(seen::containsKey).count();
        long duplicated = accepted.stream().filter(id -> seen.getOrDefault(id, 0) > 1).count();
        return new SoakReport.Events(accepted.size(), refused, delivered, duplicated, accepted.size() - delivered);
    }

    /** Each field the largest over {@code samples}. */
    private static SoakSample peak(List<SoakSample> samples) {
        SoakSample last = samples.getLast();
        return new SoakSample(last.elapsedSeconds(), "peak",
                samples.stream().mapToLong(SoakSample::threads).max().orElse(0),
                samples.stream().mapToInt(SoakSample::fds).max().orElse(0),
                samples.stream().mapToDouble(SoakSample::rssMb).max().orElse(0),
                samples.stream().mapToInt(SoakSample::environments).max().orElse(0),
                samples.stream().mapToLong(SoakSample::processes).max().orElse(0));
    }

    private static Map<String, Integer> growth(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Integer> grew = new TreeMap<>();
        after.forEach((name, n) -> {
            int more = n - before.getOrDefault(name, 0);
            if (more > 0) {
                grew.put(name, more);
            }
        });
        return grew;
    }
}
