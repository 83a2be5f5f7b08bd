package dev.thaw.runtime;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns {@code _HANDLER} into a {@link HandlerInvoker}, loading and initialising the class and creating the
 * instance: everything INIT does with the function's code.
 *
 * <ul>
 *   <li>{@code pkg.Class}: a RequestStreamHandler or RequestHandler, else its public {@code handleRequest} method;</li>
 *   <li>{@code pkg.Class::method}: a public method taking (I), (I, Context), (InputStream, OutputStream) or
 *       (InputStream, OutputStream, Context), static or instance.</li>
 * </ul>
 * Failures to find the code are {@code Runtime.BadFunctionCode}; exceptions thrown by the function's static
 * initialiser or constructor are {@code Runtime.UserException}, reported with the function's exception.
 */
final class HandlerResolver {

    private static final String DEFAULT_METHOD = "handleRequest";

    private final LazyJsonCodec codec;

    HandlerResolver(LazyJsonCodec codec) {
        this.codec = codec;
    }

    HandlerInvoker resolve(String handler, ClassLoader loader) throws InitFailure {
        try {
            return resolveOrThrow(handler, loader);
        } catch (OutOfMemoryError e) {
            throw new InitFailure(RuntimeErrorType.OUT_OF_MEMORY, null, e);
        }
    }

    private HandlerInvoker resolveOrThrow(String handler, ClassLoader loader) throws InitFailure {
        String spec = handler == null ? "" : handler.strip();
        int separator = spec.indexOf("::");
        String className = separator < 0 ? spec : spec.substring(0, separator);
        String methodName = separator < 0 ? null : spec.substring(separator + 2);
        if (className.isEmpty() || (methodName != null && methodName.isEmpty())) {
            throw badCode("Invalid handler: `" + spec + "'; expected pkg.Class or pkg.Class::method",
                    new IllegalArgumentException(spec));
        }
        Class<?> handlerClass = loadClass(className, loader);
        CallPlan plan = plan(handlerClass, methodName);
        if (!plan.shape().isStream()) {
            codec.startInBackground(); // Jackson gets ready on another thread while the function initialises
        }
        initialise(handlerClass);
        Object target = Modifier.isStatic(plan.method().getModifiers()) ? null : instantiate(handlerClass);
        return new HandlerInvoker(target, plan.method(), plan.shape(), plan.eventType(), plan.resultType(), codec);
    }

    /** How to call the handler, decided before any of its code runs; the types are resolved once Jackson is ready. */
    private record CallPlan(Method method, HandlerShape shape, Function<TypeFactory, JavaType> eventType,
            Function<TypeFactory, JavaType> resultType) {
    }

    private static CallPlan plan(Class<?> handlerClass, String methodName) throws InitFailure {
        if (methodName == null && RequestStreamHandler.class.isAssignableFrom(handlerClass)) {
            return new CallPlan(interfaceMethod(RequestStreamHandler.class, InputStream.class, OutputStream.class,
                    Context.class), HandlerShape.STREAMS_CONTEXT, null, null);
        }
        if (methodName == null && RequestHandler.class.isAssignableFrom(handlerClass)) {
            return new CallPlan(interfaceMethod(RequestHandler.class, Object.class, Context.class),
                    HandlerShape.EVENT_CONTEXT, types -> HandlerTypes.requestHandlerInput(types, handlerClass),
                    types -> HandlerTypes.requestHandlerOutput(types, handlerClass));
        }
        String name = methodName != null ? methodName : DEFAULT_METHOD;
        Method method = findMethod(handlerClass, name).orElseThrow(() -> badCode("No public method " + name
                + " with parameters (I), (I, Context), (InputStream, OutputStream) or (InputStream, OutputStream, "
                + "Context) in " + handlerClass.getName()
                + (methodName == null ? ", which implements neither RequestHandler nor RequestStreamHandler" : ""),
                new NoSuchMethodException(handlerClass.getName() + "::" + name)));
        method.trySetAccessible(); // a public method of a non-public class
        return new CallPlan(method, HandlerShape.of(method).orElseThrow(),
                types -> HandlerTypes.parameterType(types, handlerClass, method, 0),
                types -> HandlerTypes.returnType(types, handlerClass, method));
    }

