package dev.thaw.functions;

/**
 * The State / LastUpdateStatus pair that AWS reports, with their reasons. Published SnapStart versions move
 * Pending → Active (or Failed) while their snapshot is taken.
 */
public record VersionState(
        State state,
        String stateReason,
        String stateReasonCode,
        UpdateStatus lastUpdateStatus,
        String lastUpdateStatusReason,
        String lastUpdateStatusReasonCode) {

    public enum State { Pending, Active, Inactive, Failed }

    public enum UpdateStatus { InProgress, Successful, Failed }

    public static VersionState active() {
        return new VersionState(State.Active, null, null, UpdateStatus.Successful, null, null);
    }

    public static VersionState pending(String reason, String reasonCode) {
        return new VersionState(State.Pending, reason, reasonCode, UpdateStatus.InProgress, null, null);
    }

    public static VersionState failed(String reason, String reasonCode) {
        return new VersionState(State.Failed, reason, reasonCode, UpdateStatus.Failed, reason, reasonCode);
    }

    public static VersionState inactive(String reason, String reasonCode) {
        return new VersionState(State.Inactive, reason, reasonCode, UpdateStatus.Successful, null, null);
    }
}
