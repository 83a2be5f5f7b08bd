package dev.thaw.server;

import dev.thaw.api.ApiServer;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.EnvironmentPool;
import dev.thaw.environments.FunctionLogs;
import dev.thaw.environments.Jdks;
import dev.thaw.environments.LaunchSettings;
import dev.thaw.environments.PortAllocator;
import dev.thaw.functions.Arns;
import dev.thaw.functions.CodeStore;
import dev.thaw.functions.FunctionService;
import dev.thaw.invoke.ConcurrencyLimiter;
import dev.thaw.invoke.InvokeService;
import dev.thaw.store.MetadataStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** The platform: create, {@link #start()}, {@link #port()}, {@link #close()}. */
public final class Thaw implements AutoCloseable {
    private final ThawConfig config;
    private MetadataStore store;
    private EnvironmentLauncher launcher;
    private EnvironmentPool pool;
    private ApiServer api;

    public Thaw(ThawConfig config) {
        this.config = config;
    }

    public Thaw start() {
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
        store = MetadataStore.open(home.resolve("metadata.db"));
        Jdks jdks = Jdks.discover(config.jdkSearchRoot(), config.jdkOverrides());
        CodeStore code = new CodeStore(home.resolve("code"));
        FunctionLogs logs = new FunctionLogs(home.resolve("logs"));
        HostRuntimes runtimes = new HostRuntimes(jdks, () -> "snapshots are not implemented yet");
        FunctionService functions = new FunctionService(store, code, new Arns(config.region(), config.accountId()),
                runtimes, config.accountConcurrency(), Clock.systemUTC());
        launcher = new EnvironmentLauncher(new LaunchSettings(config.runtimeJar(), jdks, config.region(),
                config.accountId(), logs, new PortAllocator(config.runtimePortFirst(), config.runtimePortLast()),
                home.resolve("code")));
        pool = new EnvironmentPool(version -> launcher.start(version, EnvironmentLauncher.InitType.ON_DEMAND,
                EnvironmentLauncher.ON_DEMAND_INIT_LIMIT_MS), config.idleTtl());
        functions.addListener(pool);
        InvokeService invoker = new InvokeService(functions, store, new ConcurrencyLimiter(config.accountConcurrency()),
                pool);
        api = new ApiServer(config.host(), config.port(), functions, invoker, pool, logs).start();
        return this;
    }

    public int port() {
        return api.port();
    }

    public ThawConfig config() {
        return config;
    }

    /** Stops accepting requests, then stops every environment (SIGTERM, SIGKILL after 2 s), then the store. */
    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (launcher != null) {
            launcher.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
