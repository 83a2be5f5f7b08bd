package dev.thaw.runtime;

import dev.thaw.contract.RuntimeContract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Invoke priming, opt-in: the sample events a function ships in its package's {@code thaw-priming/} directory
 * ({@code *.json}, in name order) are sent through its handler before a SnapStart checkpoint, and the results are
 * discarded. The handler runs for real: whatever it does besides answering (writes to a database, calls to other
 * services, counters) happens once per sample event, at publish time.
 */
final class InvokePriming {

    /** What a sample event's invocation is given as its deadline: the longest a Lambda function may run. */
    private static final long DEADLINE_MILLIS = 900_000;

    private InvokePriming() {
    }

    /** How many sample events were replayed and how many of them the handler failed. */
    record Result(int replayed, int failed) {
    }

    /** The sample events in {@code taskRoot}'s priming directory, in name order; none when there is no directory. */
    static List<Path> sampleEvents(Path taskRoot) throws IOException {
        Path dir = taskRoot.resolve(RuntimeContract.PRIMING_EVENTS_DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    static Result replay(List<Path> events, HandlerInvoker handler, RuntimeEnvironment env, LazyJsonCodec codec) {
        int failed = 0;
        int n = 0;
        for (Path event : events) {
            n++;
            String name = event.getFileName().toString();
            try {
                byte[] payload = Files.readAllBytes(event);
                Invocation invocation = new Invocation("thaw-priming-" + n,
                        System.currentTimeMillis() + DEADLINE_MILLIS, "", Optional.empty(), Optional.empty(),
                        Optional.empty(), payload);
                handler.invoke(payload, new LambdaContextImpl(invocation, env, codec));
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                failed++;
                System.err.println("thaw-runtime: sample event " + name + " failed: " + t);
            }
        }
        return new Result(events.size(), failed);
    }
}
