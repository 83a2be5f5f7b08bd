package dev.thaw.priming;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassNamesTest {
    @Test
    void aReportIsOneBinaryNameALineAndAnythingElseIsDropped() {
        byte[] report = String.join("\n", "com.example.Handler", "  com.example.Handler$Inner  ", "",
                "com.example.Handler", "not a name", "com..Broken", "Trailing.", "a/b/Hidden", "[Ljava.lang.String;",
                "x".repeat(ClassNames.MAX_NAME_LENGTH + 1), "java.util.List").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("com.example.Handler", "com.example.Handler$Inner", "java.util.List"),
                ClassNames.parse(report));
    }

    @Test
    void binaryNamesAllowUnicodeIdentifiersAndDollars() {
        assertTrue(ClassNames.isBinaryName("café.Größe$1"));
        assertTrue(ClassNames.isBinaryName("$Proxy12"));
        assertFalse(ClassNames.isBinaryName("1abc.Def"));
        assertFalse(ClassNames.isBinaryName(".Leading"));
    }

    @Test
    void mergingKeepsWhatWasThereFirstThenAddsNewNamesInOrderUpToTheBound() {
        assertEquals(List.of("a", "b", "c", "d"), ClassNames.merge(List.of("a", "b"), List.of("b", "c", "a", "d"), 10));
        assertEquals(List.of("a", "b", "c"), ClassNames.merge(List.of("a", "b"), List.of("c", "d", "e"), 3));
        assertEquals(List.of("a", "b"), ClassNames.merge(List.of("a", "b", "c"), List.of("d"), 2),
                "a list already over a lowered bound is cut");
    }

    @Test
    void formatAndParseRoundTrip() {
        List<String> names = List.of("p.A", "p.B$C");
        assertEquals(names, ClassNames.parse(ClassNames.format(names).getBytes(StandardCharsets.UTF_8)));
    }
}
