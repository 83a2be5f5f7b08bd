package dev.thaw.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.server.ThawConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code thaw bench}, against a platform it starts itself on a temporary home. For each workload (hello, sdk-init,
 * spring) and each {@link Mode}: client-side p50/p90/p99, the mean Init or Restore Duration from REPORT, the
 * environment's RSS after its first response, and for the snapshot mode the snapshot's size on disk and the publish
 * time; then the headline ratios per workload, and what each way of priming leaves a restored copy's first request
 * to do (spring with its own hook, without it, and with Thaw's class priming; sdk-init with and without). Also warm
 * invokes of hello with 1, 4 and 16 callers and a burst of simultaneous cold invokes of spring; {@code --workload}
 * measures only the workloads it names. Prints Markdown and, with {@code --out}, writes it, the raw numbers as JSON
 * and PNG charts. With {@code --soak MINUTES} it runs a {@link Soak} of its platform instead.
 */
@Command(name = "bench", description = "Measure cold starts (plain vs snapshot), memory, snapshot size and warm invokes.")
final class BenchCommand implements Callable<Integer> {
    private static final String SPRING_EVENT = "{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"resource\":\"/{proxy+}\","
            + "\"headers\":{\"Accept\":\"application/json\"},\"requestContext\":{\"stage\":\"bench\",\"identity\":{}},"
            + "\"isBase64Encoded\":false}";

    private static final String SDK_EVENT = "{\"key\":\"orders/7.json\"}";
    private static final String SPRING_UNPRIMED = "dev.thaw.examples.spring.UnprimedStreamLambdaHandler";
    /** {@code $LATEST} requests before a priming workload's publish, for class priming to record. */
    private static final int LATEST_REQUESTS = 10;

    /** How each of the examples primes, for the priming table. */
    private static final Map<String, String> EXAMPLE_PRIMING = Map.of(
            "hello", "none recorded (published before any request)",
            "sdk-init", "none recorded (published before any request)",
            "spring", "its own hook: 300 requests in beforeCheckpoint");

    /** The workloads, in table order: every mode of the three examples, then the priming comparisons. */
    static final List<Workload> WORKLOADS = List.of(
            Workload.full("hello", "hello", "dev.thaw.examples.hello.Hello", "{\"name\":\"bench\"}"),
            Workload.full("sdk-init", "sdk-init", "dev.thaw.examples.sdkinit.SdkInit", SDK_EVENT),
            Workload.full("spring", "spring", "dev.thaw.examples.spring.StreamLambdaHandler", SPRING_EVENT),
            Workload.priming("sdk-init-auto", "sdk-init", "dev.thaw.examples.sdkinit.SdkInit", SDK_EVENT, Map.of(),
                    LATEST_REQUESTS, "automatic class priming"),
            // The hooked Spring example again, restored back to back like the variants below: its row in the full
            // table is taken between plain and AOT cold starts, which leave the next restore slower on some hosts.
            Workload.priming("spring-hook", "spring", "dev.thaw.examples.spring.StreamLambdaHandler", SPRING_EVENT,
                    Map.of(), 0, "its own hook, restored back to back like the variants"),
            Workload.priming("spring-unprimed", "spring", SPRING_UNPRIMED, SPRING_EVENT,
                    Map.of("THAW_CLASS_PRIMING", "off"), 0, "none (no hook, THAW_CLASS_PRIMING=off)"),
            Workload.priming("spring-auto", "spring", SPRING_UNPRIMED, SPRING_EVENT, Map.of(), LATEST_REQUESTS,
                    "automatic class priming (no hook)"));



    /** Caller counts of the warm-invoke series of hello. */
    static final List<Integer> CALLERS = List.of(1, 4, 16);

    @Option(names = "--cold", defaultValue = "20", description = "Cold starts per mode (default: 20).")
    int coldRuns;

    @Option(names = "--warm", defaultValue = "20000", description = "Warm invokes of hello per caller count "
            + "(default: 20000, several seconds of invokes, so that one noisy second does not make the rate); each "
            + "workload's warm mode runs a quarter of that, at least 50 and at most 500.")
    int warmRuns;

    @Option(names = "--burst", defaultValue = "32", description = "Simultaneous cold invokes of spring (default: 32).")
    int burst;

    @Option(names = "--quick", description = "A smoke run for CI, every mode of every workload with fewer repetitions: "
            + "3 cold starts per mode, 300 warm invokes, a burst of 4.")
    boolean quick;

    @Option(names = "--workload", split = ",", paramLabel = "NAME", description = "Only these workloads (e.g. "
            + "spring,spring-unprimed,spring-auto), and only their cold-start, ratio and priming tables; with spring, "
            + "also the snapshot burst and the memory of its copies.")
    List<String> onlyWorkloads;

    @Option(names = "--warm-only", description = "Only the warm invokes of hello (1, 4 and 16 callers) and the CPU "
            + "each invoke costs in the platform's process and in the environments.")
    boolean warmOnly;

    @Option(names = "--callers", split = ",", paramLabel = "N", description = "With --warm-only: these caller counts "
            + "instead of 1,4,16.")
    List<Integer> callerCounts;

    @Option(names = "--cluster", description = "Instead of the benchmark, what running on many hosts costs: the "
            + "warm-invoke overhead of an API instance routing to a worker against the single-process platform, and "
            + "a worker's first restore of a snapshot fetched from the object store against one from its cache. "
            + "Starts its own PostgreSQL (Debian's postgresql), S3Proxy (copied beside the platform jar by the build) "
            + "and platforms, as root. --warm sets the warm invokes per path, --cold the restore samples; --quick is "
            + "300 and 2.")
    boolean cluster;

    @Spec
    CommandSpec spec;

    @Option(names = "--warm-memory", paramLabel = "MB", description = "As thaw server --warm-memory: megabytes of "
            + "host-backed memory held for restores (default: the server's own default).")
    Integer warmMemoryMb;

    @Option(names = "--out", description = "Directory for results.md, results.json and the PNG charts.")
    Path out;

    @Option(names = "--soak", paramLabel = "MINUTES", description = "Instead of the benchmark, a soak: MINUTES of "
            + "mixed load (synchronous invokes from 4 callers, 20 Event invokes/s, a failing function, evictions "
            + "every 2 s) after a warm-up, sampling the platform's threads, open fds, RSS and environments, then a "
            + "quiet period and a check that every event was delivered exactly once; --out gets soak.png.")
    Integer soakMinutes;

    /**
     * A workload: deployed on java17 with SnapStart (version 1), and for the plain java25 and AOT modes on java25
     * ({@code <name>-j25}, {@code <name>-aot}). {@code env} is the function's environment; {@code latestRequests}
     * invokes of {@code $LATEST} run before the publish, so class priming has something to prime.
     */
    record Workload(String name, String module, String handler, String event, List<Mode> modes,
                    Map<String, String> env, int latestRequests, String priming) {
        static Workload full(String name, String module, String handler, String event) {
            return new Workload(name, module, handler, event, List.of(Mode.values()), Map.of(), 0,
                    EXAMPLE_PRIMING.get(name));
        }

        /** A priming comparison: snapshot restores and warm invokes only. */
        static Workload priming(String name, String module, String handler, String event, Map<String, String> env,
                                int latestRequests, String priming) {
            return new Workload(name, module, handler, event, List.of(Mode.SNAPSHOT_JAVA17, Mode.WARM_JAVA17), env,
                    latestRequests, priming);
        }
    }

    /**
     * What one row of the table measures. {@code function} is the suffix of the deployed function's name and
     * {@code qualifier} what is invoked.
     */
    enum Mode {
        PLAIN_JAVA17("plain-java17", "plain cold start, java17 (INIT)", "", "$LATEST", Kind.COLD),
        PLAIN_JAVA25("plain-java25", "plain cold start, java25 (INIT)", "-j25", "$LATEST", Kind.COLD),
        AOT_JAVA25("aot-java25", "JDK AOT-cache cold start, java25 (INIT)", "-aot", "1", Kind.AOT),
        SNAPSHOT_JAVA17("snapshot-java17", "snapshot restore, java17 (SnapStart)", "", "1", Kind.SNAPSHOT),
        PROVISIONED_JAVA17("provisioned-java17", "provisioned copy, java17 (SnapStart, restored and frozen ahead)",
                "-pc", "1", Kind.PROVISIONED),
        WARM_JAVA17("warm-java17", "warm invoke of the restored copy, java17 (1 caller)", "", "1", Kind.WARM);

        final String key;
        final String label;
        final String function;
        final String qualifier;
        final Kind kind;

        Mode(String key, String label, String function, String qualifier, Kind kind) {
            this.key = key;
            this.label = label;
            this.function = function;
            this.qualifier = qualifier;
            this.kind = kind;
        }
    }

    /**
     * COLD, AOT and SNAPSHOT rows are cold starts forced by evicting; PROVISIONED rows are each the first invoke of
     * a provisioned concurrency copy made (restored and frozen) for it; WARM rows reuse one environment.
     */
    enum Kind { COLD, AOT, SNAPSHOT, PROVISIONED, WARM }

    /** The numbers of one workload × mode. NaN where a column does not apply to the mode. */
    record ModeResult(Mode mode, List<Double> clientMillis, double meanReportedMillis, double rssMb,
                      double snapshotMb, double publishMillis, List<Double> firstDurationMillis) {
        double p(double pct) {
            return percentile(clientMillis, pct);
        }
    }

    /** The bench's own platform, with the {@code --warm-memory} given, if any. */
    private LocalPlatform localPlatform() throws IOException {
        if (warmMemoryMb != null && warmMemoryMb < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--warm-memory must be 0 or more megabytes");
        }
        return new LocalPlatform(warmMemoryMb == null ? ThawConfig.WARM_MEMORY_AUTO : warmMemoryMb);
    }

    @Override
    public Integer call() throws Exception {
        if (soakMinutes != null) {
            return soak();
        }
        if (warmOnly) {
            return warmOnly();
        }
        if (cluster) {
            return clusterOnly();
        }
        if (quick) {
            coldRuns = 3;
            warmRuns = 300;
            burst = 4;
        }
        long benchStart = System.nanoTime();
        Logger.getLogger("").setLevel(Level.WARNING);
        ObjectNode results = ApiClient.JSON.createObjectNode();
        results.set("machine", MachineInfo.describe());
        ObjectNode settings = results.putObject("settings");
        settings.put("quick", quick);
        settings.put("coldRuns", coldRuns);
        settings.put("warmRuns", warmRuns);
        settings.put("burst", burst);
        if (warmMemoryMb != null) {
            settings.put("warmMemoryMb", warmMemoryMb);
        }
        StringBuilder md = new StringBuilder();
        md.append(MachineInfo.markdown(results.path("machine"))).append('\n');
        Map<String, List<ModeResult>> byWorkload = new LinkedHashMap<>();
        Map<String, String> primed = new LinkedHashMap<>();
        List<WarmResult> callerSeries = new ArrayList<>();
        List<Workload> workloads = selectedWorkloads();
        if (workloads.isEmpty()) {
            System.err.println("thaw bench: no such workload: " + onlyWorkloads + "; the workloads are "
                    + WORKLOADS.stream().map(Workload::name).toList());
            return 2;
        }
        if (onlyWorkloads != null) {
            settings.putPOJO("workloads", workloads.stream().map(Workload::name).toList());
        }
        try (LocalPlatform platform = localPlatform()) {
            for (Workload w : workloads) {
                byWorkload.put(w.name(), measure(platform, w));
                primed.put(w.name(), platform.primedClasses(w.name()));
            }
            StringBuilder rest = onlyWorkloads == null ? platformCosts(platform, results, callerSeries)
                    : onlyWorkloads.contains("spring") ? bursts(platform, results, false) : new StringBuilder();
            progress("stopping the platform");
            coldTable(md, byWorkload);
            ratioTable(md, byWorkload);
            primingTable(md, results, workloads, byWorkload, primed);
            md.append(rest);
        }
        return finish(results, md, byWorkload, callerSeries, benchStart);
    }

    /**
     * Warm invokes of hello with 1, 4 and 16 callers, what environments cost, and the burst of spring cold starts;
     * returns their tables.
     */
    private StringBuilder platformCosts(LocalPlatform platform, ObjectNode results, List<WarmResult> callerSeries)
            throws Exception {
        StringBuilder md = new StringBuilder();
        progress("hello's handler called directly in this JVM (the warm baseline)");
        double directMillis = percentile(DirectCall.helloLatencies(warmRuns), 50);
        for (int callers : CALLERS) {
            progress("warm invokes of hello with " + callers + " caller(s)");
            callerSeries.add(warmSeries(platform, callers));
        }
        progress("environments: scaling hello from 0 to 16, idle memory, freeze and thaw");
        EnvironmentCosts costs = environmentCosts(platform, quick ? 5 : 20);
        ObjectNode envJson = results.putObject("environments");
        envJson.put("scaleTo16Millis", costs.scaleMillis());
        envJson.put("scaledEnvironments", costs.scaled());
        envJson.put("idleRssMbPerEnvironment", costs.idleRssMb());
        number(envJson, "freezeMicrosP50", costs.freezeMicrosP50());
        number(envJson, "thawMicrosP50", costs.thawMicrosP50());
        envJson.put("invokeAfterFreezeP50", percentile(costs.afterFreeze(), 50));
        envJson.put("invokeBackToBackP50", percentile(costs.backToBack(), 50));
        StringBuilder burstMd = bursts(platform, results, true);
        warmTable(md, results, callerSeries, directMillis);
        environmentTable(md, costs);
        md.append(burstMd);
        return md;
    }

    /**
     * The burst of simultaneous cold invokes of spring: from its snapshot, then (when {@code plainToo}) with INIT.
     * Before the snapshot burst one copy is restored alone, and after it the memory of all the copies is read, so
     * their total can be set against that many times one copy's. Returns the tables.
     */
    private StringBuilder bursts(LocalPlatform platform, ObjectNode results, boolean plainToo) throws Exception {
        ObjectNode burstJson = results.putObject("burst");
        burstJson.put("size", burst);
        StringBuilder burstMd = new StringBuilder();
        StringBuilder burstErrors = new StringBuilder();
        CopiesMemory one = null;
        CopiesMemory all = null;
        List<String[]> modes = new ArrayList<>();
        modes.add(new String[] {"snapshot", "snapshot restore (SnapStart)", "1"});
        if (platform.warmMemory().targetBytes() > 0) {
            // The default reserve has grown to what the first burst asked for; a fixed --warm-memory has not. Either
            // way the first burst left as many spare restore slots as it had copies, made while the memory filled.
            modes.add(new String[] {"snapshotAgain", warmMemoryMb == null
                    ? "snapshot restore again, warm memory grown and spare slots left by the first burst"
                    : "snapshot restore again, with the spare slots the first burst left", "1"});
        }
        if (plainToo) {
            modes.add(new String[] {"plain", "plain cold start (INIT)", "$LATEST"});
        }
        for (String[] m : modes) {
            boolean snapshot = "snapshot".equals(m[0]);
            platform.evict();
            if (snapshot) {
                progress("one restored copy of spring alone, for its memory");
                platform.invoke("spring", m[2], SPRING_EVENT);
                one = CopiesMemory.of(platform, "spring", m[2]);
                platform.evict();
            }
            String label = m[1];
            LocalPlatform.WarmMemory warm = null;
            LocalPlatform.RestoreSlots slots = null;
            if ("snapshotAgain".equals(m[0])) {
                progress("waiting for the warm memory to fill again and the spare restore slots to be made");
                warm = platform.awaitWarmMemory(Duration.ofMinutes(2));
                slots = platform.awaitRestoreSlots("spring", m[2], Duration.ofMinutes(2));
                label = String.format(Locale.ROOT, "%s (%.0f MB held, %d slots made ahead)", m[1],
                        warm.heldBytes() / 1048576.0, slots.ready());
            }
            progress("burst of " + burst + ": " + label);
            long start = System.nanoTime();
            BurstResult r = burst(platform, "spring", m[2], SPRING_EVENT, burst);
            double ms = (System.nanoTime() - start) / 1e6;
            if (snapshot) {
                all = CopiesMemory.of(platform, "spring", m[2]);
            }
            ObjectNode b = burstJson.putObject(m[0]);
            b.put("lastResponseMillis", ms);
            if (warm != null) {
                b.put("warmMemoryHeldBytes", warm.heldBytes());
                b.put("warmMemoryTargetBytes", warm.targetBytes());
            }
            if (slots != null) {
                b.put("restoreSlotsReady", slots.ready());
                b.put("restoreSlotsWanted", slots.wanted());
            }
            b.put("failed", r.failed());
            b.put("firstError", r.firstError());
            burstMd.append(String.format(Locale.ROOT, "| %s | %.0f | %d |%n", label, ms, r.failed()));
            if (r.firstError() != null) {
                burstErrors.append("- ").append(m[1]).append(", first error: ").append(r.firstError()).append('\n');
            }
            platform.evict();
        }
        StringBuilder md = new StringBuilder();
        md.append("\nBurst: ").append(burst)
                .append(" simultaneous cold invokes of spring (time until the last response):\n\n")
                .append("| mode | last response ms | failed |\n|---|---:|---:|\n").append(burstMd);
        if (!burstErrors.isEmpty()) {
            md.append('\n').append(burstErrors);
        }
        if (one != null && all != null) {
            ObjectNode mem = burstJson.putObject("memory");
            mem.put("copies", all.copies());
            number(mem, "oneCopyRssMb", one.rssMb());
            number(mem, "oneCopyPssMb", one.pssMb());
            number(mem, "copiesRssMb", all.rssMb());
            number(mem, "copiesPssMb", all.pssMb());
            number(mem, "copiesSharedMb", all.sharedMb());
            number(mem, "copiesTimesOneCopyRssMb", all.copies() * one.rssMb());
            md.append(String.format(Locale.ROOT, "%nMemory of the %d restored copies right after the burst "
                    + "(/proc/PID/smaps_rollup of each copy's processes; PSS divides a page among the processes that "
                    + "map it; shared: resident pages that another process maps too, counted once per copy):%n%n"
                    + "| measure | MB |%n|---|---:|%n"
                    + "| one copy restored alone: RSS | %.0f |%n| one copy restored alone: PSS | %.0f |%n"
                    + "| %d × one copy's RSS | %.0f |%n| the %d copies: RSS summed | %.0f |%n"
                    + "| the %d copies: PSS summed (what they take together) | %.0f |%n"
                    + "| the %d copies: shared pages summed | %.0f |%n",
                    all.copies(), one.rssMb(), one.pssMb(), all.copies(), all.copies() * one.rssMb(), all.copies(),
                    all.rssMb(), all.copies(), all.pssMb(), all.copies(), all.sharedMb()));
        }
        return md;
    }

    /** Summed memory of a function version's running environments (each with its descendants), in MB. */
    record CopiesMemory(int copies, double rssMb, double pssMb, double sharedMb) {
        static CopiesMemory of(LocalPlatform platform, String function, String version) {
            List<Long> pids = platform.environmentPids(function, version);
            long rss = 0;
            long pss = 0;
            long shared = 0;
            for (long pid : pids) {
                for (long p : LocalPlatform.tree(pid)) {
                    rss += ProcStats.smapsRollupKb(p, "Rss");
                    pss += ProcStats.smapsRollupKb(p, "Pss");
                    shared += ProcStats.smapsRollupKb(p, "Shared_Clean") + ProcStats.smapsRollupKb(p, "Shared_Dirty");
                }
            }
            return new CopiesMemory(pids.size(), rss / 1024.0, pss / 1024.0, shared / 1024.0);
        }
    }

    private List<Workload> selectedWorkloads() {
        if (onlyWorkloads == null) {
            return WORKLOADS;
        }
        return WORKLOADS.stream().filter(w -> onlyWorkloads.contains(w.name())).toList();
    }

    /** The per-workload JSON, the run's duration, and the output files. */
    private int finish(ObjectNode results, StringBuilder md, Map<String, List<ModeResult>> byWorkload,
                       List<WarmResult> callerSeries, long benchStart) throws IOException {
        ArrayNode workloadsJson = results.putArray("workloads");
        byWorkload.forEach((name, modes) -> {
            ObjectNode w = workloadsJson.addObject();
            w.put("workload", name);
            ArrayNode rows = w.putArray("modes");
            modes.forEach(r -> rows.add(json(r)));
            ObjectNode ratios = w.putObject("ratios");
            ratios(modes).forEach((k, v) -> number(ratios, k, v));
        });
        double seconds = (System.nanoTime() - benchStart) / 1e9;
        results.put("durationSeconds", seconds);
        md.append(String.format(Locale.ROOT, "%nBench run took %.0f s%s.%n", seconds, quick ? " (--quick)" : ""));
        System.out.println();
        System.out.println(md);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("results.md"), md.toString());
            ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("results.json").toFile(), results);
            charts(byWorkload, callerSeries);
            System.out.println("written to " + out);
        }
        return 0;
    }

    /**
     * What each way of priming gives a restored copy: the snapshot restore's client p50, the mean Restore Duration,
     * and the mean Duration of the first invoke after the restore (from REPORT), with the classes primed at publish.
     */
    private static void primingTable(StringBuilder md, ObjectNode results, List<Workload> workloads,
                                     Map<String, List<ModeResult>> byWorkload, Map<String, String> primed) {
        md.append("\nPriming: what a restored copy's first request costs (snapshot restores, java17):\n\n"
                + "| workload | priming | restore p50 ms | mean Restore Duration ms | mean first-invoke Duration ms "
                + "| p50 minus Restore Duration ms | primed classes |\n|---|---|---:|---:|---:|---:|---:|\n");
        ArrayNode json = results.putArray("priming");
        for (Workload w : workloads) {
            ModeResult snap = byWorkload.get(w.name()).stream().filter(r -> r.mode() == Mode.SNAPSHOT_JAVA17)
                    .findFirst().orElse(null);
            if (snap == null) {
                continue;
            }
            double first = mean(snap.firstDurationMillis());
            ObjectNode o = json.addObject();
            o.put("workload", w.name());
            o.put("priming", w.priming());
            o.put("latestRequestsBeforePublish", w.latestRequests());
            o.put("primedClasses", primed.getOrDefault(w.name(), "n/a"));
            number(o, "snapshotP50", snap.p(50));
            number(o, "meanRestoreMillis", snap.meanReportedMillis());
            number(o, "meanFirstInvokeDurationMillis", first);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", w.name(), w.priming(),
                    ms(snap.p(50)), fmt("%.1f", snap.meanReportedMillis()), fmt("%.1f", first),
                    fmt("%.1f", snap.p(50) - snap.meanReportedMillis()), primed.getOrDefault(w.name(), "n/a")));
        }
    }

    /**
     * {@code --soak}: the platform runs in this JVM, so its threads, fds and RSS include the soak's client; the
     * baseline and the end are both taken with the load stopped, when only the sampler remains of it.
     */
    private int soak() throws Exception {
        if (soakMinutes < 1) {
            System.err.println("thaw bench: --soak takes a number of minutes, at least 1");
            return 2;
        }
        Logger.getLogger("").setLevel(Level.WARNING);
        ObjectNode machine = MachineInfo.describe();
        SoakReport report;
        try (LocalPlatform platform = localPlatform()) {
            report = Soak.run(URI.create("http://127.0.0.1:" + platform.port()), ProcessHandle.current().pid(),
                    Soak.Plan.of(Duration.ofMinutes(soakMinutes), LocalPlatform.examples()),
                    line -> progress("soak " + line));
            progress("stopping the platform");
        }
        String md = MachineInfo.host(machine) + "\n\n" + report.markdown();
        System.out.println();
        System.out.println(md);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("results.md"), md);
            ObjectNode results = ApiClient.JSON.createObjectNode();
            results.set("machine", machine);
            results.set("soak", report.json());
            ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("results.json").toFile(), results);
            BenchCharts.soak(out.resolve("soak.png"), report.samples());
            System.out.println("written to " + out);
        }
        return 0;
    }

    /** Deploys one workload and measures every mode of it. */
    private List<ModeResult> measure(LocalPlatform platform, Workload w) throws Exception {
        int latestRequests = quick ? Math.min(3, w.latestRequests()) : w.latestRequests();
        progress("deploying " + w.name() + " (java17 with SnapStart" + (latestRequests > 0 ? ", after "
                + latestRequests + " requests of $LATEST" : "") + ")");
        var v = platform.deploy(w.name(), w.module(), w.handler(), "java17", 1024, true, w.env(), latestRequests,
                w.event());
        double publishMillis = v.path("PublishMillis").asDouble();
        double snapshotMb = platform.snapshotBytes(w.name(), "1") / (1024.0 * 1024.0);
        if (w.modes().contains(Mode.PLAIN_JAVA25)) {
            platform.deploy(w.name() + "-j25", w.module(), w.handler(), "java25", 1024, false, w.env());
        }
        if (w.modes().contains(Mode.PROVISIONED_JAVA17)) {
            // A function of its own: copies of version 1 above would serve the snapshot rows' invokes.
            platform.deploy(w.name() + Mode.PROVISIONED_JAVA17.function, w.module(), w.handler(), "java17", 1024,
                    true, w.env());
        }
        double aotPublishMillis = Double.NaN;
        double aotCacheMb = Double.NaN;
        if (w.modes().contains(Mode.AOT_JAVA25)) {
            progress("deploying " + w.name() + " on java25 with a JDK AOT cache (training INIT at publish)");
            Map<String, String> aotEnv = new LinkedHashMap<>(w.env());
            aotEnv.put("THAW_AOT_CACHE", "on");
            var aot = platform.deploy(w.name() + Mode.AOT_JAVA25.function, w.module(), w.handler(), "java25", 1024,
                    false, aotEnv);
            aotPublishMillis = aot.path("PublishMillis").asDouble();
            aotCacheMb = platform.aotCacheBytes(w.name() + Mode.AOT_JAVA25.function, "1") / (1024.0 * 1024.0);
        }
        List<Mode> cold = w.modes().stream().filter(m -> m.kind != Kind.WARM).toList();
        Map<Mode, List<Double>> client = new LinkedHashMap<>();
        Map<Mode, List<Double>> reported = new LinkedHashMap<>();
        Map<Mode, List<Double>> firstDuration = new LinkedHashMap<>();
        Map<Mode, List<Double>> rss = new LinkedHashMap<>();
        for (int i = 0; i < coldRuns; i++) {
            progress(w.name() + " cold starts " + (i + 1) + "/" + coldRuns);
            // Interleaved, so slow drifts of a shared machine hit every mode alike.
            for (Mode m : cold) {
                platform.evict();
                if (m.kind == Kind.PROVISIONED) {
                    LocalPlatform.ProvisionedTimed p = platform.provisionedInvoke(w.name() + m.function, m.qualifier,
                            w.event());
                    client.computeIfAbsent(m, k -> new ArrayList<>()).add(p.timed().clientMillis());
                    // Its INIT or restore happened before the request: REPORT has no Init or Restore Duration.
                    reported.computeIfAbsent(m, k -> new ArrayList<>()).add(Double.NaN);
                    firstDuration.computeIfAbsent(m, k -> new ArrayList<>()).add(p.timed().durationMillis());
                    rss.computeIfAbsent(m, k -> new ArrayList<>()).add(p.rssMb());
                    continue;
                }
                LocalPlatform.Timed t = platform.invoke(w.name() + m.function, m.qualifier, w.event());
                client.computeIfAbsent(m, k -> new ArrayList<>()).add(t.clientMillis());
                reported.computeIfAbsent(m, k -> new ArrayList<>())
                        .add(m.kind == Kind.SNAPSHOT ? t.restoreMillis() : t.initMillis());
                firstDuration.computeIfAbsent(m, k -> new ArrayList<>()).add(t.durationMillis());
                rss.computeIfAbsent(m, k -> new ArrayList<>()).add(platform.rssMb(w.name() + m.function, m.qualifier));
            }
        }
        platform.evict();
        List<ModeResult> rows = new ArrayList<>();
        for (Mode m : cold) {
            boolean snap = m.kind == Kind.SNAPSHOT;
            boolean cached = m.kind == Kind.AOT;
            rows.add(new ModeResult(m, client.get(m), mean(reported.get(m)), mean(rss.get(m)),
                    snap ? snapshotMb : cached ? aotCacheMb : Double.NaN,
                    snap ? publishMillis : cached ? aotPublishMillis : Double.NaN, firstDuration.get(m)));
        }
        // Warm: one environment of the snapshot version, restored by the first (discarded) invoke.
        Mode warm = Mode.WARM_JAVA17;
        progress(w.name() + " warm invokes");
        String fn = w.name() + warm.function;
        int n = Math.max(50, Math.min(500, warmRuns / 4));
        warmRun(platform, fn, warm.qualifier, w.event(), 1, Math.max(20, n / 5));
        List<Double> lat = warmRun(platform, fn, warm.qualifier, w.event(), 1, n);
        rows.add(new ModeResult(warm, lat, Double.NaN, platform.rssMb(fn, warm.qualifier), Double.NaN, Double.NaN,
                List.of()));
        platform.evict();
        return rows;
    }

    /** A warm-up round: invokes, then a look at how long the platform's JIT compiler compiled during it. */
    private static final int WARM_UP_ROUND = 2000;

    /**
     * Warm invokes of hello's $LATEST with {@code callers} concurrent callers, measured once the path has warmed up:
     * at least half the measured count, then rounds until {@link WarmUp#BENCH} says so (the compiler measured is this
     * JVM's, since the platform runs in it; {@code --quick}: half the measured count only). Without it the series
     * measured the warm-up as much as the path: C2 compiled in the platform for most of a minute on two cores, and
     * each new environment's JVM compiles and sizes its heap during its own first thousands of invokes.
     */
    private WarmResult warmSeries(LocalPlatform platform, int callers) throws Exception {
        String event = "{\"name\":\"warm\"}";
        long warmUpStart = System.nanoTime();
        int warmUpInvokes = Math.max(100, warmRuns / 2);
        warmRun(platform, "hello", "$LATEST", event, callers, warmUpInvokes);
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean done = quick || jit == null || !jit.isCompilationTimeMonitoringSupported();
        while (!done) {
            long compiledBefore = jit.getTotalCompilationTime();
            long roundStart = System.nanoTime();
            warmRun(platform, "hello", "$LATEST", event, callers, WARM_UP_ROUND);
            warmUpInvokes += WARM_UP_ROUND;
            done = WarmUp.BENCH.done(jit.getTotalCompilationTime() - compiledBefore,
                    (System.nanoTime() - roundStart) / 1e6, System.nanoTime() - warmUpStart);
        }
        double warmUpSeconds = (System.nanoTime() - warmUpStart) / 1e9;
        List<Long> pids = platform.environmentPids("hello", "$LATEST");
        long platformCpu = ProcStats.cpuNanos(ProcessHandle.current().pid());
        long environmentCpu = pids.stream().mapToLong(LocalPlatform::treeCpuNanos).sum();
        long start = System.nanoTime();
        List<Double> lat = warmRun(platform, "hello", "$LATEST", event, callers, warmRuns);
        double seconds = (System.nanoTime() - start) / 1e9;
        double platformCpuMs = (ProcStats.cpuNanos(ProcessHandle.current().pid()) - platformCpu) / 1e6 / lat.size();
        double environmentCpuMs = (pids.stream().mapToLong(LocalPlatform::treeCpuNanos).sum() - environmentCpu) / 1e6
                / lat.size();
        return new WarmResult(callers, lat, lat.size() / seconds, platform.environmentPids("hello", "$LATEST").size(),
                platformCpuMs, environmentCpuMs, warmUpInvokes, warmUpSeconds);
    }

    /** {@code --warm-only}: hello deployed alone, the in-process baseline and the warm series. */
    private int warmOnly() throws Exception {
        long benchStart = System.nanoTime();
        Logger.getLogger("").setLevel(Level.WARNING);
        ObjectNode results = ApiClient.JSON.createObjectNode();
        results.set("machine", MachineInfo.describe());
        results.putObject("settings").put("warmOnly", true).put("warmRuns", warmRuns);
        StringBuilder md = new StringBuilder();
        md.append(MachineInfo.markdown(results.path("machine"))).append('\n');
        List<WarmResult> callerSeries = new ArrayList<>();
        try (LocalPlatform platform = localPlatform()) {
            Workload hello = WORKLOADS.getFirst();
            progress("deploying hello (java17, no snapshot)");
            platform.deploy(hello.name(), hello.module(), hello.handler(), "java17", 1024, false, Map.of());
            progress("hello's handler called directly in this JVM (the warm baseline)");
            double directMillis = percentile(DirectCall.helloLatencies(warmRuns), 50);
            for (int callers : callerCounts == null ? CALLERS : callerCounts) {
                progress("warm invokes of hello with " + callers + " caller(s)");
                callerSeries.add(warmSeries(platform, callers));
            }
            progress("stopping the platform");
            warmTable(md, results, callerSeries, directMillis);
        }
        return finish(results, md, Map.of(), callerSeries, benchStart);
    }

    /** {@code --cluster}: routing's warm overhead and a worker's cold-cache restores ({@link ClusterBench}). */
    private int clusterOnly() throws Exception {
        long benchStart = System.nanoTime();
        Logger.getLogger("").setLevel(Level.WARNING);
        ClusterBench.Plan plan = quick ? new ClusterBench.Plan(300, 2) : new ClusterBench.Plan(warmRuns, coldRuns);
        ObjectNode results = ApiClient.JSON.createObjectNode();
        results.set("machine", MachineInfo.describe());
        results.putObject("settings").put("cluster", true).put("quick", quick).put("warmRuns", plan.warmInvokes())
                .put("restoreSamples", plan.restoreSamples());
        StringBuilder md = new StringBuilder();
        md.append(MachineInfo.markdown(results.path("machine"))).append('\n');
        md.append(new ClusterBench(plan, BenchCommand::progress).run(results.putObject("cluster")));
        return finish(results, md, Map.of(), List.of(), benchStart);
    }

    /**
     * What environments cost, on hello's $LATEST: the time for 16 simultaneous invokes to scale from no
     * environment to 16, the RSS of each idle (frozen) one, the freeze and thaw the platform measured, and the
     * client-side p50 of an invoke of a frozen environment against one of back-to-back invokes.
     */
    record EnvironmentCosts(double scaleMillis, int scaled, double idleRssMb, double freezeMicrosP50,
                            double thawMicrosP50, List<Double> afterFreeze, List<Double> backToBack) {
    }

    private static EnvironmentCosts environmentCosts(LocalPlatform platform, int samples) throws Exception {
        String event = "{\"name\":\"env\"}";
        platform.evict();
        long start = System.nanoTime();
        BurstResult scale = burst(platform, "hello", "$LATEST", event, 16);
        if (scale.failed() > 0) {
            throw new IllegalStateException(scale.failed() + " of 16 invokes failed: " + scale.firstError());
        }
        double scaleMillis = (System.nanoTime() - start) / 1e6;
        int scaled = platform.environmentPids("hello", "$LATEST").size();
        Thread.sleep(600); // past the freeze grace: every one of them is frozen now
        double idleRss = platform.environmentPids("hello", "$LATEST").stream()
                .mapToDouble(pid -> LocalPlatform.treeRssKb(pid) / 1024.0).average().orElse(Double.NaN);
        platform.evict();
        platform.invoke("hello", "$LATEST", event);
        List<Double> afterFreeze = new ArrayList<>();
        List<Double> freezeMicros = new ArrayList<>();
        List<Double> thawMicros = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            Thread.sleep(400);
            freezeMicros.add(platform.environmentTiming("hello", "LastFreezeMicros"));
            afterFreeze.add(platform.invoke("hello", "$LATEST", event).clientMillis());
            thawMicros.add(platform.environmentTiming("hello", "LastThawMicros"));
        }
        List<Double> backToBack = new ArrayList<>();
        for (int i = 0; i < samples * 5; i++) {
            backToBack.add(platform.invoke("hello", "$LATEST", event).clientMillis());
        }
        platform.evict();
        return new EnvironmentCosts(scaleMillis, scaled, idleRss, percentile(freezeMicros, 50),
                percentile(thawMicros, 50), afterFreeze, backToBack);
    }

    private static void environmentTable(StringBuilder md, EnvironmentCosts c) {
        md.append("\nEnvironments (hello $LATEST, plain):\n\n| measure | value |\n|---|---:|\n");
        md.append(String.format(Locale.ROOT, "| 16 simultaneous invokes from no environment: last response | %.0f ms "
                + "(%d environments) |%n", c.scaleMillis(), c.scaled()));
        md.append(String.format(Locale.ROOT, "| RSS per idle, frozen environment | %.0f MB |%n", c.idleRssMb()));
        md.append(String.format(Locale.ROOT, "| freeze (cgroup freezer, until the kernel reports FROZEN), p50 | "
                + "%.0f µs |%n", c.freezeMicrosP50()));
        md.append(String.format(Locale.ROOT, "| thaw, p50 | %.0f µs |%n", c.thawMicrosP50()));
        md.append(String.format(Locale.ROOT, "| invoke of a frozen environment (thaw included), client p50 | %.2f ms "
                + "|%n", percentile(c.afterFreeze(), 50)));
        md.append(String.format(Locale.ROOT, "| back-to-back invoke (never frozen), client p50 | %.2f ms |%n",
                percentile(c.backToBack(), 50)));
    }

    /**
     * One caller count: latencies, throughput, how many environments served it, and the CPU time per invoke of the
     * platform's process (this one: the bench's callers included) and of the environments' processes.
     */
    record WarmResult(int callers, List<Double> latencies, double throughput, int environments,
                      double platformCpuMs, double environmentCpuMs, int warmUpInvokes, double warmUpSeconds) {
    }

    private static void coldTable(StringBuilder md, Map<String, List<ModeResult>> byWorkload) {
        md.append("| workload | mode | p50 ms | p90 ms | p99 ms | mean Init/Restore ms | RSS after 1st response MB "
                + "| snapshot or cache MB | publish s | n |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        byWorkload.forEach((name, rows) -> {
            for (ModeResult r : rows) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n", name,
                        r.mode().label, ms(r.p(50)), ms(r.p(90)), ms(r.p(99)), fmt("%.1f", r.meanReportedMillis()),
                        fmt("%.0f", r.rssMb()), fmt("%.1f", r.snapshotMb()), fmt("%.1f", r.publishMillis() / 1000),
                        r.clientMillis().size()));
            }
        });
        md.append("\nClient-side times from the Invoke request to the complete response. Cold starts are forced by "
                + "evicting environments. RSS: VmRSS of the environment's processes right after a cold start's "
                + "response, mean over the cold starts (warm rows: after the last warm invoke). Snapshot MB: the "
                + "snapshot directory (or the JDK AOT cache file) on disk. Publish s: from PublishVersion to the version "
                + "being Active (INIT, checkpoint and dump; or the AOT training INIT and cache assembly).\n");
    }

    /** Headline ratios per workload; a ratio whose modes did not run is n/a (null in JSON). */
    private static void ratioTable(StringBuilder md, Map<String, List<ModeResult>> byWorkload) {
        md.append("\nHeadline ratios (p50):\n\n");
        md.append("| workload | plain java17 ÷ snapshot | snapshot ÷ warm | snapshot vs AOT cache (AOT ÷ snapshot) |\n");
        md.append("|---|---:|---:|---:|\n");
        byWorkload.forEach((name, rows) -> {
            Map<String, Double> r = ratios(rows);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", name,
                    fmt("%.1fx", r.get("plainJava17OverSnapshot")), fmt("%.0fx", r.get("snapshotOverWarm")),
                    fmt("%.1fx", r.get("aotOverSnapshot"))));
        });
    }

    /** plain java17 p50 ÷ snapshot p50, snapshot p50 ÷ warm p50, and AOT-cache p50 ÷ snapshot p50. */
    static Map<String, Double> ratios(List<ModeResult> rows) {
        Map<String, Double> p50 = new LinkedHashMap<>();
        rows.forEach(r -> p50.put(r.mode().key, r.p(50)));
        double snapshot = p50.getOrDefault(Mode.SNAPSHOT_JAVA17.key, Double.NaN);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("plainJava17OverSnapshot", p50.getOrDefault(Mode.PLAIN_JAVA17.key, Double.NaN) / snapshot);
        out.put("snapshotOverWarm", snapshot / p50.getOrDefault(Mode.WARM_JAVA17.key, Double.NaN));
        out.put("aotOverSnapshot", p50.getOrDefault(Mode.AOT_JAVA25.key, Double.NaN) / snapshot);
        return out;
    }

    private static void warmTable(StringBuilder md, ObjectNode results, List<WarmResult> series, double directMillis) {
        md.append(String.format(Locale.ROOT, "%nWarm invokes of hello $LATEST (plain environments; client-side round "
                + "trip through the Invoke API from a blocking HTTP client; added: p50 minus the handler called "
                + "directly in-process, %.4f ms p50; environments: how many served the callers; CPU: user and "
                + "system time per invoke of the platform's process, the callers included, and of the "
                + "environments' process trees; warm-up: the invokes and seconds before the measured ones, at least %d s "
                + "and until the platform's JIT compiler spent under %.0f%% of a round of %d invokes compiling):%n%n",
                directMillis, WarmUp.BENCH.minimum().toSeconds(), WarmUp.BENCH.settledShare() * 100, WARM_UP_ROUND));
        md.append("| callers | p50 ms | added p50 ms | p99 ms | invokes/s | environments | platform CPU ms/invoke "
                + "| environment CPU ms/invoke | n | warm-up |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        results.put("warmDirectCallP50", directMillis);
        ArrayNode warm = results.putArray("warm");
        for (WarmResult s : series) {
            double p50 = percentile(s.latencies(), 50);
            ObjectNode o = warm.addObject();
            o.put("callers", s.callers());
            o.put("p50", p50);
            o.put("addedP50", p50 - directMillis);
            o.put("p99", percentile(s.latencies(), 99));
            o.put("throughput", s.throughput());
            o.put("environments", s.environments());
            o.put("n", s.latencies().size());
            number(o, "platformCpuMsPerInvoke", s.platformCpuMs());
            number(o, "environmentCpuMsPerInvoke", s.environmentCpuMs());
            o.put("warmUpInvokes", s.warmUpInvokes());
            o.put("warmUpSeconds", s.warmUpSeconds());
            md.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.0f | %d | %.3f | %.3f | %d | %d in %.0f s |%n",
                    s.callers(), p50, p50 - directMillis, percentile(s.latencies(), 99), s.throughput(),
                    s.environments(), s.platformCpuMs(), s.environmentCpuMs(), s.latencies().size(),
                    s.warmUpInvokes(), s.warmUpSeconds()));
        }
    }

    private static ObjectNode json(ModeResult r) {
        ObjectNode o = ApiClient.JSON.createObjectNode();
        o.put("mode", r.mode().key);
        o.put("label", r.mode().label);
        o.put("kind", r.mode().kind.name().toLowerCase(Locale.ROOT));
        o.put("p50", r.p(50));
        o.put("p90", r.p(90));
        o.put("p99", r.p(99));
        number(o, "meanReportedMillis", r.meanReportedMillis());
        number(o, "rssMb", r.rssMb());
        number(o, "snapshotMb", r.snapshotMb());
        number(o, "publishMillis", r.publishMillis());
        number(o, "meanFirstInvokeDurationMillis", mean(r.firstDurationMillis()));
        o.put("n", r.clientMillis().size());
        ArrayNode raw = o.putArray("clientMillis");
        r.clientMillis().forEach(raw::add);
        return o;
    }

    /** A number, or null where it does not apply (NaN) or cannot be computed. */
    private static void number(ObjectNode o, String name, double value) {
        if (!Double.isFinite(value)) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    /** The cold-start and memory charts show the workloads measured in every mode; the warm chart needs hello's. */
    private void charts(Map<String, List<ModeResult>> measured, List<WarmResult> series) throws IOException {
        Map<String, List<ModeResult>> byWorkload = new LinkedHashMap<>();
        measured.forEach((name, rows) -> {
            if (rows.size() == Mode.values().length) {
                byWorkload.put(name, rows);
            }
        });
        List<String> names = new ArrayList<>(byWorkload.keySet());
        Map<String, List<Double>> p50 = new LinkedHashMap<>();
        Map<String, List<Double>> memory = new LinkedHashMap<>();
        byWorkload.values().forEach(rows -> rows.stream().filter(r -> r.mode().kind != Kind.WARM).forEach(r -> {
            p50.computeIfAbsent(r.mode().label, k -> new ArrayList<>()).add(r.p(50));
            memory.computeIfAbsent("RSS, " + r.mode().label, k -> new ArrayList<>()).add(r.rssMb());
        }));
        byWorkload.values().forEach(rows -> rows.stream().filter(r -> r.mode().kind == Kind.SNAPSHOT).forEach(r ->
                memory.computeIfAbsent("snapshot on disk", k -> new ArrayList<>()).add(r.snapshotMb())));
        byWorkload.values().forEach(rows -> rows.stream().filter(r -> r.mode().kind == Kind.AOT).forEach(r ->
                memory.computeIfAbsent("AOT cache on disk", k -> new ArrayList<>()).add(r.snapshotMb())));
        if (!names.isEmpty()) {
            BenchCharts.coldStarts(out.resolve("cold-starts.png"), names, p50);
            BenchCharts.memory(out.resolve("memory.png"), names, memory);
        }
        if (series.isEmpty()) {
            return;
        }
        BenchCharts.warm(out.resolve("warm.png"), series.stream().map(s -> Integer.toString(s.callers())).toList(),
                series.stream().map(s -> percentile(s.latencies(), 50)).toList(),
                series.stream().map(s -> percentile(s.latencies(), 99)).toList());
    }

    /** How many invokes of a burst failed, and the first failure's message (null when none failed). */
    record BurstResult(int failed, String firstError) {
    }

    /**
     * {@code n} invokes of one function version released at the same moment; returns once every one has answered,
     * with how many failed.
     */
    private static BurstResult burst(LocalPlatform platform, String function, String qualifier, String event, int n)
            throws Exception {
        int failed = 0;
        String firstError = null;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return platform.invoke(function, qualifier, event);
                }));
            }
            go.countDown();
            for (Future<?> f : calls) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed++;
                    if (firstError == null) {
                        String message = String.valueOf(e.getCause().getMessage()).replaceAll("\\s+", " ");
                        firstError = message.length() > 300 ? message.substring(0, 300) + "..." : message;
                    }
                }
            }
        }
        return new BurstResult(failed, firstError);
    }

    /** {@code total} invokes spread over {@code callers} concurrent callers; returns each one's latency. */
    private static List<Double> warmRun(LocalPlatform platform, String function, String qualifier, String event,
                                        int callers, int total) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        WarmClient client = new WarmClient(platform.port(), function, qualifier, event);
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int share = total / callers + (c < total % callers ? 1 : 0);
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        latencies.add(client.invoke());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        return latencies;
    }

    private static double mean(List<Double> values) {
        return values.stream().filter(d -> !d.isNaN()).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String ms(double v) {
        return fmt(v < 10 ? "%.2f" : "%.1f", v);
    }

    /** Formats a number, or "n/a" when it does not apply or its mode did not run. */
    private static String fmt(String format, double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }

    static double percentile(List<Double> values, double pct) {
        List<Double> sorted = values.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(pct / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    private static void progress(String what) {
        System.err.println("thaw bench: " + what);
    }

    /** Facts about the host, for reading the numbers. */
    static final class MachineInfo {
        private MachineInfo() {
        }

        static ObjectNode describe() throws IOException {
            ObjectNode m = ApiClient.JSON.createObjectNode();
            m.put("cpu", Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown"));
            m.put("cores", Runtime.getRuntime().availableProcessors());
            m.put("memory", Files.readAllLines(Path.of("/proc/meminfo")).getFirst().replaceAll("\\s+", " "));
            m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
            m.put("platformJdk", System.getProperty("java.vm.version"));
            m.put("date", java.time.Instant.now().toString());
            return m;
        }

        static String markdown(com.fasterxml.jackson.databind.JsonNode m) {
            return host(m) + ", functions on java17 and java25 at 1024 MB; " + m.path("date").asText() + "\n";
        }

        /** The CPU, memory, kernel and JDK of the machine. */
        static String host(com.fasterxml.jackson.databind.JsonNode m) {
            return "Machine: " + m.path("cpu").asText() + ", " + m.path("cores").asInt() + " cores, "
                    + m.path("memory").asText() + ", kernel " + m.path("kernel").asText() + ", platform JDK "
                    + m.path("platformJdk").asText();
        }
    }
}
