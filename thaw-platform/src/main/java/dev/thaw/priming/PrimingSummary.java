package dev.thaw.priming;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.thaw.contract.RuntimeContract;
import dev.thaw.functions.FunctionVersion;

import java.io.IOException;

/**
 * What the runtime primed before a checkpoint, from its checkpoint request: classes loaded and linked, classes it
 * could not load, sample events replayed and how many of them failed. {@code classPriming} is false when the
 * function turned class priming off.
 */
public record PrimingSummary(boolean classPriming, int primedClasses, int unloadableClasses, int primingEvents,
                             int failedPrimingEvents) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the runtime's checkpoint request body; what is missing or malformed counts as zero. */
    public static PrimingSummary of(FunctionVersion version, byte[] checkpointRequest) {
        JsonNode body;
        try {
            body = checkpointRequest.length == 0 ? JSON.createObjectNode() : JSON.readTree(checkpointRequest);
        } catch (IOException e) {
            body = JSON.createObjectNode();
        }
        return new PrimingSummary(ClassPriming.enabled(version.config()),
                body.path(RuntimeContract.CHECKPOINT_PRIMED_CLASSES).asInt(0),
                body.path(RuntimeContract.CHECKPOINT_UNLOADABLE_CLASSES).asInt(0),
                body.path(RuntimeContract.CHECKPOINT_PRIMING_EVENTS).asInt(0),
                body.path(RuntimeContract.CHECKPOINT_FAILED_PRIMING_EVENTS).asInt(0));
    }
}
