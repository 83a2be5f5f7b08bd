package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thaw.runtime.FakeRuntimeApi.Event;
import dev.thaw.runtime.FakeRuntimeApi.Request;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import thawtest.handlers.Handlers;

/** A recording runtime reports new loaded classes after the response, and only when there are new ones. */
class LoadedClassReportTest {

    private FakeRuntimeApi api;

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void newClassesAreReportedAfterTheResponseAndNothingIsSentWhenNoneAreNew() throws Exception {
        api = new FakeRuntimeApi();
        LazyJsonCodec codec = new LazyJsonCodec();
        RuntimeEnvironment env = new RuntimeEnvironment("", api.address(), Path.of("."), "on-demand", "fn",
                "$LATEST", 256, "/aws/lambda/fn", "stream");
        HandlerInvoker handler = new HandlerResolver(codec)
                .resolve(Handlers.class.getName() + "$StringEcho", getClass().getClassLoader());
        LoadedClassLog log = new LoadedClassLog();
        log.arm();
        log.record("p.First");
        log.record("p.Second");
        CompletableFuture.runAsync(() -> {
            try {
                new InvokeLoop(new RuntimeApiClient(api.address()), handler, env, codec, log).run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });

        api.enqueue(Event.of("req-1", "\"a\""));
        assertEquals(FakeRuntimeApi.NEXT, api.take().path());
        assertEquals("/2018-06-01/runtime/invocation/req-1/response", api.take().path());
        Request report = api.take();
        assertEquals("POST /2018-06-01/runtime/thaw/loaded-classes p.First\np.Second", report.toString());
        assertEquals(FakeRuntimeApi.NEXT, api.take().path());

        api.enqueue(Event.of("req-2", "\"b\""));
        assertEquals("/2018-06-01/runtime/invocation/req-2/response", api.take().path());
        assertEquals(FakeRuntimeApi.NEXT, api.take().path(), "nothing new was loaded, so nothing is reported");
    }
}
