package dev.thaw.environments;

import java.io.FilterInputStream;
import java.io.InputStream;
import java.lang.reflect.Field;

/**
 * The JDK wraps a child's output pipe in a synchronized BufferedInputStream, so {@code available()} blocks while the
 * log pump is blocked in {@code read()}. The pump therefore reads the raw pipe underneath (needs
 * {@code --add-opens java.base/java.io=ALL-UNNAMED}, set in the platform jar's manifest); when the child exits the
 * JDK moves unread bytes into the wrapper, which the pump reads last.
 */
final class PipeStreams {
    private static final Field INNER = innerField();

    private PipeStreams() {
    }

    /** The raw pipe stream under {@code outer}, or {@code outer} itself when it cannot be reached. */
    static InputStream raw(InputStream outer) {
        if (INNER != null && outer instanceof FilterInputStream) {
            try {
                Object inner = INNER.get(outer);
                if (inner instanceof InputStream in) {
                    return in;
                }
            } catch (IllegalAccessException e) {
                return outer;
            }
        }
        return outer;
    }

    private static Field innerField() {
        try {
            Field f = FilterInputStream.class.getDeclaredField("in");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
