package dev.thaw.environments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Reads one of an environment's output pipes and hands every complete line to a sink. {@link #awaitQuiet} lets the
 * invoke path wait until what the function wrote before responding has been read, so a log tail is complete.
 *
 * <p>The wait blocks until the pump has dispatched what it read, instead of polling the pipe: on two cores a
 * polling caller takes the CPU the pump needs to catch up. A blocking read cannot say when it took bytes from the
 * pipe, so bytes taken in the same microseconds as the check can still be missed; the invoke path checks only
 * after the runtime's response has come over HTTP, which the runtime sends after flushing its output.
 */
final class LogPump implements Runnable {
    private static final int MAX_LINE = 256 * 1024;
    private static final long QUIET_PAUSE_NANOS = 2_000;

    private final InputStream outer;
    private final InputStream in;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition dispatched = lock.newCondition();
    private volatile long bytesRead;
    private volatile long bytesDispatched;
    /** True while the pump sits in (or is about to enter) a read of the pipe: all it read before is dispatched. */
    private volatile boolean reading;
    private volatile boolean waiting;
    private volatile boolean finished;

    LogPump(InputStream pipe, Consumer<String> sink) {
        this.outer = pipe;
        this.in = PipeStreams.raw(pipe);
        this.sink = sink;
    }

    @Override
    public void run() {
        byte[] buf = new byte[16384];
        pump(in, buf);
        if (in != outer) {
            pump(outer, buf);
        }
        flushPartial();
        finished = true;
        signalDispatched();
    }

    private void pump(InputStream from, byte[] buf) {
        try {
            while (true) {
                reading = true;
                int n = from.read(buf);
                reading = false;
                if (n <= 0) {
                    return;
                }
                bytesRead += n;
                split(buf, n);
                bytesDispatched = bytesRead;
                if (waiting) {
                    signalDispatched();
                }
            }
        } catch (IOException e) {
            // The pipe closed because the environment died; nothing more to read here.
        } finally {
            reading = false;
        }
    }

    /** Hands every complete line in {@code buf[0..n)} to the sink and keeps the rest for the next read. */
    private void split(byte[] buf, int n) {
        synchronized (partial) {
            int from = 0;
            while (from < n) {
                int room = MAX_LINE - partial.size();
                int end = from;
                int limit = Math.min(n, from + room);
                while (end < limit && buf[end] != '\n') {
                    end++;
                }
                partial.write(buf, from, end - from);
                if (end < n && buf[end] == '\n') {
                    emit();
                    from = end + 1;
                } else if (partial.size() >= MAX_LINE) {
                    emit();
                    from = end;
                } else {
                    from = end;
                }
            }
        }
    }

    private void signalDispatched() {
        lock.lock();
        try {
            dispatched.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (at most {@code maxMillis}) until the pipe is empty and every read byte has reached the sink. The pipe
     * is asked once per pass ({@code available()}); while the pump has bytes in hand, the caller sleeps until it
     * has dispatched them.
     */
    void awaitQuiet(long maxMillis) {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        boolean quietOnce = false;
        while (!finished) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long seen = bytesDispatched;
            boolean pipeEmpty;
            try {
                pipeEmpty = in == outer || in.available() == 0;
            } catch (IOException e) {
                return;
            }
            if (pipeEmpty && seen == bytesRead) {
                // Quiet twice, with a yield between: a pump that has just taken bytes from the pipe (and not yet
                // counted them) gets to run. A blocking read cannot say when it took them, so this narrows the
                // window, as far as polling the pipe in a loop did, without taking the CPU from the pump.
                if (reading && quietOnce && seen == bytesDispatched) {
                    flushPartial();
                    return;
                }
                quietOnce = reading;
                pauseBriefly();
                continue;
            }
            quietOnce = false;
            lock.lock();
            try {
                waiting = true;
                // Either the pump's next dispatch sees waiting and signals, or it is visible here already.
                if (bytesDispatched == seen && !finished) {
                    dispatched.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                waiting = false;
                lock.unlock();
            }
        }
    }

    /**
     * Spins for {@value #QUIET_PAUSE_NANOS} ns between the two quiet checks: long enough for a pump running on another
     * core to count bytes it has just taken, without {@link Thread#yield()}, which on a virtual thread hands the
     * carrier back to the scheduler and wakes a second carrier to look for work.
     */
    private static void pauseBriefly() {
        long until = System.nanoTime() + QUIET_PAUSE_NANOS;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private void flushPartial() {
        synchronized (partial) {
            if (partial.size() > 0) {
                emit();
            }
        }
    }

    private void emit() {
        String line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        sink.accept(line);
    }
}
