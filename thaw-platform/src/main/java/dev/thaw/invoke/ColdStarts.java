package dev.thaw.invoke;

import dev.thaw.environments.AotCacheFiles;
import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.EnvironmentProvider;
import dev.thaw.environments.LaunchMode;
import dev.thaw.environments.PlatformRecords;
import dev.thaw.environments.StartupFailure;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.RuntimeErrorType;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.VersionState;
import dev.thaw.metrics.PlatformMetrics;
import dev.thaw.snapshots.SnapStartService;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The one place that decides how a cold environment comes to be. A SnapStart version is restored from its snapshot
 * when the snapshot can be used. Otherwise INIT runs, with the version's JDK AOT cache when it has a trained one,
 * limited to Lambda's 10 s; as in Lambda, an INIT that runs over is retried once as part of the first invoke, this
 * time limited by the function's timeout.
 */
public final class ColdStarts implements EnvironmentProvider {
    private static final Logger LOG = Logger.getLogger(ColdStarts.class.getName());

    /** Starts an environment the way a mode says ({@link EnvironmentLauncher#start}). */
    @FunctionalInterface
    public interface Launcher {
        Environment start(FunctionVersion version, LaunchMode mode) throws StartupFailure;
    }

    /** Offers a restore of a SnapStart version's snapshot ({@link SnapStartService#restore}). */
    @FunctionalInterface
    public interface Restorer {
        SnapStartService.Restore restore(FunctionVersion version);
    }

    private final Launcher launcher;
    private final Restorer restorer;
    private final Path aotRoot;
    private final PlatformMetrics metrics;

    /** {@code aotRoot} holds the versions' AOT caches ({@link AotCacheFiles#of}). */
    public ColdStarts(Launcher launcher, Restorer restorer, Path aotRoot, PlatformMetrics metrics) {
        this.launcher = launcher;
        this.restorer = restorer;
        this.aotRoot = aotRoot;
        this.metrics = metrics;
    }

    @Override
    public Environment provide(FunctionVersion version) throws StartupFailure {
        if (version.usesSnapshots()) {
            return switch (restorer.restore(version)) {
                case SnapStartService.Restore.Restored restored -> {
                    metrics.coldStarted(version.functionName(), version.version(),
                            PlatformMetrics.ColdStartKind.RESTORE, restored.environment().restoreMillis() / 1000);
                    yield restored.environment();
                }
                case SnapStartService.Restore.Unusable unusable -> {
                    Environment env = init(version);
                    env.platformLine(PlatformRecords.snapStartWarning("snapshot not restored (" + unusable.why()
                            + "); ran INIT instead and re-creating the snapshot"));
                    yield env;
                }
            };
        }
        if (version.usesAotCache() && version.state().state() == VersionState.State.Pending) {
            throw new ThawException(ErrorCode.RESOURCE_CONFLICT, "The operation cannot be performed at this time. "
                    + "The function is currently in the following state: Pending");
        }
        return init(version);
    }

    private Environment init(FunctionVersion version) throws StartupFailure {
        Environment env = initWithRetry(version);
        metrics.coldStarted(version.functionName(), version.version(), PlatformMetrics.ColdStartKind.INIT,
                env.initMillis() / 1000);
        return env;
    }

    private Environment initWithRetry(FunctionVersion version) throws StartupFailure {
        try {
            return launcher.start(version, initMode(version, EnvironmentLauncher.ON_DEMAND_INIT_LIMIT_MS));
        } catch (StartupFailure f) {
            long timeoutMillis = version.config().timeout() * 1000L;
            if (!RuntimeErrorType.INIT_TIMEOUT.type().equals(f.errorType())
                    || timeoutMillis <= EnvironmentLauncher.ON_DEMAND_INIT_LIMIT_MS) {
                throw f;
            }
            LOG.info(() -> version.functionName() + ":" + version.version() + ": INIT ran past 10 s; retrying it "
                    + "within the function timeout of " + version.config().timeout() + " s");
            return launcher.start(version, initMode(version, timeoutMillis));
        }
    }

    /** INIT with the version's AOT cache when it uses one and the cache has been trained, else plain INIT. */
    private LaunchMode initMode(FunctionVersion version, long limitMillis) {
        if (version.usesAotCache()) {
            AotCacheFiles cache = AotCacheFiles.of(aotRoot, version);
            if (cache.trained()) {
                return new LaunchMode.InitWithAotCache(cache, limitMillis);
            }
        }
        return new LaunchMode.Init(limitMillis);
    }
}
