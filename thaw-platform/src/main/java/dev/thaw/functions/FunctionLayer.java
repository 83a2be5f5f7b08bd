package dev.thaw.functions;

/**
 * One layer of a function version, as its configuration keeps it: the layer version's ARN, the size of its archive
 * (GetFunction's {@code Layers[].CodeSize}) and the SHA-256 of its content, which finds the extracted layer even
 * after the layer version itself has been deleted.
 */
public record FunctionLayer(String arn, long codeSize, String sha256Hex) {
}
