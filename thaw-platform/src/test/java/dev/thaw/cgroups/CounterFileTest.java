package dev.thaw.cgroups;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CounterFileTest {
    @TempDir
    Path dir;

    @Test
    void eachReadSeesTheValueTheFileHoldsNowThroughTheSameDescriptor() throws Exception {
        Path file = Files.writeString(dir.resolve("memory.peak"), "73400320\n");
        try (CounterFile counter = new CounterFile(file)) {
            assertEquals(OptionalLong.of(73400320L), counter.read());
            Files.writeString(file, "104857600\n"); // rewritten in place, as the kernel makes it anew
            assertEquals(OptionalLong.of(104857600L), counter.read());
        }
    }

    @Test
    void aMissingOrClosedFileReadsAsEmpty() throws Exception {
        assertEquals(OptionalLong.empty(), new CounterFile(dir.resolve("absent")).read());
        Path file = Files.writeString(dir.resolve("memory.peak"), "1\n");
        CounterFile counter = new CounterFile(file);
        counter.close();
        assertEquals(OptionalLong.empty(), counter.read());
    }

    @Test
    void onlyADecimalNumberUpToTheLineEndParses() {
        assertEquals(OptionalLong.of(42), parse("42\n"));
        assertEquals(OptionalLong.of(42), parse("42"));
        assertEquals(OptionalLong.empty(), parse("max\n"));
        assertEquals(OptionalLong.empty(), parse("\n"));
        assertEquals(OptionalLong.empty(), parse("-1\n"));
        assertEquals(OptionalLong.empty(), parse("9999999999999999999\n"));
    }

    private static OptionalLong parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return CounterFile.parse(bytes, bytes.length);
    }
}
