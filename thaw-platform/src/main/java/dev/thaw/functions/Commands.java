package dev.thaw.functions;

import java.util.List;
import java.util.Map;

/** The control-plane commands the api package parses requests into. Nullable fields mean "not given". */
public final class Commands {
    private Commands() {
    }

    /** {@code layers}: layer version ARNs, resolved by the service into the config's layers. */
    public record CreateFunction(String functionName, FunctionConfig config, byte[] zip, boolean publish,
                                 List<String> layers) {
        public CreateFunction(String functionName, FunctionConfig config, byte[] zip, boolean publish) {
            this(functionName, config, zip, publish, List.of());
        }
    }

    public record UpdateCode(String functionRef, byte[] zip, boolean publish, String revisionId) {
    }

    /** Only the non-null fields change, as in UpdateFunctionConfiguration. */
    public record UpdateConfiguration(
            String functionRef,
            String runtime,
            String handler,
            String role,
            String description,
            Integer memorySize,
            Integer timeout,
            Integer ephemeralStorage,
            Map<String, String> environment,
            SnapStartMode snapStart,
            InertSettings inert,
            List<String> layers,
            LoggingConfig logging,
            String revisionId) {
    }

    public record Publish(String functionRef, String description, String codeSha256, String revisionId) {
    }

    public record CreateAlias(String functionRef, String name, String functionVersion, String description) {
    }

    public record UpdateAlias(String functionRef, String name, String functionVersion, String description,
                              String revisionId) {
    }
}
