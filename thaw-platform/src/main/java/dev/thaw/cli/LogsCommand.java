package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.concurrent.Callable;

/** {@code thaw logs}: prints a function's log lines; {@code --follow} keeps printing new ones. */
@Command(name = "logs", description = "Show a function's logs.")
final class LogsCommand implements Callable<Integer> {
    @Mixin
    EndpointOption endpoint;

    @Parameters(index = "0", description = "Function name.")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines.")
    boolean follow;

    @Option(names = "--limit", defaultValue = "200", description = "Lines to show at first.")
    int limit;

    @Override
    public Integer call() throws InterruptedException {
        ApiClient api = endpoint.client();
        long printedUpTo = -1;
        int printedAtThatMs = 0;
        do {
            JsonNode events = api.json("GET", "/thaw/v1/logs/" + ApiClient.encode(name) + "?Limit="
                    + (printedUpTo < 0 ? limit : 100000), null).path("Events");
            int sameMs = 0;
            for (JsonNode e : events) {
                long ts = e.path("Timestamp").asLong();
                if (ts < printedUpTo) {
                    continue;
                }
                if (ts == printedUpTo && ++sameMs <= printedAtThatMs) {
                    continue;
                }
                System.out.println(Instant.ofEpochMilli(ts) + " " + e.path("Message").asText());
                if (ts > printedUpTo) {
                    printedUpTo = ts;
                    sameMs = 1;
                }
                printedAtThatMs = sameMs;
            }
            if (follow) {
                Thread.sleep(500);
            }
        } while (follow);
        return 0;
    }
}
