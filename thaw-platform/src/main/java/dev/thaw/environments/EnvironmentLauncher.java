package dev.thaw.environments;

import dev.thaw.cgroups.EnvironmentCgroup;
import dev.thaw.cgroups.Limits;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.Runtimes;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeApiServer;

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

/**
 * The one place where environment processes are spawned.
 *
 * <p>Each runs in the sandbox of {@link EnvironmentRoot}: pid 1 of its own namespaces, unprivileged on the host, a
 * session leader (which CRIU needs to dump it), and killed if the platform dies. Spawns run on one long-lived thread
 * because PR_SET_PDEATHSIG fires when the spawning <em>thread</em> exits.
 */
public final class EnvironmentLauncher implements AutoCloseable {
    /** Lambda's on-demand INIT limit. */
    public static final long ON_DEMAND_INIT_LIMIT_MS = 10_000;

    /** Runtime API endpoints kept started for the next cold starts. */
    private static final int SPARE_ENDPOINTS = 2;
    private static final java.util.logging.Logger LOG =
            java.util.logging.Logger.getLogger(EnvironmentLauncher.class.getName());

    private final LaunchSettings settings;
    private final java.util.concurrent.ConcurrentLinkedQueue<RuntimeApiEndpoint> spares =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean replenishing =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closed;
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("environment-spawner").factory());

    public EnvironmentLauncher(LaunchSettings settings) {
        this.settings = settings;
    }

    public LaunchSettings settings() {
        return settings;
    }

    /** Whether an environment runs INIT for a snapshot or for on-demand use. */
    public enum InitType {
        ON_DEMAND("on-demand"),
        SNAP_START("snap-start");

        final String value;

        InitType(String value) {
            this.value = value;
        }
    }

    /** Starts an environment and waits for INIT to finish. */
    public Environment start(FunctionVersion version, InitType initType, long initLimitMillis) throws StartupFailure {
        Environment env = spawn(version, initType);
        env.platformLine("INIT_START Runtime Version: " + version.config().runtime() + " Initialization Type: "
                + initType.value);
        env.awaitInit(initLimitMillis);
        return env;
    }

    /**
     * Starts an environment whose runtime runs INIT with {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start} and then
     * its beforeCheckpoint hooks; returns once the runtime asks to be checkpointed.
     */
    public Environment startForSnapshot(FunctionVersion version, long initLimitMillis) throws StartupFailure {
        Environment env = spawn(version, InitType.SNAP_START);
        env.platformLine("INIT_START Runtime Version: " + version.config().runtime()
                + " Initialization Type: snap-start");
        env.awaitCheckpointRequest(initLimitMillis);
        return env;
    }

    /** A Runtime API endpoint for an environment that is about to be restored rather than spawned. */
    public record RuntimeApiEndpoint(String environmentId, InvocationChannel channel, RuntimeApiServer server,
                                     Runnable releasePort) {
        public void close() {
            server.close();
            releasePort.run();
        }
    }

    /**
     * A ready Runtime API endpoint. Starting a server takes 10-30 ms of CPU, so a few are kept started in advance
     * and replenished in the background: a cold start (a restore above all) does not pay for it on its path.
     */
    public RuntimeApiEndpoint openRuntimeApi() {
        RuntimeApiEndpoint spare = spares.poll();
        replenishSpares();
        return spare != null ? spare : startEndpoint();
    }

    /** Starts a Runtime API server; a port taken between its check and the bind is skipped for the next one. */
    private RuntimeApiEndpoint startEndpoint() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = settings.ports().allocate();
            InvocationChannel channel = new InvocationChannel();
            try {
                return new RuntimeApiEndpoint(Environment.newId(), channel, RuntimeApiServer.start(channel, port),
                        () -> settings.ports().release(port));
            } catch (RuntimeException e) {
                settings.ports().release(port);
                last = e;
            }
        }
        throw last;
    }

    private void replenishSpares() {
        if (closed || !replenishing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("runtime-api-spares").start(() -> {
            try {
                while (!closed && spares.size() < SPARE_ENDPOINTS) {
                    spares.add(startEndpoint());
                }
            } catch (RuntimeException e) {
                LOG.warning(() -> "cannot start a spare Runtime API endpoint: " + e);
            } finally {
                replenishing.set(false);
            }
        });
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
        return new Environment(endpoint.environmentId(), version, process, endpoint.channel(), endpoint.server(),
                endpoint.releasePort(), stream, cgroup);
    }

    /**
     * Runs a version's AOT-cache training: INIT once with {@code -XX:AOTCacheOutput}, then the runtime exits and the
     * JVM writes the cache into {@code files} as it does. Returns once the process is gone.
     */
    public void trainAotCache(FunctionVersion version, AotCacheFiles files, long limitMillis) throws StartupFailure {
        Environment env = spawn(version, InitType.ON_DEMAND, files, true);
        env.platformLine("INIT_START Runtime Version: " + version.config().runtime()
                + " Initialization Type: aot-training");
        env.awaitTrainingExit(limitMillis);
    }

    /** Spawns the process and its Runtime API server without waiting for INIT. */
    Environment spawn(FunctionVersion version, InitType initType) throws StartupFailure {
        AotCacheFiles aot = version.usesAotCache() ? AotCacheFiles.of(settings.aotRoot(), version) : null;
        return spawn(version, initType, aot != null && aot.trained() ? aot : null, false);
    }

    private Environment spawn(FunctionVersion version, InitType initType, AotCacheFiles aot, boolean training)
            throws StartupFailure {
        RuntimeApiEndpoint endpoint;
        try {
            endpoint = openRuntimeApi();
        } catch (RuntimeException e) {
            throw new StartupFailure("Runtime.Unavailable", Environment.errorJson("cannot start Runtime API: " + e,
                    "Runtime.Unavailable"), "", e.toString());
        }
        EnvironmentCgroup cgroup = null;
        try {
            int memory = version.config().memorySize();
            // The training JVM forks a second JVM that assembles the cache: room for both, whatever MemorySize is.
            cgroup = settings.cgroups().create(endpoint.environmentId(),
                    Limits.forMemory(training ? Math.max(1024, 2 * memory) : memory));
            return spawnIn(version, initType, aot, training, endpoint, cgroup);
        } catch (StartupFailure | RuntimeException e) {
            // Whatever was taken for this environment goes back: a launch that fails on every invoke must not use
            // up the port range or leave cgroups behind.
            endpoint.close();
            if (cgroup != null) {
                cgroup.remove();
            }
            if (e instanceof StartupFailure failure) {
                throw failure;
            }
            throw new StartupFailure("Runtime.Unavailable", Environment.errorJson("cannot start environment: "
                    + e.getMessage(), "Runtime.Unavailable"), "", e.toString());
        }
    }

    private Environment spawnIn(FunctionVersion version, InitType initType, AotCacheFiles aot, boolean training,
                                RuntimeApiEndpoint endpoint, EnvironmentCgroup cgroup) throws StartupFailure {
        String id = endpoint.environmentId();
        Path taskRoot = settings.codeRoot().resolve(version.code().sha256Hex());
        ProcessBuilder pb = new ProcessBuilder(command(version, taskRoot, cgroup, aot, training))
                .directory(taskRoot.toFile());
        pb.environment().clear();
        pb.environment().putAll(environmentVariables(version, id, endpoint.server().address(), taskRoot, initType));
        if (aot != null) {
            pb.environment().put("_THAW_FUNCTION_ON_CLASS_PATH", "1");
            if (training) {
                pb.environment().put("_THAW_AOT_TRAINING", "1");
            }
        }
        ChildProcess process;
        try {
            process = spawner.submit(() -> ChildProcess.of(pb.start())).get();
        } catch (ExecutionException | InterruptedException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StartupFailure("Runtime.Unavailable", Environment.errorJson("cannot start environment: "
                    + cause.getMessage(), "Runtime.Unavailable"), "", String.valueOf(cause));
        }
        try {
            FunctionLogs.Stream stream = settings.logs().open(version.functionName(), version.version(), id);
            return new Environment(id, version, process, endpoint.channel(), endpoint.server(),
                    endpoint.releasePort(), stream, cgroup);
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
    }

    List<String> command(FunctionVersion version, Path taskRoot, EnvironmentCgroup cgroup, AotCacheFiles aot,
                         boolean training) {
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
                inside.addAll(List.of("-cp", aotClassPath(runtimeJar, taskRoot)));
            }
            inside.add("dev.thaw.runtime.Bootstrap");
        }
        return settings.root().wrap(cgroup == null ? List.of() : cgroup.procsFiles(), taskRoot, aot, training,
                version.config().ephemeralStorage(), inside);
    }

    /** The runtime, the task root's classes as a jar, then lib/*.jar in name order (as the function loader has it). */
    private static String aotClassPath(String runtimeJar, Path taskRoot) {
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
        return String.join(":", entries);
    }

    Map<String, String> environmentVariables(FunctionVersion version, String envId, String runtimeApi,
                                             Path taskRoot, InitType initType) {
        Map<String, String> env = new LinkedHashMap<>(version.config().environment());
        String name = version.functionName();
        String runtime = version.config().runtime();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("TZ", ":UTC");
        env.put("HOME", "/tmp");
        env.put("_HANDLER", version.config().handler());
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + runtime.replace(".", "_"));
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi);
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initType.value);
        env.put("AWS_LAMBDA_FUNCTION_NAME", name);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", version.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(version.config().memorySize()));
        env.put("AWS_REGION", settings.region());
        env.put("AWS_DEFAULT_REGION", settings.region());
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", DateTimeFormatter.ofPattern("yyyy/MM/dd").format(
                LocalDate.now(ZoneOffset.UTC)) + "/[" + version.version() + "]" + envId);
        env.put("LAMBDA_TASK_ROOT", EnvironmentRoot.TASK_ROOT);
        env.put("LAMBDA_RUNTIME_DIR", EnvironmentRoot.RUNTIME_DIR);
        env.putAll(settings.credentials().environment(version));
        return env;
    }

    @Override
    public void close() {
        closed = true;
        RuntimeApiEndpoint spare;
        while ((spare = spares.poll()) != null) {
            spare.close();
        }
        spawner.shutdownNow();
    }
}
