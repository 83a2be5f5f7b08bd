package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.runtime.FakeRuntimeApi.Request;
import dev.thaw.runtime.SnapStartLifecycle.Outcome;
import dev.thaw.runtime.crac.Context;
import dev.thaw.runtime.crac.OrderedContext;
import dev.thaw.runtime.crac.Resource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SnapStartLifecycleTest {

    private final List<String> calls = new ArrayList<>();
    private final OrderedContext hooks = new OrderedContext();
    private final ObjectMapper json = new ObjectMapper();
    private FakeRuntimeApi publishing;
    private FakeRuntimeApi restored;

    @BeforeEach
    void startRuntimeApis() throws Exception {
        publishing = new FakeRuntimeApi();
        restored = new FakeRuntimeApi();
    }

    @AfterEach
    void stopRuntimeApis() {
        publishing.close();
        restored.close();
    }

    @Test
    void aRestoredCopyRunsItsHooksAroundTheCheckpointAndTalksToItsNewRuntimeApi() throws Exception {
        hooks.register(new Hook("a", null, null));
        hooks.register(new Hook("b", null, null));

        Outcome outcome = run("{\"runtimeApi\":\"" + restored.address() + "\",\"environmentId\":\"env-1\",\"future\":1}\n");

        Outcome.Restored copy = assertInstanceOf(Outcome.Restored.class, outcome);
        assertEquals(restored.address(), copy.api().address());
        assertEquals("env-1", copy.instruction().environmentId().orElseThrow());
        // The invoke path's HTTP runs before the checkpoint, often enough to be compiled, on the warm-up calls.
        for (int i = 0; i < SnapStartLifecycle.PRIMING_ROUNDS; i++) {
            assertEquals("GET /2018-06-01/runtime/thaw/warmup ", publishing.take().toString());
            assertEquals("POST /2018-06-01/runtime/thaw/warmup {}", publishing.take().toString());
        }
        Request checkpoint = publishing.take();
        assertEquals("POST /2018-06-01/runtime/thaw/checkpoint {\"primedClasses\":3}", checkpoint.toString(),
                "the checkpoint request carries the priming summary");
        assertEquals("close", checkpoint.header("Connection"));
        assertEquals(List.of("before b", "before a", "after a", "after b"), calls);
        assertEquals(0, publishing.pending() + restored.pending(), "nothing else was called");
    }

    @Test
    void anAbortLineAbandonsTheCopyWithoutRestoreHooks() throws Exception {
        hooks.register(new Hook("a", null, null));

        assertInstanceOf(Outcome.Abandoned.class, run("{\"abort\":true}\n"));
        assertEquals(List.of("before a"), calls);
    }

    @Test
    void theEndOfStdinAbandonsTheCopy() throws Exception {
        assertInstanceOf(Outcome.Abandoned.class, run(""));
    }

    @Test
    void aFailingBeforeCheckpointHookIsReportedAsInitErrorAfterTheRestoreNotification() throws Exception {
        hooks.register(new Hook("a", null, null));
        hooks.register(new Hook("b", new IllegalStateException("pool still open"), null));

        assertInstanceOf(Outcome.Failed.class, run("unused\n"));

        Request error = publishing.take();
        assertEquals("/2018-06-01/runtime/init/error", error.path());
        assertEquals("Runtime.BeforeCheckpointError", error.header("Lambda-Runtime-Function-Error-Type"));
        JsonNode body = json.readTree(error.body());
        assertEquals("dev.thaw.runtime.crac.CheckpointException", body.get("errorType").asText());
        assertEquals("java.lang.IllegalStateException", body.get("cause").get("errorType").asText());
        assertTrue(body.get("errorMessage").asText().contains("pool still open"), body.toString());
        assertEquals(List.of("before b", "before a", "after a", "after b"), calls, "CRaC restores after a failed checkpoint");
        assertEquals(0, publishing.pending(), "no checkpoint was requested");
    }

    @Test
    void aFailingAfterRestoreHookIsReportedToTheNewRuntimeApi() throws Exception {
        hooks.register(new Hook("a", null, new IllegalStateException("cannot reconnect")));

        Outcome outcome = run("{\"runtimeApi\":\"" + restored.address() + "\"}\n");

        assertInstanceOf(Outcome.Failed.class, outcome);
        for (int i = 0; i < 2 * SnapStartLifecycle.PRIMING_ROUNDS + 1; i++) {
            publishing.take(); // the warm-up calls and the checkpoint request
        }
        Request error = restored.take();
        assertEquals("/2018-06-01/runtime/restore/error", error.path());
        assertEquals("Runtime.AfterRestoreError", error.header("Lambda-Runtime-Function-Error-Type"));
        assertEquals("dev.thaw.runtime.crac.RestoreException", json.readTree(error.body()).get("errorType").asText());
    }

    private Outcome run(String stdin) {
        RestoreChannel channel = new RestoreChannel(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        return new SnapStartLifecycle(new RuntimeApiClient(publishing.address()), new JsonCodec(), new Reseeder(),
                channel, hooks).checkpointAndAwaitRestore("{\"primedClasses\":3}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private class Hook implements Resource {
        private final String name;
        private final Exception onCheckpoint;
        private final Exception onRestore;

        Hook(String name, Exception onCheckpoint, Exception onRestore) {
            this.name = name;
            this.onCheckpoint = onCheckpoint;
            this.onRestore = onRestore;
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
            calls.add("before " + name);
            if (onCheckpoint != null) {
                throw onCheckpoint;
            }
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) throws Exception {
            calls.add("after " + name);
            if (onRestore != null) {
                throw onRestore;
            }
        }
    }
}
