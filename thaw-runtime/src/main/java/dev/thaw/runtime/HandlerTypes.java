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
        JavaType[] parameters = types.constructType(handlerClass).findTypeParameters(RequestHandler.class);
        return parameters.length == 2 ? parameters[0] : types.constructType(Object.class);
    }

    /** The type of {@code method}'s parameter {@code index}, with the type variables {@code handlerClass} binds. */
    static JavaType parameterType(TypeFactory types, Class<?> handlerClass, Method method, int index) {
        JavaType declaring = types.constructType(handlerClass).findSuperType(method.getDeclaringClass());
        TypeBindings bindings = declaring != null ? declaring.getBindings() : TypeBindings.emptyBindings();
        return types.resolveMemberType(method.getGenericParameterTypes()[index], bindings);
    }
}
