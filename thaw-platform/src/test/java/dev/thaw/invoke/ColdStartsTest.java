package dev.thaw.invoke;

import dev.thaw.environments.AotCacheFiles;
import dev.thaw.environments.Environment;
import dev.thaw.environments.LaunchMode;
import dev.thaw.environments.StartupFailure;
import dev.thaw.environments.TestEnvironments;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionConfig;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.functions.VersionState;
import dev.thaw.snapshots.RestoreFor;
import dev.thaw.snapshots.SnapStartService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a cold environment comes to be: restore, INIT with or without the AOT cache, and the INIT retry. The launches
 * and restores are recorded as asked for; the environments are real processes with real Runtime API servers.
 */
class ColdStartsTest {
    private static final Map<String, String> AOT_ON = Map.of(FunctionConfig.AOT_CACHE_VARIABLE, "on");

    @TempDir
    Path dir;
    private Path aotRoot;
    private TestEnvironments environments;
    /** The modes the cold starts asked the launcher for, in order. */
    private final List<LaunchMode> launches = new ArrayList<>();
    /** What the launcher does on each start, in order; an empty queue starts a ready environment. */
    private final Deque<StartupFailure> launchFailures = new ArrayDeque<>();
    private final List<FunctionVersion> restores = new ArrayList<>();
    private final List<RestoreFor> restorePurposes = new ArrayList<>();
    private SnapStartService.Restore restoreOutcome;
    private ColdStarts coldStarts;

    @BeforeEach
    void open() {
        aotRoot = dir.resolve("aot");
        environments = new TestEnvironments(dir.resolve("logs"));
        coldStarts = new ColdStarts((version, mode) -> {
            launches.add(mode);
            StartupFailure failure = launchFailures.poll();
            if (failure != null) {
                throw failure;
            }
            return environments.ready(version);
        }, (version, purpose) -> {
            restores.add(version);
            restorePurposes.add(purpose);
            return restoreOutcome;
        }, aotRoot, dev.thaw.metrics.PlatformMetrics.NONE);
    }

    @AfterEach
    void stopEnvironments() {
        environments.close();
    }

    private static FunctionVersion snapStartVersion() {
        return TestEnvironments.version("snap", "1", 3, Map.of(), SnapStartMode.PUBLISHED_VERSIONS,
                VersionState.active());
    }

    private static FunctionVersion plainVersion(int timeoutSeconds) {
        return TestEnvironments.version("plain", "1", timeoutSeconds, Map.of(), SnapStartMode.NONE,
                VersionState.active());
    }

    private static FunctionVersion aotVersion(String version, int timeoutSeconds, VersionState state) {
        return TestEnvironments.version("aot", version, timeoutSeconds, AOT_ON, SnapStartMode.NONE, state);
    }

    private AotCacheFiles trainCache(FunctionVersion version) throws IOException {
        AotCacheFiles files = AotCacheFiles.of(aotRoot, version);
        Files.createDirectories(files.directory());
        Files.write(files.cache(), new byte[] {1});
        return files;
    }

    private static StartupFailure failure(String errorType) {
        return new StartupFailure(errorType, new byte[0], "", "INIT failed: " + errorType);
    }

    @Test
    void aSnapStartVersionWithAUsableSnapshotIsRestoredAndRunsNoInit() throws Exception {
        FunctionVersion version = snapStartVersion();
        Environment restored = environments.ready(version);
        restoreOutcome = new SnapStartService.Restore.Restored(restored);
        assertSame(restored, coldStarts.provide(version));
        assertEquals(List.of(version), restores);
        assertEquals(List.of(RestoreFor.INVOCATION), restorePurposes);
        assertEquals(List.of(), launches);
    }

    @Test
    void aProvisionedCopyOfASnapStartVersionIsRestoredAndMarkedProvisioned() throws Exception {
        FunctionVersion version = snapStartVersion();
        Environment restored = environments.ready(version);
        restoreOutcome = new SnapStartService.Restore.Restored(restored);
        Environment copy = coldStarts.provision(version);
        assertSame(restored, copy);
        assertTrue(copy.isProvisioned());
        assertEquals(List.of(RestoreFor.PROVISIONED_COPY), restorePurposes,
                "restored ahead, so it reads its pages before it is ready");
        assertEquals(List.of(), launches, "no INIT");
    }

    @Test
    void aProvisionedCopyOfAPlainVersionRunsProvisionedInitWithinTheLongerOf130SecondsAndTheTimeout()
            throws Exception {
        coldStarts.provision(plainVersion(3));
        coldStarts.provision(plainVersion(300));
        assertEquals(List.of(new LaunchMode.ProvisionedInit(java.util.Optional.empty(), 130_000),
                new LaunchMode.ProvisionedInit(java.util.Optional.empty(), 300_000)), launches);
        assertEquals("provisioned-concurrency", launches.getFirst().initializationType());
        assertEquals(List.of(), restores);
    }

