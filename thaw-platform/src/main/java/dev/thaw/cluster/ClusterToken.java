package dev.thaw.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The shared secret that API instances present to workers' internal API ({@code --cluster-token-file}); compared in
 * constant time.
 */
public final class ClusterToken {
    /** The header that carries the token. */
    public static final String HEADER = "X-Thaw-Cluster-Token";
    private static final int MINIMUM_LENGTH = 16;

    private final byte[] secret;

    private ClusterToken(byte[] secret) {
        this.secret = secret;
    }

    /** The file's first line, which must hold at least 16 characters. */
    public static ClusterToken read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster token file " + file, e);
        }
        if (text.length() < MINIMUM_LENGTH) {
            throw new IllegalArgumentException("the cluster token in " + file + " must be at least " + MINIMUM_LENGTH
                    + " characters long");
        }
        return new ClusterToken(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code presented} is the token; the time taken does not depend on where they differ. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The token, for a request's header. */
    String value() {
        return new String(secret, StandardCharsets.UTF_8);
    }
}
