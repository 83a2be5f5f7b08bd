package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;

/**
 * Context.getLogger(): one line per call on the current System.out, a newline added when missing, flushed so
 * the platform sees it before the invoke's END line.
 */
final class StdoutLambdaLogger implements LambdaLogger {

    static final StdoutLambdaLogger INSTANCE = new StdoutLambdaLogger();

    private StdoutLambdaLogger() {
    }

    @Override
    public void log(String message) {
        log(String.valueOf(message).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void log(byte[] message) {
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
