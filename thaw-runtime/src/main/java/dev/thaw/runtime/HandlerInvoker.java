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
    private final Function<TypeFactory, JavaType> resultTypeOf;
    private final LazyJsonCodec codec;
    private volatile ObjectReader eventReader;

    /**
     * @param target the handler instance, or null for a static method
     * @param eventTypeOf how to find the event type once Jackson is ready; unused for stream shapes
     * @param resultTypeOf how to find the declared result type; unused for stream shapes
     */
    HandlerInvoker(Object target, Method method, HandlerShape shape, Function<TypeFactory, JavaType> eventTypeOf,
            Function<TypeFactory, JavaType> resultTypeOf, LazyJsonCodec codec) {
        this.target = target;
        this.method = method;
        this.shape = shape;
        this.eventTypeOf = eventTypeOf;
        this.resultTypeOf = resultTypeOf;
        this.codec = codec;
    }

    HandlerShape shape() {
        return shape;
    }

    /** The type events are read as; null for stream handlers. */
    JavaType eventType() {
        return shape.isStream() ? null : eventReader().getValueType();
    }

    /**
     * Builds now what the first invoke would otherwise build (the event type's deserializer, the declared
     * result type's serializer, the reflection accessor): before a snapshot, so no restored copy pays for it.
     */
    void prepare() {
        if (!shape.isStream()) {
            eventReader();
            JsonCodec json = codec.get();
            json.prefetchSerializer(resultTypeOf.apply(json.types()));
        }
        buildReflectionAccessor();
    }

    /**
     * Method.invoke with the wrong number of arguments throws IllegalArgumentException without calling the
     * method (its contract), but only after the JDK has built its accessor for the method: tens of method
     * handle classes on JDK 18+.
     */
    private void buildReflectionAccessor() {
        try {
            method.invoke(target, new Object[method.getParameterCount() + 1]);
        } catch (IllegalArgumentException | ReflectiveOperationException expected) {
            // the accessor exists now
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
