package dev.thaw.snapshots;

import dev.thaw.environments.EnvironmentRoot;
import dev.thaw.environments.Environment;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.LaunchMode;
import dev.thaw.environments.PlatformRecords;
import dev.thaw.environments.Jdks;
import dev.thaw.environments.StartupFailure;
import dev.thaw.functions.FunctionVersion;
import dev.thaw.io.ProcStatus;
import dev.thaw.priming.PrimingSummary;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Takes a version's snapshot: runs INIT in a fresh environment with {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start},
 * lets the runtime run its beforeCheckpoint hooks and close its own Runtime API connection, checks that no socket is
 * left, records the stdio pipe inodes and dumps the process tree with CRIU into memory; the store then seals the
 * images into the home. The dump ends the process.
 */
final class SnapshotTaker {
    private static final Logger LOG = Logger.getLogger(SnapshotTaker.class.getName());
    /** SnapStart's INIT limit is max(130 s, the function timeout). */
    private static final long SNAPSTART_INIT_LIMIT_MS = 130_000;
    /**
     * How long the runtime may take, after asking for the checkpoint, to close its Runtime API connection and then
     * to block on its restore line (each wait has this limit).
     */
    private static final long CHECKPOINT_GRACE_MS = 2_000;
    /** A dump that runs this long has hung (CRIU waiting on a task that never stops); it is killed and retried. */
    private static final long DUMP_LIMIT_SECONDS = 60;

    private final EnvironmentLauncher launcher;
    private final SnapshotStore store;
    private final Criu criu;
    private final Jdks jdks;

    SnapshotTaker(EnvironmentLauncher launcher, SnapshotStore store, Criu criu, Jdks jdks) {
        this.launcher = launcher;
        this.store = store;
        this.criu = criu;
        this.jdks = jdks;
    }

