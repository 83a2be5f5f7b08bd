package dev.thaw.environments;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * The process tree behind an environment, however it came to be: spawned by the launcher or restored by CRIU
 * (restored processes are not our children, so everything goes by pid).
 */
public interface EnvironmentProcess {
    /** Host pid of the environment's main process (the runtime's JVM, pid 1 inside its namespace). */
    long pid();

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    /** Completes with the exit status (or -1 when unknown) when the main process is gone. */
    CompletableFuture<Integer> onExit();

    /** SIGTERM, then SIGKILL after {@code graceMillis}; returns once the process is gone. */
    void stop(long graceMillis);

    /** SIGKILL now. */
    void kill();

    /**
     * SIGKILLs the environment's main process and leaves reaping it to its parent ({@code unshare} or CRIU), which
     * then exits itself. Killing the parent at the same time would orphan the dying process as a zombie that only
     * the host's init can reap; the parent is killed only if it is still there after a grace period.
     */
    static void killThenReap(long pid, Process parent) {
        if (ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
            parent.onExit().orTimeout(3, java.util.concurrent.TimeUnit.SECONDS)
                    .exceptionally(timedOut -> {
                        parent.destroyForcibly();
                        return parent;
                    });
        } else {
            parent.destroyForcibly();
        }
    }
}
