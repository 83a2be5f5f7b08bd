package dev.thaw.network;

import dev.thaw.io.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One platform thread that enters a network namespace with {@code setns(2)}, runs a task there (typically binding a
 * listening socket, which then belongs to that namespace) and comes back to the host's namespace.
 *
 * <p>{@code setns} moves only the calling thread, which is why this is a dedicated platform thread: a virtual thread
 * can change carrier between the two calls, and a pooled thread left in the wrong namespace would bind the next
 * socket there. If the way back ever fails, the thread is retired and a new one, born in the host's namespace, takes
 * over.
 */
public final class NamespaceThread implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = Libc.function("setns",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = Libc.function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private volatile ExecutorService thread = newThread();

    private static ExecutorService newThread() {
        return Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("network-namespace").factory());
    }

    /** Runs {@code task} inside the network namespace that {@code namespaceFile} names, and returns its result. */
    public <T> T call(Path namespaceFile, Callable<T> task) throws Exception {
        ExecutorService current = thread;
        try {
            return current.submit(() -> enterAndCall(namespaceFile, task)).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StrandedException stranded) {
                current.shutdown();
                thread = newThread();
                throw new IllegalStateException(stranded.getMessage());
            }
            throw e.getCause() instanceof Exception cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    private static <T> T enterAndCall(Path namespaceFile, Callable<T> task) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            int home = open(arena, state, Path.of("/proc/thread-self/ns/net"));
            try {
                int target = open(arena, state, namespaceFile);
                try {
                    setns(state, target, "enter " + namespaceFile);
                } finally {
                    close(state, target);
                }
                try {
                    return task.call();
                } finally {
                    try {
                        setns(state, home, "return from " + namespaceFile);
                    } catch (IllegalStateException e) {
                        throw new StrandedException(e.getMessage());
                    }
                }
            } finally {
                close(state, home);
            }
        }
    }

    private static int open(Arena arena, MemorySegment state, Path path) {
        try {
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IllegalStateException("cannot open " + path + ": errno " + Libc.errno(state));
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void setns(MemorySegment state, int fd, String what) {
        try {
            int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
            if (rc != 0) {
                throw new IllegalStateException("setns failed to " + what + ": errno " + Libc.errno(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void close(MemorySegment state, int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** The thread could not return to the host's namespace and must never run another task. */
    private static final class StrandedException extends RuntimeException {
        StrandedException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
