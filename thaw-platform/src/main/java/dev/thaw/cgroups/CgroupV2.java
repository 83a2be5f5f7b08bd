package dev.thaw.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * cgroup v2: one directory per environment under {@code thaw/} in the unified hierarchy, with memory, cpu and pids
 * enabled for it. Found at the mount root (pure v2) or at {@code unified/} (hybrid), only when those controllers
 * are available there.
 */
final class CgroupV2 implements Cgroups {
    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");

    /** The cgroup that holds this platform's parent: where it was started, or the root (see placeParent). */
    private final Path own;
    private final String group;

    private CgroupV2(Path own, String group) {
        this.group = group;
        this.own = own;
    }

    static Optional<CgroupV2> detect(Path mountRoot, List<String> selfCgroup, String group, Set<Long> ownPids) {
        Optional<String> path = CgroupFiles.ownUnifiedPath(selfCgroup);
        if (path.isEmpty()) {
            return Optional.empty();
        }
        for (Path root : List.of(mountRoot, mountRoot.resolve("unified"))) {
            if (hasControllers(root.resolve("cgroup.controllers"))) {
                Path own = root.resolve(path.get().substring(1));
                return Optional.of(new CgroupV2(placeParent(root, own, group, ownPids), group));
            }
        }
        return Optional.empty();
    }

    /**
     * Where this platform's parent cgroup goes, given the kernel's "no internal processes" rule: a non-root cgroup
     * that holds processes cannot give controllers to its children. A platform alone in its cgroup (a systemd
     * service with {@code Delegate=yes}, a container's cgroup namespace) moves itself and its children into a leaf
     * and keeps its environments beside it. One that shares its cgroup with processes it does not own (a login
     * shell's scope) puts them under the hierarchy's root, which the rule exempts.
     */
    static Path placeParent(Path root, Path own, String group, Set<Long> ownPids) {
        if (hasControllers(own.resolve("cgroup.subtree_control"))) {
            return own;
        }
        List<Long> inside = CgroupFiles.pids(own);
        if (inside.isEmpty()) {
            return own;
        }
        if (ownPids.containsAll(inside)) {
            Path leaf = own.resolve(group + "-platform");
            try {
                Files.createDirectories(leaf);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + leaf + ": " + e.getMessage(), e);
            }
            for (long pid : inside) {
                CgroupFiles.write(leaf.resolve("cgroup.procs"), Long.toString(pid));
            }
            return own;
        }
        return root;
    }

    private static boolean hasControllers(Path file) {
        try {
            List<String> available = List.of(Files.readString(file).trim().split("\\s+"));
            return available.containsAll(CONTROLLERS);
        } catch (IOException e) {
            return false;
        }
    }

    private Path parent() {
        return own.resolve(group);
    }

    @Override
    public EnvironmentCgroup create(String environmentId, Limits limits) {
        Path dir = parent().resolve("env-" + environmentId);
        try {
            Files.createDirectories(dir);
            enableControllers(own);
            enableControllers(parent());
            CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
            if (Files.exists(dir.resolve("memory.swap.max"))) {
                CgroupFiles.write(dir.resolve("memory.swap.max"), "0");
            }
            CgroupFiles.write(dir.resolve("cpu.weight"), Integer.toString(
                    Math.max(1, Math.min(10000, limits.cpuWeightPercent()))));
            CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(limits.maxPids()));
        } catch (IOException | RuntimeException e) {
            CgroupFiles.killAndRemove(dir);
            throw new IllegalStateException("cannot create cgroup " + dir + ": " + e.getMessage(), e);
        }
        return new Environment(environmentId, dir);
    }

    private static void enableControllers(Path cgroup) {
        Path control = cgroup.resolve("cgroup.subtree_control");
        try {
            String enabled = Files.exists(control) ? Files.readString(control) : "";
            if (!List.of(enabled.trim().split("\\s+")).containsAll(CONTROLLERS)) {
                CgroupFiles.write(control, "+memory +cpu +pids");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot enable controllers in " + cgroup, e);
        }
    }

    @Override
    public int sweepLeftovers() {
        int removed = 0;
        for (Path dir : CgroupFiles.environmentDirs(parent())) {
            CgroupFiles.killAndRemove(dir);
            removed++;
        }
        return removed;
    }

    private dev.thaw.io.DeathGuard guard;

    @Override
    public void startGuard() {
        guard = CgroupFiles.startGuard(parent(), "cgroup.freeze", "0", List.of(parent()));
    }

    @Override
    public void close() {
        if (guard != null) {
            guard.dismiss();
        }
        CgroupFiles.removeIfEmpty(parent());
    }

    @Override
    public String describe() {
        return "cgroup v2 (memory, cpu, pids under " + own.resolve(group) + ")";
    }

    private final class Environment implements EnvironmentCgroup {
        private final String id;
        private final Path dir;
        private final CounterFile peak;

        Environment(String id, Path dir) {
            this.id = id;
            this.dir = dir;
            this.peak = new CounterFile(dir.resolve("memory.peak"));
        }

        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public OptionalLong peakMemoryBytes() {
            return peak.read();
        }

        @Override
        public OptionalLong currentMemoryBytes() {
            return CgroupFiles.readLong(dir.resolve("memory.current"));
        }

        @Override
        public long oomKills() {
            return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill");
        }

        @Override
        public List<String> criuDumpControllers() {
            return CONTROLLERS;
        }

        @Override
        public void freeze() {
            CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
            if (!CgroupFiles.await(dir.resolve("cgroup.events"), "frozen 1", 2000)) {
                thaw();
                throw new IllegalStateException("environment " + id + " did not freeze within 2 s");
            }
        }

        @Override
        public void thaw() {
            CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
        }

        @Override
        public void remove() {
            peak.close();
            CgroupFiles.killAndRemove(dir);
        }
    }
}
