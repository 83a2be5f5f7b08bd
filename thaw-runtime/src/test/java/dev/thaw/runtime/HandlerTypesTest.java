package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlerTypesTest {

    private final TypeFactory types = new JsonCodec().types();

    @Test
    void aDirectImplementationDeclaresItsEventType() {
        assertEquals(Order.class, input(Direct.class).getRawClass());
    }

    @Test
    void theEventTypeIsFoundThroughAGenericSuperclass() {
        assertEquals(Order.class, input(ViaSuperclass.class).getRawClass());
    }

    @Test
    void theEventTypeIsFoundThroughTwoLevelsOfTypeVariables() {
        assertEquals(Order.class, input(ViaTwoLevels.class).getRawClass());
    }

    @Test
    void theEventTypeIsFoundThroughAGenericInterfaceThatExtendsRequestHandler() {
        assertEquals(Order.class, input(ViaInterface.class).getRawClass());
    }

    @Test
    void nestedGenericArgumentsAreKept() {
        JavaType type = input(NestedGenerics.class);

        assertEquals(Map.class, type.getRawClass());
        assertEquals(String.class, type.getKeyType().getRawClass());
        assertEquals(List.class, type.getContentType().getRawClass());
        assertEquals(Integer.class, type.getContentType().getContentType().getRawClass());
    }

    @Test
    void aRawImplementationReadsEventsAsObject() {
        assertEquals(Object.class, input(Raw.class).getRawClass());
    }

    @Test
    void aMethodParameterDeclaredWithATypeVariableResolvesAgainstTheHandlerClass() throws Exception {
        JavaType type = HandlerTypes.parameterType(types, ViaSuperclass.class,
                Base.class.getMethod("handleRequest", Object.class, Context.class), 0);

        assertEquals(Order.class, type.getRawClass());
    }

    private JavaType input(Class<?> handler) {
        return HandlerTypes.requestHandlerInput(types, handler);
    }

    static class Order {
    }

    static class Direct implements RequestHandler<Order, String> {
        @Override
        public String handleRequest(Order input, Context context) {
            return null;
        }
    }

    abstract static class Base<T> implements RequestHandler<T, String> {
        @Override
        public String handleRequest(T input, Context context) {
            return null;
        }
    }

    static class ViaSuperclass extends Base<Order> {
    }

    abstract static class Middle<X, Y> extends Base<Y> {
    }

    static class ViaTwoLevels extends Middle<String, Order> {
    }

    interface OrderHandler<R> extends RequestHandler<Order, R> {
    }

    static class ViaInterface implements OrderHandler<String> {
        @Override
        public String handleRequest(Order input, Context context) {
            return null;
        }
    }

    static class NestedGenerics implements RequestHandler<Map<String, List<Integer>>, String> {
        @Override
        public String handleRequest(Map<String, List<Integer>> input, Context context) {
            return null;
        }
    }

    @SuppressWarnings("rawtypes")
    static class Raw implements RequestHandler {
        @Override
        public Object handleRequest(Object input, Context context) {
            return null;
        }
    }
}
