package dev.thaw.environments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads one of an environment's output pipes and hands every complete line to a sink. {@link #awaitQuiet} lets the
 * invoke path wait until what the function wrote before responding has been read, so a log tail is complete.
 */
final class LogPump implements Runnable {
    private static final int MAX_LINE = 256 * 1024;

    private final InputStream outer;
    private final InputStream in;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile long bytesRead;
    private volatile long bytesDispatched;
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
    }

    private void pump(InputStream from, byte[] buf) {
        try {
            int n;
            while ((n = from.read(buf)) > 0) {
                bytesRead += n;
                synchronized (partial) {
                    for (int i = 0; i < n; i++) {
                        byte b = buf[i];
                        if (b == '\n' || partial.size() >= MAX_LINE) {
                            emit();
                            if (b != '\n') {
                                partial.write(b);
                            }
                        } else {
                            partial.write(b);
                        }
                    }
                }
                bytesDispatched = bytesRead;
            }
        } catch (IOException e) {
            // The pipe closed because the environment died; nothing more to read here.
        }
    }

    /** Waits (at most {@code maxMillis}) until the pipe is empty and every read byte has reached the sink. */
    void awaitQuiet(long maxMillis) {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        int quietChecks = 0;
        while (!finished && System.nanoTime() < deadline) {
            boolean quiet;
            try {
                quiet = (in == outer || in.available() == 0) && bytesDispatched == bytesRead;
            } catch (IOException e) {
                return;
            }
            if (quiet && ++quietChecks >= 2) {
                flushPartial();
                return;
            }
            if (!quiet) {
                quietChecks = 0;
            }
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
