package dev.thaw.snapshots;

import dev.thaw.cgroups.EnvironmentCgroup;
import dev.thaw.environments.EnvironmentLauncher;
import dev.thaw.environments.RuntimeApiEndpoint;
import dev.thaw.functions.FunctionVersion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything a restored copy needs before CRIU runs, made ready in advance: its Runtime API endpoint listening in
 * its own network namespace, its cgroups with the version's limits, and a launcher process that runs in that
 * namespace, has already joined those cgroups and waits to exec CRIU.
 *
 * <p>Why a launcher: moving a task into a cgroup waits for an RCU grace period (the kernel's threadgroup lock),
 * which took 6-24 ms per restore when CRIU moved the copy itself, and starting a process from the JVM took another
 * 2-13 ms. Done ahead, neither is on the restore's path: CRIU is exec'd inside the cgroups, so the copy it creates is
 * born there ({@code --manage-cgroups=ignore}). CRIU's own memory (about 1 MB anonymous) counts to the environment.
 * Likewise for the network: an image holds no network namespace (CRIU dumps from inside the environment's, see
 * SnapshotTaker), so a CRIU running in the slot's namespace restores the copy straight into it.
 *
 * <p>The launcher is a shell that joins the cgroups, prints {@code ready}, reads one line naming a file of
 * NUL-separated arguments and execs them. Its stdio pipes become the copy's: the shell's {@code read} takes one byte
 * at a time from a pipe, so the identity line written right after stays there for the copy.
 */
final class RestoreSlot {
    private static final String LAUNCHER = """
            for procs in "$@"; do echo 0 > "$procs" || exit 1; done
            echo ready
            IFS= read -r args || exit 0
            mapfile -d '' -t argv < "$args" || exit 1
            exec "${argv[@]}"
            """;
    /** How long a new launcher may take to join its cgroups. */
    private static final long READY_LIMIT_MS = 10_000;

    final RuntimeApiEndpoint endpoint;
    /** Null where the platform runs without cgroups. */
    final EnvironmentCgroup cgroup;
    private final Process launcher;

    private RestoreSlot(RuntimeApiEndpoint endpoint, EnvironmentCgroup cgroup, Process launcher) {
        this.endpoint = endpoint;
        this.cgroup = cgroup;
        this.launcher = launcher;
    }

    /** Opens a slot for a copy of {@code version} and returns once its launcher sits in the cgroups. */
    static RestoreSlot open(EnvironmentLauncher environments, FunctionVersion version) throws IOException {
        RuntimeApiEndpoint endpoint = environments.openRuntimeApi();
        EnvironmentCgroup cgroup = null;
        Process launcher = null;
        try {
            cgroup = environments.createCgroup(endpoint.environmentId(), version);
            List<String> command = new ArrayList<>(List.of("nsenter", "--net=" + endpoint.network().file(), "--",
                    "/bin/bash", "-c", LAUNCHER, "thaw-restore-launcher"));
            if (cgroup != null) {
                cgroup.procsFiles().forEach(p -> command.add(p.toString()));
            }
            ProcessBuilder builder = new ProcessBuilder(command);
            Criu.withoutHardwareBreakpoints(builder);
            launcher = builder.start();
            awaitReady(launcher);
            return new RestoreSlot(endpoint, cgroup, launcher);
        } catch (IOException | RuntimeException e) {
            if (launcher != null) {
                launcher.destroyForcibly();
            }
            if (cgroup != null) {
                cgroup.remove();
            }
            endpoint.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    static int memoryMb(FunctionVersion version) {
        return version.config().memorySize();
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

    boolean usable() {
        return launcher.isAlive();
    }

    /**
     * Execs {@code command} in the launcher. The arguments go through {@code argsFile} (NUL-separated), so no path
     * needs quoting. Returns the process, which is {@code command} from here on (same pid, same pipes).
     */
    Process exec(List<String> command, Path argsFile) throws IOException {
        StringBuilder args = new StringBuilder();
        for (String arg : command) {
            args.append(arg).append('\0');
        }
        Files.writeString(argsFile, args);
        launcher.getOutputStream().write((argsFile + "\n").getBytes(StandardCharsets.UTF_8));
        launcher.getOutputStream().flush();
        return launcher;
    }

    /** Releases an unused slot: the launcher, its cgroups and its endpoint. */
    void discard() {
        launcher.destroyForcibly();
        try {
            launcher.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (cgroup != null) {
            cgroup.remove();
        }
        endpoint.close();
    }
}
