package dev.thaw.provisioned;

import java.util.Optional;

/**
 * A provisioned concurrency configuration as the API shows it. {@code allocated} and {@code available} are both the
 * copies that are live and ready: they differ on Lambda only for weighted aliases, which Thaw does not have.
 */
public record ProvisionedStatus(String functionArn, int requested, int available, int allocated, Status status,
                                Optional<String> statusReason, String lastModified) {

    /** Lambda's ProvisionedConcurrencyStatusEnum. */
    public enum Status { IN_PROGRESS, READY, FAILED }
}
