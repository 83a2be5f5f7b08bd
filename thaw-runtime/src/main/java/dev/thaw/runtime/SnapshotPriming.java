package dev.thaw.runtime;

import dev.thaw.contract.RuntimeContract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a SnapStart INIT does after the handler is ready and before the beforeCheckpoint hooks: invoke priming (the
 * package's sample events, when it has any), then class priming (the classes {@code $LATEST} loaded, unless the
 * function sets {@code THAW_CLASS_PRIMING=off}). Each step logs one line in the function's log; the summary goes to
 * the platform with the checkpoint request. Neither step can fail the publish.
 */
final class SnapshotPriming {

    private SnapshotPriming() {
    }

    /** Runs both steps; returns the checkpoint request's body. */
    static byte[] run(RuntimeEnvironment env, HandlerInvoker handler, ClassLoader loader, RuntimeApiClient api,
                      LazyJsonCodec codec, Map<String, String> variables) {
        Map<String, Object> summary = new LinkedHashMap<>();
        InvokePriming.Result events = replaySampleEvents(env, handler, codec);
        summary.put(RuntimeContract.CHECKPOINT_PRIMING_EVENTS, events.replayed());
        summary.put(RuntimeContract.CHECKPOINT_FAILED_PRIMING_EVENTS, events.failed());
        if (RuntimeContract.CLASS_PRIMING_OFF.equalsIgnoreCase(
                variables.getOrDefault(RuntimeContract.CLASS_PRIMING, "").strip())) {
            System.out.println("thaw-runtime: class priming is off (" + RuntimeContract.CLASS_PRIMING + "="
                    + RuntimeContract.CLASS_PRIMING_OFF + ")");
        } else {
            ClassPriming.Result classes = primeClasses(loader, api);
            summary.put(RuntimeContract.CHECKPOINT_PRIMED_CLASSES, classes.primed());
            summary.put(RuntimeContract.CHECKPOINT_UNLOADABLE_CLASSES, classes.unloadable());
        }
        return codec.get().write(summary);
    }

    private static InvokePriming.Result replaySampleEvents(RuntimeEnvironment env, HandlerInvoker handler,
                                                           LazyJsonCodec codec) {
        List<Path> events;
        try {
            events = InvokePriming.sampleEvents(env.taskRoot());
        } catch (IOException e) {
            System.err.println("thaw-runtime: cannot list the sample events in " + RuntimeContract.PRIMING_EVENTS_DIRECTORY
                    + ": " + e);
            return new InvokePriming.Result(0, 0);
        }
        if (events.isEmpty()) {
            return new InvokePriming.Result(0, 0);
        }
        long start = System.nanoTime();
        InvokePriming.Result result = InvokePriming.replay(events, handler, env, codec);
        System.out.println(String.format(Locale.ROOT, "thaw-runtime: invoke priming: %d sample events replayed "
                + "through the handler (%d failed) in %.0f ms", result.replayed(), result.failed(),
                (System.nanoTime() - start) / 1e6));
        return result;
    }

    private static ClassPriming.Result primeClasses(ClassLoader loader, RuntimeApiClient api) {
        List<String> names;
        try {
            names = api.classesToPrime();
        } catch (IOException e) {
            System.err.println("thaw-runtime: class priming skipped, the list of classes could not be read: " + e);
            return new ClassPriming.Result(0, 0, 0);
        }
        ClassPriming.Result result = ClassPriming.prime(names, loader);
        System.out.println(String.format(Locale.ROOT, "thaw-runtime: class priming: %d classes loaded and linked, "
                + "%d not loadable, of %d recorded, in %.0f ms", result.primed(), result.unloadable(), names.size(),
                result.nanos() / 1e6));
        return result;
    }
}
