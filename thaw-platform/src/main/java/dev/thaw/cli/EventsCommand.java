package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code thaw events}: Event (asynchronous) invocations; {@code thaw events failed} lists those that gave up. */
@Command(name = "events", description = "Inspect Event (asynchronous) invocations.",
        subcommands = EventsCommand.Failed.class)
final class EventsCommand {

    @Command(name = "failed", description = "List events that ran out of retries or grew too old.")
    static final class Failed implements Callable<Integer> {
        @Mixin
        EndpointOption endpoint;

        @Parameters(arity = "0..1", paramLabel = "FUNCTION", description = "Only this function's events.")
        String function;

        @Override
        public Integer call() {
            JsonNode out = endpoint.client().json("GET", "/thaw/v1/failed-events"
                    + (function != null ? "?FunctionName=" + ApiClient.encode(function) : ""), null);
            System.out.printf("%-36s %-24s %-8s %8s %-24s %s%n", "REQUEST ID", "FUNCTION", "VERSION", "ATTEMPTS",
                    "ACCEPTED", "LAST ERROR");
            for (JsonNode e : out.path("FailedEvents")) {
                System.out.printf("%-36s %-24s %-8s %8d %-24s %s%n", e.path("RequestId").asText(),
                        e.path("FunctionName").asText(), e.path("Version").asText(), e.path("Attempts").asInt(),
                        Instant.ofEpochMilli(e.path("AcceptedAt").asLong()), oneLine(e.path("LastError").asText()));
                System.out.println("  payload: " + oneLine(e.path("Payload").asText()));
            }
            return 0;
        }

        private static String oneLine(String s) {
            return s.replaceAll("\\s+", " ");
        }
    }
}
