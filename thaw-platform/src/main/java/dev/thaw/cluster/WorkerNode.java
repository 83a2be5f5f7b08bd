package dev.thaw.cluster;

import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.EnvironmentState;
import dev.thaw.environments.Jdks;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.CodePackage;
import dev.thaw.functions.CodeStore;
import dev.thaw.functions.FunctionLayer;
import dev.thaw.invoke.InvokeRequest;
import dev.thaw.invoke.InvokeResponse;
import dev.thaw.invoke.InvokeService;
import dev.thaw.provisioned.ProvisionedCopies;
import dev.thaw.snapshots.HostFingerprint;
import dev.thaw.snapshots.SnapStartService;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * {@code thaw worker}'s side of the cluster: it registers in the shared database, heartbeats its capacity, and runs
 * the invocations routers hand it on this host's environments, and its share of provisioned copies (reported with
 * each heartbeat). A worker that comes back after dying registers again under its id (kept in its home), having swept
 * what it left at startup like any platform.
 */
public final class WorkerNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerNode.class.getName());
    /** The header a worker answers with when it lacks a version's code package, naming its SHA-256. */
    public static final String MISSING_CODE_HEADER = "X-Thaw-Missing-Code";
    /** The header a worker answers with when it lacks some of a version's layers, naming their SHA-256s. */
    public static final String MISSING_LAYERS_HEADER = "X-Thaw-Missing-Layers";
    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private final String id;
    private volatile String address;
    private final long memoryMib;
    private final String fingerprint;
    private final WorkerRegistry registry;
    private final InvokeService invoker;
    private final EnvironmentPool pool;
    private final SnapStartService snapshots;
    private final CodeStore code;
    private final CodeStore layers;
    private volatile ProvisionedCopies provisioned;
    /** What this worker lacks to make provisioned copies, by environment key, until it has it. */
    private final Map<String, WorkerStatus.ProvisionedReport> lacking = new ConcurrentHashMap<>();
    private final long startedAt;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("worker-heartbeat").factory());
    private volatile boolean registered;

    public WorkerNode(String id, String address, long memoryMib, String fingerprint, WorkerRegistry registry,
                      InvokeService invoker, EnvironmentPool pool, SnapStartService snapshots, CodeStore code,
                      CodeStore layers) {
        this.id = id;
        this.address = address;
        this.memoryMib = memoryMib;
        this.fingerprint = fingerprint;
        this.registry = registry;
        this.invoker = invoker;
        this.pool = pool;
        this.snapshots = snapshots;
        this.code = code;
        this.layers = layers;
        this.startedAt = registry.now();
    }

    /**
     * Makes provisioned copies with {@code make} once this worker holds the version's code package and layers
     * (fetched from a shared object store when there is one). Until then it names what it lacks in its heartbeat,
     * for an API instance to hand over, and the keeper tries again at its next pass.
     */
    public ProvisionedCopies.Maker provisioning(ProvisionedCopies.Maker make) {
        return version -> {
            String key = version.environmentKey();
            String codeSha = version.code().sha256Hex();
            String missingCode = holds(code, codeSha) ? "" : codeSha;
            List<String> missingLayers = version.config().layers().stream().map(FunctionLayer::sha256Hex)
                    .filter(sha -> !holds(layers, sha)).toList();
            if (!missingCode.isEmpty() || !missingLayers.isEmpty()) {
                lacking.put(key, new WorkerStatus.ProvisionedReport(0, 0, "", missingCode, missingLayers));
                throw new ThawException(ErrorCode.RESOURCE_CONFLICT, "This worker waits for the code of " + key
                        + " to make its provisioned copies.");
            }
            lacking.remove(key);
            return make.make(version);
        };
    }

    /** The keeper whose copies and failures this worker reports with each heartbeat. */
    public void reportingOn(ProvisionedCopies copies) {
        this.provisioned = copies;
    }

    /** What a restored copy depends on, for every JDK this host runs, as one short name. */
    public static String fingerprint(Jdks jdks, String criuVersion) {
        String jdkBuilds = List.of("java17", "java21", "java25").stream()
                .map(r -> r + "=" + jdks.forRuntime(r).map(Jdks.Jdk::fullVersion).orElse("none"))
                .collect(Collectors.joining(","));
        return HostFingerprint.current(jdkBuilds, criuVersion).id();
    }

    /** Registers as reachable at {@code advertised} (host:port), then heartbeats every second until closed. */
    public WorkerNode start(String advertised) {
        this.address = advertised;
        registry.register(status());
        registered = true;
        LOG.info("worker " + id + " registered at " + address + " (" + memoryMib + " MiB, fingerprint "
                + fingerprint + ")");
        heartbeats.scheduleWithFixedDelay(this::heartbeat, WorkerRegistry.HEARTBEAT.toMillis(),
                WorkerRegistry.HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public String id() {
        return id;
    }

    private void heartbeat() {
        try {
            WorkerStatus now = status();
            if (!registry.heartbeat(now)) {
                registry.register(now);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "worker heartbeat failed; retrying: " + e.getMessage());
        }
    }

    WorkerStatus status() {
        // Stamped before the environments are read: a router keeps what it saw finish after this moment on top of
        // the counts, and an invocation it saw finish before it is surely idle in them.
        long at = registry.now();
        List<Environment> environments = pool.environments().stream()
                .filter(e -> e.state() != EnvironmentState.DEAD).toList();
        long used = environments.stream().mapToLong(e -> e.version().config().memorySize()).sum()
                + pool.starting().stream().mapToLong(v -> v.config().memorySize()).sum();
        Map<String, Integer> idle = new TreeMap<>();
        for (Environment e : environments) {
            if (e.state() == EnvironmentState.IDLE) {
                idle.merge(e.version().environmentKey(), 1, Integer::sum);
            }
        }
        Set<String> cached = snapshots.restorable();
        return new WorkerStatus(id, address, fingerprint, memoryMib, Math.max(0, memoryMib - used),
                environments.size(), idle, cached, startedAt, at, provisionedCopies());
    }

    /** This worker's provisioned copies, and why it cannot make its missing ones, by environment key. */
    private Map<String, WorkerStatus.ProvisionedReport> provisionedCopies() {
        Map<String, WorkerStatus.ProvisionedReport> reports = new TreeMap<>();
        ProvisionedCopies keeper = provisioned;
        Set<String> keys = new TreeSet<>(pool.provisionedKeys());
        lacking.keySet().retainAll(keys);
        for (String key : keys) {
            List<Environment> copies = pool.provisionedCopies(key);
            int idle = (int) copies.stream().filter(e -> e.state() == EnvironmentState.IDLE).count();
            WorkerStatus.ProvisionedReport missing = lacking.get(key);
            reports.put(key, new WorkerStatus.ProvisionedReport(copies.size(), idle,
                    keeper == null ? "" : keeper.failure(key).orElse(""),
                    missing == null ? "" : missing.missingCode(),
                    missing == null ? List.of() : missing.missingLayers()));
        }
        return reports;
    }

    /**
     * Runs one invocation a router admitted. A version whose code package or layers this worker lacks (and cannot
     * fetch from a shared object store) is refused with {@link #MISSING_CODE_HEADER} and
     * {@link #MISSING_LAYERS_HEADER} before anything runs, so the router can hand them over and ask again.
     */
    public InvokeResponse invoke(InvokeRequest request, String codeSha256, List<String> layerSha256s) {
        if (!SHA256.matcher(codeSha256).matches()
                || !layerSha256s.stream().allMatch(sha -> SHA256.matcher(sha).matches())) {
            throw ThawException.invalidParameter("Code and layer SHA-256s must be 64 lowercase hex digits.");
        }
        Map<String, String> missing = new TreeMap<>();
        if (!holds(code, codeSha256)) {
            missing.put(MISSING_CODE_HEADER, codeSha256);
        }
        List<String> missingLayers = layerSha256s.stream().filter(sha -> !holds(layers, sha)).toList();
        if (!missingLayers.isEmpty()) {
            missing.put(MISSING_LAYERS_HEADER, String.join(",", missingLayers));
        }
        if (!missing.isEmpty()) {
            throw new ThawException(ErrorCode.RESOURCE_CONFLICT, "This worker does not hold "
                    + String.join(" and ", missing.values()) + " yet.", Map.of(), missing, null);
        }
        return invoker.invokeAdmitted(request);
    }

    /** Whether a package is here, fetched from the object store first when one is shared and has it. */
    private static boolean holds(CodeStore store, String sha256) {
        if (Files.isDirectory(store.taskRoot(sha256))) {
            return true;
        }
        try {
            store.ensure(sha256);
        } catch (ThawException notInTheObjectStore) {
            return false;
        }
        return Files.isDirectory(store.taskRoot(sha256));
    }

    /**
     * Stores a code package a router handed over; its SHA-256 must be the one named. One at a time: routers whose
     * invocations found the package missing at once all hand it over.
     */
    public synchronized void storeCode(String sha256, byte[] zip) {
        store(code, sha256, zip);
    }

    /** Stores a layer's archive a router handed over, as {@link #storeCode} does a code package. */
    public synchronized void storeLayer(String sha256, byte[] zip) {
        store(layers, sha256, zip);
    }

    private static void store(CodeStore into, String sha256, byte[] zip) {
        CodePackage stored = into.store(zip);
        if (!stored.sha256Hex().equals(sha256)) {
            throw ThawException.invalidContent("The package's SHA-256 is " + stored.sha256Hex() + ", not " + sha256);
        }
    }

    /** A code package this worker holds, for a router that lacks it. */
    public java.util.Optional<byte[]> codePackage(String sha256) {
        return archive(code, sha256);
    }

    /** A layer's archive this worker holds, for a router that lacks it. */
    public java.util.Optional<byte[]> layerArchive(String sha256) {
        return archive(layers, sha256);
    }

    private static java.util.Optional<byte[]> archive(CodeStore from, String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Files.readAllBytes(from.archivePath(sha256)));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (java.io.IOException e) {
            throw ThawException.service("cannot read code package " + sha256, e);
        }
    }

    /** Stops heartbeating and leaves the rotation at once (a killed worker leaves it when its heartbeats stop). */
    @Override
    public void close() {
        heartbeats.shutdownNow();
        if (registered) {
            try {
                registry.leave(id);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not leave the cluster cleanly: " + e.getMessage());
            }
        }
    }
}
