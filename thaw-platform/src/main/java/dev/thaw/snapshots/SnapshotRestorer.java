package dev.thaw.snapshots;

import dev.thaw.contract.RuntimeContract;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.RuntimeApiEndpoint;
import dev.thaw.environments.EnvironmentProcess;
import dev.thaw.environments.EnvironmentRoot;
import dev.thaw.environments.PlatformRecords;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.metrics.PlatformReadings;
import dev.thaw.runtimeapi.RuntimeOutcome;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Restores one environment from a version's snapshot. Each copy gets its own pid namespace (CRIU recreates it),
 * fresh stdio pipes ({@code --inherit-fd}), its own CRIU work directory and a new Runtime API port, all prepared
 * ahead in a {@link RestoreSlot} whose CRIU runs inside the copy's cgroups, paused after the namespaces. The copy is
 * blocked reading stdin; its first line tells it its identity and port. The restore counts as done when the runtime,
 * after its afterRestore hooks, polls for its first event; all of that must finish within 10 s.
 */
final class SnapshotRestorer {
    /** SnapStart's limit for restore plus afterRestore hooks. */
    static final long RESTORE_LIMIT_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Restores that run at once; the others wait their turn before their restore (and its 10 s limit) starts. On a
     * small host a burst of simultaneous restores otherwise shares the cores so thinly that each runs past the limit,
     * and a timed-out restore falls back to INIT, which adds load to the same cores. One per core: more at once only
     * made them contend for the cores and the memory bus (docs/snapstart.md, "Bursts").
     */
    static final int CONCURRENT_RESTORES = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final EnvironmentLauncher launcher;
    private final Criu criu;
    private final Path workRoot;
    private final RestoreSlots<RestoreSlot> slots;
    private final Semaphore running = new Semaphore(CONCURRENT_RESTORES, true);
    private final WarmMemory warmMemory;

    SnapshotRestorer(EnvironmentLauncher launcher, Criu criu, Path workRoot, WarmMemory warmMemory) {
        this.launcher = launcher;
        this.criu = criu;
        this.workRoot = workRoot;
        this.slots = new RestoreSlots<>();
        this.warmMemory = warmMemory;
    }

    PlatformReadings.WarmMemoryReading warmMemory() {
        return new PlatformReadings.WarmMemoryReading(warmMemory.heldBytes(), warmMemory.targetBytes());
    }

    List<PlatformReadings.RestoreSlotsReading> restoreSlots() {
        return slots.readings();
    }

    /** Discards the spare restore slots of a version whose snapshot is gone. */
    void forget(FunctionVersion version) {
        slots.forget(version);
    }

    /** Releases the spare restore slots and the warm memory. */
    void close() {
        slots.close();
        warmMemory.close();
    }

    /** A restore that failed in CRIU itself (not in the function): the caller falls back to an ordinary INIT. */
    static final class RestoreFailed extends Exception {
        RestoreFailed(String message) {
            super(message);
        }
    }

    /** Restores a copy from {@code images}, the snapshot's plain images in memory (see {@link PlainImages}). */
    Environment restore(FunctionVersion version, Manifest manifest, Path images, RestoreFor purpose)
            throws RestoreFailed {
        warmMemory.restoreStarted();
        try {
            try {
                running.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestoreFailed("interrupted while waiting for a restore to finish");
            }
            try {
                return restoreNow(version, manifest, images, purpose);
            } finally {
                running.release();
            }
        } finally {
            warmMemory.restoreEnded();
        }
    }

    private Environment restoreNow(FunctionVersion version, Manifest manifest, Path images, RestoreFor purpose)
            throws RestoreFailed {
        long start = System.nanoTime();
        RestoreSlots.Source source = new RestoreSlots.Source(manifest, images);
        RestoreSlots.Opener<RestoreSlot> opener = () -> RestoreSlot.open(launcher, version,
                criuRestore(version, manifest, images), workRoot.resolve(java.util.UUID.randomUUID().toString()));
        RestoreSlot slot = null;
        long pid;
        try {
            slot = slots.take(version, source, opener);
            warmMemory.release(pageBytes(manifest));
            Process criuProcess = slot.resume();
            // The copy reads this from its new stdin the moment it resumes; the pipe holds it until then.
            handOverIdentity(criuProcess.getOutputStream(), slot.endpoint, purpose);
            pid = awaitRestoredPid(criuProcess, slot.work);
        } catch (IOException | RuntimeException | InterruptedException | RestoreFailed e) {
            if (slot != null) {
                slot.discard();
            }
            slots.refill(version, source, opener);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RestoreFailed f ? f : new RestoreFailed("cannot restore: " + e.getMessage());
        }
        long restored = System.nanoTime();
        Environment env = launcher.attach(version, slot.endpoint, EnvironmentProcess.restored(pid, slot.process()),
                slot.cgroup);
        try {
            awaitReady(env, start);
        } catch (RuntimeException e) {
            env.stop();
            throw e;
        } finally {
            slots.refill(version, source, opener);
        }
        long ready = System.nanoTime();
        env.platformLine(PlatformRecords.restoreReport((restored - start) / 1e6, (ready - restored) / 1e6,
                slot.preparedMillis, slot.spare));
        env.restored((ready - start) / 1e6);
        return env;
    }

    /**
     * The bytes of memory pages in a snapshot's images, what CRIU will fill: from the manifest, whose plain sizes
     * {@link SnapshotStore} has checked, so a restore reads no directory for it.
     */
    static long pageBytes(Manifest manifest) {
        long bytes = 0;
        for (Manifest.ImageFile file : manifest.files()) {
            if (file.name().startsWith("pages-") && file.name().endsWith(".img")) {
                bytes += file.plainSize();
            }
        }
        return bytes;
    }

