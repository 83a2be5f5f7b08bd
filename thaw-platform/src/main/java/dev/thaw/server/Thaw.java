package dev.thaw.server;

import dev.thaw.aotcache.AotCacheService;
import dev.thaw.api.ApiServer;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.EnvironmentRoot;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.FunctionLogs;
import dev.thaw.environments.HostUidSlots;
import dev.thaw.environments.Jdks;
import dev.thaw.environments.LaunchSettings;
import dev.thaw.environments.MergedLayers;
import dev.thaw.environments.MergedLayersCleanup;
import dev.thaw.events.EventDispatcher;
import dev.thaw.events.EventInvokeConfigs;
import dev.thaw.events.EventQueue;
import dev.thaw.functions.Arns;
import dev.thaw.functions.CodeStore;
import dev.thaw.functions.FunctionService;
import dev.thaw.layers.Layers;
import dev.thaw.invoke.ColdStarts;
import dev.thaw.provisioned.ProvisionedConcurrency;
import dev.thaw.provisioned.ProvisionedCopies;
import dev.thaw.invoke.ConcurrencyLimiter;
import dev.thaw.invoke.InvokeService;
import dev.thaw.network.EnvironmentNetworks;
import dev.thaw.policy.Permissions;
import dev.thaw.priming.ClassPriming;
import dev.thaw.logs.LogQueries;
import dev.thaw.metrics.PrometheusMetrics;
import dev.thaw.api.MetricsServer;
import dev.thaw.store.MetadataStore;
import dev.thaw.tags.Tags;
import dev.thaw.auth.SignatureVerifier;
import dev.thaw.urls.FunctionUrlService;
import dev.thaw.urls.FunctionUrls;
import dev.thaw.urls.RequestAuthenticator;
import dev.thaw.urls.SigV4Authenticator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.logging.Logger;
import dev.thaw.cgroups.Cgroups;
import dev.thaw.cluster.ClusterConcurrency;
import dev.thaw.cluster.ClusterRole;
import dev.thaw.cluster.ClusterRouter;
import dev.thaw.cluster.ProvisionedPlacement;
import dev.thaw.cluster.WorkerCopyCensus;
import dev.thaw.cluster.WorkerNode;
import dev.thaw.cluster.WorkerRegistry;
import dev.thaw.credentials.CredentialsService;
import dev.thaw.snapshots.Criu;
import dev.thaw.snapshots.MasterKey;
import dev.thaw.snapshots.SnapStartService;