    Manifest take(FunctionVersion version, List<String> warnings) throws SnapshotFailure {
        long initLimit = Math.max(SNAPSTART_INIT_LIMIT_MS, version.config().timeout() * 1000L);
        Environment env;
        double initMillis;
        try {
            env = launcher.start(version, new LaunchMode.InitForCheckpoint(initLimit));
            initMillis = env.initMillis();
        } catch (StartupFailure f) {
            SnapshotFailure.Reason reason = f.errorType().startsWith("Runtime.BeforeCheckpoint")
                    ? SnapshotFailure.Reason.BEFORE_CHECKPOINT_ERROR : SnapshotFailure.Reason.FUNCTION_ERROR;
            throw new SnapshotFailure(reason, "INIT failed with " + f.errorType() + ": "
                    + new String(f.body(), StandardCharsets.UTF_8));
        }
        Path staging = null;
        try {
            env.platformLine(PlatformRecords.initReport(initMillis, "success"));
            warnings.forEach(w -> env.platformLine(PlatformRecords.snapStartWarning(w)));
            long pid = env.pid();
            List<String> sockets = waitForSocketsToClose(pid);
            if (!sockets.isEmpty()) {
                throw new SnapshotFailure(SnapshotFailure.Reason.OPEN_CONNECTION, "The function holds open network connections "
                        + "at checkpoint: " + String.join("; ", sockets) + ". A connection cannot be restored into "
                        + "many copies: close it in an org.crac Resource's beforeCheckpoint() and reopen it in "
                        + "afterRestore().");
            }
            awaitReadingRestoreLine(pid);
            Manifest.StdioInodes stdio = new Manifest.StdioInodes(pipeInode(pid, 0), pipeInode(pid, 1),
                    pipeInode(pid, 2));
            long rss = rssBytes(pid);
            Path images;
            try {
                images = store.prepare(version.functionName(), version.version(), rss);
            } catch (PlainImages.NoRoom e) {
                throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "no memory to dump into: "
                        + e.getMessage());
            }
            staging = images;
            Path dumpLog = store.directory(version.functionName(), version.version()).resolve("dump.log");
            long start = System.nanoTime();
            // CRIU runs inside the environment's network namespace, so that the namespace is its own rather than
            // the image's: each copy is restored by a CRIU running in the namespace its slot prepared.
            List<String> command = new java.util.ArrayList<>(List.of("nsenter", "--net=/proc/" + pid + "/ns/net", "--",
                    criu.binary().toString(), "dump", "--tree",
                    Long.toString(pid), "--images-dir", images.toString(), "--log-file",
                    dumpLog.toString(), "-v2", "--ext-mount-map", "auto",
                    // Named, so a restore can map them to the exposed paths rather than the home's own.
                    "--external", "mnt[" + EnvironmentRoot.TASK_ROOT + "]:" + EnvironmentRoot.TASK_MOUNT_KEY,
                    "--external", "mnt[" + EnvironmentRoot.RUNTIME_DIR + "]:" + EnvironmentRoot.RUNTIME_MOUNT_KEY));
            if (!version.config().layers().isEmpty()) {
                command.addAll(List.of("--external",
                        "mnt[" + EnvironmentRoot.LAYERS_DIR + "]:" + EnvironmentRoot.LAYERS_MOUNT_KEY));
            }
            env.cgroup().ifPresentOrElse(
                    // Record only the hierarchies Thaw manages; each copy is restored into its own cgroup.
                    cg -> cg.criuDumpControllers().forEach(c -> command.addAll(List.of("--cgroup-dump-controller", c))),
                    () -> command.add("--manage-cgroups=ignore"));
            Criu.Result dump;
            try {
                dump = Criu.run(command, DUMP_LIMIT_SECONDS);
            } catch (Criu.TimedOut e) {
                throw new SnapshotFailure(SnapshotFailure.Reason.DUMP_TIMED_OUT, e.getMessage() + ": "
                        + tail(dumpLog));
            }
            double dumpMillis = (System.nanoTime() - start) / 1e6;
            if (dump.exitCode() != 0) {
                throw new SnapshotFailure(SnapshotFailure.Reason.DUMP_FAILED, "criu dump exited with " + dump.exitCode() + ": "
                        + tail(dumpLog));
            }
            String jdkBuild = jdks.require(version.config().runtime()).fullVersion();
            Manifest draft = new Manifest(Manifest.FORMAT_VERSION, version.functionName(), version.version(),
                    version.environmentKey(), Instant.now().toString(),
                    HostFingerprint.current(jdkBuild, criu.version()), stdio, List.of(), 0, rss, initMillis,
                    dumpMillis, List.copyOf(warnings), null);
            long sealStart = System.nanoTime();
            Manifest sealed = store.seal(draft, images);
            staging = null;
            double sealMillis = (System.nanoTime() - sealStart) / 1e6;
            env.platformLine(PlatformRecords.snapshotReport(sealed.imageBytes(), rss, dumpMillis,
                    PrimingSummary.of(version, env.channel().checkpointSummary())));
            LOG.info(() -> String.format(Locale.ROOT, "snapshot of %s:%s taken: INIT %.0f ms, dump %.0f ms, "
                            + "%.1f MB, encrypted in %.0f ms", version.functionName(), version.version(), initMillis,
                    dumpMillis, sealed.imageBytes() / 1048576.0, sealMillis));
            return sealed;
        } catch (IOException e) {
            throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "cannot take the snapshot: " + e.getMessage());
        } finally {
            env.stop();
            if (staging != null) {
                store.discardDump(staging);
            }
        }
    }

    private static List<String> waitForSocketsToClose(long pid) throws SnapshotFailure {
        long deadline = System.nanoTime() + CHECKPOINT_GRACE_MS * 1_000_000L;
        List<String> open = OpenSockets.tcp(pid);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "interrupted");
            }
            open = OpenSockets.tcp(pid);
        }
        return open;
    }

    /** The read(2) system call's number, where it is known; the wait below needs it. */
    private static final int READ_SYSCALL = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 0;
        case "aarch64" -> 63;
        default -> -1;
    };

    /**
     * Waits until one of the runtime's threads is blocked reading its stdin, where each restored copy is to resume.
     * The runtime asks for the checkpoint as its last step, but a dump taken a moment too early would still catch it
     * on the way there, and every copy would redo the rest of the way from wherever it was.
     */
    private static void awaitReadingRestoreLine(long pid) throws SnapshotFailure {
        if (READ_SYSCALL < 0) {
            return;
        }
        String blockedOnStdin = READ_SYSCALL + " 0x0 ";
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long deadline = System.nanoTime() + CHECKPOINT_GRACE_MS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            try (var threads = Files.list(tasks)) {
                for (Path thread : threads.toList()) {
                    try {
                        if (Files.readString(thread.resolve("syscall")).startsWith(blockedOnStdin)) {
                            return;
                        }
                    } catch (IOException threadGone) {
                        // the thread exited meanwhile
                    }
                }
                Thread.sleep(2);
            } catch (IOException e) {
                throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "the environment exited before its checkpoint");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "interrupted");
            }
        }
        throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "the runtime did not wait for its restore line within "
                + CHECKPOINT_GRACE_MS + " ms of asking for the checkpoint");
    }

    private static long pipeInode(long pid, int fd) throws SnapshotFailure {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd)))
                    .toString();
            if (!target.startsWith("pipe:[")) {
                throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "fd " + fd + " of the environment is " + target
                        + ", not a pipe");
            }
            return Long.parseLong(target.substring(6, target.length() - 1));
        } catch (IOException e) {
            throw new SnapshotFailure(SnapshotFailure.Reason.INTERNAL_ERROR, "cannot read fd " + fd + ": " + e.getMessage());
        }
    }

    private static long rssBytes(long pid) {
        return ProcStatus.number(pid, "VmRSS").orElse(0) * 1024;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            List<String> errors = new ArrayList<>();
            for (String l : lines) {
                if (l.contains("Error") && !l.contains("RLIMIT_NOFILE")) {
                    errors.add(l.trim());
                }
            }
            List<String> pick = errors.isEmpty() ? lines.subList(Math.max(0, lines.size() - 3), lines.size())
                    : errors.subList(Math.max(0, errors.size() - 3), errors.size());
            return String.join(" | ", pick);
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