    /** Loads without initialising: no function code runs yet. */
    private static Class<?> loadClass(String className, ClassLoader loader) throws InitFailure {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw badCode("Class not found: " + className, e);
        } catch (LinkageError e) {
            throw badCode("Error loading class " + className + ": " + describe(e), e);
        }
    }

    /** Runs the static initialisers: the first function code of INIT. */
    private static void initialise(Class<?> handlerClass) throws InitFailure {
        try {
            Class.forName(handlerClass.getName(), true, handlerClass.getClassLoader());
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new InitFailure(RuntimeErrorType.ofUserThrowable(cause),
                    "Error loading class " + handlerClass.getName() + ": " + describe(cause), cause);
        } catch (ClassNotFoundException | LinkageError e) { // e.g. a dependency missing from lib/
            throw badCode("Error loading class " + handlerClass.getName() + ": " + describe(e), e);
        } catch (Error e) { // an Error from a static initialiser is not wrapped
            throw new InitFailure(RuntimeErrorType.ofUserThrowable(e),
                    "Error loading class " + handlerClass.getName() + ": " + describe(e), e);
        }
    }

    /** Public methods with a usable parameter list; bridges are skipped so generic types stay precise. */
    private static Optional<Method> findMethod(Class<?> handlerClass, String name) throws InitFailure {
        Comparator<Method> bestFirst = Comparator
                .comparing((Method m) -> HandlerShape.of(m).orElseThrow())
                .thenComparing(m -> m.getParameterTypes()[0] == Object.class) // a concrete event type wins
                .thenComparing(Method::toGenericString);                     // then any stable order
        Optional<Method> found = Optional.empty();
        Method[] methods;
        try {
            methods = handlerClass.getMethods();
        } catch (LinkageError e) { // a signature names a class the function's code lacks
            throw badCode("Error loading class " + handlerClass.getName() + ": " + describe(e), e);
        }
        for (Method m : methods) {
            if (m.getName().equals(name) && !m.isBridge() && !m.isSynthetic() && HandlerShape.of(m).isPresent()
                    && (found.isEmpty() || bestFirst.compare(m, found.get()) < 0)) {
                found = Optional.of(m);
            }
        }
        return found;
    }

    private static Object instantiate(Class<?> handlerClass) throws InitFailure {
        if (handlerClass.isInterface() || Modifier.isAbstract(handlerClass.getModifiers())) {
            throw badCode("Handler class " + handlerClass.getName() + " is abstract and cannot be instantiated",
                    new InstantiationException(handlerClass.getName()));
        }
        Constructor<?> constructor;
        try {
            constructor = handlerClass.getDeclaredConstructor();
            constructor.trySetAccessible();
        } catch (NoSuchMethodException e) {
            throw badCode("Handler class " + handlerClass.getName() + " has no no-argument constructor", e);
        }
        try {
            return constructor.newInstance();
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new InitFailure(RuntimeErrorType.ofUserThrowable(cause),
                    "Error constructing " + handlerClass.getName() + ": " + describe(cause), cause);
        } catch (ReflectiveOperationException e) {
            throw badCode("Cannot instantiate " + handlerClass.getName() + ": " + describe(e), e);
        }
    }

    private static Method interfaceMethod(Class<?> type, Class<?>... parameters) {
        try {
            return type.getMethod(DEFAULT_METHOD, parameters);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("aws-lambda-java-core lacks " + type.getName() + "." + DEFAULT_METHOD, e);
        }
    }

    private static InitFailure badCode(String message, Throwable reported) {
        return new InitFailure(RuntimeErrorType.BAD_FUNCTION_CODE, message, reported);
    }

    private static String describe(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getName();
    }
}
