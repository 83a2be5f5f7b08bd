package dev.thaw.api;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads request bodies within two limits: a size, refused with RequestTooLargeException, and progress. A body that
 * stops arriving for the read timeout is dropped: the reading thread is interrupted, which closes the connection
 * under it (a virtual thread's blocking socket I/O is interruptible), so a client that sends half a body cannot hold a
 * connection, and its file descriptor, for ever.
 */
final class BodyReader implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private static final int READING = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;

    /** An error answered before the body was read whole ends the connection: what is left of it is unreadable. */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    private final long timeoutNanos;
    /** The reads in progress; one periodic check looks at them all, so a request schedules nothing. */
    private final Set<Read> reads = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("request-body-watchdog").factory());

    BodyReader(Duration readTimeout) {
        this.timeoutNanos = readTimeout.toNanos();
        long checkEvery = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4);
        watchdog.scheduleWithFixedDelay(this::interruptStalled, checkEvery, checkEvery, TimeUnit.MILLISECONDS);
    }

    /** One body being read: its thread, when a byte last arrived, and whether it finished or timed out first. */
    private static final class Read {
        final Thread reader = Thread.currentThread();
        final AtomicInteger state = new AtomicInteger(READING);
        volatile long lastProgress = System.nanoTime();
    }

    private void interruptStalled() {
        long now = System.nanoTime();
        for (Read read : reads) {
            if (now - read.lastProgress > timeoutNanos && read.state.compareAndSet(READING, TIMED_OUT)) {
                read.reader.interrupt();
            }
        }
    }

    /** A body read before routing, to check its signature, kept for the handler's read. */
    private record ReadAhead(byte[] bytes) {
    }

    /** The whole body, at most {@code limit} bytes. */
    byte[] read(ServerRequest req, int limit, String operation) {
        java.util.Optional<ReadAhead> ahead = req.context().get(ReadAhead.class);
        if (ahead.isPresent()) {
            if (ahead.get().bytes().length > limit) {
                throw tooLarge(limit, operation);
            }
            return ahead.get().bytes();
        }
        Read read = new Read();
        AtomicInteger state = read.state;
        reads.add(read);
        // Closed only when read whole: closing a broken body would read on for what is left of it.
        try {
            InputStream in = req.content().inputStream();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] chunk = new byte[CHUNK];
            int n;
            while ((n = in.read(chunk, 0, Math.min(CHUNK, limit + 1 - body.size()))) > 0) {
                read.lastProgress = System.nanoTime();
                body.write(chunk, 0, n);
                if (body.size() > limit) {
                    throw tooLarge(limit, operation);
                }
            }
            in.close();
            if (!state.compareAndSet(READING, DONE)) {
                throw timedOut();
            }
            return body.toByteArray();
        } catch (ThawException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (state.get() == TIMED_OUT || !state.compareAndSet(READING, DONE)) {
                throw timedOut();
            }
            if (e instanceof IOException || e instanceof UncheckedIOException
                    || e instanceof io.helidon.common.buffers.DataReader.InsufficientDataAvailableException) {
                // The client went away mid-body; nobody will read an answer.
                throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
            }
            // What the server could not decode, such as a chunk size that is not a number.
            throw new ThawException(ErrorCode.INVALID_REQUEST_CONTENT, "The request body could not be read: "
                    + e.getMessage(), Map.of(), CLOSE, e);
        } finally {
            state.compareAndSet(READING, DONE);
            reads.remove(read);
            if (state.get() == TIMED_OUT) {
                Thread.interrupted();
            }
        }
    }

    /**
     * Reads the whole body now, up to the largest any operation takes, and keeps it for the handler's {@link #read},
     * which still applies its own operation's limit.
     */
    byte[] readAhead(ServerRequest req) {
        byte[] body = read(req, ControlApi.MAX_CONTROL_BODY, "requested");
        req.context().register(new ReadAhead(body));
        return body;
    }

    private static ThawException tooLarge(int limit, String operation) {
        return ThawException.tooLarge("Request must be smaller than " + limit + " bytes for the " + operation
                + " operation");
    }

    private ThawException timedOut() {
        return new ThawException(ErrorCode.REQUEST_TIMEOUT, "The request body did not arrive within "
                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s of its last byte.", Map.of(), CLOSE, null);
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
