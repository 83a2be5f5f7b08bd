package dev.thaw.runtime;

import dev.thaw.runtime.crac.Context;
import dev.thaw.runtime.crac.Core;
import dev.thaw.runtime.crac.Resource;
import dev.thaw.runtime.crac.RestoreException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.util.List;
import java.util.Optional;

/**
 * The snapshot round trip after a successful SnapStart INIT:
 * beforeCheckpoint hooks, JVM preparation, {@code POST /runtime/thaw/checkpoint}, block on stdin while the
 * platform dumps the process with CRIU; then, in each restored copy, the restore line, a new Runtime API
 * address, fresh random state, and the afterRestore hooks.
 */
final class SnapStartLifecycle {

    /** How the round trip ended for this process. */
    sealed interface Outcome {
        /** A restored copy, to serve events from the Runtime API in {@code instruction}. */
        record Restored(RestoreInstruction instruction, RuntimeApiClient api) implements Outcome {
        }

        /** The platform no longer needs this process ({@code {"abort":true}} or end of stdin). */
        record Abandoned() implements Outcome {
        }

        /** A hook or the platform call failed; already reported. */
        record Failed() implements Outcome {
        }
    }

    private final RuntimeApiClient api;
    private final JsonCodec codec;
    private final Reseeder reseeder;
    private final RestoreChannel restoreChannel;
    private final Context<Resource> hooks;

    /** A little over the calls after which the JVM compiles a method (200 with C1 alone, as environments run). */
    static final int PRIMING_ROUNDS = 300;
    private static final String PRIMING_RESTORE_LINE =
            "{\"runtimeApi\":\"127.0.0.1:9\",\"environmentId\":\"priming\",\"logStreamName\":\"priming\"}";

    SnapStartLifecycle(RuntimeApiClient api, JsonCodec codec, Reseeder reseeder, RestoreChannel restoreChannel) {
        this(api, codec, reseeder, restoreChannel, Core.getGlobalContext());
    }

    SnapStartLifecycle(RuntimeApiClient api, JsonCodec codec, Reseeder reseeder, RestoreChannel restoreChannel,
            Context<Resource> hooks) {
        this.api = api;
        this.codec = codec;
        this.reseeder = reseeder;
        this.restoreChannel = restoreChannel;
        this.hooks = hooks;
    }

    /** {@code primingSummary} goes to the platform with the checkpoint request. */
    Outcome checkpointAndAwaitRestore(byte[] primingSummary) {
        if (!runBeforeCheckpointHooks()) {
            return new Outcome.Failed();
        }
        prepareJvm();
        warnAboutOpenSockets(api.address());
        System.out.flush();
        System.err.flush();
        // The request is the last thing before the read below: the platform dumps as soon as it has answered, and
        // whatever this thread was still doing then would be redone, from the middle, in every restored copy.
        try {
            api.requestCheckpoint(primingSummary);
        } catch (IOException e) {
            System.err.println("thaw-runtime: the checkpoint request failed: " + e);
            return new Outcome.Failed();
        }

        // -- the snapshot is taken while this thread blocks here; what follows runs in each restored copy --
        Optional<RestoreInstruction> instruction;
        try {
            Optional<String> line = restoreChannel.readLine();
            instruction = line.isPresent() ? RestoreInstruction.parse(line.get(), codec) : Optional.empty();
        } catch (IOException e) {
            System.err.println("thaw-runtime: unusable restore line: " + e.getMessage());
            return new Outcome.Failed();
        }
        if (instruction.isEmpty()) {
            return new Outcome.Abandoned();
        }
        RuntimeApiClient restoredApi = new RuntimeApiClient(instruction.get().runtimeApi());
        reseeder.reseed(); // before the hooks, so what they create is already unique to this copy
        if (!runAfterRestoreHooks(restoredApi)) {
            return new Outcome.Failed();
        }
        if (instruction.get().touchPages()) {
            touchRestoredPages();
        }
        return new Outcome.Restored(instruction.get(), restoredApi);
    }

    /** Ahead of any request (a provisioned copy): each restored page's first access, taken now. */
    private static void touchRestoredPages() {
        try {
            RestoredPages.Touched touched = RestoredPages.touchResident();
            System.err.println("thaw-runtime: read " + touched.pages() + " resident pages ahead of the first invoke in "
                    + touched.millis() + " ms");
        } catch (IOException | RuntimeException e) {
            System.err.println("thaw-runtime: could not read the resident pages ahead of the first invoke: " + e);
        }
    }

