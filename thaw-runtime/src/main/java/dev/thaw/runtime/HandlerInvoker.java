package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JavaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/** A resolved handler: turns the event bytes into the response bytes by calling the function's method. */
final class HandlerInvoker {

    private final Object target;
    private final Method method;
    private final HandlerShape shape;
    private final JavaType eventType;
    private final JsonCodec codec;

    /**
     * @param target the handler instance, or null for a static method
     * @param eventType the type the event is read as; ignored for stream shapes
     */
    HandlerInvoker(Object target, Method method, HandlerShape shape, JavaType eventType, JsonCodec codec) {
        this.target = target;
        this.method = method;
        this.shape = shape;
        this.eventType = eventType;
        this.codec = codec;
    }

    HandlerShape shape() {
        return shape;
    }

    JavaType eventType() {
        return eventType;
    }

    /** Throws whatever the function threw, unwrapped. */
    byte[] invoke(byte[] payload, Context context) throws Throwable {
        if (shape.isStream()) {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            ByteArrayInputStream input = new ByteArrayInputStream(payload);
            call(shape == HandlerShape.STREAMS_CONTEXT
                    ? new Object[] {input, output, context} : new Object[] {input, output});
            return output.toByteArray();
        }
        Object event = codec.readEvent(payload, eventType);
        Object result = call(shape == HandlerShape.EVENT_CONTEXT ? new Object[] {event, context} : new Object[] {event});
        return codec.writeResult(result);
    }

    private Object call(Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public String toString() {
        return method.toGenericString();
    }
}
