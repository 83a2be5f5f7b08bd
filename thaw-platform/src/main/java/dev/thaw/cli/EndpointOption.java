package dev.thaw.cli;

import picocli.CommandLine.Option;

/** The shared {@code --endpoint-url} option of client commands. */
final class EndpointOption {
    @Option(names = "--endpoint-url", description = "Thaw API (default: $THAW_ENDPOINT or http://127.0.0.1:9000).")
    String endpoint;

    ApiClient client() {
        String e = endpoint != null ? endpoint : System.getenv().getOrDefault("THAW_ENDPOINT", "http://127.0.0.1:9000");
        return new ApiClient(e);
    }
}
