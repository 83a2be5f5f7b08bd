package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.util.Optional;

/** The parameter lists a handler method may have, best match first. */
enum HandlerShape {
    STREAMS_CONTEXT,
    STREAMS,
    EVENT_CONTEXT,
    EVENT;

    static Optional<HandlerShape> of(Method method) {
        Class<?>[] p = method.getParameterTypes();
        boolean streams = p.length >= 2 && p[0] == InputStream.class && p[1] == OutputStream.class;
        if (p.length == 3 && streams && p[2] == Context.class) {
            return Optional.of(STREAMS_CONTEXT);
        }
        if (p.length == 2 && streams) {
            return Optional.of(STREAMS);
        }
        if (p.length == 2 && p[1] == Context.class) {
            return Optional.of(EVENT_CONTEXT);
        }
        if (p.length == 1) {
            return Optional.of(EVENT);
        }
        return Optional.empty();
    }

    boolean isStream() {
        return this == STREAMS || this == STREAMS_CONTEXT;
    }
}
