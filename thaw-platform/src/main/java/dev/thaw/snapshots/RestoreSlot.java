package dev.thaw.snapshots;

import dev.thaw.cgroups.EnvironmentCgroup;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.RuntimeApiEndpoint;
import dev.thaw.functions.FunctionVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything a restored copy needs before its request arrives, made ready in advance: its Runtime API endpoint
 * listening in its own network namespace, its cgroups with the version's limits, and CRIU itself, started inside
 * them and paused once it has re-created the copy's namespaces and mount tree, before it restores any memory.
 *
 * <p>Why a launcher: moving a task into a cgroup waits for an RCU grace period (the kernel's threadgroup lock),
 * which took 6-24 ms per restore when CRIU moved the copy itself, and starting a process from the JVM took another
 * 2-13 ms. Done ahead, neither is on the restore's path: CRIU is exec'd inside the cgroups, so the copy it creates is
 * born there ({@code --manage-cgroups=ignore}). CRIU's own memory (about 1 MB anonymous) counts to the environment.
 * Likewise for the network: an image holds no network namespace (CRIU dumps from inside the environment's, see
 * SnapshotTaker), so a CRIU running in the slot's namespace restores the copy straight into it.
 *
 * <p>Why the pause: CRIU's start, its reading of the image's tree, and making the user, pid, ipc, uts and mount
 * namespaces with the environment's mounts took 13-19 ms of every restore. CRIU runs its
 * {@code post-setup-namespaces} action script once all of that is done and before the copy's memory is touched;
 * the slot's script reports the paused root task and then blocks reading a FIFO that this platform holds open.
 * {@link #resume} writes one line to it; if the platform dies the FIFO reads end-of-file, the script fails and CRIU
 * aborts the restore and kills what it made. A slot is therefore made for one snapshot (its images, mounts and stdio
 * inodes), not for any version of a memory size.
 *
 * <p>The launcher is a shell that joins the cgroups, prints {@code ready} and execs the NUL-separated arguments of
 * the file it is given. Its stdio pipes become the copy's: the identity line written after {@link #resume} waits in
 * the stdin pipe until the copy reads it.
 */
final class RestoreSlot implements RestoreSlots.Slot {
    private static final String LAUNCHER = """
            args=$1; shift
            for procs in "$@"; do echo 0 > "$procs" || exit 1; done
            echo ready
            mapfile -d '' -t argv < "$args" || exit 1
            exec "${argv[@]}"
            """;
    /** The one CRIU action the pause script acts on. */
    private static final String PAUSE_ACTION = "post-setup-namespaces";
    /**
     * CRIU's action script: at {@link #PAUSE_ACTION} it opens the FIFO (before saying it is paused: a line
     * written to a FIFO nobody reads is lost when the writer closes it), records the host pid of the copy's root
     * task (to be killed if the slot is discarded) and waits for the go line. Any other action passes. Shell
     * built-ins only: another program would be another process start, milliseconds of CPU apiece here.
     */
    private static final String PAUSE_SCRIPT = """
            #!/bin/sh
            [ "$CRTOOLS_SCRIPT_ACTION" = %s ] || exit 0
            work=${0%%/*}
            exec 3< "$work/go" || exit 1
            echo "$CRTOOLS_INIT_PID" > "$work/paused" || exit 1
            read -r go <&3 && [ "$go" = go ]
            """.formatted(PAUSE_ACTION);
    /** How long a new slot may take to reach its pause (CRIU's start and the namespaces included). */
    private static final long READY_LIMIT_MS = 10_000;

    final RuntimeApiEndpoint endpoint;
    /** Null where the platform runs without cgroups. */
    final EnvironmentCgroup cgroup;
    /** CRIU's work directory: its log, pid file, the pause script and its FIFO. */
    final Path work;
    /** From the launcher's start to CRIU's pause. */
    final double preparedMillis;
    /** Whether this slot was made ahead as a spare (set when it is taken from the spares). */
    volatile boolean spare;
    private final Process criu;
    private final RandomAccessFile go;
    /** Host pid of the copy's root task, made by CRIU before its pause. */
    private final long pausedRoot;

    private RestoreSlot(RuntimeApiEndpoint endpoint, EnvironmentCgroup cgroup, Path work, Process criu,
                        RandomAccessFile go, long pausedRoot, double preparedMillis) {
        this.preparedMillis = preparedMillis;
        this.endpoint = endpoint;
        this.cgroup = cgroup;
        this.work = work;
        this.criu = criu;
        this.go = go;
        this.pausedRoot = pausedRoot;
    }

    /**
     * Opens a slot for a copy of {@code version}: starts {@code criuRestore} (a {@code criu restore} command line
     * without its action script, work directory, pid file and log, which this adds) in the slot's network namespace
     * and cgroups, and returns once CRIU is paused after the namespaces.
     */
    static RestoreSlot open(EnvironmentLauncher environments, FunctionVersion version, List<String> criuRestore,
                            Path work) throws IOException {
        RuntimeApiEndpoint endpoint = environments.openRuntimeApi();
        EnvironmentCgroup cgroup = null;
        Process launcher = null;
        RandomAccessFile go = null;
        try {
            Files.createDirectories(work);
            Path script = work.resolve("pause.sh");
            Files.writeString(script, PAUSE_SCRIPT);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            Path fifo = work.resolve("go");
            dev.thaw.io.Fifos.make(fifo);
            // Read-write, so the open does not wait for the script; this platform is then the FIFO's only writer.
            go = new RandomAccessFile(fifo.toFile(), "rw");
            List<String> command = new ArrayList<>(criuRestore);
            command.addAll(List.of("--action-script", script.toString(), "--work-dir", work.toString(),
                    "--pidfile", work.resolve("pid").toString(), "--log-file", work.resolve("restore.log").toString()));
            Path argsFile = work.resolve("criu.args");
            StringBuilder args = new StringBuilder();
            for (String arg : command) {
                args.append(arg).append('\0');
            }
            Files.writeString(argsFile, args);
            cgroup = environments.createCgroup(endpoint.environmentId(), version);
            List<String> launch = new ArrayList<>(List.of("nsenter", "--net=" + endpoint.network().file(), "--",
                    "/bin/bash", "-c", LAUNCHER, "thaw-restore-launcher", argsFile.toString()));
            if (cgroup != null) {
                cgroup.procsFiles().forEach(p -> launch.add(p.toString()));
            }
            ProcessBuilder builder = new ProcessBuilder(launch);
            Criu.withoutHardwareBreakpoints(builder);
            // The patched CRIU then starts the script for that action only, not for each of the others, where every
            // start of a shell cost milliseconds on the restore's path (a CRIU without the patch runs it for all).
            builder.environment().put("CRTOOLS_SCRIPT_ONLY_ACTION", PAUSE_ACTION);
            long started = System.nanoTime();
            launcher = builder.start();
            awaitReady(launcher);
            long root = awaitPause(launcher, work);
            return new RestoreSlot(endpoint, cgroup, work, launcher, go, root, (System.nanoTime() - started) / 1e6);
        } catch (IOException | RuntimeException e) {
            if (launcher != null) {
                launcher.destroyForcibly();
                killPausedRoot(work);
                try {
                    launcher.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            closeQuietly(go);
            if (cgroup != null) {
                cgroup.remove();
            }
            endpoint.close();
            deleteQuietly(work);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Reads the launcher's "ready" line byte by byte, so nothing the copy writes later is taken from its stdout. */
    private static void awaitReady(Process launcher) throws IOException {
        InputStream out = launcher.getInputStream();
        StringBuilder line = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_LIMIT_MS);
        while (System.nanoTime() < deadline) {
            if (out.available() == 0 && !launcher.isAlive()) {
                break;
            }
            if (out.available() == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while the restore launcher joined its cgroups");
                }
                continue;
            }
            int b = out.read();
            if (b == '\n') {
                if (line.toString().equals("ready")) {
                    return;
                }
                break;
            }
            line.append((char) b);
        }
        String err = new String(launcher.getErrorStream().readNBytes(launcher.isAlive() ? 0 : 4096),
                StandardCharsets.UTF_8).trim();
        throw new IOException("the restore launcher did not become ready" + (err.isEmpty() ? "" : ": " + err));
    }

    /** Waits, woken by inotify, until the pause script has written the root task's pid; returns it. */
    private static long awaitPause(Process criu, Path work) throws IOException {
        Path paused = work.resolve("paused");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_LIMIT_MS);
        try (WatchService watch = work.getFileSystem().newWatchService()) {
            work.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (System.nanoTime() < deadline) {
                // The line is written in one write(2) after the file is created: it counts once it is whole.
                String line = Files.exists(paused) ? Files.readString(paused) : "";
                if (line.endsWith("\n")) {
                    return Long.parseLong(line.trim());
                }
                if (!criu.isAlive()) {
                    throw new IOException("criu restore exited with " + criu.exitValue() + " before its pause: "
                            + SnapshotTaker.tail(work.resolve("restore.log")));
                }
                WatchKey key = watch.poll(20, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while CRIU prepared the namespaces", e);
        }
        throw new IOException("criu restore did not reach its pause within " + READY_LIMIT_MS + " ms: "
                + SnapshotTaker.tail(work.resolve("restore.log")));
    }

    /** The launcher, which is CRIU: the copy's parent and the holder of its stdio pipes. */
    Process process() {
        return criu;
    }

    @Override
    public boolean usable() {
        return criu.isAlive();
    }

    @Override
    public void markSpare() {
        spare = true;
    }

    /**
     * Lets CRIU go on to restore the memory and threads. Returns the process, CRIU from here on, whose pipes are the
     * copy's; it stays the copy's parent. Its work directory goes when it exits.
     */
    Process resume() throws IOException {
        go.write("go\n".getBytes(StandardCharsets.UTF_8));
        closeQuietly(go);
        criu.onExit().thenRun(() -> deleteQuietly(work));
        return criu;
    }

    /** Releases an unused slot: CRIU and the root task it paused, its cgroups, its endpoint and its work directory. */
    @Override
    public void discard() {
        criu.destroyForcibly();
        ProcessHandle.of(pausedRoot).ifPresent(ProcessHandle::destroyForcibly);
        closeQuietly(go);
        try {
            criu.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (cgroup != null) {
            cgroup.remove();
        }
        endpoint.close();
        deleteQuietly(work);
    }

    /** Kills the paused root task, pid 1 of the copy's pid namespace, so that the namespace goes with it. */
    private static void killPausedRoot(Path work) {
        try {
            String pid = Files.readString(work.resolve("paused")).trim();
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
        } catch (IOException | NumberFormatException notPaused) {
            // CRIU had not made the root task yet, or the slot was resumed
        }
    }

    private static void closeQuietly(RandomAccessFile file) {
        if (file == null) {
            return;
        }
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    static void deleteQuietly(Path dir) {
        try {
            dev.thaw.io.FileTrees.delete(dir);
        } catch (IOException ignored) {
            // a leftover work dir holds only logs
        }
    }
}
