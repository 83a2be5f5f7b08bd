package dev.thaw.runtime.crac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OrderedContextTest {

    private final List<String> calls = new ArrayList<>();
    private final OrderedContext context = new OrderedContext();

    @Test
    void checkpointRunsInReverseRegistrationOrderAndRestoreInRegistrationOrder() throws Exception {
        context.register(new Recording("a"));
        context.register(new Recording("b"));
        context.register(new Recording("c"));

        context.beforeCheckpoint(null);
        context.afterRestore(null);

        assertEquals(List.of("before c", "before b", "before a", "after a", "after b", "after c"), calls);
    }

    @Test
    void everyResourceIsNotifiedAndFailuresBecomeSuppressedExceptionsOfOne() {
        IllegalStateException first = new IllegalStateException("a failed");
        IllegalStateException second = new IllegalStateException("c failed");
        context.register(new Recording("a", first, null));
        context.register(new Recording("b"));
        context.register(new Recording("c", second, null));

        CheckpointException e = assertThrows(CheckpointException.class, () -> context.beforeCheckpoint(null));

        assertEquals(List.of("before c", "before b", "before a"), calls);
        assertEquals(List.of(second, first), List.of(e.getSuppressed()));
    }

    @Test
    void aResourceWhoseCheckpointFailedIsStillRestoredAndRestoreFailuresAreGathered() {
        Exception restoreFailure = new Exception("b cannot restore");
        context.register(new Recording("a", new RuntimeException("a cannot checkpoint"), null));
        context.register(new Recording("b", null, restoreFailure));
        context.register(new Recording("c"));
        assertThrows(CheckpointException.class, () -> context.beforeCheckpoint(null));

        RestoreException e = assertThrows(RestoreException.class, () -> context.afterRestore(null));

        assertEquals(List.of("before c", "before b", "before a", "after a", "after b", "after c"), calls);
        assertEquals(List.of(restoreFailure), List.of(e.getSuppressed()));
    }

    @Test
    void aNestedContextsFailuresAreLiftedIntoTheOuterException() {
        OrderedContext nested = new OrderedContext();
        RuntimeException inner1 = new RuntimeException("inner 1");
        RuntimeException inner2 = new RuntimeException("inner 2");
        nested.register(new Recording("n1", inner1, null));
        nested.register(new Recording("n2", inner2, null));
        context.register(nested);

        CheckpointException e = assertThrows(CheckpointException.class, () -> context.beforeCheckpoint(null));

        assertEquals(List.of(inner2, inner1), List.of(e.getSuppressed()));
    }

    @Test
    void aCheckpointExceptionWithoutSuppressedOnesIsKeptWhole() {
        CheckpointException own = new CheckpointException("pool busy");
        context.register(new Recording("a", own, null));

        CheckpointException e = assertThrows(CheckpointException.class, () -> context.beforeCheckpoint(null));

        assertEquals(List.of(own), List.of(e.getSuppressed()));
    }

    @Test
    void registeringTheSameResourceAgainMovesItToTheEnd() throws Exception {
        Recording a = new Recording("a");
        context.register(a);
        context.register(new Recording("b"));
        context.register(a);

        context.beforeCheckpoint(null);

        assertEquals(List.of("before a", "before b"), calls);
    }

    @Test
    void resourcesAreHeldWeakly() throws Exception {
        Recording kept = new Recording("kept");
        context.register(kept);
        Recording dropped = new Recording("dropped");
        WeakReference<Recording> ref = new WeakReference<>(dropped);
        context.register(dropped);
        dropped = null;

        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the context must not keep a resource alive");

        context.beforeCheckpoint(null);
        assertEquals(List.of("before kept"), calls);
    }

    @Test
    void notificationsCannotNestOrRunOutOfOrder() throws Exception {
        context.register(new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> c) throws Exception {
                c.beforeCheckpoint(null);
            }

            @Override
            public void afterRestore(Context<? extends Resource> c) {
            }
        });

        CheckpointException e = assertThrows(CheckpointException.class, () -> context.beforeCheckpoint(null));
        assertInstanceOf(IllegalStateException.class, e.getSuppressed()[0]);

        context.afterRestore(null);
        assertThrows(IllegalStateException.class, () -> context.afterRestore(null));
    }

    @Test
    void aResourceRegisteredDuringCheckpointTakesPartFromTheNextCheckpoint() throws Exception {
        Recording late = new Recording("late");
        context.register(new Recording("early") {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> c) throws Exception {
                super.beforeCheckpoint(c);
                context.register(late);
            }
        });

        context.beforeCheckpoint(null);
        context.afterRestore(null);
        context.beforeCheckpoint(null);

        assertEquals(List.of("before early", "after early", "before late", "before early"), calls);
    }

    @Test
    void orgCracResourcesLandInTheGlobalContextThroughTheCompatProperty() throws Exception {
        assertEquals("dev.thaw.runtime.crac", System.getProperty("org.crac.Core.Compat"), "surefire sets it");
        OrgCracRecording first = new OrgCracRecording("first");
        OrgCracRecording failing = new OrgCracRecording("failing");
        org.crac.Core.getGlobalContext().register(first);
        org.crac.Core.getGlobalContext().register(failing);

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Core.getGlobalContext().beforeCheckpoint(null));
        Core.getGlobalContext().afterRestore(null);

        assertEquals(List.of("before failing", "before first", "after first", "after failing"), calls);
        assertEquals("failing refuses", e.getSuppressed()[0].getMessage());
    }

    @Test
    void anOrgCracContextNestedInTheGlobalOneHasItsFailuresLifted() throws Exception {
        RuntimeException inner = new RuntimeException("inner");
        org.crac.Context<org.crac.Resource> nested = new org.crac.Context<>() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> c)
                    throws org.crac.CheckpointException {
                org.crac.CheckpointException e = new org.crac.CheckpointException();
                e.addSuppressed(inner);
                throw e;
            }

            @Override
            public void afterRestore(org.crac.Context<? extends org.crac.Resource> c) {
            }

            @Override
            public void register(org.crac.Resource r) {
            }
        };
        org.crac.Core.getGlobalContext().register(nested);

        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Core.getGlobalContext().beforeCheckpoint(null));
        Core.getGlobalContext().afterRestore(null);

        assertTrue(Stream.of(e.getSuppressed()).anyMatch(s -> s == inner), "inner failure lifted: " + List.of(e.getSuppressed()));
    }

    @Test
    void aFunctionCannotRequestACheckpointItself() {
        org.crac.CheckpointException e = assertThrows(org.crac.CheckpointException.class,
                org.crac.Core::checkpointRestore);
        assertTrue(e.getSuppressed().length == 1);
    }

    private class Recording implements Resource {
        private final String name;
        private final Exception onCheckpoint;
        private final Exception onRestore;

        Recording(String name) {
            this(name, null, null);
        }

        Recording(String name, Exception onCheckpoint, Exception onRestore) {
            this.name = name;
            this.onCheckpoint = onCheckpoint;
            this.onRestore = onRestore;
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> c) throws Exception {
            calls.add("before " + name);
            if (onCheckpoint != null) {
                throw onCheckpoint;
            }
        }

        @Override
        public void afterRestore(Context<? extends Resource> c) throws Exception {
            calls.add("after " + name);
            if (onRestore != null) {
                throw onRestore;
            }
        }
    }

    private class OrgCracRecording implements org.crac.Resource {
        private final String name;

        OrgCracRecording(String name) {
            this.name = name;
        }

        @Override
        public void beforeCheckpoint(org.crac.Context<? extends org.crac.Resource> c) {
            calls.add("before " + name);
            if (name.equals("failing")) {
                throw new IllegalStateException("failing refuses");
            }
        }

        @Override
        public void afterRestore(org.crac.Context<? extends org.crac.Resource> c) {
            calls.add("after " + name);
        }
    }
}
