package dev.thaw.cli;

import dev.thaw.io.ProcStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about one live process: fields of its {@code status} file (VmRSS, Threads), how
 * many files it has open, and the names of its threads. A process that is gone reads as zero.
 */
public final class ProcStats {
    private ProcStats() {
    }

    /** Resident memory in kB (VmRSS). */
    public static long rssKb(long pid) {
        return statusField(pid, "VmRSS");
    }

    /** Threads of the process as the kernel counts them: a JVM's platform threads, none of its virtual threads. */
    public static long threads(long pid) {
        return statusField(pid, "Threads");
    }

    /**
     * CPU time the process has used so far, user and system, its ended threads included ({@code /proc/PID/stat},
     * fields 14 and 15, in clock ticks of 10 ms).
     */
    public static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /** Entries of {@code /proc/PID/fd}: files, sockets, pipes and other descriptors the process holds open. */
    public static int openFds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException gone) {
            return 0;
        }
    }

    /**
     * How many threads bear each name ({@code /proc/PID/task/TID/comm}, which the JVM sets from the Java thread's
     * name and the kernel cuts at 15 characters), so a growing count can be traced to the code that starts them.
     * Numbers and ids in a name become {@code #}: "env-1a2b3c4d-stdout" and "env-5e6f7a8b-stdout" are one kind.
     */
    public static Map<String, Integer> threadNames(long pid) {
        Map<String, Integer> names = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    names.merge(name.replaceAll("[0-9a-f]*\\d[0-9a-f]*", "#"), 1, Integer::sum);
                } catch (IOException exited) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException gone) {
            // the process exited
        }
        return names;
    }

    /**
     * A field of {@code /proc/PID/smaps_rollup} in kB: {@code Rss}, {@code Pss} (each page divided by the number of
     * processes that map it), {@code Shared_Clean} or {@code Shared_Dirty} (resident pages another process maps too).
     */
    public static long smapsRollupKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process exited
        }
        return 0;
    }

    private static long statusField(long pid, String field) {
        return ProcStatus.number(pid, field).orElse(0);
    }
}
