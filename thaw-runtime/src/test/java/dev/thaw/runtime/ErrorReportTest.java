package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorReportTest {

    @Test
    void theJsonHasAwsFieldNamesAndNoNullCause() throws Exception {
        RuntimeException e = new RuntimeException("boom");
        e.setStackTrace(new StackTraceElement[] {new StackTraceElement("example.Fn", "handle", "Fn.java", 12)});

        String json = new String(new JsonCodec().write(ErrorReport.of(e)));

        assertEquals(new ObjectMapper().readTree(
                "{\"errorMessage\":\"boom\",\"errorType\":\"java.lang.RuntimeException\",\"stackTrace\":[\"example.Fn.handle(Fn.java:12)\"]}"),
                new ObjectMapper().readTree(json));
    }

    @Test
    void theRuntimesOwnFramesAndTheReflectionLeadingToThemAreCut() {
        StackTraceElement[] trace = {
            new StackTraceElement("example.Fn", "handle", "Fn.java", 12),
            new StackTraceElement("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke", null, -1),
            new StackTraceElement("java.lang.reflect.Method", "invoke", "Method.java", 580),
            new StackTraceElement("dev.thaw.runtime.HandlerInvoker", "call", "HandlerInvoker.java", 60),
            new StackTraceElement("dev.thaw.runtime.Bootstrap", "main", "Bootstrap.java", 20),
        };

        assertEquals(List.of("example.Fn.handle(Fn.java:12)"), ErrorReport.userFrames(trace));
    }

    @Test
    void aMessagelessThrowableIsNamedByItsClass() {
        assertEquals("java.lang.NullPointerException", ErrorReport.of(new NullPointerException()).errorMessage());
    }

    @Test
    void suppressedFailuresAreSummarisedAndTheFirstBecomesTheCause() {
        Exception aggregate = new Exception();
        aggregate.addSuppressed(new IllegalStateException("one"));
        aggregate.addSuppressed(new IllegalArgumentException("two"));

        ErrorReport report = ErrorReport.of(aggregate);

        assertEquals("2 suppressed: java.lang.IllegalStateException: one; java.lang.IllegalArgumentException: two",
                report.errorMessage());
        assertEquals("java.lang.IllegalStateException", report.cause().errorType());
        assertNull(report.cause().cause());
    }

    @Test
    void aCauseCycleEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertNull(ErrorReport.of(a).cause().cause());
    }
}
