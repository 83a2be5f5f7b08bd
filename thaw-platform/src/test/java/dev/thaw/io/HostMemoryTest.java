package dev.thaw.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void memAvailableIsReadInBytesAndNotTakenForMemFree() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"),
                "MemTotal:       24567896 kB\nMemFree:        1000 kB\nMemAvailable:   20000000 kB\n");
        assertEquals(OptionalLong.of(20000000L * 1024), HostMemory.availableBytes(meminfo));
    }

    @Test
    void aFileWithoutMemTotalGivesNothing() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemFree:        1000 kB\n");
        assertTrue(HostMemory.totalBytes(meminfo).isEmpty());
    }

    @Test
    void aBalloonThatReportsFreePagesIsFound() throws Exception {
        device("virtio0", "0x0002", "0010001001100100");
        device("virtio1", "0x0005", "0110010100000000");
        assertTrue(HostMemory.freePageReporting(dir));
    }

    @Test
    void aBalloonWithoutReportingOrNoBalloonIsNotTakenForOne() throws Exception {
        device("virtio0", "0x0005", "0110000100000000");
        device("virtio1", "0x0001", "1100011110111011");
        assertFalse(HostMemory.freePageReporting(dir));
        assertFalse(HostMemory.freePageReporting(dir.resolve("absent")));
    }

    private void device(String name, String id, String features) throws Exception {
        Path device = Files.createDirectories(dir.resolve(name));
        Files.writeString(device.resolve("device"), id + "\n");
        Files.writeString(device.resolve("features"), features + "\n");
    }

    @Test
    void thisHostsMemoryIsKnown() {
        assertTrue(HostMemory.totalBytes().getAsLong() > 0);
    }
}
