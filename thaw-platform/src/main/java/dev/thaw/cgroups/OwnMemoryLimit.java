package dev.thaw.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The memory limit this platform's own process runs under: the smallest {@code memory.max} (cgroup v2) or
 * {@code memory.limit_in_bytes} (v1) from its cgroup up to the root. In a container the host's MemTotal says nothing
 * of what the platform may use; this does.
 */
public final class OwnMemoryLimit {
    /** cgroup v1 writes "no limit" as the largest page-aligned long. */
    private static final long V1_UNLIMITED = Long.MAX_VALUE / 2;

    private OwnMemoryLimit() {
    }

    /** The limit in bytes; empty when there is none or no cgroup says. */
    public static OptionalLong bytes() {
        try {
            return bytes(Path.of("/sys/fs/cgroup"), Files.readAllLines(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong bytes(Path mountRoot, List<String> selfCgroup) {
        Optional<String> v2 = CgroupFiles.ownUnifiedPath(selfCgroup);
        if (v2.isPresent() && Files.exists(mountRoot.resolve("cgroup.controllers"))) {
            return smallest(mountRoot, v2.get(), "memory.max");
        }
        Optional<String> v1 = CgroupFiles.ownPath(selfCgroup, "memory");
        return v1.isPresent() ? smallest(mountRoot.resolve("memory"), v1.get(), "memory.limit_in_bytes")
                : OptionalLong.empty();
    }

    /** The smallest limit in {@code file} of the cgroup at {@code path} under {@code root} and of its ancestors. */
    private static OptionalLong smallest(Path root, String path, String file) {
        long smallest = Long.MAX_VALUE;
        for (Path dir = root.resolve(path.replaceFirst("^/+", "")).normalize(); dir != null && dir.startsWith(root);
             dir = dir.getParent()) {
            // "max", the root cgroup's missing file and an unreadable one all read as no limit
            OptionalLong limit = CgroupFiles.readLong(dir.resolve(file));
            if (limit.isPresent() && limit.getAsLong() < V1_UNLIMITED) {
                smallest = Math.min(smallest, limit.getAsLong());
            }
        }
        return smallest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(smallest);
    }
}
