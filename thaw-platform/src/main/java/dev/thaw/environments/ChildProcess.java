package dev.thaw.environments;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An environment started by the launcher (see {@link EnvironmentRoot}): the spawned wrapper stays on the host and
 * is the parent of the runtime, pid 1 of its own namespaces, which dies with the platform even after a kill -9.
 */
final class ChildProcess implements EnvironmentProcess {
    private final Process wrapper;
    private final long pid;

    private ChildProcess(Process wrapper, long pid) {
        this.wrapper = wrapper;
        this.pid = pid;
    }

    /** Wraps a just-spawned wrapper process, waiting briefly for it to fork the namespaced child. */
    static ChildProcess of(Process wrapper) throws IOException {
        Path children = Path.of("/proc", Long.toString(wrapper.pid()), "task", Long.toString(wrapper.pid()),
                "children");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String list = Files.exists(children) ? Files.readString(children).trim() : "";
            for (String child : list.isEmpty() ? new String[0] : list.split("\\s+")) {
                if (EnvironmentRoot.isEnvironmentMain(Long.parseLong(child))) {
                    return new ChildProcess(wrapper, Long.parseLong(child));
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

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream stdin() {
        return wrapper.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return wrapper.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return wrapper.getErrorStream();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return wrapper.onExit().thenApply(Process::exitValue);
    }

    @Override
    public void stop(long graceMillis) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        try {
            if (!wrapper.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                kill();
                wrapper.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void kill() {
        EnvironmentProcess.killThenReap(pid, wrapper);
    }
}