    /**
     * CRaC: when checkpoint notification fails, restore notification follows at once and its failures join
     * the checkpoint's. Then INIT is reported failed.
     */
    private boolean runBeforeCheckpointHooks() {
        try {
            hooks.beforeCheckpoint(null);
            return true;
        } catch (Exception | LinkageError | AssertionError checkpointFailure) {
            try {
                hooks.afterRestore(null);
            } catch (RestoreException restoreFailure) {
                for (Throwable t : restoreFailure.getSuppressed()) {
                    checkpointFailure.addSuppressed(t);
                }
            } catch (Exception | LinkageError | AssertionError other) {
                checkpointFailure.addSuppressed(other);
            }
            report(checkpointFailure, "/runtime/init/error",
                    body -> api.postInitError(RuntimeErrorType.BEFORE_CHECKPOINT, body));
            return false;
        }
    }

    private boolean runAfterRestoreHooks(RuntimeApiClient restoredApi) {
        try {
            hooks.afterRestore(null);
            return true;
        } catch (Exception | LinkageError | AssertionError e) {
            report(e, "/runtime/restore/error",
                    body -> restoredApi.postRestoreError(RuntimeErrorType.AFTER_RESTORE, body));
            return false;
        }
    }

    private void prepareJvm() {
        reseeder.prime();
        primeRestorePath();
        loadInvokePath();
        CheckpointPreparation.clearDnsCache();
        CheckpointPreparation.collectGarbage();
    }

    /**
     * Loads what a restored copy's first invoke would otherwise load from the runtime jar and the JDK (the invoke
     * loop, the classes of a kept-alive HTTP exchange, and org.crac's CRaCMXBean, which afterRestore hooks such as
     * Spring's ask for the time since the restore), and runs the Runtime API exchange of an invoke (a {@code next}
     * and a response, on the platform's warm-up calls) often enough for the JIT to compile it: a restored copy's
     * first invoke then neither loads nor interprets the runtime's own part of it.
     */
    private void loadInvokePath() {
        try {
            MethodHandles.lookup().ensureInitialized(InvokeLoop.class);
            org.crac.management.CRaCMXBean.getCRaCMXBean().getUptimeSinceRestore();
            JdkLinkage.linkStringConcatenation();
            for (int i = 0; i < PRIMING_ROUNDS; i++) {
                api.warmUp();
            }
        } catch (IOException | IllegalAccessException e) {
            System.err.println("thaw-runtime: loading the invoke path before the checkpoint failed, restored copies "
                    + "load it on their first invoke: " + e);
        }
    }

    /**
     * Runs what every restored copy runs first, the restore line and re-seeding, often enough for the JIT to compile
     * it, so the snapshot holds that code compiled rather than code each copy would interpret (1 to 2 ms less).
     */
    private void primeRestorePath() {
        try {
            for (int i = 0; i < PRIMING_ROUNDS; i++) {
                RestoreInstruction.parse(PRIMING_RESTORE_LINE, codec);
                reseeder.reseed();
            }
        } catch (IOException e) {
            System.err.println("thaw-runtime: priming the restore path failed, restored copies start colder: " + e);
        }
    }

    /** Warns about the function's own sockets; the runtime's connection to {@code runtimeApi} is closed later. */
    private static void warnAboutOpenSockets(String runtimeApi) {
        List<String> sockets = CheckpointPreparation.openNetworkSockets().stream()
                .filter(s -> !s.endsWith(" -> " + runtimeApi)).toList();
        if (!sockets.isEmpty()) {
            System.err.println("thaw-runtime: warning: sockets still open at checkpoint, which a restored copy "
                    + "cannot use (close them in a beforeCheckpoint hook): " + String.join(", ", sockets));
        }
    }

    private void report(Throwable failure, String endpoint, ErrorPost post) {
        failure.printStackTrace();
        try {
            post.send(codec.write(ErrorReport.of(failure)));
        } catch (IOException e) {
            System.err.println("thaw-runtime: could not report to " + endpoint + ": " + e);
        }
    }

    @FunctionalInterface
    private interface ErrorPost {
        void send(byte[] body) throws IOException;
    }
}
