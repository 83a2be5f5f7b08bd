package dev.thaw.runtime;

import dev.thaw.contract.RuntimeContract;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;

/**
 * The JSON line a restored copy reads on its stdin, e.g. {@code {"runtimeApi":"127.0.0.1:9123","environmentId":"env-abc"}}.
 * Unknown fields are ignored; {@code logStreamName} is optional and replaces the stale one from the snapshot;
 * {@code touchPages} asks for {@link RestoredPages} before the first poll.
 */
record RestoreInstruction(String runtimeApi, Optional<String> environmentId, Optional<String> logStreamName,
                          boolean touchPages) {

    /** Empty when the platform abandons this copy with {@code {"abort":true}}. */
    static Optional<RestoreInstruction> parse(String line, JsonCodec codec) throws IOException {
        JsonNode node = codec.readTree(line);
        if (node == null || !node.isObject()) {
            throw new IOException("The restore line is not a JSON object: " + line);
        }
        if (node.path(RuntimeContract.RESTORE_ABORT).asBoolean(false)) {
            return Optional.empty();
        }
        String runtimeApi = text(node, RuntimeContract.RESTORE_RUNTIME_API)
                .orElseThrow(() -> new IOException("The restore line has no runtimeApi: " + line));
        return Optional.of(new RestoreInstruction(runtimeApi, text(node, RuntimeContract.RESTORE_ENVIRONMENT_ID),
                text(node, RuntimeContract.RESTORE_LOG_STREAM_NAME),
                node.path(RuntimeContract.RESTORE_TOUCH_PAGES).asBoolean(false)));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() && !value.asText().isBlank()
                ? Optional.of(value.asText()) : Optional.empty();
    }
}
