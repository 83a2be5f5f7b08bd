package dev.thaw.store;

/** A provisioned concurrency configuration as stored: a function's version or alias and how many copies it asks for. */
public record StoredProvisionedConcurrency(String functionName, String qualifier, int requested,
                                           String lastModified) {
}
