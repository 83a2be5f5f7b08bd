package dev.thaw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code thaw ls}: lists functions with their runtime, memory, timeout and state. */
@Command(name = "ls", description = "List functions.")
final class LsCommand implements Callable<Integer> {
    @Mixin
    EndpointOption endpoint;

    @Override
    public Integer call() {
        ApiClient api = endpoint.client();
        System.out.printf("%-32s %-16s %7s %8s %-8s %s%n", "NAME", "RUNTIME", "MEMORY", "TIMEOUT", "STATE", "HANDLER");
        String marker = null;
        do {
            JsonNode page = api.json("GET", "/2015-03-31/functions/?MaxItems=50"
                    + (marker != null ? "&Marker=" + ApiClient.encode(marker) : ""), null);
            for (JsonNode f : page.path("Functions")) {
                System.out.printf("%-32s %-16s %5d MB %6d s %-8s %s%n", f.path("FunctionName").asText(),
                        f.path("Runtime").asText(), f.path("MemorySize").asInt(), f.path("Timeout").asInt(),
                        f.path("State").asText(), f.path("Handler").asText());
            }
            marker = page.hasNonNull("NextMarker") ? page.path("NextMarker").asText() : null;
        } while (marker != null);
        return 0;
    }
}
