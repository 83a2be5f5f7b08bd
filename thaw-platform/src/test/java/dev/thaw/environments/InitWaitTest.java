package dev.thaw.environments;

import dev.thaw.functions.FunctionVersion;
import dev.thaw.functions.SnapStartMode;
import dev.thaw.functions.VersionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How INIT ends, against real processes calling a real Runtime API server as a runtime does. */
class InitWaitTest {
    private static final FunctionVersion VERSION = TestEnvironments.version("fn", "1", 3, Map.of(),
            SnapStartMode.NONE, VersionState.active());

    @TempDir
    Path dir;
    private TestEnvironments environments;

    @BeforeEach
    void open() {
        environments = new TestEnvironments(dir);
    }

    @AfterEach
    void stopEnvironments() {
        environments.close();
    }

    @Test
    void theRuntimesFirstPollEndsInitAndTheEnvironmentCanServe() throws Exception {
        Environment env = environments.spawn(VERSION, TestEnvironments.POLLING);
        new InitWait(env).untilReady(10_000);
        assertEquals(EnvironmentState.INITIALIZING, env.state());
        assertTrue(env.state().canMoveTo(EnvironmentState.BUSY));
        assertTrue(env.initMillis() > 0);
        assertFalse(env.process().onExit().isDone(), "the environment is not stopped");
    }

    @Test
    void anInitErrorStopsTheEnvironmentAndCarriesTheRuntimesErrorAndWhatInitLogged() throws Exception {
        Environment env = environments.spawn(VERSION, TestEnvironments.initError("Runtime.HandlerNotFound",
                "{\"errorMessage\":\"no\"}"));
        env.channel().initError().get(10, TimeUnit.SECONDS);
        StartupFailure f = assertThrows(StartupFailure.class, () -> new InitWait(env).untilReady(5_000));
        assertEquals("Runtime.HandlerNotFound", f.errorType());
        assertEquals("{\"errorMessage\":\"no\"}", new String(f.body()));
        assertTrue(f.log().contains("initializing"), f.log());
        assertStopped(env);
    }

    @Test
    void initThatRunsPastItsLimitFailsWithInitTimeoutAndATimeoutReport() {
        Environment env = environments.spawn(VERSION, TestEnvironments.WAITING);
        StartupFailure f = assertThrows(StartupFailure.class, () -> new InitWait(env).untilReady(300));
        assertEquals("Runtime.InitTimeout", f.errorType());
        assertTrue(f.getMessage().contains("within 300 ms"), f.getMessage());
        assertTrue(f.log().contains("INIT_REPORT Init Duration: ") && f.log().contains("Status: timeout"), f.log());
        assertStopped(env);
    }

    @Test
    void aRuntimeThatExitsDuringInitFailsWithItsExitStatus() {
        Environment env = environments.spawn(VERSION, "echo loading; sleep 0.3; exit 3");
        StartupFailure f = assertThrows(StartupFailure.class, () -> new InitWait(env).untilReady(5_000));
        assertEquals("Runtime.ExitError", f.errorType());
        assertEquals("Runtime exited during INIT: exit status 3", f.getMessage());
        assertTrue(f.log().contains("loading"), f.log());
        assertStopped(env);
    }

    @Test
    void aRuntimeThatDiedBeforeInitWasAwaitedFailsWithExitErrorNotAnInvalidTransition() throws Exception {
        Environment env = environments.spawn(VERSION, "exit 4");
        env.process().onExit().get(5, TimeUnit.SECONDS);
        awaitState(env, EnvironmentState.DEAD);
        StartupFailure f = assertThrows(StartupFailure.class, () -> new InitWait(env).untilReady(5_000));
        assertEquals("Runtime.ExitError", f.errorType());
        assertEquals("Runtime exited during INIT: exit status 4", f.getMessage());
    }

    @Test
    void aCheckpointRequestEndsSnapStartInitWithTheEnvironmentCheckpointing() throws Exception {
        Environment env = environments.spawn(VERSION, TestEnvironments.CHECKPOINTING);
        new InitWait(env).untilCheckpointRequest(10_000);
        assertEquals(EnvironmentState.CHECKPOINTING, env.state());
        assertTrue(env.initMillis() > 0);
    }

    @Test
    void aTrainingRunThatExitsCleanlyReportsSuccessAndIsStopped() throws Exception {
        Environment env = environments.spawn(VERSION, "echo training; sleep 0.2; exit 0");
        new InitWait(env).untilTrainingExit(5_000);
        assertStopped(env);
        assertTrue(environments.logLines(VERSION).stream().anyMatch(l -> l.contains("Status: success")),
                environments.logLines(VERSION).toString());
    }

    @Test
    void aTrainingRunThatExitsWithAnErrorFails() {
        Environment env = environments.spawn(VERSION, "sleep 0.2; exit 2");
        StartupFailure f = assertThrows(StartupFailure.class, () -> new InitWait(env).untilTrainingExit(5_000));
        assertEquals("Runtime.ExitError", f.errorType());
        assertEquals("the AOT training run exited with status 2", f.getMessage());
        assertTrue(f.log().contains("Status: error"), f.log());
        assertStopped(env);
    }

    private static void assertStopped(Environment env) {
        assertEquals(EnvironmentState.DEAD, env.state());
        assertTrue(env.process().onExit().isDone(), "the process is gone");
    }

    private static void awaitState(Environment env, EnvironmentState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (env.state() != state && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(state, env.state());
    }
}
