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
import dev.thaw.metrics.PlatformReadings;

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
    /** How long no restore may take warm memory before the reserve fills again: bursts keep the cores. */
    private static final Duration WARM_MEMORY_QUIET = Duration.ofSeconds(1);
    /** How long the warm memory stays at the size a burst of restores raised it to. */
    private static final Duration WARM_MEMORY_HOLD = Duration.ofMinutes(10);

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
    private final ScheduledExecutorService publishedWatch = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("published-snapshots").factory());
    private final dev.thaw.objects.ObjectStore objects;
    /** Who may make a snapshot; on one host, always this host. */
    private volatile SnapshotClaims claims = SnapshotClaims.THIS_HOST_ONLY;
    /** An API instance over workers that share snapshots leaves every snapshot to them. */
    private volatile boolean leftToWorkers;

    /**
     * {@code plainImages} is where a tmpfs for the plain images is mounted (see {@link PlainImages}); every image in
     * {@code snapshotRoot} is sealed under a data key wrapped by {@code masterKey}; {@code warmMemoryBytes} of memory
     * the host backs are held for restores, up to {@code warmMemoryCeilingBytes} after a burst (see
     * {@link WarmMemory}).
     */
    public SnapStartService(FunctionService functions, EnvironmentLauncher launcher, Path snapshotRoot, Path workRoot,
                            Criu criu, Jdks jdks, Path codeRoot, Duration expiry, PlatformMetrics metrics,
                            dev.thaw.objects.ObjectStore objects, long cacheBytes,
                            MasterKey masterKey, Path plainImages, long warmMemoryBytes,
                            long warmMemoryCeilingBytes) {
        this.expiry = expiry;
        this.metrics = metrics;
        this.functions = functions;
        this.launcher = launcher;
        this.store = new SnapshotStore(snapshotRoot, masterKey,
                PlainImages.mount(plainImages, PlainImages.defaultCapacity()));
        this.shared = new SharedSnapshots(objects, store, snapshotRoot, cacheBytes);
        this.objects = objects;
        this.criu = criu;
        this.jdks = jdks;
        this.codeRoot = codeRoot;
        this.taker = new SnapshotTaker(launcher, store, criu, jdks);
        this.restorer = new SnapshotRestorer(launcher, criu, workRoot,
                new WarmMemory(warmMemoryBytes, warmMemoryCeilingBytes, WARM_MEMORY_QUIET, WARM_MEMORY_HOLD));
    }

    /**
     * On an API instance over remote workers: when snapshots are shared through an object store, a published
     * version's first snapshot is made by a worker ({@link #makeSnapshotsFor}), not here. Without a shared store this
     * instance still takes it, and each worker makes its own when it first needs one.
     */
    public void leaveSnapshotsToWorkers() {
        leftToWorkers = objects.shared();
    }

    /**
     * On a worker: with a shared object store, a version is checkpointed once per host fingerprint in the cluster.
     * This worker makes a snapshot only under a claim ({@link SnapshotClaims}): the first snapshot of a version
     * published anywhere in the cluster (claim {@link SnapshotClaims#FIRST}, looked for every second), or the one of
     * its own fingerprint when it needs one the store lacks; meanwhile it serves the version by INIT. Without a
     * shared store every worker makes its own, as one host does.
     */
    public void makeSnapshotsFor(SnapshotClaims workerClaims) {
        if (!objects.shared()) {
            return;
        }
        this.claims = workerClaims;
        if (!criu.available()) {
            // Leaves first snapshots to workers that can take them.
            return;
        }
        publishedWatch.scheduleWithFixedDelay(this::takePublished, 1, 1, TimeUnit.SECONDS);
    }

    /** Claims and takes the first snapshot of versions published (Pending) anywhere in the cluster. */
    void takePublished() {
        try {
            for (FunctionVersion v : functions.allStoredVersions()) {
                if (!v.usesSnapshots() || v.state().state() != VersionState.State.Pending
                        || recreating.contains(v.environmentKey())
                        || !claims.claim(v.functionName(), v.version(), SnapshotClaims.FIRST)) {
                    continue;
                }
                // Read again under the claim: another worker may have finished it since the list was read.
                Optional<FunctionVersion> now = functions.allStoredVersions().stream()
                        .filter(c -> c.environmentKey().equals(v.environmentKey())).findFirst();
                if (now.isEmpty() || now.get().state().state() != VersionState.State.Pending
                        || !recreating.add(v.environmentKey())) {
                    claims.release(v.functionName(), v.version(), SnapshotClaims.FIRST);
                    continue;
                }
                LOG.info(() -> "claimed the first snapshot of " + v.functionName() + ":" + v.version());
                snapshotter.submit(() -> takeSnapshot(now.get(), false, SnapshotClaims.FIRST));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot look for published versions to snapshot: " + e.getMessage());
        }
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
            if (v.usesSnapshots() && v.state().state() == VersionState.State.Pending && !leftToWorkers) {
                LOG.info(() -> "resuming the snapshot of " + v.functionName() + ":" + v.version());
                versionPublished(v);
            }
        }
    }

    @Override
    public void versionPublished(FunctionVersion version) {
        if (!version.usesSnapshots() || leftToWorkers) {
            return;
        }
        recreating.add(version.environmentKey());
        snapshotter.submit(() -> takeSnapshot(version, false, SnapshotClaims.FIRST));
    }

    @Override
    public void versionRetired(FunctionVersion version) {
        if (!version.isLatest()) {
            restorer.forget(version);
            store.delete(version.functionName(), version.version());
            try {
                shared.delete(version.functionName(), version.version());
            } catch (dev.thaw.objects.ObjectStoreException e) {
                LOG.warning(() -> "cannot delete a retired snapshot from the object store: " + e.getMessage());
            }
        }
    }

    /** Takes a version's snapshot under {@code claim}, which is given back when done. */
    private void takeSnapshot(FunctionVersion version, boolean recreate, String claim) {
        try {
            if (recreate && shared.has(version.functionName(), version.version(), claim)
                    && store.manifest(version.functionName(), version.version())
                    .filter(m -> m.host().id().equals(claim)).isEmpty()) {
                LOG.info(() -> "the snapshot of " + version.functionName() + ":" + version.version()
                        + " for this host's fingerprint was made by another host meanwhile; not taking another");
                return;
            }
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
            claims.release(version.functionName(), version.version(), claim);
        }
    }

    /** Uploads a snapshot just taken; one that stays on this host only is still restored here. */
    private void publish(FunctionVersion version) {
        try {
            Optional<Manifest> taken = store.manifest(version.functionName(), version.version());
            if (taken.isPresent()) {
                shared.publish(version.functionName(), version.version(), taken.get().host().id());
            }
        } catch (java.io.IOException | dev.thaw.objects.ObjectStoreException e) {
            LOG.warning(() -> "the snapshot of " + version.functionName() + ":" + version.version()
                    + " stays on this host only: " + e.getMessage());
        }
    }

    /** Warnings the publish-time scan found for a version's snapshot. */
    public List<String> warnings(FunctionVersion version) {
        return store.manifest(version.functionName(), version.version()).map(Manifest::warnings).orElse(List.of());
    }

    /** The memory held for restores now, and what it fills to. */
    public PlatformReadings.WarmMemoryReading warmMemory() {
        return restorer.warmMemory();
    }

    /** The spare restore slots of the snapshots that keep some. */
    public java.util.List<PlatformReadings.RestoreSlotsReading> restoreSlots() {
        return restorer.restoreSlots();
    }

    /** Every snapshot on disk of a stored version, with its images' size. */
    public List<Manifest> manifests() {
        return functions.allStoredVersions().stream().filter(FunctionVersion::usesSnapshots)
                .flatMap(v -> store.manifest(v.functionName(), v.version()).stream()).toList();
    }

    public Optional<Manifest> manifest(FunctionVersion version) {
        return store.manifest(version.functionName(), version.version());
    }

    /** Environment keys of the snapshots on this host that it can restore (taken under its own fingerprint). */
    public java.util.Set<String> restorable() {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (FunctionVersion v : functions.allStoredVersions()) {
            if (v.usesSnapshots()) {
                store.manifest(v.functionName(), v.version())
                        .filter(m -> m.host().equals(hostFingerprint(v)))
                        .ifPresent(m -> keys.add(m.environmentKey()));
            }
        }
        return keys;
    }

    /** The version's snapshots in the object store, one per host fingerprint; none without a shared store. */
    public List<Manifest> sharedManifests(FunctionVersion version) {
        try {
            return shared.sharedManifests(version.functionName(), version.version());
        } catch (java.io.IOException | dev.thaw.objects.ObjectStoreException e) {
            throw ThawException.service("cannot list the snapshots in the object store: " + e.getMessage(), e);
        }
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
    public Restore restore(FunctionVersion version, RestoreFor purpose) {
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
            inUse = shared.fetch(version.functionName(), version.version(), hostFingerprint(version).id());
        } catch (java.io.IOException | dev.thaw.objects.ObjectStoreException e) {
            return unusable(version, "the snapshot cannot be fetched from the object store: " + e.getMessage());
        }
        try {
            return restoreActive(version, purpose);
        } finally {
            inUse.close();
        }
    }

    private Restore restoreActive(FunctionVersion version, RestoreFor purpose) {
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
                Environment env = restorer.restore(version, manifest.get(), images.directory(), purpose);
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
        boolean here = recreate(version);
        LOG.warning(() -> "not restoring " + version.functionName() + ":" + version.version() + ": " + reason
                + "; serving with an ordinary INIT " + (here ? "and re-creating the snapshot"
                : "while another host of this fingerprint makes it"));
        return new Restore.Unusable(reason);
    }

    private Optional<String> compatibilityProblem(FunctionVersion version, Manifest m) {
        if (!m.environmentKey().equals(version.environmentKey())) {
            return Optional.of("the snapshot belongs to another revision");
        }
        HostFingerprint now = hostFingerprint(version);
        if (!now.equals(m.host())) {
            return Optional.of("the snapshot was taken with " + m.host() + " but this host has " + now);
        }
        return Optional.empty();
    }

    /** What a snapshot of this version taken on this host depends on. */
    private HostFingerprint hostFingerprint(FunctionVersion version) {
        String jdk = jdks.forRuntime(version.config().runtime()).map(Jdks.Jdk::fullVersion).orElse("none");
        return HostFingerprint.current(jdk, criu.version());
    }

    /**
     * Has the version's snapshot re-created here unless another host of this fingerprint holds the claim on it;
     * false in that case (its snapshot reaches this host through the object store when made).
     */
    private boolean recreate(FunctionVersion version) {
        if (!recreating.add(version.environmentKey())) {
            return true;
        }
        String fingerprint = hostFingerprint(version).id();
        boolean claimed;
        try {
            claimed = claims.claim(version.functionName(), version.version(), fingerprint);
        } catch (RuntimeException e) {
            LOG.warning(() -> "cannot claim the snapshot of " + version.functionName() + ":" + version.version()
                    + ": " + e.getMessage());
            claimed = false;
        }
        if (!claimed) {
            recreating.remove(version.environmentKey());
            return false;
        }
        metrics.snapshotRecreated(version.functionName(), version.version());
        snapshotter.submit(() -> takeSnapshot(version, true, fingerprint));
        return true;
    }

    @Override
    public void close() {
        expirer.shutdownNow();
        publishedWatch.shutdownNow();
        snapshotter.shutdownNow();
        restorer.close();
        store.close();
    }
}
