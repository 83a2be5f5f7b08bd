package dev.thaw.functions;

/** A named pointer to a published version (or $LATEST). */
public record Alias(String functionName, String name, String functionVersion, String description, String revisionId) {
}
