package dev.thaw.urls;

/**
 * One Function URL: its 32-character id (the first label of its host name), the function and alias it invokes
 * ({@code qualifier} is empty for the unqualified function), and its settings. {@code cors} is null when none is set.
 */
public record FunctionUrlConfig(String urlId, String functionName, String qualifier, AuthType authType, Cors cors,
                                String invokeMode, String creationTime, String lastModifiedTime) {

    public boolean isQualified() {
        return !qualifier.isEmpty();
    }
}
