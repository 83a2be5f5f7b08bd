package dev.thaw.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The host's memory, as {@code /proc/meminfo} gives it: the one reader of that file. */
public final class HostMemory {
    private HostMemory() {
    }

    /** MemTotal in bytes; empty when the file has no such line. */
    public static OptionalLong totalBytes() {
        return totalBytes(Path.of("/proc/meminfo"));
    }

    static OptionalLong totalBytes(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
