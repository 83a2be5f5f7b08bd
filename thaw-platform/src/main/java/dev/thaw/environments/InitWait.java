package dev.thaw.environments;

import dev.thaw.errors.RuntimeErrorType;
import dev.thaw.runtimeapi.InvocationChannel;
import dev.thaw.runtimeapi.RuntimeOutcome;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a spawned environment's INIT to end. INIT ends in one of four ways: the runtime signals that it is done
 * (its first {@code /next}, its checkpoint request, or, for an AOT training run, its exit), it posts
 * {@code /init/error}, its process exits, or the limit passes. Every way but the first stops the environment and
 * throws a {@link StartupFailure} carrying what INIT logged. The environment's state changes go through
 * {@link Environment#moveTo}.
 */
final class InitWait {
    private final Environment env;
    private final InvocationChannel channel;
    private final CompletableFuture<Integer> exit;

    InitWait(Environment env) {
        this.env = env;
        this.channel = env.channel();
        this.exit = env.process().onExit();
    }

    /** On-demand INIT: returns once the runtime first asks for work, leaving the environment ready to invoke. */
    void untilReady(long limitMillis) throws StartupFailure {
        awaitSignal(channel.firstPoll(), limitMillis);
        env.readyAfterInit();
    }

    /**
     * SnapStart INIT: returns once the runtime has run INIT and its beforeCheckpoint hooks and asks to be
     * checkpointed, leaving the environment CHECKPOINTING.
     */
    void untilCheckpointRequest(long limitMillis) throws StartupFailure {
        awaitSignal(channel.checkpointRequested(), limitMillis);
        env.drainLogs();
        env.moveTo(EnvironmentState.CHECKPOINTING);
    }

    /**
     * AOT-cache training: returns once the runtime has run INIT and exited, which is when the JVM writes its cache.
     * An INIT error, a non-zero exit or the limit passing throws. The environment is stopped either way.
     */
    void untilTrainingExit(long limitMillis) throws StartupFailure {
        // A run that has exited already is judged by its exit status below.
        env.moveToUnlessDead(EnvironmentState.TRAINING);
        if (!awaitAny(limitMillis, "AOT training", channel.initError(), exit)
                || !awaitAny(limitMillis, "AOT training", exit)) {
            fail(RuntimeErrorType.INIT_TIMEOUT, "the AOT training run did not finish within " + limitMillis + " ms");
        }
        failIfInitErrorReported();
        int status = exit.join();
        double initMillis = env.millisSinceStart();
        env.initFinished(initMillis);
        env.platformLine(PlatformRecords.initReport(initMillis, status == 0 ? "success" : "error"));
        if (status != 0) {
            fail(RuntimeErrorType.EXIT_ERROR, "the AOT training run exited with status " + status);
        }
        env.drainLogs();
        env.takeInitLog();
        env.stop();
    }

    /**
     * Waits for {@code done}, an INIT error, the process's exit or the limit. Anything but {@code done} stops the
     * environment and throws; {@code done} records INIT's duration.
     */
    private void awaitSignal(CompletableFuture<Void> done, long limitMillis) throws StartupFailure {
        // An environment whose process has exited already is DEAD, and fails below.
        if (env.moveToUnlessDead(EnvironmentState.INITIALIZING)
                && !awaitAny(limitMillis, "INIT", done, channel.initError(), exit)) {
            env.platformLine(PlatformRecords.initReport(env.millisSinceStart(), "timeout"));
            fail(RuntimeErrorType.INIT_TIMEOUT, "INIT did not finish within " + limitMillis + " ms");
        }
        failIfInitErrorReported();
        if (!done.isDone() || done.isCompletedExceptionally() || env.state() == EnvironmentState.DEAD) {
            fail(RuntimeErrorType.EXIT_ERROR, "Runtime exited during INIT" + env.exitStatus());
        }
        env.initFinished(env.millisSinceStart());
    }

    /**
     * Waits until one of {@code signals} completes, normally or not (the channel's signals fail when the process
     * exits, which the caller then reports); false when {@code limitMillis} passed first.
     */
    private boolean awaitAny(long limitMillis, String phase, CompletableFuture<?>... signals) throws StartupFailure {
        try {
            CompletableFuture.anyOf(signals).get(limitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            // reported by the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(RuntimeErrorType.INTERRUPTED, "interrupted during " + phase);
        }
        return true;
    }

    /** The runtime posted /init/error: stop the environment and throw the error it reported. */
    private void failIfInitErrorReported() throws StartupFailure {
        if (channel.initError().isDone()) {
            RuntimeOutcome.Error err = channel.initError().join();
            String log = stopKeepingLog();
            throw new StartupFailure(err.errorType(), err.body(), log, "INIT failed: " + err.errorType());
        }
    }

    private void fail(RuntimeErrorType type, String message) throws StartupFailure {
        throw StartupFailure.withLog(type, message, stopKeepingLog());
    }

    /** Stops the environment once its output has been read; returns what INIT logged. */
    private String stopKeepingLog() {
        env.drainLogs();
        String log = env.takeInitLog();
        env.stop();
        return log;
    }
}
