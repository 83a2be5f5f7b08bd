package dev.thaw.runtimeapi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InvocationChannelTest {
    /** A poller that records what it was given, and in which thread. */
    private static final class RecordingPoller implements InvocationChannel.Poller {
        final List<Invocation> delivered = new ArrayList<>();
        Thread deliveredIn;
        boolean closed;

        @Override
        public void deliver(Invocation invocation) {
            delivered.add(invocation);
            deliveredIn = Thread.currentThread();
        }

        @Override
        public void closed() {
            closed = true;
        }
    }

    private static Invocation invocation(String id) {
        return new Invocation(id, "{}".getBytes(), Long.MAX_VALUE, "arn", "Root=1", Optional.empty(), Optional.empty(),
                new CompletableFuture<>());
    }

    @Test
    void aWaitingNextIsAnsweredInTheThreadThatSubmits() {
        InvocationChannel channel = new InvocationChannel();
        RecordingPoller poller = new RecordingPoller();
        assertNull(channel.nextOrWait(poller));
        assertTrue(channel.firstPoll().isDone());
        Invocation inv = invocation("r1");
        channel.submit(inv);
        assertEquals(List.of(inv), poller.delivered);
        assertSame(Thread.currentThread(), poller.deliveredIn);
        assertTrue(channel.complete("r1", new RuntimeOutcome.Response(new byte[0])));
        assertTrue(inv.outcome().isDone());
    }

    @Test
    void anInvocationSubmittedBeforeThePollIsHandedOutByTheNextPoll() {
        InvocationChannel channel = new InvocationChannel();
        Invocation inv = invocation("r2");
        channel.submit(inv);
        RecordingPoller poller = new RecordingPoller();
        assertSame(inv, channel.nextOrWait(poller));
        assertTrue(poller.delivered.isEmpty());
        assertTrue(channel.complete("r2", new RuntimeOutcome.Response(new byte[0])));
    }

    @Test
    void onlyTheInvocationInFlightMayBeAnswered() {
        InvocationChannel channel = new InvocationChannel();
        channel.nextOrWait(new RecordingPoller());
        channel.submit(invocation("r3"));
        assertEquals(false, channel.complete("other", new RuntimeOutcome.Response(new byte[0])));
        assertTrue(channel.complete("r3", new RuntimeOutcome.Response(new byte[0])));
        assertEquals(false, channel.complete("r3", new RuntimeOutcome.Response(new byte[0])));
    }

    @Test
    void closingTellsTheWaitingPollerFailsQueuedWorkAndRefusesMore() {
        InvocationChannel channel = new InvocationChannel();
        Invocation queued = invocation("r4");
        channel.submit(queued);
        channel.nextOrWait(new RecordingPoller()); // takes r4: in flight
        RecordingPoller waiting = new RecordingPoller();
        assertNull(channel.nextOrWait(waiting));
        channel.close(new IllegalStateException("gone"));
        assertTrue(waiting.closed);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> queued.outcome().get());
        assertEquals("gone", failed.getCause().getMessage());
        assertThrows(IllegalStateException.class, () -> channel.submit(invocation("r5")));
        assertThrows(IllegalStateException.class, () -> channel.nextOrWait(new RecordingPoller()));
    }
}