    /**
     * The {@code criu restore} command line for a copy of {@code version}, without what each slot adds (its work
     * directory, pid file, log and action script).
     */
    private List<String> criuRestore(FunctionVersion version, Manifest manifest, Path images) {
        Manifest.StdioInodes io = manifest.stdio();
        EnvironmentRoot root = launcher.settings().root();
        Path codeRoot = launcher.settings().codeRoot();
        List<String> command = new ArrayList<>(List.of(criu.binary().toString(), "restore",
                // The environment's binds of host paths are external mounts, re-created under its root skeleton.
                "--root", root.directory().toString(), "--ext-mount-map", "auto",
                "--external", "mnt[" + EnvironmentRoot.TASK_MOUNT_KEY + "]:"
                        + root.exposedCode(codeRoot.resolve(version.code().sha256Hex())),
                "--external", "mnt[" + EnvironmentRoot.RUNTIME_MOUNT_KEY + "]:" + root.exposedRuntime(),
                "--images-dir", images.toString(), "-v2",
                "--inherit-fd", "fd[0]:pipe:[" + io.stdin() + "]",
                "--inherit-fd", "fd[1]:pipe:[" + io.stdout() + "]",
                "--inherit-fd", "fd[2]:pipe:[" + io.stderr() + "]",
                // CRIU runs inside the copy's cgroups already (see RestoreSlot), so the copy is born there.
                "--manage-cgroups=ignore"));
        // A layered version's /opt: its merged layers, made again by the launcher if they are gone.
        launcher.mergedLayers(version).ifPresent(merged -> command.addAll(command.indexOf("--images-dir"),
                List.of("--external", "mnt[" + EnvironmentRoot.LAYERS_MOUNT_KEY + "]:"
                        + root.exposedLayers(merged))));
        return command;
    }

    /**
     * Waits until CRIU has written the restored root's pid. CRIU is run without {@code -d} and stays the restored
     * tree's parent until it exits, so the stdio pipes stay open on our side (the JDK closes a child's pipes once the
     * child exits) and the copy dies with its CRIU parent's exit status visible to us. The wait is woken by inotify:
     * polling the file every millisecond kept a core busy while CRIU needed both.
     */
    private static long awaitRestoredPid(Process criuProcess, Path work) throws IOException, RestoreFailed,
            InterruptedException {
        Path pidFile = work.resolve("pid");
        long deadline = System.nanoTime() + RESTORE_LIMIT_MS * 1_000_000L;
        try (WatchService watch = work.getFileSystem().newWatchService()) {
            work.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (System.nanoTime() < deadline) {
                if (Files.exists(pidFile)) {
                    String text = Files.readString(pidFile).trim();
                    if (!text.isEmpty()) {
                        return Long.parseLong(text);
                    }
                }
                if (!criuProcess.isAlive()) {
                    throw new RestoreFailed("criu restore exited with " + criuProcess.exitValue() + ": "
                            + SnapshotTaker.tail(work.resolve("restore.log")));
                }
                // Woken by any change in the work directory; the timeout only bounds noticing CRIU's exit.
                WatchKey key = watch.poll(20, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
        criuProcess.destroyForcibly();
        throw new RestoreFailed("criu restore did not finish within " + RESTORE_LIMIT_MS + " ms");
    }

    /** Writes the copy's identity line to its new stdin; the runtime reads it where the checkpoint left it. */
    private static void handOverIdentity(OutputStream stdin, RuntimeApiEndpoint endpoint, RestoreFor purpose)
            throws IOException {
        ObjectNode identity = JSON.createObjectNode();
        identity.put(RuntimeContract.RESTORE_RUNTIME_API, endpoint.server().address());
        identity.put(RuntimeContract.RESTORE_ENVIRONMENT_ID, endpoint.environmentId());
        if (purpose == RestoreFor.PROVISIONED_COPY) {
            identity.put(RuntimeContract.RESTORE_TOUCH_PAGES, true);
        }
        stdin.write((JSON.writeValueAsString(identity) + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    private static void awaitReady(Environment env, long startNanos) {
        long remaining = RESTORE_LIMIT_MS - (System.nanoTime() - startNanos) / 1_000_000;
        CompletableFuture<Object> any = CompletableFuture.anyOf(env.channel().firstPoll(),
                env.channel().restoreError(), env.process().onExit());
        try {
            any.get(Math.max(1, remaining), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            env.platformLine(PlatformRecords.restoreFailed("timeout (restore and afterRestore hooks took over 10 s)"));
            throw new ThawException(ErrorCode.SNAP_START_TIMEOUT, "Restoring the snapshot and running the "
                    + "afterRestore hooks took longer than 10 seconds.");
        } catch (ExecutionException e) {
            // exited: reported below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThawException(ErrorCode.SNAP_START, "interrupted during restore");
        }
        if (env.channel().restoreError().isDone()) {
            RuntimeOutcome.Error err = env.channel().restoreError().join();
            env.drainLogs();
            String body = new String(err.body(), StandardCharsets.UTF_8);
            env.platformLine(PlatformRecords.restoreFailed("error\tError Type: " + err.errorType()));
            throw new ThawException(ErrorCode.SNAP_START, "The afterRestore() runtime hook encountered an error: "
                    + body);
        }
        if (!env.channel().firstPoll().isDone() || env.channel().firstPoll().isCompletedExceptionally()) {
            env.drainLogs();
            throw new ThawException(ErrorCode.SNAP_START, "The restored environment exited before it was ready: "
                    + env.initLog().lines().reduce((a, b) -> b).orElse(""));
        }
    }
}
