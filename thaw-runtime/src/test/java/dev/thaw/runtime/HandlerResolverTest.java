package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import thawtest.handlers.Handlers;
import thawtest.handlers.Handlers.Person;

class HandlerResolverTest {

    private static final String OUTER = Handlers.class.getName() + "$";

    private final HandlerResolver resolver = new HandlerResolver(new LazyJsonCodec());

    @Test
    void aRequestHandlerIsCalledThroughItsInterfaceWithItsDeclaredEventType() throws Throwable {
        HandlerInvoker invoker = resolve("Greeter");

        assertEquals(HandlerShape.EVENT_CONTEXT, invoker.shape());
        assertEquals(Person.class, invoker.eventType().getRawClass());
        assertEquals("\"hello Ada\"", call(invoker, "{\"name\":\"Ada\"}"));
    }

    @Test
    void aRequestStreamHandlerGetsTheRawBytes() throws Throwable {
        HandlerInvoker invoker = resolve("Shouter");

        assertEquals(HandlerShape.STREAMS_CONTEXT, invoker.shape());
        assertEquals("NOT JSON", call(invoker, "not json"));
    }

    @Test
    void aClassWithoutTheInterfacesUsesItsPublicHandleRequestMethod() throws Throwable {
        HandlerInvoker invoker = resolve("PlainHandler");

        assertEquals(HandlerShape.EVENT, invoker.shape());
        assertEquals("{\"size\":2}", call(invoker, "{\"a\":1,\"b\":2}"));
    }

    @Test
    void anExplicitStaticMethodNeedsNoInstance() throws Throwable {
        HandlerInvoker invoker = resolve("Methods::upper");

        assertEquals("\"ABC\"", call(invoker, "\"abc\""));
    }

    @Test
    void anExplicitMethodPrefersTheRichestParameterList() throws Throwable {
        HandlerInvoker invoker = resolve("Methods::overloaded");

        assertEquals(HandlerShape.STREAMS_CONTEXT, invoker.shape());
    }

    @Test
    void anExplicitInstanceMethodWithStreamsWorks() throws Throwable {
        HandlerInvoker invoker = resolve("Methods::copy");

        assertEquals(HandlerShape.STREAMS, invoker.shape());
        assertEquals("raw", call(invoker, "raw"));
    }

    @Test
    void preparingForASnapshotNeverCallsTheFunction() throws Throwable {
        HandlerInvoker instance = resolve("Counting");
        HandlerInvoker statik = resolve("Counting::staticCount");

        instance.prepare();
        statik.prepare();

        assertEquals(0, Handlers.Counting.CALLS.get());
        assertEquals("{\"name\":\"Ada\"}", call(instance, "{\"name\":\"Ada\"}"));
        assertEquals(1, Handlers.Counting.CALLS.get());
    }

    @Test
    void aMissingClassIsBadFunctionCodeReportedAsClassNotFound() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolver.resolve("com.example.Missing", loader()));

        assertEquals(RuntimeErrorType.BAD_FUNCTION_CODE, f.type());
        assertEquals("java.lang.ClassNotFoundException", f.report().errorType());
        assertEquals("Class not found: com.example.Missing", f.report().errorMessage());
    }

    @Test
    void aMissingMethodIsBadFunctionCode() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolver.resolve(OUTER + "Methods::nope", loader()));

        assertEquals(RuntimeErrorType.BAD_FUNCTION_CODE, f.type());
        assertEquals("java.lang.NoSuchMethodException", f.report().errorType());
    }

    @Test
    void aClassThatIsNoHandlerIsBadFunctionCode() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolver.resolve(OUTER + "Person", loader()));

        assertEquals(RuntimeErrorType.BAD_FUNCTION_CODE, f.type());
    }

    @Test
    void malformedHandlerStringsAreBadFunctionCode() {
        for (String handler : new String[] {"", "  ", "a.B::", "::m"}) {
            InitFailure f = assertThrows(InitFailure.class, () -> resolver.resolve(handler, loader()), handler);
            assertEquals(RuntimeErrorType.BAD_FUNCTION_CODE, f.type(), handler);
        }
    }

    @Test
    void anExceptionInTheStaticInitialiserIsAUserExceptionReportedAsTheFunctionsOwn() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolve("BrokenStatic"));

        assertEquals(RuntimeErrorType.USER_EXCEPTION, f.type());
        assertEquals("java.lang.IllegalStateException", f.report().errorType());
        assertTrue(f.report().errorMessage().contains("no config"), f.report().errorMessage());
    }

    @Test
    void anErrorThrownByTheStaticInitialiserIsAUserExceptionToo() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolve("StaticAssertion"));

        assertEquals(RuntimeErrorType.USER_EXCEPTION, f.type());
        assertEquals("java.lang.AssertionError", f.report().errorType());
    }

    @Test
    void anExceptionInTheConstructorIsAUserException() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolve("BrokenConstructor"));

        assertEquals(RuntimeErrorType.USER_EXCEPTION, f.type());
        assertEquals("java.lang.IllegalArgumentException", f.report().errorType());
        assertTrue(f.report().stackTrace().get(0).contains("BrokenConstructor.<init>"), f.report().stackTrace().get(0));
    }

    @Test
    void aHandlerWithoutANoArgConstructorIsBadFunctionCode() {
        InitFailure f = assertThrows(InitFailure.class, () -> resolve("NeedsArgument"));

        assertEquals(RuntimeErrorType.BAD_FUNCTION_CODE, f.type());
    }

    @Test
    void theFunctionsExceptionComesOutUnwrapped() {
        assertThrows(UnsupportedOperationException.class, () -> call(resolve("Methods::fail"), "{}"));
    }

    private HandlerInvoker resolve(String nested) throws InitFailure {
        return resolver.resolve(OUTER + nested, loader());
    }

    private static ClassLoader loader() {
        return HandlerResolverTest.class.getClassLoader();
    }

    static String call(HandlerInvoker invoker, String payload) throws Throwable {
        return new String(invoker.invoke(payload.getBytes(StandardCharsets.UTF_8), null), StandardCharsets.UTF_8);
    }
}
