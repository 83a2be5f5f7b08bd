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
import dev.thaw.snapshots.RestoreFor;
import dev.thaw.snapshots.SnapStartService;

import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The one place that decides how a cold environment comes to be. A SnapStart version is restored from its snapshot
 * when the snapshot can be used. Otherwise INIT runs, with the version's JDK AOT cache when it has a trained one,
 * limited to Lambda's 10 s; as in Lambda, an INIT that runs over is retried once as part of the first invoke, this
 * time limited by the function's timeout. Provisioned concurrency copies are made here too ({@link #provision}),
 * ahead of any request.
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
        SnapStartService.Restore restore(FunctionVersion version, RestoreFor purpose);
    }

    /** Lambda's INIT limit for provisioned concurrency (and SnapStart): 130 s, or the timeout when longer. */
    static final long PROVISIONED_INIT_LIMIT_MS = 130_000;

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
            return switch (restorer.restore(version, RestoreFor.INVOCATION)) {
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

    /**
     * A provisioned concurrency copy of {@code version}, ready and marked {@link Environment#provisioned}: restored
     * from the snapshot for a SnapStart version (INIT with {@code provisioned-concurrency} when the snapshot cannot be
     * used, which re-creates it), else INIT with {@code provisioned-concurrency}, limited as on Lambda to the longer
     * of 130 s and the function's timeout.
     *
     * @throws dev.thaw.errors.ThawException when a SnapStart version cannot be restored yet (Pending, Inactive) or
     *                                       failed; the keeper of the copies says so in the configuration's status
     */
    public Environment provision(FunctionVersion version) throws StartupFailure {
        if (version.usesSnapshots()) {
            switch (restorer.restore(version, RestoreFor.PROVISIONED_COPY)) {
                case SnapStartService.Restore.Restored restored -> {
                    Environment env = restored.environment();
                    env.provisioned();
                    return env;
                }
                case SnapStartService.Restore.Unusable unusable -> {
                    Environment env = launcher.start(version, provisionedInit(version));
                    env.platformLine(PlatformRecords.snapStartWarning("snapshot not restored (" + unusable.why()
                            + "); ran INIT for a provisioned copy instead and re-creating the snapshot"));
                    return env;
                }
            }
        }
        if (version.usesAotCache() && version.state().state() == VersionState.State.Pending) {
            throw new ThawException(ErrorCode.RESOURCE_CONFLICT, "The operation cannot be performed at this time. "
                    + "The function is currently in the following state: Pending");
        }
        return launcher.start(version, provisionedInit(version));
    }

    private LaunchMode provisionedInit(FunctionVersion version) {
        long limit = Math.max(PROVISIONED_INIT_LIMIT_MS, version.config().timeout() * 1000L);
        Optional<AotCacheFiles> cache = version.usesAotCache()
                ? Optional.of(AotCacheFiles.of(aotRoot, version)).filter(AotCacheFiles::trained) : Optional.empty();
        return new LaunchMode.ProvisionedInit(cache, limit);
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
