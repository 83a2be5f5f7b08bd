package dev.thaw.environments;

import dev.thaw.cgroups.EnvironmentCgroup;
import dev.thaw.cgroups.Limits;
import dev.thaw.contract.RuntimeContract;
import dev.thaw.errors.RuntimeErrorType;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.Runtimes;
import dev.thaw.priming.ClassPriming;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * The one place where environment processes are spawned.
 *
 * <p>Each runs in the sandbox of {@link EnvironmentRoot}: pid 1 of its own namespaces, unprivileged on the host, a
 * session leader (which CRIU needs to dump it), and killed if the platform dies. Spawns run on one long-lived thread
 * because PR_SET_PDEATHSIG fires when the spawning <em>thread</em> exits.
 */
public final class EnvironmentLauncher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EnvironmentLauncher.class.getName());
    /** Lambda's on-demand INIT limit. */
    public static final long ON_DEMAND_INIT_LIMIT_MS = 10_000;

    private final LaunchSettings settings;
    private final RuntimeApiEndpoints endpoints;
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("environment-spawner").factory());

    public EnvironmentLauncher(LaunchSettings settings) {
        this.settings = settings;
        this.endpoints = new RuntimeApiEndpoints(settings.networks(), settings.credentials());
    }

    public LaunchSettings settings() {
        return settings;
    }

    /**
     * Starts an environment of {@code version} the way {@code mode} says and waits for what it waits for: INIT's end
     * for {@link LaunchMode.Init} and {@link LaunchMode.InitWithAotCache}, the checkpoint request for
     * {@link LaunchMode.InitForCheckpoint}, the training run's exit for {@link LaunchMode.AotTraining} (whose
     * environment is returned stopped). On failure the environment is stopped and everything it took is released.
     */
    public Environment start(FunctionVersion version, LaunchMode mode) throws StartupFailure {
        AotCacheFiles aot = switch (mode) {
            case LaunchMode.AotTraining training -> training.files();
            case LaunchMode.InitWithAotCache cached -> cached.files();
            case LaunchMode.ProvisionedInit provisioned -> provisioned.aotCache().orElse(null);
            case LaunchMode.Init _, LaunchMode.InitForCheckpoint _ -> null;
        };
        Environment env = spawn(version, mode, aot);
        env.platformLine(PlatformRecords.initStart(version.config().runtime(), mode.initStartType()));
        InitWait init = new InitWait(env);
        switch (mode) {
            case LaunchMode.Init _, LaunchMode.InitWithAotCache _ -> init.untilReady(mode.initLimitMillis());
            case LaunchMode.ProvisionedInit _ -> {
                init.untilReady(mode.initLimitMillis());
                env.platformLine(PlatformRecords.initReport(env.initMillis(), "success"));
                env.provisioned();
            }
            case LaunchMode.InitForCheckpoint _ -> init.untilCheckpointRequest(mode.initLimitMillis());
            case LaunchMode.AotTraining _ -> init.untilTrainingExit(mode.initLimitMillis());
        }
        return env;
    }

    /** The host uid that root inside {@code version}'s environments is: its function's own range starts there. */
    public int firstHostUid(FunctionVersion version) {
        return EnvironmentRoot.firstHostUid(settings.hostUidSlots().slotOf(version.functionName()));
    }

    /** A ready Runtime API endpoint, for an environment that is about to be restored rather than spawned. */
    public RuntimeApiEndpoint openRuntimeApi() {
        return endpoints.open();
    }

    /** A cgroup with {@code version}'s limits for an environment about to be restored (null without cgroups). */
    public EnvironmentCgroup createCgroup(String environmentId, FunctionVersion version) {
        return settings.cgroups().create(environmentId, Limits.forMemory(version.config().memorySize()));
    }

    /** Wraps a restored process tree as an environment of {@code version}. */
    public Environment attach(FunctionVersion version, RuntimeApiEndpoint endpoint, EnvironmentProcess process,
                              EnvironmentCgroup cgroup) {
        FunctionLogs.Stream stream = settings.logs().open(version.functionName(), version.version(),
                endpoint.environmentId());
        return Environment.open(endpoint.environmentId(), version, EnvironmentState.RESTORING, process,
                endpoint.channel(), endpoint.server(), endpoint.network()::close, stream, cgroup);
    }

    /** Spawns the process and its Runtime API server without waiting for INIT. */
    private Environment spawn(FunctionVersion version, LaunchMode mode, AotCacheFiles aot) throws StartupFailure {
        boolean training = mode instanceof LaunchMode.AotTraining;
        RuntimeApiEndpoint endpoint;
        try {
            endpoint = openRuntimeApi();
        } catch (RuntimeException e) {
            throw StartupFailure.of(RuntimeErrorType.UNAVAILABLE, "cannot start Runtime API: " + e, e.toString());
        }
        EnvironmentCgroup cgroup = null;
        try {
            int memory = version.config().memorySize();
            // The training JVM forks a second JVM that assembles the cache: room for both, whatever MemorySize is.
            cgroup = settings.cgroups().create(endpoint.environmentId(),
                    Limits.forMemory(training ? Math.max(1024, 2 * memory) : memory));
            return spawnIn(version, mode, aot, endpoint, cgroup);
        } catch (StartupFailure | RuntimeException e) {
            // Whatever was taken for this environment goes back: a launch that fails on every invoke must not
            // leave namespaces or cgroups behind.
            endpoint.close();
            if (cgroup != null) {
                cgroup.remove();
            }
            if (e instanceof StartupFailure failure) {
                throw failure;
            }
            throw StartupFailure.of(RuntimeErrorType.UNAVAILABLE, "cannot start environment: " + e.getMessage(),
                    e.toString());
        }
    }

    private Environment spawnIn(FunctionVersion version, LaunchMode mode, AotCacheFiles aot,
                                RuntimeApiEndpoint endpoint, EnvironmentCgroup cgroup) throws StartupFailure {
        boolean training = mode instanceof LaunchMode.AotTraining;
        String id = endpoint.environmentId();
        Path taskRoot = settings.codeRoot().resolve(version.code().sha256Hex());
        ProcessBuilder pb = new ProcessBuilder(command(version, taskRoot, endpoint.network().file(), cgroup, aot,
                training))
                .directory(taskRoot.toFile());
        pb.environment().clear();
        pb.environment().putAll(environmentVariables(version, id, endpoint.server().address(), taskRoot, mode));
        if (!Runtimes.isCustom(version.config().runtime())) {
            offerClassPriming(version, mode, endpoint, pb.environment());
        }
        if (aot != null) {
            pb.environment().put(RuntimeContract.FUNCTION_ON_CLASS_PATH, "1");
            if (training) {
                pb.environment().put(RuntimeContract.AOT_TRAINING, "1");
            }
        }
        EnvironmentProcess process;
        try {
            process = spawner.submit(() -> EnvironmentProcess.spawned(pb.start())).get();
        } catch (ExecutionException | InterruptedException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw StartupFailure.of(RuntimeErrorType.UNAVAILABLE, "cannot start environment: " + cause.getMessage(),
                    String.valueOf(cause));
        }
        try {
            FunctionLogs.Stream stream = settings.logs().open(version.functionName(), version.version(), id);
            return Environment.open(id, version, EnvironmentState.STARTING, process, endpoint.channel(),
                    endpoint.server(), endpoint.network()::close, stream, cgroup);
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
    }

    /**
     * A {@code $LATEST} environment reports the classes it loads into the function's list; a SnapStart INIT is
     * offered that list to load before its checkpoint.
     */
    private void offerClassPriming(FunctionVersion version, LaunchMode mode, RuntimeApiEndpoint endpoint,
                                   Map<String, String> variables) {
        ClassPriming priming = settings.priming();
        if (ClassPriming.records(version)) {
            variables.put(RuntimeContract.RECORD_LOADED_CLASSES, "1");
            endpoint.channel().recordLoadedClassesWith(report -> {
                try {
                    priming.record(version, report);
                } catch (RuntimeException e) {
                    LOG.warning(() -> "the classes loaded by " + version.functionName() + " could not be recorded: "
                            + e);
                }
            });
        }
        if (mode instanceof LaunchMode.InitForCheckpoint) {
            endpoint.channel().offerClassesToPrime(priming.classesToPrime(version));
        }
    }

    List<String> command(FunctionVersion version, Path taskRoot, Path network, EnvironmentCgroup cgroup,
                         AotCacheFiles aot, boolean training) {
        List<String> inside = new ArrayList<>();
        String runtime = version.config().runtime();
        if (Runtimes.isCustom(runtime)) {
            inside.add(EnvironmentRoot.TASK_ROOT + "/bootstrap");
        } else {
            Jdks.Jdk jdk = settings.jdks().require(runtime);
            inside.add(jdk.java().toString());
            int memory = version.config().memorySize();
            String runtimeJar = EnvironmentRoot.RUNTIME_DIR + "/" + settings.runtimeJar().getFileName();
            if (aot == null) {
                inside.addAll(JvmOptions.forMemory(memory, jdk.release()));
                inside.addAll(List.of("-cp", runtimeJar));
            } else {
                String cache = AotCacheFiles.MOUNT_POINT + "/" + AotCacheFiles.CACHE;
                inside.addAll(JvmOptions.withAotCache(memory, jdk.release(),
                        (training ? "-XX:AOTCacheOutput=" : "-XX:AOTCache=") + cache));
                // The same class path for training and use, or the JVM refuses the cache.
                inside.addAll(List.of("-cp", aotClassPath(runtimeJar, taskRoot, mergedLayers(version))));
            }
            inside.add("dev.thaw.runtime.Bootstrap");
        }
        return settings.root().wrap(network, firstHostUid(version), cgroup == null ? List.of() : cgroup.procsFiles(),
                taskRoot, mergedLayers(version).orElse(null), aot, training, version.config().ephemeralStorage(),
                inside);
    }

    /** The directory {@code version}'s environments see at /opt, when it has layers (made on first use). */
    public java.util.Optional<Path> mergedLayers(FunctionVersion version) {
        List<dev.thaw.functions.FunctionLayer> layers = version.config().layers();
        return layers.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(settings.layers().directoryFor(layers));
    }

    /**
     * The runtime, the task root's classes as a jar, then lib/*.jar in name order, then the layers' java/lib/*.jar
     * (as the function loader has it).
     */
    private static String aotClassPath(String runtimeJar, Path taskRoot, java.util.Optional<Path> layers) {
        List<String> entries = new ArrayList<>(List.of(runtimeJar,
                AotCacheFiles.MOUNT_POINT + "/" + AotCacheFiles.CLASSES_JAR));
        Path lib = taskRoot.resolve("lib");
        if (java.nio.file.Files.isDirectory(lib)) {
            try (var jars = java.nio.file.Files.list(lib)) {
                jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted()
                        .forEach(n -> entries.add(EnvironmentRoot.TASK_ROOT + "/lib/" + n));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Path layerLib = layers.map(l -> l.resolve("java/lib")).orElse(null);
        if (layerLib != null && java.nio.file.Files.isDirectory(layerLib)) {
            try (var jars = java.nio.file.Files.list(layerLib)) {
                jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted()
                        .forEach(n -> entries.add(MergedLayers.JAVA_LIB + "/" + n));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return String.join(":", entries);
    }

    Map<String, String> environmentVariables(FunctionVersion version, String envId, String runtimeApi,
                                             Path taskRoot, LaunchMode mode) {
        Map<String, String> env = new LinkedHashMap<>(version.config().environment());
        String name = version.functionName();
        String runtime = version.config().runtime();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin:/opt/bin");
        env.put("LANG", "C.UTF-8");
        env.put("TZ", ":UTC");
        env.put("HOME", "/tmp");
        env.put("_HANDLER", version.config().handler());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime.replace(".", "_"));
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", mode.initializationType());
        env.put("AWS_LAMBDA_FUNCTION_NAME", name);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", version.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(version.config().memorySize()));
        env.put("AWS_REGION", settings.region());
        env.put("AWS_DEFAULT_REGION", settings.region());
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", DateTimeFormatter.ofPattern("yyyy/MM/dd").format(
                LocalDate.now(ZoneOffset.UTC)) + "/[" + version.version() + "]" + envId);
        // Lambda tells runtimes the log format, and under JSON the application log level, through these two.
        env.put("AWS_LAMBDA_LOG_FORMAT", version.config().logging().logFormat());
        if (version.config().logging().json()) {
            env.put("AWS_LAMBDA_LOG_LEVEL", version.config().logging().effectiveApplicationLogLevel());
        }
        env.put("LAMBDA_TASK_ROOT", EnvironmentRoot.TASK_ROOT);
        env.put("LAMBDA_RUNTIME_DIR", EnvironmentRoot.RUNTIME_DIR);
        env.putAll(settings.credentials().environment(version));
        return env;
    }

    @Override
    public void close() {
        endpoints.close();
        spawner.shutdownNow();
    }
}
