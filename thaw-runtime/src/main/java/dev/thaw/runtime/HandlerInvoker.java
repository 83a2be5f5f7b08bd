package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.Function;

/** A resolved handler: turns the event bytes into the response bytes by calling the function's method. */
final class HandlerInvoker {

    private final Object target;
    private final Method method;
    private final HandlerShape shape;
    private final Function<TypeFactory, JavaType> eventTypeOf;
    private final LazyJsonCodec codec;
    private volatile ObjectReader eventReader;

    /**
     * @param target the handler instance, or null for a static method
     * @param eventTypeOf how to find the event type once Jackson is ready; unused for stream shapes
     */
    HandlerInvoker(Object target, Method method, HandlerShape shape, Function<TypeFactory, JavaType> eventTypeOf,
            LazyJsonCodec codec) {
        this.target = target;
        this.method = method;
        this.shape = shape;
        this.eventTypeOf = eventTypeOf;
        this.codec = codec;
    }

    HandlerShape shape() {
        return shape;
    }

    /** The type events are read as; null for stream handlers. */
    JavaType eventType() {
        return shape.isStream() ? null : eventReader().getValueType();
    }

    /** Builds the event type's deserializer now rather than in the first invoke (before a snapshot, say). */
    void prepare() {
        if (!shape.isStream()) {
            eventReader();
        }
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
        JsonCodec json = codec.get();
        Object event = json.readEvent(payload, eventReader());
        Object result = call(shape == HandlerShape.EVENT_CONTEXT ? new Object[] {event, context} : new Object[] {event});
        return json.writeResult(result);
    }

    private ObjectReader eventReader() {
        ObjectReader reader = eventReader;
        if (reader == null) {
            JsonCodec json = codec.get();
            reader = json.eventReader(eventTypeOf.apply(json.types()));
            eventReader = reader;
        }
        return reader;
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
