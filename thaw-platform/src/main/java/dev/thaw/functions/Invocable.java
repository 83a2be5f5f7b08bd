package dev.thaw.functions;

/** What an Invoke resolved to: the version that runs and the ARN the caller used. */
public record Invocable(FunctionVersion version, String invokedArn) {
    public String executedVersion() {
        return version.version();
    }
}