/** The platform: create, {@link #start()}, {@link #port()}, {@link #close()}. */
public final class Thaw implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Thaw.class.getName());
    private final ThawConfig config;
    private MetadataStore store;
    private EnvironmentLauncher launcher;
    private EnvironmentPool pool;
    private ProvisionedCopies provisionedCopies;
    private SnapStartService snapStart;
    private Cgroups cgroups;
    private EnvironmentNetworks networks;
    private ApiServer api;
    private ApiServer urlListener;
    private EventDispatcher events;
    private EnvironmentRoot root;
    private AotCacheService aotCaches;
    private MetricsServer metricsServer;
    private dev.thaw.objects.ObjectStore objects;
    private final ClusterRole role;
    private final java.util.List<AutoCloseable> clusterParts = new java.util.ArrayList<>();
    private dev.thaw.api.WorkerApiServer workerApi;

    public Thaw(ThawConfig config) {
        this(config, new ClusterRole.Embedded());
    }

    /** A platform in one of a cluster's roles: the whole platform, an API tier over workers, or a worker. */
    public Thaw(ThawConfig config, ClusterRole role) {
        this.config = config;
        this.role = role;
    }

    /** Starts every part; if one fails, those already started are closed again before the failure propagates. */
    public Thaw start() {
        try {
            return startParts();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private Thaw startParts() {
        config.requireSafeListener();
        Path home = config.home();
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create THAW_HOME " + home, e);
        }
        if (!Files.isRegularFile(config.runtimeJar())) {
            throw new IllegalStateException("Thaw's runtime jar is missing at " + config.runtimeJar()
                    + "; build the project (./thaw builds it) or set THAW_RUNTIME_JAR");
        }
        dev.thaw.store.Database database = config.metadataDatabase();
        store = MetadataStore.open(database, instanceId(home), config.eventLease());
        LOG.info("metadata: " + database.display());
        Jdks jdks = Jdks.discover(config.jdkSearchRoot(), config.jdkOverrides());
        Path codeRoot = home.resolve("code");
        Path aotRoot = home.resolve("aot");
        objects = config.objectStore().open(config.region());
        LOG.info("code packages and snapshot images: " + objects.describe());
        CodeStore code = new CodeStore(codeRoot, objects, "code/");
        FunctionLogs logs = new FunctionLogs(home.resolve("logs"));
        Criu criu = Criu.detect();
        if (!criu.available()) {
            LOG.warning("SnapStart is unavailable: " + criu.unavailableReason());
        }
        HostRuntimes runtimes = new HostRuntimes(jdks, criu::unavailableReason);
        Path layerRoot = home.resolve("layers");
        Layers layers = new Layers(store, new CodeStore(layerRoot, objects, "layers/"), config.region(), config.accountId(),
                Clock.systemUTC());
        FunctionService functions = new FunctionService(store, code, new Arns(config.region(), config.accountId()),
                runtimes, config.accountConcurrency(), config.unreservedConcurrencyMinimum(), Clock.systemUTC(),
                layers);
        CredentialsService credentials = new CredentialsService(home.resolve("credentials.secret"),
                System.getenv(), Clock.systemUTC());
        cgroups = Cgroups.detect(groupName(home));
        int swept = cgroups.sweepLeftovers();
        cgroups.startGuard();
        LOG.info("environment limits: " + cgroups.describe()
                + (swept > 0 ? "; removed " + swept + " environment cgroups left by an earlier run" : ""));
        networks = EnvironmentNetworks.prepare(groupName(home), config.functionNetwork());
        LOG.info("function network: " + config.functionNetwork().cliName());
        Path runtimeJar = pinRuntimeJar(config.runtimeJar(), home);
        MergedLayers mergedLayers = new MergedLayers(layerRoot, home.resolve("layers-merged"));
        root = EnvironmentRoot.prepare(environmentRootBase(home), codeRoot, runtimeJar.getParent(),
                mergedLayers.root(), jdks.homes());
        launcher = new EnvironmentLauncher(new LaunchSettings(runtimeJar, jdks,
                config.region(), config.accountId(), logs,
                networks, codeRoot,
                credentials, cgroups, root,
                function -> store.hostUidSlot(function, HostUidSlots.CAPACITY), new ClassPriming(store),
                mergedLayers));
        PrometheusMetrics metrics = new PrometheusMetrics();
        functions.addListener(metrics);
        snapStart = new SnapStartService(functions, launcher, home.resolve("snapshots"), home.resolve("restore-work"),
                criu, jdks, codeRoot, config.snapshotExpiry(), metrics, objects, config.objectStore().cacheBytes(),
                MasterKey.loadOrCreate(config.snapshotKey()), plainImagesMount(home), config.warmMemoryBytes(),
                config.warmMemoryCeilingBytes());
        aotCaches = new AotCacheService(functions, launcher, aotRoot, codeRoot);
        // A version created through another instance sharing the object store has its code there only.
        ColdStarts.Launcher launchWithCode = (version, mode) -> {
            functions.ensureCode(version);
            return launcher.start(version, mode);
        };
        ColdStarts.Restorer restoreWithCode = (version, purpose) -> {
            functions.ensureCode(version);
            return snapStart.restore(version, purpose);
        };
        ColdStarts coldStarts = new ColdStarts(launchWithCode, restoreWithCode, aotRoot, metrics);
        pool = new EnvironmentPool(coldStarts, config.idleTtl(), config.freezeAfter());
        functions.addListener(pool);
        functions.addListener(snapStart);
        functions.addListener(aotCaches);
        MergedLayersCleanup layersCleanup = new MergedLayersCleanup(mergedLayers, functions::allStoredVersions, pool);
        functions.addListener(layersCleanup);
        int unusedLayers = layersCleanup.sweep();
        if (unusedLayers > 0) {
            LOG.info("removed " + unusedLayers + " merged layer directories no version uses");
        }
        ConcurrencyLimiter limiter = new ConcurrencyLimiter(config.accountConcurrency());
        InvokeService invoker = new InvokeService(functions, store, limiter, pool, metrics);
        if (role instanceof ClusterRole.Worker worker) {
            startWorker(worker, home, jdks, criu, invoker, code, layers.content(), functions, coldStarts);
            return this;
        }
        ClusterRouter router = null;
        if (role instanceof ClusterRole.RemoteWorkers remote) {
            router = router(remote, home, code, layers.content());
            snapStart.leaveSnapshotsToWorkers();
            provisionedCopies = ProvisionedCopies.countingWorkers(functions, store, new WorkerCopyCensus(router));
            invoker = routedInvoker(router, home, functions, pool, metrics);
        } else {
            provisionedCopies = new ProvisionedCopies(functions, store, pool, coldStarts::provision);
        }
        invoker.countOn(provisionedCopies);
        EventQueue eventQueue = new EventQueue(functions, store, Clock.systemUTC(), metrics);
        metrics.watch(new LiveReadings(pool, limiter, snapStart, eventQueue));
        EventInvokeConfigs eventConfigs = new EventInvokeConfigs(functions, store, Clock.systemUTC());
        FunctionUrls urls = new FunctionUrls(functions, store, Clock.systemUTC());
        Permissions permissions = new Permissions(functions, store);
        api = new ApiServer(config.host(), config.port(), config.listener(), config.accessKeys(), config.region(),
                functions, invoker, pool, logs, snapStart, eventQueue, eventConfigs, urls,
                new Tags(functions, store), permissions, metrics,
                new LogQueries(logs, config.region(), config.accountId()), layers,
                new ProvisionedConcurrency(functions, store, provisionedCopies, Clock.systemUTC()));
        if (router != null) {
            api.listingWorkerSnapshots(router::snapshotHolders);
        }
        api.start();
        RequestAuthenticator authenticator = config.accessKeys().required()
                ? new SigV4Authenticator(new SignatureVerifier(config.accessKeys(), config.region(),
                        Clock.systemUTC()), config.accountId())
                : RequestAuthenticator.refuseAll();
        FunctionUrlService urlService = new FunctionUrlService(urls, invoker, authenticator, permissions,
                Clock.systemUTC());
        urlListener = ApiServer.forFunctionUrls(config.host(), config.urlPort(), config.listener(), urlService)
                .start();
        urlService.servedOn(urlListener::port);
        if (config.metricsPort() >= 0) {
            metricsServer = new MetricsServer(config.host(), config.metricsPort(), metrics).start();
        }
        events = new EventDispatcher(eventQueue, eventConfigs, invoker, config.eventRetryDelay(), config.eventLease(),
                Clock.systemUTC()).start();
        snapStart.reconcile();
        aotCaches.reconcile();
        snapStart.startExpiry();
        provisionedCopies.start();
        return this;
    }

    private void startWorker(ClusterRole.Worker worker, Path home, Jdks jdks, Criu criu, InvokeService invoker,
                             CodeStore code, CodeStore layerContent, FunctionService functions,
                             ColdStarts coldStarts) {
        String id = instanceId(home);
        WorkerRegistry registry = new WorkerRegistry(store.cluster(), Clock.systemUTC());
        WorkerNode node = new WorkerNode(id, worker.advertise(), worker.memoryMib(),
                WorkerNode.fingerprint(jdks, criu.version()), registry, invoker, pool, snapStart, code,
                layerContent);
        provisionedCopies = ProvisionedCopies.onWorker(functions, store, pool,
                node.provisioning(coldStarts::provision), new ProvisionedPlacement(id, registry));
        node.reportingOn(provisionedCopies);
        clusterParts.add(node);
        dev.thaw.cluster.SnapshotLeases claims = new dev.thaw.cluster.SnapshotLeases(store.cluster(),
                instanceId(home), Clock.systemUTC()).start();
        clusterParts.add(claims);
        snapStart.makeSnapshotsFor(claims);
        workerApi = new dev.thaw.api.WorkerApiServer(worker.listenHost(), worker.listenPort(), worker.token(), node)
                .start();
        clusterParts.add(workerApi);
        String advertised = worker.advertise().endsWith(":0")
                ? worker.advertise().substring(0, worker.advertise().length() - 1) + workerApi.port()
                : worker.advertise();
        node.start(advertised);
        provisionedCopies.start();
    }

    private ClusterRouter router(ClusterRole.RemoteWorkers remote, Path home, CodeStore code,
                                 CodeStore layerContent) {
        ClusterRouter router = new ClusterRouter(new WorkerRegistry(store.cluster(), Clock.systemUTC()),
                remote.token(), code, layerContent).start();
        clusterParts.add(router);
        return router;
    }

    private InvokeService routedInvoker(ClusterRouter router, Path home, FunctionService functions,
                                        EnvironmentPool pool, PrometheusMetrics metrics) {
        ClusterConcurrency gate = new ClusterConcurrency(store.cluster(), config.accountConcurrency(),
                instanceId(home), Clock.systemUTC()).start();
        clusterParts.add(gate);
        return new InvokeService(functions, store, gate, pool, metrics, router);
    }

    /**
     * This instance's name in the events it claims, kept in the home so that a restart takes back at once what it
     * held when it stopped, while other instances wait for those leases to end.
     */
    static String instanceId(Path home) {
        Path file = home.resolve("instance-id");
        try {
            if (!Files.exists(file)) {
                Path tmp = home.resolve("instance-id.tmp");
                Files.writeString(tmp, java.util.UUID.randomUUID().toString());
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    /**
     * One name per home, for its cgroups and its environments' root, so that a restart on the same home finds what
     * a killed run left behind and two platforms on different homes never touch each other's.
     */
    public static String groupName(Path home) {
        return "thaw-" + Integer.toHexString(home.toAbsolutePath().toString().hashCode());
    }

    /** Where a home's environment root skeleton and its read-only exposures live while the platform runs. */
    public static Path environmentRootBase(Path home) {
        return Path.of("/run/thaw", groupName(home));
    }

    /** Where the tmpfs that holds a home's plain snapshot images is mounted while the platform runs. */
    public static Path plainImagesMount(Path home) {
        return Path.of("/run/thaw", groupName(home) + "-images");
    }

    /**
     * Copies the runtime jar to {@code runtime/<sha256>.jar} under the home and launches environments from there:
     * a snapshot refers to the jar by path, so rebuilding Thaw must never change the file a snapshot was taken with.
     */
    static Path pinRuntimeJar(Path built, Path home) {
        try {
            byte[] bytes = Files.readAllBytes(built);
            String sha = java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
            Path pinned = home.resolve("runtime").resolve(sha + ".jar");
            if (!Files.exists(pinned)) {
                Files.createDirectories(pinned.getParent());
                Path tmp = pinned.resolveSibling(sha + ".tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, pinned, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return pinned;
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot pin the runtime jar " + built, e);
        }
    }

    /** The API's port; a worker's internal API port. */
    public int port() {
        return workerApi != null ? workerApi.port() : api.port();
    }

    /** The Function URL listener's port. */
    public int urlPort() {
        return urlListener.port();
    }

    /** The port of the separate metrics listener, when one was configured. */
    public java.util.OptionalInt metricsPort() {
        return metricsServer == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(metricsServer.port());
    }

    public ThawConfig config() {
        return config;
    }

    private static void closeAll(java.util.List<AutoCloseable> parts) {
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.log(java.util.logging.Level.WARNING, "closing " + part.getClass().getSimpleName(), e);
            }
        }
    }

    /** Stops accepting requests, then stops every environment (SIGTERM, SIGKILL after 2 s), then the store. */
    @Override
    public void close() {
        // Deliveries first: stopped before the environments, an interrupted event stays queued for the next start.
        // Every step runs even when an earlier one fails, so a failing close never leaves environments running.
        AutoCloseable rootSkeleton = root == null ? null : root::delete;
        java.util.List<AutoCloseable> cluster = new java.util.ArrayList<>(clusterParts);
        java.util.Collections.reverse(cluster);
        for (AutoCloseable part : java.util.Arrays.asList(cluster.isEmpty() ? null : (AutoCloseable) () -> closeAll(cluster),
                events, urlListener, metricsServer, api, provisionedCopies, snapStart, aotCaches, pool,
                launcher, networks, cgroups, rootSkeleton, store, objects)) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                java.util.logging.Logger.getLogger(Thaw.class.getName())
                        .log(java.util.logging.Level.WARNING, "closing " + part.getClass().getSimpleName(), e);
            }
        }
    }
}
