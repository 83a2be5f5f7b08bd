package dev.thaw.snapshots;

import dev.thaw.environments.EnvironmentProcess;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process tree restored by CRIU, which stays its parent (no {@code -d}): the copy is tracked by pid, and its exit
 * is CRIU's exit. Its stdio are the pipes CRIU was given as its own stdin, stdout and stderr and passed on with
 * {@code --inherit-fd}; the platform holds the other ends through the CRIU {@link Process} object.
 */
final class RestoredProcess implements EnvironmentProcess {
    private final long pid;
    private final Process criu;
    private final CompletableFuture<Integer> exit;

    RestoredProcess(long pid, Process criu) {
        this.pid = pid;
        this.criu = criu;
        this.exit = criu.onExit().thenApply(Process::exitValue);
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream stdin() {
        return criu.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return criu.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return criu.getErrorStream();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    @Override
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
        } catch (Exception e) {
            kill();
        }
        closeStreams();
    }

    @Override
    public void kill() {
        EnvironmentProcess.killThenReap(pid, criu);
    }

    private void closeStreams() {
        try {
            criu.getOutputStream().close();
        } catch (java.io.IOException ignored) {
            // already closed
        }
    }
}
