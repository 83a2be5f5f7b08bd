package dev.thaw.runtime;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;

/**
 * Ends the environment when the platform goes away. The platform holds the write end of this process's stdin and
 * never writes to it after the restore line; when the platform exits (even by SIGKILL) the pipe reaches end of
 * file and the runtime halts. Plain environments also die through the parent-death signal of their wrapper, but
 * a restored copy's parent is its CRIU process, so this watch is what ties a copy's life to the platform.
 *
 * <p>The thread is created before a checkpoint and only armed after the restore line has been read: creating the
 * first thread in a freshly restored JVM costs several milliseconds on the restore's critical path.
 */
final class PlatformWatch {
    private final CountDownLatch armed = new CountDownLatch(1);

    private PlatformWatch(InputStream stdin) {
        Thread watch = new Thread(() -> {
            try {
                armed.await();
                while (stdin.read() != -1) {
                    // Nothing is expected here; ignore stray input.
                }
            } catch (IOException e) {
                // A broken pipe means the same as end of file.
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("thaw-runtime: the platform closed this environment's stdin; exiting");
            Runtime.getRuntime().halt(0);
        }, "thaw-platform-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** Creates the (not yet reading) watch thread. */
    static PlatformWatch prepare() {
        return new PlatformWatch(new FileInputStream(FileDescriptor.in));
    }

    /** Starts watching stdin; call once nothing else will read it. */
    void arm() {
        armed.countDown();
    }
}
