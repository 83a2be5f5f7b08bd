package dev.thaw.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Fields of {@code /proc/<pid>/status}, the kernel's summary of a process. A process that is gone, or a field the
 * kernel does not give, reads as empty.
 */
public final class ProcStatus {
    private ProcStatus() {
    }

    /** The value of {@code field} (such as {@code NSpid}), without its name and the spaces after it. */
    public static Optional<String> field(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Optional.of(line.substring(field.length() + 1).trim());
                }
            }
        } catch (IOException gone) {
            // the process exited
        }
        return Optional.empty();
    }

    /** A numeric field such as {@code Threads}, or a size such as {@code VmRSS} in the kernel's kilobytes. */
    public static OptionalLong number(long pid, String field) {
        Optional<String> value = field(pid, field);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.get().replaceAll("\\D", "")));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
