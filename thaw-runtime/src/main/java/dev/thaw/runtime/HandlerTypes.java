package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeBindings;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.lang.reflect.Method;

/**
 * Finds the event type a handler declares, resolving type variables through superclasses and generic
 * interfaces (e.g. {@code class Impl extends Base<Order>} with {@code Base<T> implements RequestHandler<T, String>}).
 * Jackson's TypeFactory does the walking; what cannot be resolved is {@code Object}.
 */
final class HandlerTypes {

    private HandlerTypes() {
    }

    /** The {@code I} of {@code RequestHandler<I, O>} as {@code handlerClass} binds it. */
    static JavaType requestHandlerInput(TypeFactory types, Class<?> handlerClass) {
        return requestHandlerParameter(types, handlerClass, 0);
    }

    /** The {@code O} of {@code RequestHandler<I, O>} as {@code handlerClass} binds it. */
    static JavaType requestHandlerOutput(TypeFactory types, Class<?> handlerClass) {
        return requestHandlerParameter(types, handlerClass, 1);
    }

    private static JavaType requestHandlerParameter(TypeFactory types, Class<?> handlerClass, int index) {
        JavaType[] parameters = types.constructType(handlerClass).findTypeParameters(RequestHandler.class);
        return parameters.length == 2 ? parameters[index] : types.constructType(Object.class);
    }

    /** The type of {@code method}'s parameter {@code index}, with the type variables {@code handlerClass} binds. */
    static JavaType parameterType(TypeFactory types, Class<?> handlerClass, Method method, int index) {
        return types.resolveMemberType(method.getGenericParameterTypes()[index], bindings(types, handlerClass, method));
    }

    /** {@code method}'s return type, with the type variables {@code handlerClass} binds. */
    static JavaType returnType(TypeFactory types, Class<?> handlerClass, Method method) {
        return types.resolveMemberType(method.getGenericReturnType(), bindings(types, handlerClass, method));
    }

    private static TypeBindings bindings(TypeFactory types, Class<?> handlerClass, Method method) {
        JavaType declaring = types.constructType(handlerClass).findSuperType(method.getDeclaringClass());
        return declaring != null ? declaring.getBindings() : TypeBindings.emptyBindings();
    }
}
