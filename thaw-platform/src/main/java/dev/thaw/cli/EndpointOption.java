package dev.thaw.cli;

import picocli.CommandLine.Option;

/** The shared {@code --endpoint-url} and {@code --region} options of client commands. */
final class EndpointOption {
    @Option(names = "--endpoint-url", description = "Thaw API (default: $THAW_ENDPOINT or http://127.0.0.1:9000).")
    String endpoint;

    @Option(names = "--region", description = "Region the requests are signed for, when AWS credentials are found "
            + "(default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1).")
    String region;

    /** A client that signs with the standard AWS credential chain when it finds credentials. */
    ApiClient client() {
        String e = endpoint != null ? endpoint : System.getenv().getOrDefault("THAW_ENDPOINT", "http://127.0.0.1:9000");
        return new ApiClient(e, RequestSigner.fromCredentialChain(RequestSigner.region(region, System.getenv())));
    }
}
