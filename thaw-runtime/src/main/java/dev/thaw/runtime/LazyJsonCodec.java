package dev.thaw.runtime;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JsonCodec, built on first need. Building and warming Jackson costs a few hundred milliseconds in a
 * fresh JVM, so a stream handler (which never needs it on the success path) does not pay for it, and a POJO
 * handler builds it on a background thread while the function's own INIT runs. The warm-up touches only
 * Jackson's and the JDK's classes, never the function's, so it cannot deadlock with the function's static
 * initialisers.
 */
final class LazyJsonCodec {

    private final FutureTask<JsonCodec> build = new FutureTask<>(() -> {
        JsonCodec codec = new JsonCodec();
        codec.warmUp();
        return codec;
    });
    private final AtomicBoolean started = new AtomicBoolean();

    void startInBackground() {
        if (started.compareAndSet(false, true)) {
            Thread thread = new Thread(build, "thaw-json-warm-up");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Builds it here unless the background thread already is, in which case this waits for it. */
    JsonCodec get() {
        build.run(); // returns at once when already done or running elsewhere
        try {
            return build.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Jackson was being set up", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Jackson could not be set up", e.getCause());
        }
    }
}
