package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Context.getLogger(): one line per call on the current System.out, a newline added when missing, flushed so
 * the platform sees it before the invoke's END line. Lines are formatted and filtered by {@link ApplicationLogs}
 * (JSON under {@code LogFormat: JSON}); byte messages are filtered but written as they are, as Lambda's runtime does.
 */
final class StdoutLambdaLogger implements LambdaLogger {

    static final StdoutLambdaLogger INSTANCE = new StdoutLambdaLogger(ApplicationLogs.from(System.getenv()));

    private final ApplicationLogs logs;
    /** The invocation being served, for JSON lines' AWSRequestId; set by the invoke loop. */
    private volatile String requestId;

    StdoutLambdaLogger(ApplicationLogs logs) {
        this.logs = logs;
    }

    void invocationStarted(String id) {
        requestId = id;
    }

    @Override
    public void log(String message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(byte[] message) {
        log(message, LogLevel.UNDEFINED);
    }

    @Override
    public void log(String message, LogLevel level) {
        LogLevel l = level == null ? LogLevel.UNDEFINED : level;
        if (!logs.enabled(l)) {
            return;
        }
        String text = String.valueOf(message);
        if (logs.json() && text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1); // the object is the line; its newline is added below
        }
        write((logs.json() ? logs.format(text, l, requestId, Instant.now()) : logs.format(text, l, null, null))
                .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void log(byte[] message, LogLevel level) {
        if (logs.enabled(level == null ? LogLevel.UNDEFINED : level)) {
            write(message);
        }
    }

    private static void write(byte[] message) {
        PrintStream out = System.out;
        synchronized (out) {
            out.write(message, 0, message.length);
            if (message.length == 0 || message[message.length - 1] != '\n') {
                out.write('\n');
            }
            out.flush();
        }
    }

    /** Makes LambdaRuntime.getLogger() return this logger too, as AWS's runtime does; best effort. */
    static void installAsLambdaRuntimeLogger() {
        try {
            Field logger = LambdaRuntime.class.getDeclaredField("logger");
            logger.setAccessible(true);
            logger.set(null, INSTANCE);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("thaw-runtime: LambdaRuntime.getLogger() keeps its default logger: " + e);
        }
    }
}
