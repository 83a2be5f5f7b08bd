package dev.thaw.runtime;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Ends the environment when the platform goes away. The platform holds the write end of this process's stdin and
 * never writes to it after the restore line; when the platform exits (even by SIGKILL) the pipe reaches end of
 * file and the runtime halts. Plain environments also die through the parent-death signal of their wrapper, but
 * a restored copy's parent is its CRIU process, so this watch is what ties a copy's life to the platform.
 */
final class PlatformWatch {
    private PlatformWatch() {
    }

    static void start() {
        start(new FileInputStream(FileDescriptor.in));
    }

    static void start(InputStream stdin) {
        Thread watch = new Thread(() -> {
            try {
                while (stdin.read() != -1) {
                    // Nothing is expected here; ignore stray input.
                }
            } catch (IOException e) {
                // A broken pipe means the same as end of file.
            }
            System.err.println("thaw-runtime: the platform closed this environment's stdin; exiting");
            Runtime.getRuntime().halt(0);
        }, "thaw-platform-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
