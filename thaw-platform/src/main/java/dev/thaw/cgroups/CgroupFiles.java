package dev.thaw.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Reading, writing and removing cgroup directories, shared by both backends. */
final class CgroupFiles {
    private CgroupFiles() {
    }

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value + " to " + file + ": " + e.getMessage(), e);
        }
    }

    static OptionalLong readLong(Path file) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A "key value" line of a flat keyed file such as memory.events or memory.oom_control. */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Long.parseLong(kv[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not reported by this kernel
        }
        return 0;
    }

    /** An empty cgroup a v1 platform holds frozen beside its environments' (see CgroupV1#holdFreezerActive). */
    static final String FREEZE_ANCHOR = "freeze-anchor";

    /**
     * Guards the cgroups of one platform: if the platform dies, every environment under the parents is thawed (a
     * frozen task cannot act on the SIGKILL its parent's death sends it), what still runs in them is killed, and the
     * emptied cgroups, the freeze anchor and the parents are removed. {@code freezeDir} and {@code freezeFile} name
     * where thawing is done.
     */
    static dev.thaw.io.DeathGuard startGuard(Path freezeDir, String freezeFile, String thawedValue, List<Path> parents) {
        String cleanup = """
                fz=$1 ff=$2 fv=$3; shift 3
                for f in "$fz"/env-*/"$ff"; do [ -f "$f" ] && echo "$fv" > "$f"; done
                envs=$(for p in "$@"; do for d in "$p"/env-*; do [ -d "$d" ] && echo "$d"; done; done)
                i=0
                while [ -n "$envs" ] && [ $i -lt 100 ]; do
                    left=
                    for d in $envs; do
                        for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
                        rmdir "$d" 2>/dev/null || { [ -d "$d" ] && left="$left $d"; }
                    done
                    envs=$left; i=$((i+1))
                    [ -n "$envs" ] && sleep 0.1
                done
                a="$fz/%s"; [ -d "$a" ] && { echo "$fv" > "$a/$ff"; rmdir "$a" 2>/dev/null; }
                for p in "$@"; do rmdir "$p" 2>/dev/null; done""".formatted(FREEZE_ANCHOR);
        List<String> args = new ArrayList<>(List.of(freezeDir.toString(), freezeFile, thawedValue));
        parents.forEach(p -> args.add(p.toString()));
        return dev.thaw.io.DeathGuard.start("thaw-cgroup-guard", cleanup, args);
    }

    /** Waits up to {@code timeoutMillis} for {@code file} to hold a line equal to {@code expected}. */
    static boolean await(Path file, String expected, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        do {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.trim().equals(expected)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** SIGKILLs every process listed in the directory's cgroup.procs, then removes the directory (retrying briefly). */
    static void killAndRemove(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            for (long pid : pids(dir)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        Cgroups.LOG.warning(() -> "could not remove cgroup " + dir);
    }

    static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // still has environments (or is not ours to remove)
        }
    }

    static List<Long> pids(Path dir) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return pids;
    }

    /** Environment cgroup directories directly under {@code parent}. */
    static List<Path> environmentDirs(Path parent) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return out;
        }
        try (var list = Files.list(parent)) {
            list.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("env-")).forEach(out::add);
        } catch (IOException e) {
            // nothing to sweep
        }
        return out;
    }

    /** The unified (cgroup v2) path in /proc/self/cgroup lines, the "0::/path" one, if present. */
    static java.util.Optional<String> ownUnifiedPath(List<String> selfCgroup) {
        return selfCgroup.stream().filter(l -> l.startsWith("0::")).map(l -> l.substring(3)).findFirst();
    }

    /** The path of {@code controller} in /proc/self/cgroup lines ("ID:controllers:/path"), if present. */
    static java.util.Optional<String> ownPath(List<String> selfCgroup, String controller) {
        for (String line : selfCgroup) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                return java.util.Optional.of(parts[2]);
            }
        }
        return java.util.Optional.empty();
    }
}
