package dev.thaw.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterTokenTest {
    @TempDir
    Path dir;

    @Test
    void onlyTheExactTokenOnTheFilesFirstLineMatches() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "  0123456789abcdef-secret  \nignored\n");
        ClusterToken token = ClusterToken.read(file);
        assertTrue(token.matches("0123456789abcdef-secret"));
        assertFalse(token.matches("0123456789abcdef-secreT"));
        assertFalse(token.matches("0123456789abcdef-secret "));
        assertFalse(token.matches(""));
        assertFalse(token.matches(null));
    }

    @Test
    void aShortTokenIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "short\n");
        assertThrows(IllegalArgumentException.class, () -> ClusterToken.read(file));
    }
}
