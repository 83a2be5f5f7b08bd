package dev.thaw.snapshots;

import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.Jdks;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionService;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.VersionListener;
import dev.thaw.functions.VersionState;
import dev.thaw.metrics.PlatformMetrics;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SnapStart's lifecycle: a published SnapStart version is Pending until its snapshot is taken (then Active with
 * OptimizationStatus On) or fails (Failed, with the reason); it offers a {@link #restore} of an Active version's
 * snapshot, re-creates a snapshot that cannot be used, and expires unused ones. Whether a cold start restores is
 * {@link dev.thaw.invoke.ColdStarts}'s decision.
 */
public final class SnapStartService implements VersionListener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapStartService.class.getName());

    private final FunctionService functions;
    private final EnvironmentLauncher launcher;
    private final SnapshotStore store;
    private final Criu criu;
    private final Jdks jdks;
    private final SnapshotTaker taker;
    private final SnapshotRestorer restorer;
    private final Path codeRoot;
    private final ExecutorService snapshotter = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("snapshotter").factory());
    private final Set<String> recreating = ConcurrentHashMap.newKeySet();
    private final Duration expiry;
    private final PlatformMetrics metrics;
    private final SharedSnapshots shared;
    private final ScheduledExecutorService expirer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("snapshot-expiry").factory());

    /**
     * {@code plainImages} is where a tmpfs for the plain images is mounted (see {@link PlainImages}); every image in
     * {@code snapshotRoot} is sealed under a data key wrapped by {@code masterKey}.
     */
    public SnapStartService(FunctionService functions, EnvironmentLauncher launcher, Path snapshotRoot, Path workRoot,
                            Criu criu, Jdks jdks, Path codeRoot, Duration expiry, PlatformMetrics metrics,
                            dev.thaw.objects.ObjectStore objects, long cacheBytes,
                            MasterKey masterKey, Path plainImages) {
        this.expiry = expiry;
        this.metrics = metrics;
        this.functions = functions;
        this.launcher = launcher;
        this.store = new SnapshotStore(snapshotRoot, masterKey,
                PlainImages.mount(plainImages, PlainImages.defaultCapacity()));
        this.shared = new SharedSnapshots(objects, store, snapshotRoot, cacheBytes);
        this.criu = criu;
        this.jdks = jdks;
        this.codeRoot = codeRoot;
        this.taker = new SnapshotTaker(launcher, store, criu, jdks);
        this.restorer = new SnapshotRestorer(launcher, criu, workRoot);
    }

    /**
     * Starts expiring unused snapshots: one unused for longer than the expiry is deleted and its version goes
     * Inactive, as on AWS; the next invoke gets SnapStartNotReadyException and re-creates it.
     */
    public void startExpiry() {
        long period = Math.max(1000, Math.min(Duration.ofMinutes(10).toMillis(), expiry.toMillis() / 4));
        expirer.scheduleWithFixedDelay(this::expireUnused, period, period, TimeUnit.MILLISECONDS);
    }

    void expireUnused() {
        try {
            for (FunctionVersion v : functions.allStoredVersions()) {
                if (!v.usesSnapshots() || v.state().state() != VersionState.State.Active) {
                    continue;
                }
                Optional<Instant> lastUsed = store.lastUsed(v.functionName(), v.version());
                if (lastUsed.isPresent() && lastUsed.get().plus(expiry).isBefore(Instant.now())) {
                    LOG.info(() -> "snapshot of " + v.functionName() + ":" + v.version() + " unused since "
                            + lastUsed.get() + ": deleting it; the version is Inactive until it is re-created");
                    store.delete(v.functionName(), v.version());
                    shared.delete(v.functionName(), v.version());
                    functions.updateVersionState(v.functionName(), v.version(), FunctionVersion.SnapshotStatus.Off,
                            VersionState.inactive("The function's snapshot was deleted because it was not used for "
                                    + expiry + ". The next invoke re-creates it.", "Idle"));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "snapshot expiry check failed", e);
        }
    }

    /**
     * After a restart: unencrypted snapshots (an earlier release's) are deleted, to be re-created at their next
     * invoke, and snapshots still Pending are taken again.
     */
    public void reconcile() {
        if (criu.available()) {
            // Once the platform serves, so that it does not slow the start.
            Thread.ofPlatform().daemon().name("snapshot-cipher-warm-up").start(SealedFile::warmUp);
        }
        List<String> unsealed = store.removeUnsealed();
        if (!unsealed.isEmpty()) {
            LOG.info(() -> "deleted unencrypted snapshots " + unsealed + "; each is re-created at its next invoke");
        }
        for (FunctionVersion v : functions.allStoredVersions()) {
            if (v.usesSnapshots() && v.state().state() == VersionState.State.Pending) {
                LOG.info(() -> "resuming the snapshot of " + v.functionName() + ":" + v.version());
                versionPublished(v);
            }
        }
    }

    @Override
    public void versionPublished(FunctionVersion version) {
        if (!version.usesSnapshots()) {
            return;
        }
        snapshotter.submit(() -> takeSnapshot(version, false));
    }

    @Override
    public void versionRetired(FunctionVersion version) {
        if (!version.isLatest()) {
            store.delete(version.functionName(), version.version());
            try {
                shared.delete(version.functionName(), version.version());
            } catch (dev.thaw.objects.ObjectStoreException e) {
                LOG.warning(() -> "cannot delete a retired snapshot from the object store: " + e.getMessage());
            }
        }
    }

    private void takeSnapshot(FunctionVersion version, boolean recreate) {
        try {
            if (criu.available()) {
                functions.ensureCode(version);
                List<String> warnings = SnapshotSafetyScan.scan(codeRoot.resolve(version.code().sha256Hex()),
                        version.config().handler());
                try {
                    taker.take(version, warnings);
                } catch (SnapshotFailure f) {
                    if (f.reason() != SnapshotFailure.Reason.DUMP_TIMED_OUT) {
                        throw f;
                    }
                    LOG.warning(() -> "snapshot of " + version.functionName() + ":" + version.version()
                            + " hung in CRIU and is taken again: " + f.getMessage());
                    taker.take(version, warnings);
                }
                publish(version);
                functions.updateVersionState(version.functionName(), version.version(),
                        FunctionVersion.SnapshotStatus.On, VersionState.active());
            } else {
                throw new SnapshotFailure(SnapshotFailure.Reason.UNAVAILABLE, criu.unavailableReason());
            }
        } catch (SnapshotFailure f) {
            LOG.warning(() -> "snapshot of " + version.functionName() + ":" + version.version() + " failed: "
                    + f.getMessage());
            if (!recreate || version.state().state() == VersionState.State.Inactive) {
                functions.updateVersionState(version.functionName(), version.version(),
                        FunctionVersion.SnapshotStatus.Off, VersionState.failed(f.getMessage(), f.reason().code()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "snapshot of " + version.functionName() + ":" + version.version() + " failed", e);
            if (!recreate) {
                functions.updateVersionState(version.functionName(), version.version(),
                        FunctionVersion.SnapshotStatus.Off, VersionState.failed("Internal error: " + e, "InternalError"));
            }
        } finally {
            recreating.remove(version.environmentKey());
        }
    }

    /** Uploads a snapshot just taken; one that stays on this host only is still restored here. */
    private void publish(FunctionVersion version) {
        try {
            shared.publish(version.functionName(), version.version());
        } catch (java.io.IOException | dev.thaw.objects.ObjectStoreException e) {
            LOG.warning(() -> "the snapshot of " + version.functionName() + ":" + version.version()
                    + " stays on this host only: " + e.getMessage());
        }
    }

    /** Warnings the publish-time scan found for a version's snapshot. */
    public List<String> warnings(FunctionVersion version) {
        return store.manifest(version.functionName(), version.version()).map(Manifest::warnings).orElse(List.of());
    }

    /** Every snapshot on disk of a stored version, with its images' size. */
    public List<Manifest> manifests() {
        return functions.allStoredVersions().stream().filter(FunctionVersion::usesSnapshots)
                .flatMap(v -> store.manifest(v.functionName(), v.version()).stream()).toList();
    }

    public Optional<Manifest> manifest(FunctionVersion version) {
        return store.manifest(version.functionName(), version.version());
    }

    /** What a restore of a version's snapshot came to. */
    public sealed interface Restore {
        /** A restored copy, ready to invoke. */
        record Restored(Environment environment) implements Restore {
        }

        /** The snapshot cannot be used (why says why); it is being re-created, and the caller serves by INIT. */
        record Unusable(String why) implements Restore {
        }
    }

    /**
     * Restores a copy of a published version's snapshot. A version whose snapshot is still being taken, failed or
     * expired cannot be invoked, as on Lambda, and gets the error Lambda gives; a snapshot that is missing, belongs
     * to another host or revision, fails its integrity check or fails to restore is re-created in the background.
     */
    public Restore restore(FunctionVersion version) {
        switch (version.state().state()) {
            case Pending -> throw new ThawException(ErrorCode.RESOURCE_CONFLICT, "The operation cannot be performed "
                    + "at this time. The function is currently in the following state: Pending");
            case Failed -> throw new ThawException(ErrorCode.SNAP_START, "The snapshot of version "
                    + version.version() + " could not be created: " + version.state().stateReason());
            case Inactive -> {
                recreate(version);
                throw new ThawException(ErrorCode.SNAP_START_NOT_READY, "Lambda is initializing your function. "
                        + "It will be ready to invoke once the snapshot has been re-created.");
            }
            case Active -> {
                // restore below
            }
        }
        dev.thaw.objects.HostCache.Use inUse;
        try {
            inUse = shared.fetch(version.functionName(), version.version());
        } catch (java.io.IOException | dev.thaw.objects.ObjectStoreException e) {
            return unusable(version, "the snapshot cannot be fetched from the object store: " + e.getMessage());
        }
        try {
            return restoreActive(version);
        } finally {
            inUse.close();
        }
    }

    private Restore restoreActive(FunctionVersion version) {
        Optional<Manifest> manifest = store.manifest(version.functionName(), version.version());
        String problem = manifest.isEmpty() ? "the snapshot is missing" : compatibilityProblem(version, manifest.get())
                .orElse(null);
        if (problem == null) {
            problem = store.verify(manifest.get()).orElse(null);
            if (problem != null) {
                metrics.snapshotIntegrityFailed(version.functionName(), version.version());
            }
        }
        if (problem == null) {
            try (PlainImages.Lease images = store.plainImages(manifest.get())) {
                Environment env = restorer.restore(version, manifest.get(), images.directory());
                store.markUsed(version.functionName(), version.version());
                metrics.snapshotRestore(version.functionName(), version.version(), true);
                return new Restore.Restored(env);
            } catch (SealedFile.Broken e) {
                metrics.snapshotIntegrityFailed(version.functionName(), version.version());
                problem = "the images fail decryption: " + e.getMessage();
            } catch (PlainImages.NoRoom e) {
                // Nothing is wrong with the snapshot: this restore is served by INIT, and a later one may fit.
                LOG.warning(() -> "not restoring " + version.functionName() + ":" + version.version() + ": "
                        + e.getMessage() + "; serving with an ordinary INIT");
                return new Restore.Unusable(e.getMessage());
            } catch (java.io.IOException e) {
                problem = "the images cannot be decrypted: " + e.getMessage();
            } catch (SnapshotRestorer.RestoreFailed e) {
                metrics.snapshotRestore(version.functionName(), version.version(), false);
                problem = "the restore failed: " + e.getMessage();
            }
        }
        return unusable(version, problem);
    }

    private Restore unusable(FunctionVersion version, String problem) {
        String reason = problem;
        LOG.warning(() -> "not restoring " + version.functionName() + ":" + version.version() + ": " + reason
                + "; serving with an ordinary INIT and re-creating the snapshot");
        recreate(version);
        return new Restore.Unusable(reason);
    }

    private Optional<String> compatibilityProblem(FunctionVersion version, Manifest m) {
        if (!m.environmentKey().equals(version.environmentKey())) {
            return Optional.of("the snapshot belongs to another revision");
        }
        String jdk = jdks.forRuntime(version.config().runtime()).map(Jdks.Jdk::fullVersion).orElse("none");
        HostFingerprint now = HostFingerprint.current(jdk, criu.version());
        if (!now.equals(m.host())) {
            return Optional.of("the snapshot was taken with " + m.host() + " but this host has " + now);
        }
        return Optional.empty();
    }

    private void recreate(FunctionVersion version) {
        if (recreating.add(version.environmentKey())) {
            metrics.snapshotRecreated(version.functionName(), version.version());
            snapshotter.submit(() -> takeSnapshot(version, true));
        }
    }

    @Override
    public void close() {
        expirer.shutdownNow();
        snapshotter.shutdownNow();
        restorer.close();
        store.close();
    }
}
