package dev.thaw.environments;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The process tree behind an environment, however it came to be: its main process (the runtime's JVM, pid 1 of its
 * own namespaces) and the host process that is that process's parent and holds its stdio pipes, the launcher's
 * wrapper for a {@linkplain #spawned spawned} environment and CRIU for a {@linkplain #restored restored} one. The
 * main process is not the platform's child, so it is signalled by pid; its exit is its parent's.
 */
public final class EnvironmentProcess {
    private final long pid;
    private final Process parent;
    private final CompletableFuture<Integer> exit;

    private EnvironmentProcess(long pid, Process parent) {
        this.pid = pid;
        this.parent = parent;
        this.exit = parent.onExit().thenApply(Process::exitValue);
    }

    /**
     * A just-spawned environment (see {@link EnvironmentRoot}): waits briefly for its wrapper to fork the namespaced
     * main process.
     */
    static EnvironmentProcess spawned(Process wrapper) throws IOException {
        Path children = Path.of("/proc", Long.toString(wrapper.pid()), "task", Long.toString(wrapper.pid()),
                "children");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String list = Files.exists(children) ? Files.readString(children).trim() : "";
            for (String child : list.isEmpty() ? new String[0] : list.split("\\s+")) {
                if (EnvironmentRoot.isEnvironmentMain(Long.parseLong(child))) {
                    return new EnvironmentProcess(Long.parseLong(child), wrapper);
                }
            }
            if (!wrapper.isAlive()) {
                String err = new String(wrapper.getErrorStream().readAllBytes());
                throw new IOException("environment wrapper exited with " + wrapper.exitValue() + ": " + err.trim());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        wrapper.destroyForcibly();
        throw new IOException("environment process did not start within 5 s");
    }

    /**
     * A process tree CRIU restored and stays the parent of (no {@code -d}). Its stdio are the pipes CRIU was given as
     * its own and passed on with {@code --inherit-fd}.
     */
    public static EnvironmentProcess restored(long pid, Process criu) {
        return new EnvironmentProcess(pid, criu);
    }

    /** Host pid of the environment's main process. */
    public long pid() {
        return pid;
    }

    public OutputStream stdin() {
        return parent.getOutputStream();
    }

    public InputStream stdout() {
        return parent.getInputStream();
    }

    public InputStream stderr() {
        return parent.getErrorStream();
    }

    /** Completes with the exit status when the main process, and so its parent, is gone. */
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    /** SIGTERM, then SIGKILL after {@code graceMillis}; returns once the process is gone, its stdin closed. */
    public void stop(long graceMillis) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        try {
            exit.get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            kill();
            try {
                exit.get(5, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // gave it SIGKILL; nothing more to do
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            kill();
        }
        try {
            parent.getOutputStream().close();
        } catch (IOException alreadyClosed) {
            // nothing to close
        }
    }

    /**
     * SIGKILL now. The main process is killed and its parent left to reap it, then exit itself: killing the parent at
     * the same time would orphan the dying process as a zombie that only the host's init can reap. The parent is
     * killed only if it is still there after a grace period.
     */
    public void kill() {
        if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
            parent.onExit().orTimeout(3, TimeUnit.SECONDS).exceptionally(timedOut -> {
                parent.destroyForcibly();
                return parent;
            });
        } else {
            parent.destroyForcibly();
        }
    }
}
