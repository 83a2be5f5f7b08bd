package dev.thaw.functions;

/** A stored, immutable deployment package. {@code sha256Hex} addresses it in the code store. */
public record CodePackage(String sha256Hex, String sha256Base64, long size) {
}
