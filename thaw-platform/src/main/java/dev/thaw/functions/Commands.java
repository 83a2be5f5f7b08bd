package dev.thaw.functions;

import java.util.Map;

/** The control-plane commands the api package parses requests into. Nullable fields mean "not given". */
public final class Commands {
    private Commands() {
    }

    public record CreateFunction(String functionName, FunctionConfig config, byte[] zip, boolean publish) {
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
