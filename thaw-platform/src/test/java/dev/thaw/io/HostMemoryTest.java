package dev.thaw.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostMemoryTest {
    @TempDir
    Path dir;

    @Test
    void memTotalIsReadInBytes() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"),
                "MemTotal:       24567896 kB\nMemFree:        1000 kB\n");
        assertEquals(OptionalLong.of(24567896L * 1024), HostMemory.totalBytes(meminfo));
    }

    @Test
    void aFileWithoutMemTotalGivesNothing() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemFree:        1000 kB\n");
        assertTrue(HostMemory.totalBytes(meminfo).isEmpty());
    }

    @Test
    void thisHostsMemoryIsKnown() {
        assertTrue(HostMemory.totalBytes().getAsLong() > 0);
    }
}