    @Test
    void aSnapshotThatCannotBeUsedIsServedByInitWithAWarningInTheEnvironmentsLog() throws Exception {
        FunctionVersion version = snapStartVersion();
        restoreOutcome = new SnapStartService.Restore.Unusable("the snapshot is missing");
        Environment env = coldStarts.provide(version);
        assertEquals(List.of(new LaunchMode.Init(10_000)), launches);
        assertTrue(environments.logLines(version).stream().anyMatch(l -> l.endsWith("SNAPSTART_WARNING snapshot not "
                + "restored (the snapshot is missing); ran INIT instead and re-creating the snapshot")),
                environments.logLines(version).toString());
        assertEquals(version, env.version());
    }

    @Test
    void aVersionWithoutSnapStartIsStartedByInitAndNeverRestored() throws Exception {
        coldStarts.provide(plainVersion(3));
        assertEquals(List.of(), restores);
        assertEquals(List.of(new LaunchMode.Init(10_000)), launches);
    }

    @Test
    void aTrainedAotCacheIsUsedForInit() throws Exception {
        FunctionVersion version = aotVersion("1", 3, VersionState.active());
        AotCacheFiles files = trainCache(version);
        coldStarts.provide(version);
        assertEquals(List.of(new LaunchMode.InitWithAotCache(files, 10_000)), launches);
    }

    @Test
    void anAotVersionWhoseCacheIsMissingRunsAPlainInit() throws Exception {
        coldStarts.provide(aotVersion("1", 3, VersionState.active()));
        assertEquals(List.of(new LaunchMode.Init(10_000)), launches);
    }

    @Test
    void latestNeverUsesAnAotCacheEvenWithTheVariableSet() throws Exception {
        FunctionVersion latest = aotVersion(FunctionVersion.LATEST, 3, VersionState.active());
        trainCache(latest);
        coldStarts.provide(latest);
        assertEquals(List.of(new LaunchMode.Init(10_000)), launches);
    }

    @Test
    void anAotVersionStillBeingTrainedCannotBeInvokedYet() {
        ThawException e = assertThrows(ThawException.class, () -> coldStarts.provide(aotVersion("1", 3,
                VersionState.pending("training", "Creating"))));
        assertEquals(ErrorCode.RESOURCE_CONFLICT, e.code());
        assertTrue(e.getMessage().contains("Pending"), e.getMessage());
        assertEquals(List.of(), launches);
    }

    @Test
    void anInitThatRunsPastTenSecondsIsRetriedOnceWithinTheFunctionTimeout() throws Exception {
        launchFailures.add(failure("Runtime.InitTimeout"));
        coldStarts.provide(plainVersion(30));
        assertEquals(List.of(new LaunchMode.Init(10_000), new LaunchMode.Init(30_000)), launches);
    }

    @Test
    void theRetryKeepsTheAotCache() throws Exception {
        FunctionVersion version = aotVersion("1", 30, VersionState.active());
        AotCacheFiles files = trainCache(version);
        launchFailures.add(failure("Runtime.InitTimeout"));
        coldStarts.provide(version);
        assertEquals(List.of(new LaunchMode.InitWithAotCache(files, 10_000),
                new LaunchMode.InitWithAotCache(files, 30_000)), launches);
    }

    @Test
    void aTimedOutInitIsNotRetriedWhenTheFunctionTimeoutIsNoLonger() {
        launchFailures.add(failure("Runtime.InitTimeout"));
        StartupFailure f = assertThrows(StartupFailure.class, () -> coldStarts.provide(plainVersion(10)));
        assertEquals("Runtime.InitTimeout", f.errorType());
        assertEquals(1, launches.size());
    }

    @Test
    void anInitThatFailsOtherwiseIsNotRetried() {
        launchFailures.add(failure("Runtime.ExitError"));
        StartupFailure f = assertThrows(StartupFailure.class, () -> coldStarts.provide(plainVersion(30)));
        assertEquals("Runtime.ExitError", f.errorType());
        assertEquals(1, launches.size());
    }

    @Test
    void aRetryThatTimesOutAgainIsNotRetriedAgain() {
        launchFailures.add(failure("Runtime.InitTimeout"));
        launchFailures.add(failure("Runtime.InitTimeout"));
        assertThrows(StartupFailure.class, () -> coldStarts.provide(plainVersion(30)));
        assertEquals(2, launches.size());
    }
}
