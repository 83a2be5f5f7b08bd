package dev.thaw.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Named pipes, made with libc's {@code mkfifo(3)} rather than the {@code mkfifo} program: starting a process costs
 * milliseconds of CPU on a virtualised host, and a restore slot makes one pipe each.
 */
public final class Fifos {
    private static final MethodHandle MKFIFO = Libc.function("mkfifo",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private Fifos() {
    }

    /** Makes a named pipe at {@code path} that only its owner may read and write (mode 0600). */
    public static void make(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState(arena);
            int rc = (int) MKFIFO.invokeExact(state, arena.allocateFrom(path.toString()), 0600);
            if (rc != 0) {
                throw new IOException("mkfifo " + path + " failed: errno " + Libc.errno(state));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mkfifo " + path + " failed: " + t, t);
        }
    }
}
